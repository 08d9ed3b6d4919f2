import type { z } from 'zod';
import {
  CreateEnrolmentRequest,
  CreateUserRequest,
  SetCaseloadRequest,
  UpdateUserRequest,
  type CentreEnrolment,
  type CentreUser,
  type SpecSummary,
} from '../../src/domain/admin';
import type { AuditEntry } from '../../src/domain/audit';
import { EraseLearnerRequest, type ErasureStatus } from '../../src/domain/personal-data';
import type { DeviceSession, Role, SessionUser } from '../../src/domain/auth';
import { AdminRevokeKeyRequest, type SigningKeyView } from '../../src/domain/signoff';
import { registrationCheck, todayIso } from '../../src/domain/dates';
import { FrameworkSpec } from '../../src/domain/qualification';
import { rememberSignIn } from '../../src/data/session';
import { CentreError, errorFrom, type CentreClient } from '../../src/sync/api';
import spec0402 from '../../qualifications/4520-02.json';
import spec0403 from '../../qualifications/4520-03.json';

type Reply = { status: number; body: unknown };
const ok = (body: unknown, status = 200): Reply => ({ status, body });
const refuse = (status: number, error: string, message: string): Reply => ({ status, body: { error, message } });

export const CENTRE_ID = '0b9c3f7e-1d2a-4c5b-8e6f-7a8b9c0d1e2f';

/**
 * An in-memory centre implementing the admin API as server/routes/admin.ts answers it, so screen
 * tests run against a CentreClient without mocking fetch. Errors go through the real errorFrom,
 * and answers through the caller's schema, exactly as centreClient does.
 */
export class FakeCentre implements CentreClient {
  users: CentreUser[] = [];
  enrolments: CentreEnrolment[] = [];
  specs: Array<{ spec: FrameworkSpec; importedAt: string }> = [];
  sessions = new Map<string, DeviceSession[]>();
  /** Device signing keys of the centre's people (GET /api/keys?userId=, POST /api/keys/:id/revoke). */
  keys: SigningKeyView[] = [];
  /** Audit entries, newest first, with the learner they are about (GET /api/audit). */
  audit: Array<AuditEntry & { learnerId: string }> = [];
  calls: Array<{ method: string; path: string; body?: unknown }> = [];
  /** Learners whose retention period is over (GET /api/personal-data/learners/:id/erasure); others can be erased from 2030-10-01. */
  erasable = new Set<string>();
  offline = false;
  /** Set to make the next write fail with this status and message, as a busy or unhappy centre would. */
  failNext: { status: number; error: string; message: string } | null = null;

  constructor() {
    this.addUser('Ada Admin', 'ada@centre.example', 'admin');
    this.addUser('Sam Assessor', 'sam@centre.example', 'assessor');
    this.addUser('Tess Assessor', 'tess@centre.example', 'assessor');
    this.addUser('Ian Quality', 'ian@centre.example', 'iqa');
    this.addUser('Priya Shah', 'priya@centre.example', 'learner');
    this.addUser('Leo Martin', 'leo@centre.example', 'learner');
    this.addUser('Zoe Clark', 'zoe@centre.example', 'learner');
    this.specs.push({ spec: FrameworkSpec.parse(spec0402), importedAt: '2026-01-05T09:00:00.000Z' });
    this.specs.push({ spec: FrameworkSpec.parse(spec0403), importedAt: '2026-01-05T09:00:00.000Z' });
  }

  addUser(name: string, email: string, role: Role, disabled = false): CentreUser {
    const user: CentreUser = { id: crypto.randomUUID(), name, email, role, disabled, caseload: [], assessors: [] };
    this.users.push(user);
    return user;
  }

  user(email: string): CentreUser {
    const found = this.users.find((u) => u.email === email);
    if (!found) throw new Error(`No fake user ${email}`);
    return found;
  }

  addSpecVersion(raw: unknown, importedAt = '2026-06-01T10:00:00.000Z'): void {
    this.specs.push({ spec: FrameworkSpec.parse(raw), importedAt });
  }

  addSession(userId: string, deviceLabel: string): DeviceSession {
    const session: DeviceSession = {
      id: crypto.randomUUID(),
      deviceId: crypto.randomUUID(),
      deviceLabel,
      createdAt: '2026-09-01T08:30:00.000Z',
      lastSeenAt: '2026-11-01T12:00:00.000Z',
      expiresAt: '2027-01-30T12:00:00.000Z',
      revokedAt: null,
      current: false,
    };
    this.sessions.set(userId, [...(this.sessions.get(userId) ?? []), session]);
    return session;
  }

  addKey(userId: string, deviceLabel: string): SigningKeyView {
    const user = this.users.find((u) => u.id === userId)!;
    const key: SigningKeyView = {
      id: crypto.randomUUID(),
      userId,
      name: user.name,
      role: user.role,
      publicKey: { kty: 'EC', crv: 'P-256', x: 'x'.repeat(43), y: 'y'.repeat(43) },
      createdAt: '2026-09-01T08:31:00.000Z',
      revokedAt: null,
      deviceLabel,
      current: false,
      revokeReason: null,
    };
    this.keys.push(key);
    return key;
  }

  summary(id: string, version: number): SpecSummary {
    const stored = this.specs.find((s) => s.spec.id === id && s.spec.version === version)!;
    return {
      id,
      version,
      kind: stored.spec.kind,
      title: stored.spec.title,
      importedAt: stored.importedAt,
      enrolments: this.enrolments.filter((e) => e.qualificationId === id && e.qualificationVersion === version).length,
    };
  }

  /** Only downloads use fetch(): the ZIP of a learner's export. */
  async fetch(path: string): Promise<Response> {
    this.calls.push({ method: 'GET', path });
    if (this.offline) throw new CentreError('offline', 'Cannot reach your centre: you may be offline. Your work is saved on this device.', null, 'TypeError: Failed to fetch');
    const m = /^\/api\/(?:personal-data\/learners\/([^/]+)\/export|exports\/learners\/([^/]+))$/.exec(path);
    const learner = m ? this.users.find((u) => u.id === decodeURIComponent(m[1] ?? m[2]!)) : undefined;
    if (!learner) return new Response(JSON.stringify({ error: 'not-found', message: 'There is no such learner at your centre.' }), { status: 404, headers: { 'Content-Type': 'application/json' } });
    const kind = m![1] ? 'personal-data' : 'eqa';
    return new Response(new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]), {
      headers: { 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="${kind}-${learner.name.toLowerCase().replace(/ /g, '-')}-2026-11-23.zip"` },
    });
  }

  async call<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
    this.calls.push({ method, path, ...(body !== undefined ? { body } : {}) });
    if (this.offline) throw new CentreError('offline', 'Cannot reach your centre: you may be offline. Your work is saved on this device.', null, 'TypeError: Failed to fetch');
    let reply: Reply;
    if (this.failNext && method !== 'GET') {
      reply = refuse(this.failNext.status, this.failNext.error, this.failNext.message);
      this.failNext = null;
    } else reply = this.handle(method, path, body);
    if (reply.status >= 400) throw await errorFrom(new Response(JSON.stringify(reply.body), { status: reply.status, headers: { 'Content-Type': 'application/json' } }));
    const parsed = schema.safeParse(JSON.parse(JSON.stringify(reply.body)));
    if (!parsed.success) throw new Error(`The fake centre answered ${method} ${path} outside the schema: ${parsed.error.message}`);
    return parsed.data;
  }

  private handle(method: string, path: string, body: unknown): Reply {
    const route = `${method} ${path}`;
    let m: RegExpExecArray | null;
    if (route === 'GET /api/admin/users') return ok({ users: this.users });
    if ((m = /^GET \/api\/personal-data\/learners\/([^/]+)\/erasure$/.exec(route))) {
      const learner = this.users.find((u) => u.id === decodeURIComponent(m![1]!) && u.role === 'learner');
      if (!learner) return refuse(404, 'not-found', 'There is no such learner at your centre.');
      const erasable = this.erasable.has(learner.id);
      return ok({
        learnerId: learner.id,
        name: learner.name,
        retentionYears: 3,
        retentionFrom: erasable ? '2022-09-30T23:59:59.999Z' : '2027-09-30T23:59:59.999Z',
        basis: 'planned-end',
        erasableFrom: erasable ? '2025-10-01' : '2030-10-01',
        erasable,
        holds: { records: 12, files: 3, sessions: 2 },
      } satisfies ErasureStatus);
    }
    if ((m = /^POST \/api\/personal-data\/learners\/([^/]+)\/erase$/.exec(route))) {
      const learner = this.users.find((u) => u.id === decodeURIComponent(m![1]!) && u.role === 'learner');
      if (!learner) return refuse(404, 'not-found', 'There is no such learner at your centre.');
      const request = EraseLearnerRequest.safeParse(body);
      if (!request.success) return refuse(400, 'invalid-request', request.error.issues.map((i) => i.message).join(' '));
      if (!this.erasable.has(learner.id)) return refuse(409, 'retention-period', `${learner.name}'s records must be kept until 1 October 2030.`);
      this.users = this.users.filter((u) => u !== learner);
      return ok({ learnerId: learner.id, erasedAt: '2030-10-02T09:00:00.000Z', records: 12, versions: 30, filesDeleted: 2, filesKept: 1, sessions: 2, signingKeys: 1, auditEntriesRedacted: 9 });
    }
    if (route === 'POST /api/admin/users') {
      const request = CreateUserRequest.safeParse(body);
      if (!request.success) return refuse(400, 'invalid-request', request.error.issues.map((i) => i.message).join(' '));
      if (this.users.some((u) => u.email === request.data.email))
        return refuse(409, 'email-taken', 'That email address already belongs to an account on this centre server. Use another, or find the existing account.');
      return ok(this.addUser(request.data.name, request.data.email, request.data.role), 201);
    }
    if ((m = /^PATCH \/api\/admin\/users\/([^/]+)$/.exec(route))) {
      const user = this.users.find((u) => u.id === decodeURIComponent(m![1]!));
      if (!user) return refuse(404, 'not-found', 'There is no such user at your centre.');
      const request = UpdateUserRequest.safeParse(body);
      if (!request.success) return refuse(400, 'invalid-request', request.error.issues.map((i) => i.message).join(' '));
      Object.assign(user, Object.fromEntries(Object.entries(request.data).filter(([k]) => k !== 'password')));
      return ok(user);
    }
    if ((m = /^PUT \/api\/admin\/caseloads\/([^/]+)$/.exec(route))) {
      const assessor = this.users.find((u) => u.id === decodeURIComponent(m![1]!));
      if (!assessor) return refuse(404, 'not-found', 'There is no such user at your centre.');
      if (assessor.role !== 'assessor') return refuse(409, 'not-an-assessor', `${assessor.name} is not an assessor, so they cannot have a caseload.`);
      const request = SetCaseloadRequest.parse(body);
      assessor.caseload = [...new Set(request.learnerIds)];
      for (const learner of this.users.filter((u) => u.role === 'learner')) {
        const on = assessor.caseload.includes(learner.id);
        learner.assessors = on ? [...new Set([...learner.assessors, assessor.id])] : learner.assessors.filter((a) => a !== assessor.id);
      }
      return ok(assessor);
    }
    if (route === 'GET /api/admin/enrolments') return ok({ enrolments: this.enrolments });
    if (route === 'POST /api/admin/enrolments') {
      const request = CreateEnrolmentRequest.safeParse(body);
      if (!request.success) return refuse(400, 'invalid-request', request.error.issues.map((i) => i.message).join(' '));
      const r = request.data;
      const learner = this.users.find((u) => u.id === r.learnerId && u.role === 'learner');
      if (!learner) return refuse(404, 'not-found', 'There is no such learner at your centre. Only learners can be enrolled.');
      const stored = this.specs.find((s) => s.spec.id === r.qualificationId && s.spec.version === r.qualificationVersion);
      if (!stored || stored.spec.kind !== 'qualification') return refuse(400, 'unknown-spec', 'No such qualification spec.');
      const registration = registrationCheck(stored.spec, r.startDate, todayIso());
      if (!registration.open) return refuse(400, 'registration-closed', registration.message!);
      if (this.enrolments.some((e) => e.learnerId === r.learnerId && e.qualificationId === r.qualificationId))
        return refuse(409, 'already-enrolled', `This learner is already enrolled on ${r.qualificationId}.`);
      const now = new Date().toISOString();
      const created: CentreEnrolment = { id: crypto.randomUUID(), revision: 1, learnerName: learner.name, ...r, createdAt: now, updatedAt: now };
      this.enrolments.push(created);
      return ok(created, 201);
    }
    if (route === 'GET /api/admin/specs') return ok({ specs: this.specs.map((s) => this.summary(s.spec.id, s.spec.version)) });
    if (route === 'POST /api/admin/specs') {
      const parsed = FrameworkSpec.safeParse(body);
      if (!parsed.success) return refuse(400, 'invalid-spec', `The spec file is not a valid spec:\n${parsed.error.issues.map((i) => i.message).join('\n')}`);
      const latest = Math.max(0, ...this.specs.filter((s) => s.spec.id === parsed.data.id).map((s) => s.spec.version));
      if (latest > 0 && parsed.data.version <= latest)
        return refuse(409, 'version-exists', `${parsed.data.id} is already at version ${latest} here. Give the new spec a version above ${latest}; stored versions never change.`);
      this.specs.push({ spec: parsed.data, importedAt: new Date().toISOString() });
      return ok(this.summary(parsed.data.id, parsed.data.version), 201);
    }
    if ((m = /^GET \/api\/admin\/users\/([^/]+)\/sessions$/.exec(route))) return ok({ sessions: this.sessions.get(decodeURIComponent(m[1]!)) ?? [] });
    if ((m = /^POST \/api\/admin\/sessions\/([^/]+)\/revoke$/.exec(route))) {
      const session = [...this.sessions.values()].flat().find((s) => s.id === decodeURIComponent(m![1]!));
      if (!session) return refuse(404, 'not-found', 'There is no such device session at your centre.');
      session.revokedAt ??= new Date().toISOString();
      return ok(session);
    }
    if ((m = /^GET \/api\/keys\?userId=([^&]+)$/.exec(route))) return ok({ keys: this.keys.filter((k) => k.userId === decodeURIComponent(m![1]!)) });
    if ((m = /^POST \/api\/keys\/([^/]+)\/revoke$/.exec(route))) {
      const key = this.keys.find((k) => k.id === decodeURIComponent(m![1]!));
      if (!key) return refuse(404, 'not-found', 'There is no such signing key at your centre.');
      const request = AdminRevokeKeyRequest.safeParse(body);
      if (!request.success) return refuse(400, 'invalid-request', request.error.issues.map((i) => i.message).join(' '));
      if (!key.revokedAt) Object.assign(key, { revokedAt: new Date().toISOString(), revokeReason: request.data.reason });
      return ok({ key });
    }
    if ((m = /^GET \/api\/audit\?(.+)$/.exec(route))) {
      const query = new URLSearchParams(m[1]);
      const learnerId = query.get('learnerId');
      const recordId = query.get('recordId');
      const entries = this.audit.filter((e) => (learnerId ? e.learnerId === learnerId : e.recordId === recordId)).map(({ learnerId: _l, ...entry }) => entry);
      return ok({ entries, next: null });
    }
    if ((m = /^GET \/api\/specs\/([^/]+)\/(\d+)$/.exec(route))) {
      const stored = this.specs.find((s) => s.spec.id === decodeURIComponent(m![1]!) && s.spec.version === Number(m![2]));
      return stored ? ok(stored.spec) : refuse(404, 'not-found', 'No such spec.');
    }
    return refuse(404, 'not-found', `The fake centre has no route ${route}`);
  }
}

/** Signs this device in as one of the fake centre's people, as the sign-in screen would. */
export async function signInAs(centre: FakeCentre, email: string): Promise<SessionUser> {
  const u = centre.user(email);
  const user: SessionUser = { id: u.id, name: u.name, email: u.email, role: u.role, centreId: CENTRE_ID, centreName: 'Northgate College' };
  await rememberSignIn({ token: 'x'.repeat(43), sessionId: crypto.randomUUID(), expiresAt: '2027-02-01T00:00:00.000Z', user });
  return user;
}

/** Pretends the browser is offline (navigator.onLine false) until the returned function is called. */
export function goOffline(): () => void {
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
  window.dispatchEvent(new Event('offline'));
  return () => {
    delete (navigator as { onLine?: boolean }).onLine;
    window.dispatchEvent(new Event('online'));
  };
}
