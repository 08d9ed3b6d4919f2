import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPublicJwk, generateSigningKey } from '../../src/domain/signing';
import { SYNC_PROTOCOL_VERSION } from '../../src/domain/sync';
import { createDeviceSession } from '../../server/auth/sessions';
import type { Role } from '../../server/context';
import { writeRecord } from '../../server/records';
import { ROUTES, type RouteRule } from '../../server/routes/index';
import { seedShippedSpecs } from '../../server/seed';
import { startTestCentre, type TestCentre, type TestUser } from './harness';

/**
 * Every route in server/routes/index.ts ROUTES, called as every kind of caller, checked against
 * what the table says they may do: signed out → 401; a role the route is not for → 403; a record
 * outside the caller's scope → 404 (never 403: that would confirm it exists); otherwise success.
 * On every answer, nothing of a learner or centre outside the caller's scope appears in the body,
 * and a refused call changes nothing.
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
  await centre.close();
});

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe('the route table', () => {
  it('lists every route registered on the app', () => {
    const listed = new Set(ROUTES.map(key));
    // Middleware registered with use() shows up as ALL <prefix>/*: allowed only where the table
    // lists routes under that prefix, so a catch-all handler cannot slip in unlisted.
    const INFRASTRUCTURE = new Set(['ALL /*', 'ALL /api/*']);
    const unlisted = centre.app.routes
      .map(key)
      .filter((k) => !listed.has(k) && !INFRASTRUCTURE.has(k))
      .filter((k) => {
        const wildcard = /^ALL (.*)\/\*$/.exec(k);
        return !(wildcard && ROUTES.some((r) => r.path.startsWith(`${wildcard[1]}/`)));
      });
    expect([...new Set(unlisted)]).toEqual([]);
  });

  it('has every listed route registered, unless it is still pending', () => {
    const registered = new Set(centre.app.routes.map(key));
    expect(ROUTES.filter((r) => !r.pending && !registered.has(key(r))).map(key)).toEqual([]);
  });

  it('has samples for every listed route', () => {
    expect(ROUTES.map(key).filter((k) => !SAMPLES[k]?.length)).toEqual([]);
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
    const response = await centre.request(method, built.path, { ...(token ? { token } : {}), body: built.body, headers: built.headers });
    const text = await response.text();
    const context = `${method} ${built.path} as ${who}: ${response.status} ${text.slice(0, 300)}`;

    if (expected === 'ok') expect(response.status, context).toBeGreaterThanOrEqual(200);
    if (expected === 'ok') expect(response.status, context).toBeLessThan(300);
    else expect(response.status, context).toBe(expected);
    if (response.status >= 400 && method !== 'HEAD') expect(JSON.parse(text), context).toMatchObject({ error: expect.any(String), message: expect.any(String) });

    // Nothing outside the caller's scope in the answer (ids the caller sent are theirs to see).
    const sent = `${built.path} ${JSON.stringify(built.body ?? '')}`;
    const leaked = secrets.filter((s) => !s.visibleTo.includes(who) && !sent.includes(s.id) && text.includes(s.id));
    expect(leaked.map((s) => s.id), context).toEqual([]);

    if (before) expect(await fingerprint(), context).toEqual(before);
  });
});
