import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditPage } from '../../src/domain/audit';
import { exportPublicJwk, generateSigningKey } from '../../src/domain/signing';
import { SYNC_PROTOCOL_VERSION } from '../../src/domain/sync';
import { writeEnrolment } from '../../server/enrolments';
import { readShippedSpecs, storeSpec } from '../../server/specs';
import { startTestCentre, type TestCentre, type TestUser } from './harness';

let centre: TestCentre;
let learner: TestUser;
let learner2: TestUser;
let assessor: TestUser;
let assessor2: TestUser;
let iqa: TestUser;
let otherAdmin: TestUser;
const tokens: Record<string, string> = {};
const learnerDevice = randomUUID();
const enrolmentId = randomUUID();
const evidenceId = randomUUID();


beforeAll(async () => {
  centre = await startTestCentre();
  const centreId = await centre.createCentre('Audit College');
  const otherCentreId = await centre.createCentre('Other College');
  learner = await centre.createUser('learner', centreId, { name: 'Lena Learner' });
  learner2 = await centre.createUser('learner', centreId);
  assessor = await centre.createUser('assessor', centreId);
  assessor2 = await centre.createUser('assessor', centreId);
  iqa = await centre.createUser('iqa', centreId);
  otherAdmin = await centre.createUser('admin', otherCentreId);
  await centre.db.query('insert into caseloads (assessor_id, learner_id) values ($1, $2)', [assessor.id, learner.id]);
  for (const spec of readShippedSpecs()) await storeSpec(centre.db, spec, null);
  tokens.learner = await centre.tokenFor(learner, learnerDevice);
  for (const [name, user] of Object.entries({ learner2, assessor, assessor2, iqa, otherAdmin })) tokens[name] = await centre.tokenFor(user);

  await centre.db.transaction((tx) =>
    writeEnrolment(tx, {
      id: enrolmentId,
      centreId,
      request: {
        learnerId: learner.id,
        qualificationId: '4520-03',
        qualificationVersion: 1,
        optionalUnitIds: [],
        startDate: '2025-10-06',
        plannedEndDate: '2027-07-30',
        plannedOffTheJobHoursPerWeek: 6,
      },
      byUser: null,
      deviceId: null,
      now: centre.now.value,
    }),
  );
  const at = centre.now.value.toISOString();
  const item = { enrolmentId, title: 'Patching the file server', narrative: 'Applied the patches.', activityDate: '2026-11-20', method: 'observation', hours: 1, offTheJob: false, attachments: [], criterionIds: [], status: 'draft', createdAt: at, updatedAt: at, deletedAt: null };
  const edits = [item, { narrative: 'Applied the monthly patches.' }, { hours: 2 }];
  for (const [revision, patch] of edits.entries()) {
    const response = await centre.request('POST', '/api/sync/push', {
      token: tokens.learner,
      body: { protocol: SYNC_PROTOCOL_VERSION, deviceId: learnerDevice, mutations: [{ id: randomUUID(), entity: 'evidence', recordId: evidenceId, op: 'upsert', baseRevision: revision, patch, createdAt: at }] },
    });
    expect(((await response.json()) as { results: Array<{ status: string }> }).results[0]!.status).toBe('applied');
  }
  const pair = await generateSigningKey();
  const keyId = randomUUID();
  expect((await centre.request('POST', '/api/keys', { token: tokens.learner, body: { id: keyId, publicKey: await exportPublicJwk(pair.publicKey) } })).status).toBe(201);
});
afterAll(async () => {
  await centre.close();
});

async function trail(token: string, query: string): Promise<{ status: number; page: AuditPage | null; body: unknown }> {
  const response = await centre.request('GET', `/api/audit?${query}`, { token });
  const body = await response.json();
  return { status: response.status, page: response.status === 200 ? AuditPage.parse(body) : null, body };
}

describe('the audit trail', () => {
  it('lists what happened to a learner’s records and keys, newest first, with who and which device', async () => {
    const { status, page } = await trail(tokens.learner!, `learnerId=${learner.id}`);
    expect(status).toBe(200);
    expect(page!.entries.map((e) => e.action)).toEqual(['key-registered', 'sync.evidence.update', 'sync.evidence.update', 'sync.evidence.create']);
    expect(page!.entries[1]).toMatchObject({
      user: { id: learner.id, name: 'Lena Learner', role: 'learner' },
      deviceId: learnerDevice,
      deviceLabel: 'test device',
      entity: 'evidence',
      recordId: evidenceId,
      detail: { fields: ['hours'], revision: 3 },
    });
    expect(page!.next).toBeNull();
  });

  it('pages with a cursor', async () => {
    const first = await trail(tokens.learner!, `recordId=${evidenceId}&limit=2`);
    expect(first.page!.entries.map((e) => e.detail.revision)).toEqual([3, 2]);
    expect(first.page!.next).toBe(first.page!.entries[1]!.id);
    const second = await trail(tokens.learner!, `recordId=${evidenceId}&limit=2&before=${first.page!.next}`);
    expect(second.page!.entries.map((e) => e.detail.revision)).toEqual([1]);
    expect(second.page!.next).toBeNull();
  });

  it('is readable by the learner’s assessor and their centre’s IQA, and by nobody else', async () => {
    for (const who of ['assessor', 'iqa']) {
      expect((await trail(tokens[who]!, `learnerId=${learner.id}`)).status).toBe(200);
      expect((await trail(tokens[who]!, `recordId=${evidenceId}`)).page!.entries).toHaveLength(3);
    }
    for (const who of ['assessor2', 'learner2', 'otherAdmin']) {
      const byLearner = await trail(tokens[who]!, `learnerId=${learner.id}`);
      expect(byLearner).toMatchObject({ status: 404, body: { error: 'not-found' } });
      expect((await trail(tokens[who]!, `recordId=${evidenceId}`)).status).toBe(404);
    }
    // A record that does not exist answers exactly like one outside the caller's scope.
    expect((await trail(tokens.assessor!, `recordId=${randomUUID()}`)).status).toBe(404);
  });

  it('asks for exactly one learner or one record', async () => {
    expect((await trail(tokens.learner!, '')).status).toBe(400);
    expect((await trail(tokens.learner!, `learnerId=${learner.id}&recordId=${evidenceId}`)).status).toBe(400);
    expect((await trail(tokens.learner!, 'learnerId=nobody')).status).toBe(400);
    expect((await trail(tokens.learner!, `learnerId=${learner.id}&limit=0`)).status).toBe(400);
  });

  it('needs a sign-in', async () => {
    expect((await centre.request('GET', `/api/audit?learnerId=${learner.id}`)).status).toBe(401);
  });
});
