import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CentreEnrolment, CentreEnrolmentList, CentreUser, CentreUserList, MAX_SPEC_BYTES, SpecSummary, SpecSummaryList } from '../../src/domain/admin';
import { DeviceSessionList } from '../../src/domain/auth';
import { ApiError } from '../../src/domain/sync';
import { readRecord } from '../../server/records';
import { seedShippedSpecs } from '../../server/seed';
import { startTestCentre, type TestCentre, type TestUser } from './harness';

let centre: TestCentre;
let centreId: string;
let admin: TestUser;
let adminToken: string;
let otherCentreId: string;
let otherAdminToken: string;
let otherLearner: TestUser;

const spec403 = JSON.parse(readFileSync('qualifications/4520-03.json', 'utf8')) as Record<string, unknown>;
const OPTIONS_03 = ['J/601/3507', 'A/601/3293', 'D/500/7332', 'M/500/7383', 'L/502/1114', 'J/601/3247'];

beforeAll(async () => {
  centre = await startTestCentre();
  await seedShippedSpecs(centre.db);
  centreId = await centre.createCentre('Admin College');
  admin = await centre.createUser('admin', centreId, { name: 'Ada Admin' });
  adminToken = await centre.tokenFor(admin);
  otherCentreId = await centre.createCentre('Elsewhere College');
  otherAdminToken = await centre.tokenFor(await centre.createUser('admin', otherCentreId));
  otherLearner = await centre.createUser('learner', otherCentreId);
});
afterAll(async () => {
  await centre.close();
});

/** A device session for a user made through the API (tokenFor needs only the id). */
const tokenOf = (user: { id: string }) => centre.tokenFor({ ...admin, id: user.id });
const asAdmin = (method: string, path: string, body?: unknown) => centre.request(method, path, { token: adminToken, body });

async function createUser(role: string, name = `New ${role}`): Promise<CentreUser & { password: string }> {
  const password = `password for ${randomUUID().slice(0, 6)}`;
  const response = await asAdmin('POST', '/api/admin/users', { name, email: `${randomUUID().slice(0, 8)}@example.org`, role, password });
  expect(response.status).toBe(201);
  return { ...CentreUser.parse(await response.json()), password };
}

function enrolmentRequest(learnerId: string, overrides: Record<string, unknown> = {}) {
  return {
    learnerId,
    qualificationId: '4520-03',
    qualificationVersion: 1,
    optionalUnitIds: OPTIONS_03,
    startDate: '2026-02-02',
    plannedEndDate: '2027-09-30',
    plannedOffTheJobHoursPerWeek: 6,
    ...overrides,
  };
}

describe('users', () => {
  it("lists the admin's centre only, with caseloads both ways", async () => {
    const assessor = await createUser('assessor');
    const learner = await createUser('learner');
    expect((await asAdmin('PUT', `/api/admin/caseloads/${assessor.id}`, { learnerIds: [learner.id] })).status).toBe(200);
    const response = await asAdmin('GET', '/api/admin/users');
    expect(response.status).toBe(200);
    const { users } = CentreUserList.parse(await response.json());
    expect(users.map((u) => u.id)).toEqual(expect.arrayContaining([admin.id, assessor.id, learner.id]));
    expect(users.map((u) => u.id)).not.toContain(otherLearner.id);
    expect(users.find((u) => u.id === assessor.id)?.caseload).toEqual([learner.id]);
    expect(users.find((u) => u.id === learner.id)?.assessors).toEqual([assessor.id]);
  });

  it('creates a user who can sign in, and a profile record for a learner', async () => {
    const learner = await createUser('learner', 'Lee Learner');
    expect(learner).toMatchObject({ role: 'learner', disabled: false, name: 'Lee Learner' });
    const signIn = await centre.request('POST', '/api/auth/sign-in', { body: { email: learner.email, password: learner.password, deviceId: randomUUID() } });
    expect(signIn.status).toBe(200);
    const profile = await readRecord(centre.db, 'profile', learner.id);
    expect(profile).toMatchObject({ learnerId: learner.id, centreId, revision: 1, deleted: false, data: { name: 'Lee Learner', employer: '' } });
    const assessor = await createUser('assessor');
    expect(await readRecord(centre.db, 'profile', assessor.id)).toBeNull();
    const audited = await centre.db.query(`select 1 from audit_log where action = 'user-created' and record_id = $1 and user_id = $2`, [learner.id, admin.id]);
    expect(audited).toHaveLength(1);
  });

  it('refuses a second account with the same email, whatever its case', async () => {
    const first = await createUser('iqa');
    const again = await asAdmin('POST', '/api/admin/users', { name: 'Copy', email: first.email.toUpperCase(), role: 'learner', password: 'long enough password' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: 'email-taken', message: expect.stringMatching(/already belongs/) });
  });

  it('refuses invalid users with readable 400s', async () => {
    for (const body of [
      { name: '', email: 'a@example.org', role: 'learner', password: 'long enough password' },
      { name: 'A', email: 'not an email', role: 'learner', password: 'long enough password' },
      { name: 'A', email: 'a@example.org', role: 'superuser', password: 'long enough password' },
      { name: 'A', email: 'a@example.org', role: 'learner', password: 'short' },
    ]) {
      const response = await asAdmin('POST', '/api/admin/users', body);
      expect(response.status).toBe(400);
      expect(ApiError.parse(await response.json()).message).toEqual(expect.any(String));
    }
  });

  it('renames, re-roles, disables and resets passwords', async () => {
    const learner = await createUser('learner', 'Old Name');
    const token = await tokenOf(learner);

    const renamed = await asAdmin('PATCH', `/api/admin/users/${learner.id}`, { name: 'New Name' });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ name: 'New Name' });
    expect(await readRecord(centre.db, 'profile', learner.id)).toMatchObject({ revision: 2, data: { name: 'New Name' } });

    const reset = await asAdmin('PATCH', `/api/admin/users/${learner.id}`, { password: 'a brand new password' });
    expect(reset.status).toBe(200);
    const signIn = await centre.request('POST', '/api/auth/sign-in', { body: { email: learner.email, password: 'a brand new password', deviceId: randomUUID() } });
    expect(signIn.status).toBe(200);

    expect((await asAdmin('PATCH', `/api/admin/users/${learner.id}`, { disabled: true })).status).toBe(200);
    const refused = await centre.request('GET', '/api/auth/me', { token });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'disabled' });
    const enabled = await asAdmin('PATCH', `/api/admin/users/${learner.id}`, { disabled: false });
    expect(await enabled.json()).toMatchObject({ disabled: false });
    expect((await centre.request('GET', '/api/auth/me', { token })).status).toBe(200);

    // No enrolments yet, so they may become an assessor: their profile is withdrawn from devices.
    const promoted = await asAdmin('PATCH', `/api/admin/users/${learner.id}`, { role: 'assessor' });
    expect(await promoted.json()).toMatchObject({ role: 'assessor' });
    expect(await readRecord(centre.db, 'profile', learner.id)).toMatchObject({ deleted: true });
    const audit = await centre.db.query<{ detail: Record<string, unknown> }>(`select detail from audit_log where action = 'user-updated' and record_id = $1 order by id`, [learner.id]);
    expect(audit.map((a) => a.detail)).toContainEqual({ password: 'changed' });
    expect(JSON.stringify(audit)).not.toContain('a brand new password');
  });

  it('keeps a learner with a portfolio a learner', async () => {
    const learner = await createUser('learner');
    expect((await asAdmin('POST', '/api/admin/enrolments', enrolmentRequest(learner.id))).status).toBe(201);
    const response = await asAdmin('PATCH', `/api/admin/users/${learner.id}`, { role: 'iqa' });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: 'has-portfolio' });
  });

  it('will not let an admin disable or demote themselves', async () => {
    for (const body of [{ disabled: true }, { role: 'assessor' }]) {
      const response = await asAdmin('PATCH', `/api/admin/users/${admin.id}`, body);
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: 'own-account' });
    }
    expect((await asAdmin('PATCH', `/api/admin/users/${admin.id}`, { name: 'Ada A. Admin' })).status).toBe(200);
  });

  it("answers another centre's user, an unknown id and a malformed id without leaking anything", async () => {
    const other = await asAdmin('PATCH', `/api/admin/users/${otherLearner.id}`, { name: 'Hijacked' });
    const unknown = await asAdmin('PATCH', `/api/admin/users/${randomUUID()}`, { name: 'Hijacked' });
    expect(other.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await other.json()).toEqual(await unknown.json());
    expect((await asAdmin('PATCH', '/api/admin/users/42', { name: 'X' })).status).toBe(400);
    expect((await asAdmin('PATCH', `/api/admin/users/${admin.id}`, {})).status).toBe(400);
    const [row] = await centre.db.query<{ name: string }>('select name from users where id = $1', [otherLearner.id]);
    expect(row?.name).not.toBe('Hijacked');
  });
});

describe('caseloads', () => {
  it("replaces an assessor's caseload with learners of the centre", async () => {
    const assessor = await createUser('assessor');
    const [a, b, c] = [await createUser('learner'), await createUser('learner'), await createUser('learner')];
    const first = await asAdmin('PUT', `/api/admin/caseloads/${assessor.id}`, { learnerIds: [a!.id, b!.id, a!.id] });
    expect(first.status).toBe(200);
    expect(CentreUser.parse(await first.json()).caseload.sort()).toEqual([a!.id, b!.id].sort());
    const second = await asAdmin('PUT', `/api/admin/caseloads/${assessor.id}`, { learnerIds: [c!.id] });
    expect(CentreUser.parse(await second.json()).caseload).toEqual([c!.id]);
    const cleared = await asAdmin('PUT', `/api/admin/caseloads/${assessor.id}`, { learnerIds: [] });
    expect(CentreUser.parse(await cleared.json()).caseload).toEqual([]);
  });

  it("refuses other centres' learners, non-learners and non-assessors", async () => {
    const assessor = await createUser('assessor');
    const iqa = await createUser('iqa');
    const learner = await createUser('learner');
    const foreign = await asAdmin('PUT', `/api/admin/caseloads/${assessor.id}`, { learnerIds: [learner.id, otherLearner.id] });
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ error: 'not-learners' });
    expect((await asAdmin('PUT', `/api/admin/caseloads/${assessor.id}`, { learnerIds: [iqa.id] })).status).toBe(400);
    const notAssessor = await asAdmin('PUT', `/api/admin/caseloads/${iqa.id}`, { learnerIds: [learner.id] });
    expect(notAssessor.status).toBe(409);
    expect(await notAssessor.json()).toMatchObject({ error: 'not-an-assessor' });
    const otherAssessor = await centre.createUser('assessor', otherCentreId);
    expect((await asAdmin('PUT', `/api/admin/caseloads/${otherAssessor.id}`, { learnerIds: [] })).status).toBe(404);
    // Nothing changed for the refused requests.
    expect((await centre.db.query('select 1 from caseloads where assessor_id = $1', [assessor.id])).length).toBe(0);
  });
});

describe('enrolments', () => {
  it('enrols a learner on the spec version given, as a synced record', async () => {
    const learner = await createUser('learner', 'Enid Enrolled');
    const response = await asAdmin('POST', '/api/admin/enrolments', enrolmentRequest(learner.id));
    expect(response.status).toBe(201);
    const enrolment = CentreEnrolment.parse(await response.json());
    expect(enrolment).toMatchObject({ learnerId: learner.id, learnerName: 'Enid Enrolled', qualificationId: '4520-03', qualificationVersion: 1, revision: 1, optionalUnitIds: OPTIONS_03 });

    const record = await readRecord(centre.db, 'enrolment', enrolment.id);
    expect(record).toMatchObject({ centreId, learnerId: learner.id, revision: 1, deleted: false, updatedBy: admin.id });
    expect(record?.data).toMatchObject({ learnerId: learner.id, startDate: '2026-02-02', qualificationVersion: 1 });
    expect(record?.data).not.toHaveProperty('id');
    expect(Number(record?.seq)).toBeGreaterThan(0);
    const versions = await centre.db.query('select revision from record_versions where entity = $1 and id = $2', ['enrolment', enrolment.id]);
    expect(versions).toEqual([{ revision: 1 }]);

    const list = CentreEnrolmentList.parse(await (await asAdmin('GET', '/api/admin/enrolments')).json());
    expect(list.enrolments.find((e) => e.id === enrolment.id)).toEqual(enrolment);
  });

  it('lists only enrolments of the centre', async () => {
    const list = CentreEnrolmentList.parse(await (await centre.request('GET', '/api/admin/enrolments', { token: otherAdminToken })).json());
    expect(list.enrolments).toEqual([]);
  });

  it('refuses learners the admin may not enrol', async () => {
    const assessor = await createUser('assessor');
    for (const learnerId of [otherLearner.id, assessor.id, randomUUID()]) {
      const response = await asAdmin('POST', '/api/admin/enrolments', enrolmentRequest(learnerId));
      expect(response.status).toBe(404);
    }
  });

  it('applies the qualification rules with readable reasons', async () => {
    const learner = await createUser('learner');
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ qualificationVersion: 9 }, 400, 'unknown-spec'],
      [{ qualificationId: 'icttech' }, 400, 'not-a-qualification'],
      [{ qualificationId: '4520-04', optionalUnitIds: ['L/500/7391'], startDate: '2024-01-15', plannedEndDate: '2026-06-30' }, 400, 'registration-closed'],
      [{ optionalUnitIds: ['J/601/3507', 'no-such-unit'] }, 400, 'unknown-units'],
      [{ optionalUnitIds: ['D/503/5549'] }, 400, 'mandatory-units'],
      [{ plannedEndDate: '2026-01-01' }, 400, 'invalid-request'],
      [{ plannedOffTheJobHoursPerWeek: -1 }, 400, 'invalid-request'],
      [{ startDate: '2nd Feb' }, 400, 'invalid-request'],
    ];
    for (const [overrides, status, error] of cases) {
      const response = await asAdmin('POST', '/api/admin/enrolments', enrolmentRequest(learner.id, overrides));
      expect(response.status, JSON.stringify(overrides)).toBe(status);
      const body = await response.json();
      expect(body, JSON.stringify(overrides)).toMatchObject({ error, message: expect.any(String) });
    }
    const closed = await asAdmin('POST', '/api/admin/enrolments', enrolmentRequest(learner.id, { qualificationId: '4520-04', optionalUnitIds: [], startDate: '2024-01-15' }));
    expect(ApiError.parse(await closed.json()).message).toMatch(/closed to new registrations on 31 Dec 2023/);

    // Registered before 4520-04 closed: accepted, even now that it is closed.
    const early = await asAdmin('POST', '/api/admin/enrolments', enrolmentRequest(learner.id, { qualificationId: '4520-04', optionalUnitIds: ['L/500/7391'], startDate: '2023-06-01', plannedEndDate: '2026-06-30' }));
    expect(early.status).toBe(201);
    const twice = await asAdmin('POST', '/api/admin/enrolments', enrolmentRequest(learner.id, { qualificationId: '4520-04', optionalUnitIds: [], startDate: '2023-07-01', plannedEndDate: '2026-06-30' }));
    expect(twice.status).toBe(409);
    expect(await twice.json()).toMatchObject({ error: 'already-enrolled' });
  });
});

describe('qualification specs', () => {
  async function importSpec(body: string | object, headers: Record<string, string> = {}) {
    return centre.request('POST', '/api/admin/specs', { token: adminToken, body: typeof body === 'string' ? body : JSON.stringify(body), headers });
  }

  it('lists every stored version with this centre’s enrolment counts', async () => {
    const response = await asAdmin('GET', '/api/admin/specs');
    expect(response.status).toBe(200);
    const { specs } = SpecSummaryList.parse(await response.json());
    expect(specs.map((s) => `${s.id}@${s.version}`)).toEqual(expect.arrayContaining(['4520-02@1', '4520-03@1', '4520-04@1', 'icttech@1']));
    expect(specs.find((s) => s.id === 'icttech')).toMatchObject({ kind: 'competence-standard', enrolments: 0 });
    const other = SpecSummaryList.parse(await (await centre.request('GET', '/api/admin/specs', { token: otherAdminToken })).json());
    expect(other.specs.every((s) => s.enrolments === 0)).toBe(true);
  });

  it('imports a new version; enrolments keep theirs; any signed-in user can fetch it', async () => {
    const learner = await createUser('learner');
    const enrolled = CentreEnrolment.parse(await (await asAdmin('POST', '/api/admin/enrolments', enrolmentRequest(learner.id))).json());

    const response = await importSpec({ ...spec403, version: 2, title: 'Level 3 Diploma in ICT Professional Competence (v2)' });
    expect(response.status).toBe(201);
    expect(SpecSummary.parse(await response.json())).toMatchObject({ id: '4520-03', version: 2, enrolments: 0 });
    expect((await readRecord(centre.db, 'enrolment', enrolled.id))?.data).toMatchObject({ qualificationVersion: 1 });
    const audited = await centre.db.query(`select 1 from audit_log where action = 'spec-imported' and record_id = '4520-03@2'`);
    expect(audited).toHaveLength(1);

    const learnerToken = await tokenOf(learner);
    const v2 = await centre.request('GET', '/api/specs/4520-03/2', { token: learnerToken });
    expect(v2.status).toBe(200);
    expect(await v2.json()).toMatchObject({ id: '4520-03', version: 2, title: expect.stringMatching(/v2/) });
    const v1 = await centre.request('GET', '/api/specs/4520-03/1', { token: learnerToken });
    expect(await v1.json()).toMatchObject({ version: 1 });
    expect((await centre.request('GET', '/api/specs/4520-03/7', { token: learnerToken })).status).toBe(404);
    expect((await centre.request('GET', '/api/specs/4520-03/two', { token: learnerToken })).status).toBe(400);
    expect((await centre.request('GET', '/api/specs/4520-03/2')).status).toBe(401);
  });

  it('refuses a version that is not above the latest', async () => {
    for (const version of [1, 2]) {
      const response = await importSpec({ ...spec403, version });
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({ error: 'version-exists', message: expect.stringMatching(/already at version 2/) });
    }
  });

  it('refuses a file that is too large, by its declared length and by what arrives', async () => {
    const big = JSON.stringify({ ...spec403, version: 50, note: 'x'.repeat(MAX_SPEC_BYTES) });
    const declared = await importSpec(big);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: 'too-large' });

    // Streamed with no Content-Length: counted as it arrives and cut off.
    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024));
        controller.close();
      },
    });
    const streamed = await centre.app.request('/api/admin/specs', {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);

    // A Content-Length that lies low does not get more through.
    const lying = await importSpec(big, { 'content-length': '100' });
    expect(lying.status).toBe(413);
  });

  it('refuses what is not JSON, or not a valid spec, with the reasons', async () => {
    const notJson = await importSpec('{"kind": "qualification", ');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: 'invalid-json' });
    expect((await importSpec('')).status).toBe(400);
    expect((await importSpec('\u00ff\u00fe', { 'content-type': 'application/octet-stream' })).status).toBe(400);

    const units = (spec403.units as Array<Record<string, unknown>>).map((u, i) => (i === 0 ? { ...u, credits: -3 } : u));
    const invalid = await importSpec({ ...spec403, version: 3, lastRegistrationDate: '31/08/2026', units });
    expect(invalid.status).toBe(400);
    const body = ApiError.parse(await invalid.json());
    expect(body.error).toBe('invalid-spec');
    expect(body.message).toMatch(/lastRegistrationDate/);
    expect(body.message).toMatch(/credits/);
    expect((await importSpec([1, 2, 3])).status).toBe(400);
    expect((await importSpec({ kind: 'something-else' })).status).toBe(400);
  });

  it('keeps prototype-pollution keys harmless', async () => {
    const hostile = `{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}},
      ${JSON.stringify({ ...spec403, version: 4 }).slice(1, -1).replace('"units":[{', '"units":[{"__proto__":{"isAdmin":true},')}}`;
    const response = await importSpec(hostile);
    expect(response.status).toBe(201);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    const [row] = await centre.db.query<{ spec: string }>(`select spec::text as spec from qualification_specs where id = '4520-03' and version = 4`);
    expect(row?.spec).not.toContain('__proto__');
    expect(row?.spec).not.toContain('polluted');
    expect(row?.spec).not.toContain('isAdmin');
  });
});

describe('devices of the centre', () => {
  it("lists and revokes a centre user's sessions, and nobody else's", async () => {
    const learner = await createUser('learner');
    const tokenA = await tokenOf(learner);
    await tokenOf(learner);
    const listed = await asAdmin('GET', `/api/admin/users/${learner.id}/sessions`);
    expect(listed.status).toBe(200);
    const { sessions } = DeviceSessionList.parse(await listed.json());
    expect(sessions).toHaveLength(2);
    expect(sessions.every((s) => !s.current)).toBe(true);

    const [sessionA] = await centre.db.query<{ id: string }>(`select id from device_sessions where user_id = $1 order by created_at, id`, [learner.id]);
    const before = await centre.request('GET', '/api/auth/me', { token: tokenA });
    expect(before.status).toBe(200);
    // Which row is token A's does not matter: revoke both and check each is refused.
    for (const s of sessions) expect((await asAdmin('POST', `/api/admin/sessions/${s.id}/revoke`)).status).toBe(200);
    const after = await centre.request('GET', '/api/auth/me', { token: tokenA });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: 'session-revoked' });
    const audited = await centre.db.query(`select 1 from audit_log where action = 'session-revoked' and record_id = $1 and user_id = $2`, [sessionA!.id, admin.id]);
    expect(audited).toHaveLength(1);

    const theirToken = await centre.tokenFor(otherLearner);
    const [theirs] = await centre.db.query<{ id: string }>('select id from device_sessions where user_id = $1', [otherLearner.id]);
    expect((await asAdmin('GET', `/api/admin/users/${otherLearner.id}/sessions`)).status).toBe(404);
    expect((await asAdmin('POST', `/api/admin/sessions/${theirs!.id}/revoke`)).status).toBe(404);
    expect((await centre.request('GET', '/api/auth/me', { token: theirToken })).status).toBe(200);
  });
});
