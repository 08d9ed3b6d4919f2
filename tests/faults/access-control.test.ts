import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_SESSION_DAYS, DeviceSessionList, SignInResponse } from '../../src/domain/auth';
import { exportPublicJwk, generateSigningKey } from '../../src/domain/signing';
import { SYNC_PROTOCOL_VERSION } from '../../src/domain/sync';
import { createApp } from '../../server/app';
import { MAX_SIGN_IN_FAILURES } from '../../server/auth/rate-limit';
import { createDeviceSession } from '../../server/auth/sessions';
import type { AppEnv, Role } from '../../server/context';
import { writeRecord } from '../../server/records';
import { ROUTES, type RouteRule } from '../../server/routes/index';
import { seedShippedSpecs } from '../../server/seed';
import { startTestCentre, type TestCentre, type TestUser } from '../server/harness';
import { reportSuite } from './collector';
import { FAULTS_SEED } from './scale';

/**
 * Suite 7, access control, against the real centre app (tests/server/harness.ts: createApp on a
 * fresh database, with the server's own clock injected as `centre.now`).
 *
 * 1. The matrix. Every route in server/routes/index.ts ROUTES, called as every kind of caller,
 *    checked against what the table says they may do: signed out → 401; a role the route is not
 *    for → 403; a record outside the caller's scope (another learner, another caseload, another
 *    centre) → 404 (never 403: that would confirm it exists); otherwise success. On every answer,
 *    nothing of a learner or centre outside the caller's scope appears in the body, a refusal is
 *    a readable JSON {error, message}, the answer carries a CSP that runs no inline script, and a
 *    refused call changes nothing. The cases are generated from ROUTES, and the suite fails if the
 *    app has a route the table does not list, so a new route cannot be left out.
 * 2. Dead tokens. A token signed out, revoked by its owner, revoked by an admin, or unused for
 *    longer than DEVICE_SESSION_DAYS gets 401 on every signed-in route in ROUTES, as every role,
 *    and changes nothing.
 * 3. Sign-in is rate-limited per email and client address (MAX_SIGN_IN_FAILURES in 15 minutes):
 *    then 429 with a readable message and Retry-After, even with the right password.
 * 4. Sessions: sign-out and revoke end one device only; the lifetime slides with use and ends.
 * 5. Pages: the built PWA as the server serves it (server/static.ts): every page path and file
 *    carries a strict Content-Security-Policy (no 'unsafe-inline' or 'unsafe-eval' in script-src,
 *    no inline style either), nosniff, no referrer, no framing; index.html has no inline script,
 *    no inline event handler, no style attribute.
 *
 * Each rule broken is counted as an escape (a leak, a wrong status, a missing header...) rather
 * than only failing the case, so docs/reliability.md gets every figure; a change made by a refused
 * call counts as data lost. Any escape or any change fails the suite.
 */

const WHO = ['learner', 'assessor', 'iqa', 'admin', 'other-centre admin', 'signed-out'] as const;
type Who = (typeof WHO)[number];
const ROLE_OF: Record<Exclude<Who, 'signed-out'>, Role> = {
  learner: 'learner',
  assessor: 'assessor',
  iqa: 'iqa',
  admin: 'admin',
  'other-centre admin': 'admin',
};

interface Built {
  path: string;
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Calls with this token instead of the caller's usual one (a session made just to be signed out). */
  token?: string;
}

interface Sample {
  label: string;
  /** Makes the request for this caller, creating anything it uses up (a session to revoke, a learner to enrol). */
  build(who: Who, me: TestUser | null): Promise<Built>;
  /** Callers the route lets in whose scope holds the target; other callers it lets in get 404. Absent: all of them. */
  visibleTo?: readonly Who[];
}

let centre: TestCentre;
const users = {} as Record<Exclude<Who, 'signed-out'>, TestUser> & {
  otherLearner: TestUser;
  otherCentreLearner: TestUser;
  secondAssessor: TestUser;
  bystander: TestUser;
  signer: TestUser;
};
const tokens = {} as Record<Exclude<Who, 'signed-out'>, string>;
/** Ids that may appear only in answers to the callers listed. */
const secrets: Array<{ id: string; visibleTo: readonly Who[] }> = [];
let centreId: string;
let ownFile: string;
let othersFile: string;
let specVersion = 100;

const CENTRE_A: readonly Who[] = ['learner', 'assessor', 'iqa', 'admin'];
const spec403 = JSON.parse(readFileSync('qualifications/4520-03.json', 'utf8')) as Record<string, unknown>;

async function sessionFor(user: TestUser): Promise<{ token: string; sessionId: string }> {
  return createDeviceSession(centre.db, user.id, randomUUID(), 'matrix', centre.now.value);
}

/** A learner's portfolio in miniature: profile, enrolment and one evidence record. */
async function portfolio(learner: TestUser): Promise<string[]> {
  const enrolmentId = randomUUID();
  const evidenceId = randomUUID();
  await centre.db.transaction(async (tx) => {
    const base = { centreId: learner.centreId, learnerId: learner.id, byUser: learner.id, deviceId: null };
    await writeRecord(tx, { ...base, entity: 'profile', id: learner.id, data: { name: learner.name, employer: '' } });
    await writeRecord(tx, { ...base, entity: 'enrolment', id: enrolmentId, data: { learnerId: learner.id, qualificationId: '4520-03', qualificationVersion: 1 } });
    await writeRecord(tx, { ...base, entity: 'evidence', id: evidenceId, data: { enrolmentId, title: `Evidence of ${learner.name}`, status: 'submitted' } });
  });
  return [enrolmentId, evidenceId];
}

/** Uploads bytes as the learner through tus (creation with upload), so the centre holds them for that learner. */
async function uploadFile(token: string, text: string): Promise<string> {
  const bytes = Buffer.from(text);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const response = await centre.request('POST', '/api/files/uploads', {
    token,
    body: text,
    headers: {
      'tus-resumable': '1.0.0',
      'upload-length': String(bytes.length),
      'upload-metadata': `sha256 ${b64(sha256)},filename ${b64('note.txt')},filetype ${b64('text/plain')}`,
      'content-type': 'application/offset+octet-stream',
    },
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return sha256;
}

function tusCreate(): Record<string, string> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return {
    'tus-resumable': '1.0.0',
    'upload-length': '5',
    'upload-metadata': `sha256 ${b64('0'.repeat(64))},filename ${b64('a.txt')},filetype ${b64('text/plain')}`,
  };
}

let centreAPlan: string | null = null;
/** A sampling plan of centre A's IQA for centre A's assessor, made once on first use. */
async function planOfCentreA(): Promise<string> {
  if (centreAPlan) return centreAPlan;
  const id = randomUUID();
  await centre.db.query(`insert into sampling_plans (id, centre_id, iqa_id, assessor_id, percentage, stage) values ($1, $2, $3, $4, 10, 'interim')`, [
    id,
    centreId,
    users.iqa.id,
    users.assessor.id,
  ]);
  centreAPlan = id;
  return id;
}

function planBody(id: string): Record<string, unknown> {
  return { id, assessorId: users.assessor.id, percentage: 25, unitIds: [], stage: 'interim', methods: ['observation'] };
}

/** A learner of centre A with a valid enrolment and item (an export validates every record), on the assessor's caseload or none. */
async function exportableLearner(onCaseload = true): Promise<string> {
  const learner = await centre.createUser('learner', centreId);
  if (onCaseload) await centre.db.query('insert into caseloads (assessor_id, learner_id) values ($1, $2)', [users.assessor.id, learner.id]);
  const enrolmentId = randomUUID();
  const at = '2026-11-20T09:00:00.000Z';
  await centre.db.transaction(async (tx) => {
    const base = { centreId, learnerId: learner.id, byUser: learner.id, deviceId: null };
    await writeRecord(tx, { ...base, entity: 'profile', id: learner.id, data: { name: learner.name, employer: '' } });
    await writeRecord(tx, {
      ...base,
      entity: 'enrolment',
      id: enrolmentId,
      data: { learnerId: learner.id, qualificationId: '4520-03', qualificationVersion: 1, optionalUnitIds: [], startDate: '2026-03-02', plannedEndDate: '2027-09-30', plannedOffTheJobHoursPerWeek: 6, createdAt: at, updatedAt: at },
    });
    await writeRecord(tx, {
      ...base,
      entity: 'evidence',
      id: randomUUID(),
      data: { enrolmentId, status: 'draft', title: 'Matrix export', narrative: '', activityDate: null, method: null, hours: 0, offTheJob: false, attachments: [], criterionIds: [], createdAt: at, updatedAt: at, deletedAt: null },
    });
  });
  return learner.id;
}

let ownEvidenceId: string;

/** A learner of centre A whose account was made four years before now: past the three-year retention period. */
async function erasableLearner(): Promise<TestUser> {
  const learner = await centre.createUser('learner', centreId);
  await centre.db.query(`update users set created_at = $2::timestamptz - interval '4 years' where id = $1`, [learner.id, centre.now.value]);
  return learner;
}

async function newKeyBody(): Promise<{ id: string; publicKey: unknown }> {
  return { id: randomUUID(), publicKey: await exportPublicJwk((await generateSigningKey()).publicKey) };
}

/** A live signing key of the user, registered by no particular session. */
async function keyOf(user: TestUser): Promise<string> {
  const id = randomUUID();
  const { publicKey } = await newKeyBody();
  await centre.db.query('insert into signing_keys (id, user_id, centre_id, public_key, name, role) values ($1, $2, $3, $4::jsonb, $5, $6)', [
    id,
    user.id,
    user.centreId,
    JSON.stringify(publicKey),
    user.name,
    user.role,
  ]);
  return id;
}

/** An item an IQA agreed with (so it carries a lock), of the given learner. */
async function lockedItem(learner: TestUser): Promise<string> {
  const id = randomUUID();
  await centre.db.transaction((tx) =>
    writeRecord(tx, {
      entity: 'evidence',
      id,
      centreId: learner.centreId,
      learnerId: learner.id,
      data: { title: 'Signed off and sampled', status: 'signed-off', iqaLock: { decisionId: randomUUID(), at: '2026-11-20T09:00:00.000Z' } },
      byUser: null,
      deviceId: null,
    }),
  );
  return id;
}

/** What the matrix calls for each route, keyed "METHOD path" as in ROUTES. */
const SAMPLES: Record<string, Sample[]> = {
  'GET /api/health': [{ label: 'health', build: async () => ({ path: '/api/health' }) }],
  'POST /api/auth/sign-in': [
    {
      label: 'good credentials',
      build: async () => ({ path: '/api/auth/sign-in', body: { email: users.signer.email, password: users.signer.password, deviceId: randomUUID() } }),
    },
  ],
  'POST /api/auth/sign-out': [
    {
      label: 'a session of its own',
      build: async (_who, me) => ({ path: '/api/auth/sign-out', ...(me ? { token: (await sessionFor(me)).token } : {}) }),
    },
  ],
  'GET /api/auth/me': [{ label: 'me', build: async () => ({ path: '/api/auth/me' }) }],
  'GET /api/auth/sessions': [{ label: 'own sessions', build: async () => ({ path: '/api/auth/sessions' }) }],
  'POST /api/auth/sessions/:id/revoke': [
    { label: 'own session', build: async (_who, me) => ({ path: `/api/auth/sessions/${(await sessionFor(me ?? users.bystander)).sessionId}/revoke` }) },
    { label: "someone else's session", build: async () => ({ path: `/api/auth/sessions/${(await sessionFor(users.bystander)).sessionId}/revoke` }), visibleTo: [] },
  ],

  'GET /api/admin/users': [{ label: 'list', build: async () => ({ path: '/api/admin/users' }) }],
  'POST /api/admin/users': [
    {
      label: 'new learner',
      build: async () => ({ path: '/api/admin/users', body: { name: 'Matrix Made', email: `${randomUUID()}@example.org`, role: 'learner', password: 'long enough password' } }),
    },
  ],
  'PATCH /api/admin/users/:id': [
    { label: 'a learner of centre A', build: async () => ({ path: `/api/admin/users/${users.otherLearner.id}`, body: { name: users.otherLearner.name } }), visibleTo: ['admin'] },
  ],
  'PUT /api/admin/caseloads/:assessorId': [
    {
      label: 'an assessor of centre A',
      build: async () => ({ path: `/api/admin/caseloads/${users.secondAssessor.id}`, body: { learnerIds: [users.otherLearner.id] } }),
      visibleTo: ['admin'],
    },
  ],
  'GET /api/admin/enrolments': [{ label: 'list', build: async () => ({ path: '/api/admin/enrolments' }) }],
  'POST /api/admin/enrolments': [
    {
      label: 'a new learner of centre A',
      build: async () => {
        const learner = await centre.createUser('learner', centreId);
        return {
          path: '/api/admin/enrolments',
          body: {
            learnerId: learner.id,
            qualificationId: '4520-03',
            qualificationVersion: 1,
            optionalUnitIds: [],
            startDate: '2026-03-02',
            plannedEndDate: '2027-09-30',
            plannedOffTheJobHoursPerWeek: 6,
          },
        };
      },
      visibleTo: ['admin'],
    },
  ],
  'GET /api/admin/specs': [{ label: 'list', build: async () => ({ path: '/api/admin/specs' }) }],
  'POST /api/admin/specs': [{ label: 'a new version', build: async () => ({ path: '/api/admin/specs', body: { ...spec403, version: ++specVersion } }) }],
  'GET /api/admin/users/:id/sessions': [{ label: 'a learner of centre A', build: async () => ({ path: `/api/admin/users/${users.otherLearner.id}/sessions` }), visibleTo: ['admin'] }],
  'POST /api/admin/sessions/:id/revoke': [
    { label: 'a session in centre A', build: async () => ({ path: `/api/admin/sessions/${(await sessionFor(users.bystander)).sessionId}/revoke` }), visibleTo: ['admin'] },
  ],
  'GET /api/specs/:id/:version': [{ label: '4520-03 v1', build: async () => ({ path: '/api/specs/4520-03/1' }) }],

  'POST /api/sync/push': [
    {
      label: 'a new evidence record',
      build: async () => ({
        path: '/api/sync/push',
        body: {
          protocol: SYNC_PROTOCOL_VERSION,
          deviceId: randomUUID(),
          mutations: [{ id: randomUUID(), entity: 'evidence', recordId: randomUUID(), op: 'upsert', baseRevision: 0, patch: { title: 'Matrix' }, createdAt: new Date().toISOString() }],
        },
      }),
    },
  ],
  'GET /api/sync/pull': [{ label: 'from the start', build: async () => ({ path: '/api/sync/pull?since=0' }) }],
  'ALL /api/files/uploads': [{ label: 'start an upload', build: async () => ({ method: 'POST', path: '/api/files/uploads', headers: tusCreate() }) }],
  'ALL /api/files/uploads/:id': [
    {
      label: "where the learner's own upload stands",
      build: async () => {
        const created = await centre.request('POST', '/api/files/uploads', { token: tokens.learner, headers: tusCreate() });
        const location = created.headers.get('location') ?? '';
        const id = location.split('/').pop();
        return { method: 'HEAD', path: `/api/files/uploads/${id}`, headers: { 'tus-resumable': '1.0.0' } };
      },
      // Only its uploader sees an upload, even an assessor whose caseload the learner is on.
      visibleTo: ['learner'],
    },
  ],
  'GET /api/files/sha256/:hash': [
    { label: "the learner's own file", build: async () => ({ path: `/api/files/sha256/${ownFile}` }), visibleTo: CENTRE_A },
    { label: "another learner's file", build: async () => ({ path: `/api/files/sha256/${othersFile}` }), visibleTo: ['iqa', 'admin'] },
  ],

  'POST /api/keys': [{ label: 'a new key of the caller', build: async () => ({ path: '/api/keys', body: await newKeyBody() }) }],
  'GET /api/keys': [{ label: 'own keys (an admin: the centre’s)', build: async () => ({ path: '/api/keys' }) }],
  'POST /api/keys/:id/revoke': [
    {
      label: 'own key (an admin: a key of their centre)',
      build: async (_who, me) => ({ path: `/api/keys/${await keyOf(me && me.role !== 'admin' ? me : users.bystander)}/revoke`, body: { reason: 'No longer used on this device' } }),
      visibleTo: CENTRE_A,
    },
    {
      label: "someone else's key",
      build: async () => ({ path: `/api/keys/${await keyOf(users.bystander)}/revoke`, body: { reason: 'Reported lost by its owner' } }),
      visibleTo: ['admin'],
    },
  ],
  'GET /api/audit': [
    { label: "the learner's trail", build: async () => ({ path: `/api/audit?learnerId=${users.learner.id}` }), visibleTo: CENTRE_A },
    { label: "another learner's trail", build: async () => ({ path: `/api/audit?learnerId=${users.otherLearner.id}` }), visibleTo: ['iqa', 'admin'] },
    { label: "a record of the learner's", build: async () => ({ path: `/api/audit?recordId=${ownEvidenceId}` }), visibleTo: CENTRE_A },
  ],
  'POST /api/admin/evidence/:id/unlock': [
    {
      label: 'an IQA-locked item of centre A',
      build: async () => ({ path: `/api/admin/evidence/${await lockedItem(users.otherLearner)}/unlock`, body: { reason: 'Reopening to correct the activity date' } }),
      visibleTo: ['admin'],
    },
  ],

  'GET /api/iqa/assessors': [{ label: 'list', build: async () => ({ path: '/api/iqa/assessors' }) }],
  'GET /api/iqa/plans': [{ label: 'list', build: async () => ({ path: '/api/iqa/plans' }) }],
  'POST /api/iqa/plans': [{ label: "a plan for centre A's assessor", build: async () => ({ path: '/api/iqa/plans', body: planBody(randomUUID()) }) }],
  'PUT /api/iqa/plans/:id': [{ label: "the IQA's own plan", build: async () => ({ path: `/api/iqa/plans/${await planOfCentreA()}`, body: planBody(await planOfCentreA()) }) }],
  'GET /api/iqa/plans/:id/sample': [{ label: 'a plan of centre A', build: async () => ({ path: `/api/iqa/plans/${await planOfCentreA()}/sample` }), visibleTo: ['iqa', 'admin'] }],
  'GET /api/iqa/locks': [{ label: 'every locked item', build: async () => ({ path: '/api/iqa/locks' }) }],

  'GET /api/exports/learners/:learnerId': [
    { label: 'a caseload learner of centre A', build: async () => ({ path: `/api/exports/learners/${await exportableLearner()}` }), visibleTo: ['assessor', 'iqa', 'admin'] },
    { label: 'a learner on no caseload', build: async () => ({ path: `/api/exports/learners/${await exportableLearner(false)}` }), visibleTo: ['iqa', 'admin'] },
  ],
  'GET /api/exports/samples/:planId': [{ label: 'a plan of centre A', build: async () => ({ path: `/api/exports/samples/${await planOfCentreA()}` }), visibleTo: ['iqa', 'admin'] }],
  'GET /api/exports/centre-key': [{ label: "the caller's centre's key", build: async () => ({ path: '/api/exports/centre-key' }) }],
  'GET /api/personal-data/learners/:learnerId/export': [
    { label: "the learner's own data", build: async () => ({ path: `/api/personal-data/learners/${users.learner.id}/export` }), visibleTo: ['learner', 'admin'] },
    { label: "another learner's data", build: async () => ({ path: `/api/personal-data/learners/${users.otherLearner.id}/export` }), visibleTo: ['admin'] },
  ],
  'GET /api/personal-data/learners/:learnerId/erasure': [
    { label: 'a learner of centre A', build: async () => ({ path: `/api/personal-data/learners/${users.otherLearner.id}/erasure` }), visibleTo: ['admin'] },
  ],
  'POST /api/personal-data/learners/:learnerId/erase': [
    {
      label: 'a learner of centre A past the retention period',
      build: async () => {
        const learner = await erasableLearner();
        return { path: `/api/personal-data/learners/${learner.id}/erase`, body: { reason: 'Retention period over; left the programme.', confirmName: learner.name } };
      },
      visibleTo: ['admin'],
    },
  ],
};

/** Anything a refused call could change. */
async function fingerprint(): Promise<unknown> {
  const [row] = await centre.db.query(`
    select
      (select md5(coalesce(string_agg(id::text || name || role || coalesce(disabled_at::text, '') || password_hash, ',' order by id), '')) from users) as users,
      (select md5(coalesce(string_agg(assessor_id::text || learner_id::text, ',' order by assessor_id, learner_id), '')) from caseloads) as caseloads,
      (select md5(coalesce(string_agg(entity || id || revision::text || deleted::text, ',' order by entity, id), '')) from records) as records,
      (select md5(coalesce(string_agg(id::text || coalesce(revoked_at::text, ''), ',' order by id), '')) from device_sessions) as sessions,
      (select count(*)::int from qualification_specs) as specs,
      (select count(*)::int from attachment_owners) as owners,
      (select count(*)::int from applied_mutations) as mutations,
      (select md5(coalesce(string_agg(id::text || coalesce(revoked_at::text, ''), ',' order by id), '')) from signing_keys) as keys,
      (select md5(coalesce(string_agg(id::text || assessor_id::text || percentage::text || updated_at::text, ',' order by id), '')) from sampling_plans) as plans`);
  return row;
}

function expectedFor(rule: RouteRule, sample: Sample, who: Who): 'ok' | 401 | 403 | 404 {
  if (rule.access === 'public') return 'ok';
  if (who === 'signed-out') return 401;
  if (rule.access !== 'signed-in' && !rule.access.includes(ROLE_OF[who])) return 403;
  if (sample.visibleTo && !sample.visibleTo.includes(who)) return 404;
  return 'ok';
}


// ---------- Figures ----------

const started = Date.now();
const stats = {
  /** Every request the suite sent to the centre, by part. */
  calls: { matrix: 0, 'dead tokens': 0, 'sign-in': 0, sessions: 0, pages: 0 } as Record<string, number>,
  byStatus: new Map<number, number>(),
  matrixCases: 0,
  /** Matrix calls the table says must be refused, by the status it says. */
  refusalsExpected: { 401: 0, 403: 0, 404: 0 } as Record<number, number>,
  deadTokens: 0,
  wrongPasswords: 0,
  limited: 0,
  pagePaths: 0,
  filesServed: 0,
  leaks: 0,
  escapes: [] as string[],
  /** Refused calls after which the database was not what it was before. */
  changesByRefused: 0,
};
const escape = (line: string) => stats.escapes.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
const count = (part: string, status: number) => {
  stats.calls[part] = (stats.calls[part] ?? 0) + 1;
  stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
};

/** A request through the harness, counted under `part`. */
async function call(part: string, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
  const response = await centre.request(method, path, options);
  count(part, response.status);
  return response;
}

/** Runs a scenario; a failed expectation in it is counted as an escape, then fails the case. */
async function scenario(label: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    escape(`${label}: ${(error as Error).message.split('\n')[0]}`);
    throw error;
  }
}

function parsedOrNull(text: string): { error?: unknown; message?: unknown } | null {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as { error?: unknown; message?: unknown }) : null;
  } catch {
    return null;
  }
}

/** The directives of a Content-Security-Policy header, name → sources. */
function cspOf(headers: Headers): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (headers.get('content-security-policy') ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), sources);
  }
  return out;
}

/** Why the policy would let script run that is not one of our own files, or null. */
function inlineScriptAllowed(policy: Map<string, string[]>): string | null {
  if (policy.size === 0) return 'no Content-Security-Policy';
  const script = policy.get('script-src') ?? policy.get('default-src');
  if (!script) return 'neither script-src nor default-src';
  const bad = script.filter((s) => ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", 'data:', 'blob:', '*', 'http:', 'https:'].includes(s.toLowerCase()));
  return bad.length ? `script-src allows ${bad.join(' ')}` : null;
}

beforeAll(async () => {
  centre = await startTestCentre();
  await seedShippedSpecs(centre.db);
  centreId = await centre.createCentre('Matrix College');
  const otherCentreId = await centre.createCentre('Other College');
  users.learner = await centre.createUser('learner', centreId);
  users.otherLearner = await centre.createUser('learner', centreId);
  users.assessor = await centre.createUser('assessor', centreId);
  users.secondAssessor = await centre.createUser('assessor', centreId);
  users.iqa = await centre.createUser('iqa', centreId);
  users.admin = await centre.createUser('admin', centreId);
  users.bystander = await centre.createUser('iqa', centreId);
  users['other-centre admin'] = await centre.createUser('admin', otherCentreId);
  users.otherCentreLearner = await centre.createUser('learner', otherCentreId);
  users.signer = await centre.createUser('iqa', otherCentreId);
  await centre.db.query('insert into caseloads (assessor_id, learner_id) values ($1, $2)', [users.assessor.id, users.learner.id]);
  for (const who of ['learner', 'assessor', 'iqa', 'admin', 'other-centre admin'] as const) tokens[who] = await centre.tokenFor(users[who]);

  const own = await portfolio(users.learner);
  ownEvidenceId = own[1]!;
  const others = await portfolio(users.otherLearner);
  const otherCentres = await portfolio(users.otherCentreLearner);
  ownFile = await uploadFile(tokens.learner, 'the learner’s own file');
  othersFile = await uploadFile(await centre.tokenFor(users.otherLearner), 'another learner’s file');
  const otherCentreFile = await uploadFile(await centre.tokenFor(users.otherCentreLearner), 'another centre’s file');

  for (const id of [users.learner.id, ...own, ownFile]) secrets.push({ id, visibleTo: CENTRE_A });
  for (const id of [users.otherLearner.id, ...others, othersFile]) secrets.push({ id, visibleTo: ['iqa', 'admin'] });
  for (const id of [users.assessor.id, users.iqa.id, users.admin.id]) secrets.push({ id, visibleTo: CENTRE_A });
  for (const id of [users.otherCentreLearner.id, ...otherCentres, otherCentreFile, users['other-centre admin'].id]) secrets.push({ id, visibleTo: ['other-centre admin'] });
});
afterAll(async () => {
  const total = Object.values(stats.calls).reduce((a, b) => a + b, 0);
  const refusals = stats.refusalsExpected;
  reportSuite({
    suite: 'access',
    // Calls the centre had to refuse: the matrix's 401/403/404 cases, dead tokens, wrong passwords, limited sign-ins.
    faultsInjected: refusals[401]! + refusals[403]! + refusals[404]! + stats.deadTokens + stats.wrongPasswords + stats.limited,
    inputsTried: total,
    escapes: stats.escapes.length,
    dataLost: stats.changesByRefused,
    durationMs: Date.now() - started,
    seed: FAULTS_SEED,
    details: {
      'Routes in ROUTES': ROUTES.length,
      'Callers (learner, assessor, IQA, admin, other centre’s admin, signed out)': WHO.length,
      'Matrix cases (route × record × caller)': stats.matrixCases,
      'Requests sent': total,
      'Requests: matrix': stats.calls.matrix ?? 0,
      'Requests: dead tokens (signed out, revoked ×2, expired) on every signed-in route': stats.calls['dead tokens'] ?? 0,
      'Requests: sign-in rate limit': stats.calls['sign-in'] ?? 0,
      'Requests: sign-out, revoke, expiry': stats.calls.sessions ?? 0,
      'Requests: pages and files of the built app': stats.calls.pages ?? 0,
      'Matrix refusals expected: 401 signed out': refusals[401]!,
      'Matrix refusals expected: 403 wrong role': refusals[403]!,
      'Matrix refusals expected: 404 out of scope': refusals[404]!,
      'Answers by status': [...stats.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(', '),
      'Sign-ins refused as bad credentials': stats.wrongPasswords,
      'Sign-ins refused as rate-limited (429)': stats.limited,
      'Page paths checked': stats.pagePaths,
      'Built files checked': stats.filesServed,
      'Leaks found (ids out of scope in an answer)': stats.leaks,
      'Changes made by refused calls': stats.changesByRefused,
    },
    examples: stats.escapes,
  });
  await centre.close();
});

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

/** Middleware registered with use() shows up as ALL <prefix>/*: allowed only where the table lists routes under that prefix. */
function unlistedRoutes(app: Hono<AppEnv>, allowed: ReadonlySet<string>): string[] {
  const listed = new Set(ROUTES.map(key));
  const unlisted = app.routes
    .map(key)
    .filter((k) => !listed.has(k) && !allowed.has(k))
    .filter((k) => {
      const wildcard = /^ALL (.*)\/\*$/.exec(k);
      return !(wildcard && ROUTES.some((r) => r.path.startsWith(`${wildcard[1]}/`)));
    });
  return [...new Set(unlisted)];
}

describe('the route table', () => {
  it('lists every route registered on the app', () => {
    // Middleware registered with use() shows up as ALL <prefix>/*: allowed only where the table
    // lists routes under that prefix, so a catch-all handler cannot slip in unlisted.
    const INFRASTRUCTURE = new Set(['ALL /*', 'ALL /api/*']);
    const unlisted = unlistedRoutes(centre.app, INFRASTRUCTURE);
    for (const k of unlisted) escape(`route ${k} is registered but not in ROUTES`);
    expect(unlisted).toEqual([]);
  });

  it('has every listed route registered, unless it is still pending', () => {
    const registered = new Set(centre.app.routes.map(key));
    const missing = ROUTES.filter((r) => !r.pending && !registered.has(key(r))).map(key);
    for (const k of missing) escape(`route ${k} is in ROUTES but not registered`);
    expect(missing).toEqual([]);
  });

  it('has samples for every listed route', () => {
    const missing = ROUTES.map(key).filter((k) => !SAMPLES[k]?.length);
    for (const k of missing) escape(`route ${k} has no sample in tests/faults/access-control.test.ts`);
    expect(missing, 'add the route to SAMPLES in tests/faults/access-control.test.ts').toEqual([]);
  });
});

describe.each(ROUTES.filter((r) => SAMPLES[key(r)]))('$method $path', (rule) => {
  const cases = SAMPLES[key(rule)]!.flatMap((sample) => WHO.map((who) => ({ sample, who, label: sample.label })));
  it.each(cases)('$label, as $who', async ({ sample, who }) => {
    const me = who === 'signed-out' ? null : users[who];
    const built = await sample.build(who, me);
    const token = who === 'signed-out' ? undefined : (built.token ?? tokens[who]);
    const expected = expectedFor(rule, sample, who);
    const before = expected === 'ok' ? null : await fingerprint();

    const method = built.method ?? (rule.method === 'ALL' ? 'GET' : rule.method);
    const response = await call('matrix', method, built.path, { ...(token ? { token } : {}), body: built.body, headers: built.headers });
    stats.matrixCases++;
    if (expected !== 'ok') stats.refusalsExpected[expected]!++;
    const text = await response.text();
    const context = `${method} ${built.path} as ${who}: ${response.status} ${text.slice(0, 300)}`;

    // Every rule is counted first (one escape each), then asserted, so the case names what broke.
    const problems: string[] = [];
    const ok = response.status >= 200 && response.status < 300;
    if (expected === 'ok' ? !ok : response.status !== expected) problems.push(`expected ${expected === 'ok' ? '2xx' : expected}`);
    if (response.status >= 400 && method !== 'HEAD') {
      const refusal = parsedOrNull(text);
      if (typeof refusal?.error !== 'string' || typeof refusal?.message !== 'string') problems.push('refusal is not a JSON {error, message}');
    }
    // Nothing outside the caller's scope in the answer (ids the caller sent are theirs to see).
    const sent = `${built.path} ${JSON.stringify(built.body ?? '')}`;
    const leaked = secrets.filter((s) => !s.visibleTo.includes(who) && !sent.includes(s.id) && text.includes(s.id));
    if (leaked.length > 0) {
      stats.leaks += leaked.length;
      problems.push(`leaked ${leaked.map((s) => s.id).join(', ')}`);
    }
    const unsafe = inlineScriptAllowed(cspOf(response.headers));
    if (unsafe) problems.push(unsafe);
    if (response.headers.get('x-content-type-options') !== 'nosniff') problems.push('no X-Content-Type-Options: nosniff');
    const after = before ? await fingerprint() : null;
    if (before && JSON.stringify(after) !== JSON.stringify(before)) {
      stats.changesByRefused++;
      problems.push('a refused call changed the database');
    }
    for (const p of problems) escape(`${context.slice(0, 240)} → ${p}`);

    if (expected === 'ok') expect(response.status, context).toBeGreaterThanOrEqual(200);
    if (expected === 'ok') expect(response.status, context).toBeLessThan(300);
    else expect(response.status, context).toBe(expected);
    if (response.status >= 400 && method !== 'HEAD') expect(JSON.parse(text), context).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    expect(leaked.map((s) => s.id), context).toEqual([]);
    expect(unsafe, context).toBeNull();
    expect(response.headers.get('x-content-type-options'), context).toBe('nosniff');
    if (before) expect(after, context).toEqual(before);
  });
});

// ---------- Dead tokens ----------

type Signed = Exclude<Who, 'signed-out'>;
const SIGNED: readonly Signed[] = ['learner', 'assessor', 'iqa', 'admin', 'other-centre admin'];
const DEAD = ['signed out', 'revoked by its owner', 'revoked by an admin', 'expired'] as const;
const DAY_MS = 86_400_000;

describe('dead tokens: refused on every signed-in route in ROUTES', () => {
  const guarded = ROUTES.filter((r) => r.access !== 'public' && SAMPLES[key(r)]);

  it.each(DEAD.flatMap((state) => SIGNED.map((who) => ({ state, who }))))('a token $state, as $who', async ({ state, who }) => {
    const user = users[who];
    const session = await sessionFor(user);
    const me = await call('dead tokens', 'GET', '/api/auth/me', { token: session.token });
    expect(me.status, 'the token works before it is ended').toBe(200);

    if (state === 'signed out') expect((await call('dead tokens', 'POST', '/api/auth/sign-out', { token: session.token })).status).toBe(200);
    if (state === 'revoked by its owner') expect((await call('dead tokens', 'POST', `/api/auth/sessions/${session.sessionId}/revoke`, { token: tokens[who] })).status).toBe(200);
    if (state === 'revoked by an admin') {
      // An admin of the user's own centre (the other centre's admin is revoked by themselves, from another device).
      const admin = who === 'other-centre admin' ? tokens[who] : tokens.admin;
      expect((await call('dead tokens', 'POST', `/api/admin/sessions/${session.sessionId}/revoke`, { token: admin })).status).toBe(200);
    }

    // Every request is built first, at the centre's present time (building may use live tokens).
    const requests: Array<{ rule: RouteRule; built: Built }> = [];
    for (const rule of guarded) for (const sample of SAMPLES[key(rule)]!) requests.push({ rule, built: await sample.build(who, user) });
    const expectedError = state === 'expired' ? 'session-expired' : 'session-revoked';

    const present = centre.now.value;
    // Unused for one minute longer than a device session lasts.
    if (state === 'expired') centre.now.value = new Date(present.getTime() + DEVICE_SESSION_DAYS * DAY_MS + 60_000);
    const problems: string[] = [];
    try {
      for (const { rule, built } of requests) {
        const method = built.method ?? (rule.method === 'ALL' ? 'GET' : rule.method);
        const before = await fingerprint();
        const response = await call('dead tokens', method, built.path, { token: session.token, body: built.body, headers: built.headers });
        stats.deadTokens++;
        const text = method === 'HEAD' ? '' : await response.text();
        const context = `${method} ${built.path} with a token ${state} (${who}): ${response.status} ${text.slice(0, 200)}`;
        if (response.status !== 401) problems.push(`${context} → expected 401`);
        else if (method !== 'HEAD') {
          const body = parsedOrNull(text) ?? {};
          if (body.error !== expectedError) problems.push(`${context} → expected error "${expectedError}"`);
          if (typeof body.message !== 'string' || body.message.trim().length < 8) problems.push(`${context} → no readable message`);
        }
        if (JSON.stringify(await fingerprint()) !== JSON.stringify(before)) {
          stats.changesByRefused++;
          problems.push(`${context} → changed the database`);
        }
      }
    } finally {
      centre.now.value = present;
    }
    for (const p of problems) escape(p);
    expect(problems).toEqual([]);
    expect(requests.length).toBeGreaterThanOrEqual(guarded.length);
    // Ending one device's session leaves the user's other devices signed in.
    expect((await call('dead tokens', 'GET', '/api/auth/me', { token: tokens[who] })).status).toBe(200);
  });
});

// ---------- Sign-in rate limit, sign-out, revoke, expiry ----------

/** Signs in as a request from the given client address (the Node server's socket, as in production). */
async function signIn(email: string, password: string, options: { deviceId?: string; client?: string; deviceLabel?: string } = {}): Promise<Response> {
  const body = { email, password, deviceId: options.deviceId ?? randomUUID(), deviceLabel: options.deviceLabel ?? 'Test phone' };
  const response = await centre.app.request(
    '/api/auth/sign-in',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    { incoming: { socket: { remoteAddress: options.client ?? '192.0.2.1' } } },
  );
  count('sign-in', response.status);
  if (response.status === 401) stats.wrongPasswords++;
  if (response.status === 429) stats.limited++;
  return response;
}

async function signedIn(user: TestUser, options: { deviceId?: string; client?: string } = {}): Promise<SignInResponse> {
  const response = await signIn(user.email, user.password, options);
  expect(response.status).toBe(200);
  return SignInResponse.parse(await response.json());
}

async function auditActions(action: string): Promise<Array<{ user_id: string | null; record_id: string | null; detail: Record<string, unknown> }>> {
  return centre.db.query('select user_id, record_id, detail from audit_log where action = $1 order by id', [action]);
}

async function sessionsOf(user: TestUser): Promise<number> {
  const [row] = await centre.db.query<{ n: number }>('select count(*)::int as n from device_sessions where user_id = $1', [user.id]);
  return row?.n ?? 0;
}

const sessionCall = (method: string, path: string, token: string) => call('sessions', method, path, { token });

describe('sign-in is rate-limited', () => {
  it(`limits failures to ${MAX_SIGN_IN_FAILURES} per email and address in 15 minutes, even with the right password`, () =>
    scenario('sign-in rate limit', async () => {
      const learner = await centre.createUser('learner', centreId);
      const user = await centre.createUser('learner', centreId);
      const attacker = '198.51.100.7';
      for (let i = 0; i < MAX_SIGN_IN_FAILURES; i++) expect((await signIn(user.email, `guess ${i}`, { client: attacker })).status).toBe(401);

      const sessionsBefore = await sessionsOf(user);
      const limited = await signIn(user.email, user.password, { client: attacker });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = (await limited.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ error: 'too-many-attempts', message: expect.stringMatching(/Wait \d+ minutes?/) });
      expect(body).not.toHaveProperty('token');
      // It stays limited, right password or wrong, and makes no session.
      for (const password of [user.password, 'another guess', user.password]) expect((await signIn(user.email, password, { client: attacker })).status).toBe(429);
      expect(await sessionsOf(user)).toBe(sessionsBefore);
      expect((await auditActions('sign-in-limited')).filter((a) => a.record_id === user.email).length).toBeGreaterThanOrEqual(4);

      // The real person on another network is not locked out, and other emails from that address are not limited.
      expect((await signIn(user.email, user.password, { client: '203.0.113.9' })).status).toBe(200);
      expect((await signIn(learner.email, 'wrong', { client: attacker })).status).toBe(401);

      // After the window the address may try again.
      const before = centre.now.value;
      centre.now.value = new Date(before.getTime() + 16 * 60_000);
      try {
        expect((await signIn(user.email, user.password, { client: attacker })).status).toBe(200);
      } finally {
        centre.now.value = before;
      }
    }));

  it('does not count unknown emails against real ones, but limits them too', () =>
    scenario('unknown emails rate limit', async () => {
      const learner = await centre.createUser('learner', centreId);
      const client = '198.51.100.99';
      for (let i = 0; i < MAX_SIGN_IN_FAILURES; i++) await signIn('ghost@example.org', 'guess', { client });
      expect((await signIn('ghost@example.org', 'guess', { client })).status).toBe(429);
      expect((await signIn(learner.email, learner.password, { client })).status).toBe(200);
    }));
});

describe('device sessions: sign-out, revoke, expiry', () => {
  it('signs out the calling device only', () =>
    scenario('sign-out', async () => {
      const user = await centre.createUser('iqa', centreId);
      const phone = await signedIn(user);
      const laptop = await signedIn(user);
      const out = await sessionCall('POST', '/api/auth/sign-out', phone.token);
      expect(out.status).toBe(200);
      const after = await sessionCall('GET', '/api/auth/me', phone.token);
      expect(after.status).toBe(401);
      expect(await after.json()).toMatchObject({ error: 'session-revoked' });
      expect((await sessionCall('GET', '/api/auth/me', laptop.token)).status).toBe(200);
      expect((await auditActions('sign-out')).some((a) => a.record_id === phone.sessionId)).toBe(true);
    }));

  it('expires a session unused for longer than its lifetime, and slides it forward while used', () =>
    scenario('expiry', async () => {
      const user = await centre.createUser('learner', centreId);
      const session = await signedIn(user);
      const start = centre.now.value;
      try {
        // Used after 60 days: still valid, and the expiry moves to 90 days from now.
        centre.now.value = new Date(start.getTime() + 60 * DAY_MS);
        expect((await sessionCall('GET', '/api/auth/me', session.token)).status).toBe(200);
        centre.now.value = new Date(start.getTime() + 120 * DAY_MS);
        expect((await sessionCall('GET', '/api/auth/me', session.token)).status).toBe(200);
        // Then unused for 91 days.
        centre.now.value = new Date(start.getTime() + 211 * DAY_MS);
        const expired = await sessionCall('GET', '/api/auth/me', session.token);
        expect(expired.status).toBe(401);
        expect(await expired.json()).toMatchObject({ error: 'session-expired' });
      } finally {
        centre.now.value = start;
      }
    }));

  it('revokes own sessions only; another user’s session is not found', () =>
    scenario('revoke', async () => {
      const user = await centre.createUser('learner', centreId);
      const other = await centre.createUser('learner', centreId);
      const phone = await signedIn(user);
      const tablet = await signedIn(user);
      const theirs = await signedIn(other);

      const refused = await sessionCall('POST', `/api/auth/sessions/${theirs.sessionId}/revoke`, phone.token);
      expect(refused.status).toBe(404);
      expect((await sessionCall('GET', '/api/auth/me', theirs.token)).status).toBe(200);

      const revoked = await sessionCall('POST', `/api/auth/sessions/${tablet.sessionId}/revoke`, phone.token);
      expect(revoked.status).toBe(200);
      expect(await revoked.json()).toMatchObject({ id: tablet.sessionId, revokedAt: expect.any(String), current: false });
      const refusedTablet = await sessionCall('GET', '/api/auth/me', tablet.token);
      expect(refusedTablet.status).toBe(401);
      expect(await refusedTablet.json()).toMatchObject({ error: 'session-revoked' });
      expect((await auditActions('session-revoked')).some((a) => a.user_id === user.id && a.record_id === tablet.sessionId)).toBe(true);
      // The revoked device shows as revoked in the owner's list.
      const list = DeviceSessionList.parse(await (await sessionCall('GET', '/api/auth/sessions', phone.token)).json());
      expect(list.sessions.find((s) => s.id === tablet.sessionId)?.revokedAt).toEqual(expect.any(String));

      // Revoking again is harmless; a malformed id is a 400, not a 500.
      expect((await sessionCall('POST', `/api/auth/sessions/${tablet.sessionId}/revoke`, phone.token)).status).toBe(200);
      expect((await sessionCall('POST', '/api/auth/sessions/not-a-uuid/revoke', phone.token)).status).toBe(400);
    }));
});

// ---------- Pages: the built app as the server serves it ----------

/** What every page and file of the app must carry (server/static.ts PAGE_CSP); problems as words. */
function pageHeaderProblems(headers: Headers): string[] {
  const problems: string[] = [];
  const policy = cspOf(headers);
  const unsafe = inlineScriptAllowed(policy);
  if (unsafe) problems.push(unsafe);
  const exactly: Record<string, string[]> = {
    'default-src': ["'self'"],
    'style-src': ["'self'"],
    'worker-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'frame-ancestors': ["'none'"],
    'form-action': ["'self'"],
  };
  for (const [name, sources] of Object.entries(exactly)) {
    if (JSON.stringify(policy.get(name)) !== JSON.stringify(sources)) problems.push(`${name} is "${policy.get(name)?.join(' ') ?? '(absent)'}", not "${sources.join(' ')}"`);
  }
  // Our own files, and WebAssembly compiled by them (hash-wasm): nothing else runs.
  const script = policy.get('script-src') ?? [];
  if (!script.includes("'self'") || script.some((s) => !["'self'", "'wasm-unsafe-eval'"].includes(s))) problems.push(`script-src is "${script.join(' ')}"`);
  const within = (name: string, must: string[], may: string[]) => {
    const got = policy.get(name) ?? [];
    if (must.some((s) => !got.includes(s)) || got.some((s) => !must.includes(s) && !may.includes(s))) problems.push(`${name} is "${got.join(' ')}"`);
  };
  within('img-src', ["'self'", 'blob:', 'data:'], []);
  within('media-src', ["'self'", 'blob:'], []);
  within('connect-src', ["'self'"], ['blob:']);
  for (const [name, sources] of policy) if (sources.some((s) => s.toLowerCase() === "'unsafe-inline'" || s === '*')) problems.push(`${name} allows ${sources.join(' ')}`);
  if (headers.get('x-content-type-options') !== 'nosniff') problems.push('no X-Content-Type-Options: nosniff');
  if (headers.get('referrer-policy') !== 'no-referrer') problems.push(`Referrer-Policy is "${headers.get('referrer-policy')}"`);
  if (headers.get('x-frame-options') !== 'DENY') problems.push(`X-Frame-Options is "${headers.get('x-frame-options')}"`);
  return problems;
}

/** Inline script, inline event handlers and inline style in an HTML page; problems as words. */
function inlineProblems(html: string): string[] {
  const problems: string[] = [];
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)];
  if (scripts.length === 0) problems.push('no <script> at all (is this the built page?)');
  for (const [tag, attributes, content] of scripts) {
    const src = /\ssrc\s*=\s*["']?([^"'\s>]+)/i.exec(attributes ?? '')?.[1];
    if (!src) problems.push(`inline script: ${tag.slice(0, 120)}`);
    else if (!src.startsWith('/') || src.startsWith('//')) problems.push(`script from elsewhere: ${src}`);
    if ((content ?? '').trim()) problems.push(`script with a body: ${tag.slice(0, 120)}`);
  }
  if (/<script\b(?![^>]*\bsrc\s*=)[^>]*>/i.test(html)) problems.push('a <script> without src');
  for (const m of html.matchAll(/<[a-z][^>]*?\s(on[a-z]+)\s*=/gi)) problems.push(`inline event handler ${m[1]}`);
  if (/javascript:/i.test(html)) problems.push('javascript: URL');
  if (/<style\b/i.test(html)) problems.push('inline <style>');
  if (/<[a-z][^>]*\sstyle\s*=/i.test(html)) problems.push('style attribute');
  if (/<meta[^>]+http-equiv\s*=\s*["']?content-security-policy/i.test(html)) problems.push('a CSP <meta> (the header is the policy)');
  return problems;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('pages: a strict Content-Security-Policy on every page, no inline script', () => {
  let dist: string;
  let served: Hono<AppEnv>;
  let indexHtml: string;

  beforeAll(() => {
    // The app as `npm start` builds it (vite.config.ts, index.html, plugins), into a directory of
    // the suite's own: a stale or missing dist/ cannot hide an inline script.
    dist = mkdtempSync(join(tmpdir(), 'ictp-access-dist-'));
    const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production' },
      timeout: 300_000,
    });
    if (build.status !== 0) throw new Error(`vite build failed (${build.status}): ${build.stderr || build.stdout}`);
    indexHtml = readFileSync(join(dist, 'index.html'), 'utf8');
    served = createApp({ db: centre.db, filesDir: centre.filesDir, now: () => centre.now.value }, { staticDir: dist });
  }, 300_000);
  afterAll(() => {
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  async function get(path: string): Promise<Response> {
    const response = await served.request(path);
    count('pages', response.status);
    return response;
  }

  it('the app as served in production has no route the table does not list', () => {
    // The built app is served by server/static.ts as GET /* after every /api route.
    const unlisted = unlistedRoutes(served, new Set(['ALL /*', 'ALL /api/*', 'GET /*']));
    for (const k of unlisted) escape(`route ${k} is registered but not in ROUTES`);
    expect(unlisted).toEqual([]);
  });

  const PAGE_PATHS = [
    '/',
    '/index.html',
    '/evidence/x',
    '/evidence/new',
    `/evidence/${randomUUID()}`,
    `/caseload/${randomUUID()}/record/observation`,
    `/iqa/plans/${randomUUID()}`,
    '/admin/users?learner=1#export',
    '/sign-in',
    '/no/such/page',
    '/%2e%2e/%2e%2e/etc/passwd',
  ];

  it.each(PAGE_PATHS)('serves %s with the policy, as the built index.html', (path) =>
    scenario(`page ${path}`, async () => {
      const response = await get(path);
      stats.pagePaths++;
      const body = await response.text();
      const problems = [...pageHeaderProblems(response.headers), ...inlineProblems(body)];
      if (response.status !== 200) problems.push(`status ${response.status}`);
      if (!/^text\/html/.test(response.headers.get('content-type') ?? '')) problems.push(`served as ${response.headers.get('content-type')}`);
      if (body !== indexHtml) problems.push('not the built index.html');
      expect(problems, path).toEqual([]);
    }),
  );

  it('serves every file of the build with the policy', () =>
    scenario('built files', async () => {
      const problems: string[] = [];
      for (const file of filesUnder(dist)) {
        const path = `/${relative(dist, file).split(/[\\/]/).join('/')}`;
        const response = await get(path);
        stats.filesServed++;
        const bytes = Buffer.from(await response.arrayBuffer());
        for (const p of pageHeaderProblems(response.headers)) problems.push(`${path}: ${p}`);
        if (response.status !== 200 || !bytes.equals(readFileSync(file))) problems.push(`${path}: ${response.status}, not the file`);
        if (path.endsWith('.html')) for (const p of inlineProblems(bytes.toString('utf8'))) problems.push(`${path}: ${p}`);
      }
      expect(stats.filesServed).toBeGreaterThan(5);
      expect(problems).toEqual([]);
    }));

  it('index.html loads only scripts of the build, each served as JavaScript', () =>
    scenario('index.html scripts', async () => {
      const srcs = [...indexHtml.matchAll(/<script\b[^>]*\ssrc\s*=\s*["']?([^"'\s>]+)/gi)].map((m) => m[1]!);
      expect(srcs.length).toBeGreaterThan(0);
      for (const src of srcs) {
        const response = await get(src);
        expect(response.status, src).toBe(200);
        expect(response.headers.get('content-type'), src).toMatch(/^text\/javascript/);
        expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(join(dist, src))), src).toBe(true);
      }
    }));
});

describe('suite 7, access control', () => {
  it('found no escapes and no change made by a refused call', () => {
    expect(stats.escapes).toEqual([]);
    expect(stats.changesByRefused).toBe(0);
  });
});
