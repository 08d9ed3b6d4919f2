import { createHash, randomUUID } from 'node:crypto';
import { deviceView, mergePatch, type Data, type Version } from '../server/sync/merge';
import { TEXT_FIELDS, LOCKED_STATUSES } from '../server/sync/entities';
import type { DeviceSession, SessionUser, SignInResponse } from '../src/domain/auth';
import type { FrameworkSpec } from '../src/domain/qualification';
import { RegisterKeyRequest, type PublicSigningKey, type SigningKeyView } from '../src/domain/signoff';
import { PushRequest, SYNC_PROTOCOL_VERSION, type PushResult, type SyncEntity, type SyncRecord } from '../src/domain/sync';
import type { FetchLike } from '../src/sync/api';

/**
 * An in-memory centre that speaks the sync protocol over a `fetch` function, for device tests:
 * sign-in and device sessions, push (mutation ids remembered, field merge by the centre's own pure
 * rules in server/sync/merge.ts, locked and missing-attachment refusals), paged pull by a change
 * sequence, specs, and tus uploads with file checks. Faults are switched on by the test: a lost
 * response, no connection, a revoked session, an old protocol, a connection cut mid-upload.
 */

export interface FakeUser extends SessionUser {
  password: string;
}

interface StoredRecord {
  entity: SyncEntity;
  id: string;
  revision: number;
  deleted: boolean;
  data: Data;
  updatedAt: string;
  seq: number;
  versions: Version[];
}

interface Session {
  id: string;
  token: string;
  userId: string;
  deviceId: string;
  deviceLabel: string;
  createdAt: string;
  revokedAt: string | null;
  code: 'session-revoked' | 'signed-out' | 'session-expired' | null;
}

interface PartialUpload {
  id: string;
  length: number;
  bytes: Uint8Array;
  offset: number;
  metadata: Record<string, string>;
}

export interface LoggedRequest {
  method: string;
  path: string;
  body: unknown;
}

const ORIGIN = 'https://centre.test';

export const LEARNER: FakeUser = {
  id: '0190a1b2-0000-7000-8000-000000000001',
  name: 'Priya Shah',
  email: 'priya@example.org',
  role: 'learner',
  centreId: '0190a1b2-0000-7000-8000-0000000000c1',
  centreName: 'Northgate College',
  password: 'correct horse battery',
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

function apiError(status: number, error: string, message: string): Response {
  return json(status, { error, message });
}

async function bytesOf(body: unknown): Promise<Uint8Array> {
  if (body === null || body === undefined) return new Uint8Array();
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  if (typeof (body as Blob).arrayBuffer === 'function') return new Uint8Array(await (body as Blob).arrayBuffer());
  throw new Error(`The fake centre cannot read a body of type ${typeof body}`);
}

function decodeMetadata(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (header ?? '').split(',').filter(Boolean)) {
    const [key, value] = pair.trim().split(' ');
    if (key) out[key] = value ? Buffer.from(value, 'base64').toString('utf8') : '';
  }
  return out;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class FakeCentre {
  readonly origin = ORIGIN;
  readonly users = new Map<string, FakeUser>();
  readonly sessions = new Map<string, Session>();
  readonly records = new Map<string, StoredRecord>();
  readonly applied = new Map<string, PushResult>();
  readonly files = new Map<string, Uint8Array>();
  readonly uploads = new Map<string, PartialUpload>();
  readonly specs = new Map<string, FrameworkSpec>();
  /** Registered device signing keys (POST /api/keys), by id. */
  readonly keys = new Map<string, PublicSigningKey>();
  /** The device session that registered each key (its label is what GET /api/keys shows), and why a key was revoked. */
  readonly keySessions = new Map<string, { sessionId: string; deviceLabel: string }>();
  readonly keyRevokeReasons = new Map<string, string>();
  readonly log: LoggedRequest[] = [];
  private seq = 0;

  // Faults, switched on by tests.
  /** No connection: every request fails as fetch does offline. */
  offline = false;
  /** The protocol version below which pushes are told to update. */
  minimumProtocol = SYNC_PROTOCOL_VERSION;
  /** The next N push responses are lost after the centre applied the batch. */
  losePushResponses = 0;
  /** Cut the connection once this many bytes of an upload have arrived (then reset to null). */
  cutUploadAfterBytes: number | null = null;
  /** Refuses mutations as the test decides (before any other rule). */
  refuse: ((m: PushRequest['mutations'][number]) => { reason: 'forbidden' | 'invalid' | 'not-found' | 'signing-key'; message: string } | null) | null = null;

  constructor(users: FakeUser[] = [LEARNER]) {
    for (const user of users) this.users.set(user.email, user);
  }

  /** A fetch that talks to this centre. */
  readonly fetch: FetchLike = async (input, init = {}) => {
    const url = new URL(input, ORIGIN);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    if (init.signal?.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
    if (this.offline) throw new TypeError('Failed to fetch');
    const raw = await bytesOf(init.body);
    const isJson = (headers.get('content-type') ?? '').includes('application/json');
    const body = isJson && raw.length > 0 ? JSON.parse(new TextDecoder().decode(raw)) : raw.length > 0 ? `${raw.length} bytes` : null;
    this.log.push({ method, path: url.pathname + url.search, body });
    return this.route(method, url, headers, raw, body);
  };

  requests(method: string, pathPrefix: string): LoggedRequest[] {
    return this.log.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
  }

  /** A session made directly (as if the user signed in on this device earlier). */
  openSession(user: FakeUser = LEARNER, deviceId: string = randomUUID(), deviceLabel = 'Test device'): SignInResponse {
    const session: Session = {
      id: randomUUID(),
      token: randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, ''),
      userId: user.id,
      deviceId,
      deviceLabel,
      createdAt: new Date().toISOString(),
      revokedAt: null,
      code: null,
    };
    this.sessions.set(session.token, session);
    const { password: _password, ...sessionUser } = user;
    return { token: session.token, sessionId: session.id, expiresAt: new Date(Date.now() + 90 * 864e5).toISOString(), user: sessionUser };
  }

  revokeAll(code: Session['code'] = 'session-revoked'): void {
    for (const s of this.sessions.values()) {
      s.revokedAt ??= new Date().toISOString();
      s.code = code;
    }
  }

  record(entity: SyncEntity, id: string): StoredRecord | undefined {
    return this.records.get(`${entity}:${id}`);
  }

  /** A change made on the centre or on another device: a new revision and a new change to pull. */
  write(entity: SyncEntity, id: string, data: Data, deviceId: string | null = 'other-device', deleted = false): StoredRecord {
    const key = `${entity}:${id}`;
    const current = this.records.get(key);
    const revision = (current?.revision ?? 0) + 1;
    const stored: StoredRecord = {
      entity,
      id,
      revision,
      deleted,
      data,
      updatedAt: new Date().toISOString(),
      seq: ++this.seq,
      versions: [...(current?.versions ?? []), { revision, deviceId, data }],
    };
    this.records.set(key, stored);
    return stored;
  }

  /** Another device (or the assessor) changes some fields of a record. */
  change(entity: SyncEntity, id: string, patch: Data, deviceId: string | null = 'other-device'): StoredRecord {
    const current = this.record(entity, id);
    if (!current) throw new Error(`No ${entity} ${id} at the fake centre`);
    return this.write(entity, id, { ...current.data, ...patch }, deviceId);
  }

  toSyncRecord(r: StoredRecord): SyncRecord {
    return { entity: r.entity, id: r.id, revision: r.revision, deleted: r.deleted, data: structuredClone(r.data), updatedAt: r.updatedAt };
  }

  private caller(headers: Headers): Session | Response {
    const token = /^Bearer (.+)$/.exec(headers.get('authorization') ?? '')?.[1];
    const session = token ? this.sessions.get(token) : undefined;
    if (!session) return apiError(401, 'signed-out', 'Sign in to your centre.');
    if (session.revokedAt)
      return apiError(401, session.code ?? 'session-revoked', 'This device was signed out of your account. Sign in again to carry on syncing.');
    return session;
  }

  private async route(method: string, url: URL, headers: Headers, raw: Uint8Array, body: unknown): Promise<Response> {
    const path = url.pathname;
    if (method === 'POST' && path === '/api/auth/sign-in') return this.signIn(body as Record<string, string>);
    const session = this.caller(headers);
    if (session instanceof Response) return session;
    if (method === 'POST' && path === '/api/auth/sign-out') {
      session.revokedAt = new Date().toISOString();
      session.code = 'signed-out';
      return new Response(null, { status: 204 });
    }
    if (method === 'GET' && path === '/api/auth/sessions') return json(200, { sessions: this.sessionsOf(session) });
    const revoke = /^\/api\/auth\/sessions\/([^/]+)\/revoke$/.exec(path);
    if (method === 'POST' && revoke) {
      const target = [...this.sessions.values()].find((s) => s.id === revoke[1] && s.userId === session.userId);
      if (!target) return apiError(404, 'not-found', 'No such device session.');
      target.revokedAt = new Date().toISOString();
      target.code = 'session-revoked';
      return new Response(null, { status: 204 });
    }
    if (method === 'POST' && path === '/api/keys') return this.registerKey(session, body);
    if (method === 'GET' && path === '/api/keys')
      return json(200, { keys: [...this.keys.values()].filter((k) => k.userId === session.userId).map((k) => this.keyView(k, session)) });
    const revokeKey = /^\/api\/keys\/([^/]+)\/revoke$/.exec(path);
    if (method === 'POST' && revokeKey) {
      const key = this.keys.get(decodeURIComponent(revokeKey[1]!));
      if (!key || key.userId !== session.userId) return apiError(404, 'not-found', 'There is no such signing key on your account.');
      if (!key.revokedAt) {
        key.revokedAt = new Date().toISOString();
        this.keyRevokeReasons.set(key.id, (body as { reason?: string } | null)?.reason || 'Revoked by its owner');
      }
      return json(200, { key: this.keyView(key, session) });
    }
    if (method === 'POST' && path === '/api/sync/push') return this.push(session, body);
    if (method === 'GET' && path === '/api/sync/pull') return this.pull(url);
    const spec = /^\/api\/specs\/([^/]+)\/(\d+)$/.exec(path);
    if (method === 'GET' && spec) {
      const found = this.specs.get(`${decodeURIComponent(spec[1]!)}@${spec[2]}`);
      return found ? json(200, found) : apiError(404, 'not-found', 'No such spec.');
    }
    const byHash = /^\/api\/files\/sha256\/([0-9a-f]{64})$/.exec(path);
    if (byHash && (method === 'HEAD' || method === 'GET')) {
      const bytes = this.files.get(byHash[1]!);
      if (!bytes) return apiError(404, 'not-found', 'The centre holds no such file that you can see.');
      return new Response(method === 'HEAD' ? null : (bytes as Uint8Array<ArrayBuffer>), { status: 200, headers: { 'Content-Length': String(bytes.length) } });
    }
    if (path === '/api/files/uploads' || path.startsWith('/api/files/uploads/')) return this.tus(method, path, headers, raw);
    return apiError(404, 'not-found', `There is no ${method} ${path} on this centre.`);
  }

  private signIn(body: Record<string, string>): Response {
    const user = this.users.get(String(body.email ?? '').toLowerCase());
    if (!user || user.password !== body.password) return apiError(401, 'invalid-credentials', 'That email and password do not match an account at your centre.');
    return json(200, this.openSession(user, body.deviceId ?? randomUUID(), body.deviceLabel ?? ''));
  }

  private sessionsOf(session: Session): DeviceSession[] {
    return [...this.sessions.values()]
      .filter((s) => s.userId === session.userId)
      .map((s) => ({
        id: s.id,
        deviceId: s.deviceId,
        deviceLabel: s.deviceLabel,
        createdAt: s.createdAt,
        lastSeenAt: s.createdAt,
        expiresAt: new Date(Date.now() + 90 * 864e5).toISOString(),
        revokedAt: s.revokedAt,
        current: s.id === session.id,
      }));
  }

  /** A key as GET /api/keys shows it to its owner. */
  keyView(key: PublicSigningKey, session: Session): SigningKeyView {
    const registeredBy = this.keySessions.get(key.id);
    return {
      ...key,
      deviceLabel: registeredBy?.deviceLabel ?? null,
      current: registeredBy?.sessionId === session.id,
      revokeReason: this.keyRevokeReasons.get(key.id) ?? null,
    };
  }

  /** As server/routes/keys.ts: 201 with the key, the same key again for a repeat, 409 for another user's id. */
  private registerKey(session: Session, body: unknown): Response {
    const request = RegisterKeyRequest.safeParse(body);
    if (!request.success) return apiError(400, 'invalid', 'That is not a signing key.');
    const existing = this.keys.get(request.data.id);
    if (existing && existing.userId !== session.userId)
      return apiError(409, 'key-id-taken', 'Another key is already registered under this id: the device should make a new key pair with a new id.');
    if (existing) return json(200, { key: this.keyView(existing, session) });
    const user = [...this.users.values()].find((u) => u.id === session.userId)!;
    const key: PublicSigningKey = { id: request.data.id, userId: user.id, name: user.name, role: user.role, publicKey: request.data.publicKey, createdAt: new Date().toISOString(), revokedAt: null };
    this.keys.set(key.id, key);
    this.keySessions.set(key.id, { sessionId: session.id, deviceLabel: session.deviceLabel });
    return json(201, { key: this.keyView(key, session) });
  }

  private push(session: Session, body: unknown): Response {
    const protocol = (body as { protocol?: number } | null)?.protocol ?? 0;
    if (protocol < this.minimumProtocol) return apiError(426, 'update-required', 'This version of the app is too old for your centre: update it (your unsynced work stays on this device).');
    const request = PushRequest.parse(body);
    const results = request.mutations.map((m) => {
      const earlier = this.applied.get(m.id);
      if (earlier) return earlier;
      const result = this.apply(m, request.deviceId);
      // Refusals for a missing file are not remembered: once the file is up, the same id goes through.
      if (!(result.status === 'rejected' && result.reason === 'missing-attachment')) this.applied.set(m.id, result);
      return result;
    });
    if (this.losePushResponses > 0) {
      this.losePushResponses--;
      throw new TypeError('Failed to fetch (the response was lost)');
    }
    return json(200, { results });
  }

  private apply(m: PushRequest['mutations'][number], deviceId: string): PushResult {
    const current = this.record(m.entity, m.recordId);
    const reject = (reason: 'locked' | 'not-found' | 'missing-attachment' | 'invalid', message: string): PushResult => ({
      status: 'rejected',
      mutationId: m.id,
      recordId: m.recordId,
      reason,
      message,
      ...(current ? { record: this.toSyncRecord(current) } : {}),
    });
    const refusal = this.refuse?.(m);
    if (refusal) return { status: 'rejected', mutationId: m.id, recordId: m.recordId, ...refusal, ...(current ? { record: this.toSyncRecord(current) } : {}) };
    if (m.entity === 'decision') {
      // The key check of server/sync/decisions.ts (signature and content checks are the server suite's).
      const key = this.keys.get(String(m.patch.keyId));
      if (!key || key.revokedAt)
        return { status: 'rejected', mutationId: m.id, recordId: m.recordId, reason: 'signing-key', message: 'The key this decision was signed with was revoked, so decisions signed with it are not accepted.' };
    }
    // As the centre does (server/sync/authorise.ts): the edit time and a status change are not
    // merged as fields; the latest edit time is kept and the device's status change stands.
    const { id: _id, updatedAt, status, ...patch } = m.patch as Data;
    if (m.entity === 'evidence' && current && LOCKED_STATUSES.has(String(current.data.status)))
      return reject('locked', 'This evidence has been signed off by your assessor, so it can no longer be changed. Your version is kept on this device as a new draft.');
    if (!current && m.baseRevision > 0) return reject('not-found', 'Your centre does not have this record.');
    let data: Data;
    let overlapping: string[] = [];
    if (!current) data = { ...patch, ...(updatedAt !== undefined ? { updatedAt } : {}), ...(status !== undefined ? { status } : {}) };
    else {
      const view = deviceView(current.versions, m.baseRevision, deviceId);
      const latest = current.versions.at(-1)!;
      const merged = mergePatch({
        view,
        current: current.data,
        patch,
        textFields: TEXT_FIELDS,
        incoming: { deviceId, at: String(updatedAt ?? m.createdAt) },
        previous: { deviceId: latest.deviceId ?? 'centre', at: current.updatedAt },
        newId: randomUUID,
      });
      data = merged.data;
      overlapping = merged.overlapping;
      if (status !== undefined) data.status = status;
      if (typeof updatedAt === 'string' && (typeof data.updatedAt !== 'string' || updatedAt > data.updatedAt)) data.updatedAt = updatedAt;
      if ((data.conflicts as unknown[]).length === 0 && !('conflicts' in current.data)) delete data.conflicts;
    }
    if (m.entity === 'evidence') {
      const missing = ((data.attachments ?? []) as Array<{ id: string }>).filter((a) => !this.files.has(a.id));
      if (missing.length > 0) return reject('missing-attachment', 'The centre does not have one of the attached files yet: it is uploaded first, then this change is sent again.');
    }
    const written = this.write(m.entity, m.recordId, data, deviceId, m.op === 'delete' && m.entity !== 'evidence');
    if (overlapping.length === 0) return { status: 'applied', mutationId: m.id, recordId: m.recordId, revision: written.revision };
    return { status: 'conflict', mutationId: m.id, recordId: m.recordId, revision: written.revision, fields: overlapping, record: this.toSyncRecord(written) };
  }

  private pull(url: URL): Response {
    const since = Number(url.searchParams.get('since') ?? '0');
    const limit = Number(url.searchParams.get('limit') ?? '500');
    const changed = [...this.records.values()].filter((r) => r.seq > since).sort((a, b) => a.seq - b.seq);
    const page = changed.slice(0, limit);
    return json(200, { changes: page.map((r) => this.toSyncRecord(r)), cursor: String(page.at(-1)?.seq ?? since), more: changed.length > limit });
  }

  private tus(method: string, path: string, headers: Headers, raw: Uint8Array): Response {
    const tusHeaders = { 'Tus-Resumable': '1.0.0' };
    if (method === 'POST' && path === '/api/files/uploads') {
      const length = Number(headers.get('upload-length'));
      const id = randomUUID().replace(/-/g, '');
      this.uploads.set(id, { id, length, bytes: new Uint8Array(length), offset: 0, metadata: decodeMetadata(headers.get('upload-metadata')) });
      return new Response(null, { status: 201, headers: { ...tusHeaders, Location: `/api/files/uploads/${id}` } });
    }
    const upload = this.uploads.get(path.split('/').at(-1)!);
    if (!upload) return new Response(null, { status: 404, headers: tusHeaders });
    if (method === 'HEAD')
      return new Response(null, { status: 200, headers: { ...tusHeaders, 'Upload-Offset': String(upload.offset), 'Upload-Length': String(upload.length), 'Cache-Control': 'no-store' } });
    if (method === 'PATCH') {
      if (Number(headers.get('upload-offset')) !== upload.offset) return new Response(null, { status: 409, headers: tusHeaders });
      let chunk = raw;
      if (this.cutUploadAfterBytes !== null && upload.offset + chunk.length > this.cutUploadAfterBytes) {
        // The connection drops part-way: what arrived before the cut is kept, as a tus store does.
        chunk = chunk.slice(0, Math.max(0, this.cutUploadAfterBytes - upload.offset));
        upload.bytes.set(chunk, upload.offset);
        upload.offset += chunk.length;
        this.cutUploadAfterBytes = null;
        throw new TypeError('Failed to fetch (connection reset during upload)');
      }
      upload.bytes.set(chunk, upload.offset);
      upload.offset += chunk.length;
      if (upload.offset === upload.length) {
        const hash = sha256Hex(upload.bytes);
        if (hash !== upload.metadata.sha256) return apiError(460, 'checksum-mismatch', 'The file arrived damaged: its SHA-256 does not match.');
        this.files.set(hash, upload.bytes);
      }
      return new Response(null, { status: 204, headers: { ...tusHeaders, 'Upload-Offset': String(upload.offset) } });
    }
    return new Response(null, { status: 405, headers: tusHeaders });
  }
}
