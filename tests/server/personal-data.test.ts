import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { strFromU8, unzipSync, type Unzipped } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErasureResult, ErasureStatus, sectionFile, SubjectAccessExport, type SubjectAccessSection } from '../../src/domain/personal-data';
import { seedShippedSpecs } from '../../server/seed';
import { startTestCentre, type TestCentre, type TestUser } from './harness';
import { buildLearner, push, registerKey, samplingPlan, type BuiltLearner, type SigningKey } from './personal-data-fixture';

/**
 * Personal data on the real centre: a learner's subject-access export (everything about them,
 * nothing about anyone else, audited) and an admin's erasure after the retention period (refused
 * before it with the date it becomes possible; afterwards their records, files, sessions and keys
 * are gone, shared bytes stay for the other learner, devices cannot bring anything back).
 */

let centre: TestCentre;
let centreId: string;
let admin: TestUser;
let otherAdmin: TestUser;
let assessor: TestUser;
let iqa: TestUser;
let assessorKey: SigningKey;
let adminToken: string;
let assessorToken: string;
let jordan: BuiltLearner;
let sam: BuiltLearner;
const SHARED = new TextEncoder().encode('the same site photo, sent by both learners');

const sections = Object.keys(SubjectAccessExport.shape) as SubjectAccessSection[];

async function exportZip(learnerId: string, token: string): Promise<Unzipped> {
  const response = await centre.request('GET', `/api/personal-data/learners/${learnerId}/export`, { token });
  expect(response.status, await response.clone().text().catch(() => '')).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/zip');
  expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="personal-data-/);
  return unzipSync(new Uint8Array(await response.arrayBuffer()));
}

function readExport(zip: Unzipped): SubjectAccessExport {
  const data: Record<string, unknown> = {};
  for (const s of sections) {
    const file = zip[sectionFile(s)];
    expect(file, `${sectionFile(s)} is in the ZIP`).toBeDefined();
    data[s] = JSON.parse(strFromU8(file!));
  }
  return SubjectAccessExport.parse(data);
}

beforeAll(async () => {
  centre = await startTestCentre();
  await seedShippedSpecs(centre.db);
  centreId = await centre.createCentre('Personal Data College');
  const otherCentre = await centre.createCentre('Elsewhere College');
  admin = await centre.createUser('admin', centreId, { name: 'Priya Admin' });
  otherAdmin = await centre.createUser('admin', otherCentre);
  assessor = await centre.createUser('assessor', centreId, { name: 'Tom Assessor' });
  iqa = await centre.createUser('iqa', centreId, { name: 'Grace IQA' });
  assessorKey = await registerKey(centre, assessor);
  adminToken = await centre.tokenFor(admin);
  assessorToken = await centre.tokenFor(assessor);
  jordan = await buildLearner(centre, { centreId, name: 'Jordan Ellis', assessor, assessorKey, files: [SHARED, new TextEncoder().encode(`only Jordan's wiring diagram ${randomUUID()}`)], items: 2 });
  sam = await buildLearner(centre, { centreId, name: 'Sam Patel', assessor, assessorKey, files: [SHARED, new TextEncoder().encode(`only Sam's rack photo ${randomUUID()}`)], items: 2 });
  await samplingPlan(centre, centreId, iqa, assessor);
}, 60_000);
afterAll(async () => {
  await centre.close();
});

describe('subject-access export', () => {
  it('gives the learner everything held about them, with a README, and nothing about anyone else', async () => {
    const zip = await exportZip(jordan.learner.id, jordan.token);
    const readme = strFromU8(zip['README.txt']!);
    for (const s of sections) expect(readme).toContain(sectionFile(s));
    expect(readme).toContain('files/');
    expect(readme).toMatch(/3 years/);

    const data = readExport(zip);
    expect(data.account).toMatchObject({ id: jordan.learner.id, name: 'Jordan Ellis', email: jordan.learner.email, role: 'learner' });
    expect(data.assessors).toEqual([{ id: assessor.id, name: 'Tom Assessor' }]);
    expect(data.profile.map((r) => r.id)).toEqual([jordan.learner.id]);
    expect(data.enrolments.map((r) => r.id)).toEqual([jordan.enrolmentId]);
    expect(data.evidence.map((r) => r.id).sort()).toEqual([...jordan.evidenceIds].sort());
    for (const item of data.evidence) {
      expect(item.versions.map((v) => v.revision)).toEqual([1, 2]);
      expect(item.data.criterionIds).toEqual(['health-and-safety-in-ict:1.1', 'health-and-safety-in-ict:1.2']);
    }
    expect(data.decisions.map((r) => r.id).sort()).toEqual(jordan.decisions.map((d) => d.id).sort());
    expect(data.iqaSamples).toHaveLength(1);
    expect(data.iqaSamples[0]!.picks.map((p) => p.evidenceId)).toEqual([jordan.evidenceIds[0]]);
    expect(data.attachments.map((a) => a.sha256).sort()).toEqual([...jordan.files].sort());
    for (const a of data.attachments) expect(zip[a.path], a.path).toBeDefined();
    expect(new TextDecoder().decode(zip[`files/${jordan.files[0]}`])).toBe(new TextDecoder().decode(SHARED));
    expect(data.sessions).toHaveLength(1);
    expect(data.sessions[0]!.deviceId).toBe(jordan.deviceId);
    expect(data.signingKeys.map((k) => k.id)).toEqual([jordan.keyId]);
    expect(data.syncReceipts.length).toBe(4);
    expect(data.audit.some((e) => e.action === 'attachment.upload')).toBe(true);
    expect(data.audit.some((e) => e.action === 'sync.evidence.update')).toBe(true);

    // No secret, and nothing of Sam's (the shared photo is Jordan's too, so its hash may appear).
    const all = Object.entries(zip)
      .filter(([name]) => !name.startsWith('files/'))
      .map(([, bytes]) => strFromU8(bytes))
      .join('\n');
    expect(all).not.toMatch(/password_hash|passwordHash|token_hash|argon2/);
    for (const secret of [sam.learner.id, sam.learner.email, 'Sam Patel', sam.enrolmentId, ...sam.evidenceIds, sam.files[1]!, sam.keyId, sam.deviceId]) expect(all).not.toContain(secret);
    expect(Object.keys(zip).filter((n) => n.startsWith('files/')).sort()).toEqual(jordan.files.map((h) => `files/${h}`).sort());
  });

  it('is audited: who asked, when, and for whom', async () => {
    await exportZip(sam.learner.id, adminToken);
    const rows = await centre.db.query<{ user_id: string; record_id: string; detail: Record<string, unknown> }>(
      `select user_id, record_id, detail from audit_log where action = 'subject-access-export' order by id`,
    );
    expect(rows.map((r) => [r.user_id, r.record_id])).toEqual([
      [jordan.learner.id, jordan.learner.id],
      [admin.id, sam.learner.id],
    ]);
    expect(rows[1]!.detail).toMatchObject({ for: sam.learner.id, files: 2 });
  });

  it('is refused to anyone but the learner and their centre’s admins', async () => {
    const path = `/api/personal-data/learners/${jordan.learner.id}/export`;
    expect((await centre.request('GET', path, { token: sam.token })).status).toBe(404);
    expect((await centre.request('GET', path, { token: assessorToken })).status).toBe(403);
    expect((await centre.request('GET', path, { token: await centre.tokenFor(iqa) })).status).toBe(403);
    expect((await centre.request('GET', path, { token: await centre.tokenFor(otherAdmin) })).status).toBe(404);
    expect((await centre.request('GET', path)).status).toBe(401);
  });
});

describe('erasure after the retention period', () => {
  const erase = (learner: BuiltLearner, body: Record<string, unknown>, token = adminToken) =>
    centre.request('POST', `/api/personal-data/learners/${learner.learner.id}/erase`, { token, body });
  const good = { reason: 'Retention period over; learner left the programme.', confirmName: 'Jordan Ellis' };

  it('says when a learner can be erased, and refuses before then with that date, changing nothing', async () => {
    const status = await centre.request('GET', `/api/personal-data/learners/${jordan.learner.id}/erasure`, { token: adminToken });
    expect(status.status).toBe(200);
    const parsed = ErasureStatus.parse(await status.json());
    // Planned end 30 September 2027 + 3 years: erasable from 1 October 2030.
    expect(parsed).toMatchObject({ erasable: false, basis: 'planned-end', erasableFrom: '2030-10-01', retentionYears: 3 });
    expect(parsed.holds).toMatchObject({ files: 2, sessions: 1 });

    const [before] = await centre.db.query<{ n: number }>(`select count(*)::int as n from records where learner_id = $1`, [jordan.learner.id]);
    const refused = await erase(jordan, good);
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as { error: string; message: string };
    expect(body.error).toBe('retention-period');
    expect(body.message).toContain('1 October 2030');
    const [after] = await centre.db.query<{ n: number }>(`select count(*)::int as n from records where learner_id = $1`, [jordan.learner.id]);
    expect(after).toEqual(before);
    expect((await centre.db.query(`select 1 from audit_log where action = 'learner-erased'`)).length).toBe(0);
  });

  it('needs the learner’s name to confirm and a reason that does not name them', async () => {
    centre.now.value = new Date('2030-10-02T09:00:00Z');
    adminToken = await centre.tokenFor(admin);
    expect((await erase(jordan, { ...good, confirmName: 'Sam Patel' })).status).toBe(400);
    const naming = await erase(jordan, { ...good, reason: 'Jordan Ellis asked to be forgotten' });
    expect(naming.status).toBe(400);
    expect(((await naming.json()) as { error: string }).error).toBe('reason-names-learner');
    expect((await erase(jordan, { reason: 'short', confirmName: 'Jordan Ellis' })).status).toBe(400);
    expect((await centre.request('POST', `/api/personal-data/learners/${jordan.learner.id}/erase`, { token: await centre.tokenFor(otherAdmin), body: good })).status).toBe(404);
    expect((await centre.db.query('select 1 from users where id = $1', [jordan.learner.id])).length).toBe(1);
  });

  it('erases the learner, keeps bytes another learner holds, and audits it without naming them', async () => {
    const response = await erase(jordan, good);
    expect(response.status, await response.clone().text()).toBe(200);
    const result = ErasureResult.parse(await response.json());
    expect(result).toMatchObject({ learnerId: jordan.learner.id, records: 6, filesDeleted: 1, filesKept: 1, sessions: 1, signingKeys: 1 });

    expect(await centre.db.query('select 1 from users where id = $1', [jordan.learner.id])).toEqual([]);
    expect(await centre.db.query('select 1 from records where learner_id = $1', [jordan.learner.id])).toEqual([]);
    expect(await centre.db.query('select 1 from attachment_owners where learner_id = $1', [jordan.learner.id])).toEqual([]);
    const store = (h: string) => join(centre.filesDir, 'sha256', h.slice(0, 2), h);
    expect(existsSync(store(jordan.files[0]!)), 'the shared photo stays for Sam').toBe(true);
    expect(existsSync(store(jordan.files[1]!)), "Jordan's own file is gone").toBe(false);
    expect(existsSync(store(sam.files[1]!))).toBe(true);
    expect((await centre.db.query('select 1 from records where learner_id = $1', [sam.learner.id])).length).toBe(6);

    const [entry] = await centre.db.query<{ user_id: string; entity: string; record_id: string; detail: Record<string, unknown> }>(
      `select user_id, entity, record_id, detail from audit_log where action = 'learner-erased'`,
    );
    expect(entry).toMatchObject({ user_id: admin.id, entity: 'erasure', record_id: jordan.learner.id });
    expect(JSON.stringify(entry)).not.toMatch(/Jordan|Ellis/i);
    expect(JSON.stringify(entry)).not.toContain(jordan.learner.email);
    const dump = await centre.db.query<{ t: string }>(`select string_agg(a::text, '\n') as t from audit_log a`);
    expect(dump[0]!.t).not.toContain('Jordan Ellis');
    expect(dump[0]!.t).not.toContain(jordan.learner.email);
    expect(dump[0]!.t).not.toContain(jordan.deviceId);
  });

  it('refuses a late push about the erased learner and tells staff devices to drop their copies', async () => {
    const token = await centre.tokenFor(assessor);
    const [result] = await push(centre, token, randomUUID(), [
      { id: randomUUID(), entity: 'evidence', recordId: jordan.evidenceIds[1], op: 'upsert', baseRevision: 2, patch: { narrative: 'Typed offline on the tablet' }, createdAt: '2030-10-02T09:00:00.000Z' },
    ]);
    expect(result).toMatchObject({ status: 'rejected', reason: 'not-found' });
    expect(String(result!.message)).toMatch(/erased on 2 October 2030/);
    expect(await centre.db.query('select 1 from records where id = $1', [jordan.evidenceIds[1]])).toEqual([]);

    const pull = await centre.request('GET', '/api/sync/pull?since=0', { token });
    const changes = ((await pull.json()) as { changes: Array<{ id: string; deleted: boolean; data: unknown }> }).changes;
    const dropped = changes.filter((c) => [...jordan.evidenceIds, jordan.enrolmentId, jordan.learner.id].includes(c.id));
    expect(dropped).toHaveLength(4);
    for (const c of dropped) expect(c).toMatchObject({ deleted: true, data: {} });

    // The learner's own device is signed out for good.
    expect((await centre.request('GET', '/api/auth/me', { token: jordan.token })).status).toBe(401);
    // Asking again finds no such learner.
    expect((await erase(jordan, good)).status).toBe(404);
  });
});
