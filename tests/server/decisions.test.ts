import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QualificationSpec } from '../../src/domain/qualification';
import { exportPublicJwk, generateSigningKey, signDecision, signedEvidenceOf, type SigningKeyPair } from '../../src/domain/signing';
import type { Decision, UnsignedDecision } from '../../src/domain/signoff';
import { PullResponse, PushResponse, SYNC_PROTOCOL_VERSION, type Mutation, type PushResult } from '../../src/domain/sync';
import { writeEnrolment } from '../../server/enrolments';
import { storeSpec } from '../../server/specs';
import { StoredEvidence } from '../../server/sync/entities';
import { startTestCentre, type TestCentre, type TestUser } from './harness';

/**
 * Signed decisions through sync, signed with the real WebCrypto functions the devices use. The
 * centre checks who signed, with which key, over what, and applies the effects on the evidence.
 */

let centre: TestCentre;
let centreId: string;

interface Person {
  user: TestUser;
  token: string;
  deviceId: string;
  keys: SigningKeyPair;
  keyId: string;
}

let learner: Person;
let learner2: Person;
let assessor: Person;
let assessor2: Person;
let iqa: Person;
let admin: { user: TestUser; token: string };
let otherAdmin: { user: TestUser; token: string };
const enrolmentId = randomUUID();
const enrolment2Id = randomUUID();

function unit(id: string, credits: number, outcomes: number[], extra: Record<string, unknown> = {}) {
  return {
    id,
    number: null,
    reference: null,
    title: `Unit ${id}`,
    level: 2,
    credits,
    glh: 10,
    mandatory: false,
    completeness: 'complete',
    sourceNote: '',
    outcomes: outcomes.map((count, o) => ({
      number: o + 1,
      title: `Outcome ${o + 1}`,
      criteria: Array.from({ length: count }, (_, c) => ({ id: `${id}:${o + 1}.${c + 1}`, number: `${o + 1}.${c + 1}`, text: `Criterion ${o + 1}.${c + 1} of ${id}` })),
    })),
    ...extra,
  };
}

/** M (mandatory, 5 credits, criteria M:1.1, M:1.2) and A (optional, 10 credits, A:1.1): 15 credits in all. */
const SPEC = QualificationSpec.parse({
  kind: 'qualification',
  id: '9999-07',
  version: 1,
  title: 'Test Diploma in Signing',
  awardingBody: 'Test',
  level: 2,
  accreditationNumber: '500/0000/0',
  credits: 15,
  guidedLearningHours: { min: 1, max: 1 },
  totalQualificationTime: 150,
  lastRegistrationDate: '2030-01-01',
  lastCertificationDate: '2032-01-01',
  rules: {
    minTotalCredits: 15,
    groups: [
      { id: 'M', title: 'Mandatory', kind: 'mandatory', unitIds: ['M'] },
      { id: 'O', title: 'Optional', kind: 'optional', unitIds: ['A'], minCredits: 10 },
    ],
  },
  units: [unit('M', 5, [2], { mandatory: true }), unit('A', 10, [1])],
});

const DRAWN = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

async function person(role: 'learner' | 'assessor' | 'iqa', name: string): Promise<Person> {
  const user = await centre.createUser(role, centreId, { name });
  const deviceId = randomUUID();
  const token = await centre.tokenFor(user, deviceId);
  const { keys, keyId } = await registerKey(token);
  return { user, token, deviceId, keys, keyId };
}

async function registerKey(token: string): Promise<{ keys: SigningKeyPair; keyId: string }> {
  const keys = await generateSigningKey();
  const keyId = randomUUID();
  const response = await centre.request('POST', '/api/keys', { token, body: { id: keyId, publicKey: await exportPublicJwk(keys.publicKey) } });
  expect(response.status, await response.clone().text()).toBe(201);
  return { keys, keyId };
}

async function enrol(id: string, learnerUser: TestUser): Promise<void> {
  await centre.db.transaction((tx) =>
    writeEnrolment(tx, {
      id,
      centreId,
      request: {
        learnerId: learnerUser.id,
        qualificationId: SPEC.id,
        qualificationVersion: 1,
        optionalUnitIds: ['A'],
        startDate: '2026-09-01',
        plannedEndDate: '2027-09-01',
        plannedOffTheJobHoursPerWeek: 6,
      },
      byUser: null,
      deviceId: null,
      now: centre.now.value,
    }),
  );
}

beforeAll(async () => {
  centre = await startTestCentre();
  centreId = await centre.createCentre('Signing College');
  const otherCentreId = await centre.createCentre('Other College');
  await storeSpec(centre.db, SPEC, null);
  learner = await person('learner', 'Lena Learner');
  learner2 = await person('learner', 'Leo Second');
  assessor = await person('assessor', 'Asha Assessor');
  assessor2 = await person('assessor', 'Amir Other');
  iqa = await person('iqa', 'Ivy Quality');
  const adminUser = await centre.createUser('admin', centreId);
  admin = { user: adminUser, token: await centre.tokenFor(adminUser) };
  const otherAdminUser = await centre.createUser('admin', otherCentreId);
  otherAdmin = { user: otherAdminUser, token: await centre.tokenFor(otherAdminUser) };
  await centre.db.query('insert into caseloads (assessor_id, learner_id) values ($1, $2)', [assessor.user.id, learner.user.id]);
  await centre.db.query('insert into caseloads (assessor_id, learner_id) values ($1, $2)', [assessor2.user.id, learner2.user.id]);
  await enrol(enrolmentId, learner.user);
  await enrol(enrolment2Id, learner2.user);
});
afterAll(async () => {
  await centre.close();
});

function mutation(entity: Mutation['entity'], recordId: string, baseRevision: number, patch: Record<string, unknown>, op: Mutation['op'] = 'upsert'): Mutation {
  return { id: randomUUID(), entity, recordId, op, baseRevision, patch, createdAt: centre.now.value.toISOString() };
}

async function pushOne(who: { token: string; deviceId: string }, m: Mutation): Promise<PushResult> {
  const response = await centre.request('POST', '/api/sync/push', { token: who.token, body: { protocol: SYNC_PROTOCOL_VERSION, deviceId: who.deviceId, mutations: [m] } });
  expect(response.status).toBe(200);
  return PushResponse.parse(await response.json()).results[0]!;
}

async function record(entity: string, id: string) {
  const [row] = await centre.db.query<{ revision: number; deleted: boolean; data: Record<string, unknown> }>(
    'select revision, deleted, data from records where entity = $1 and id = $2',
    [entity, id],
  );
  return row;
}

/** The item as the centre holds it, as a device that pulled it would sign it. */
async function evidenceNow(id: string) {
  const row = await record('evidence', id);
  return { id, ...StoredEvidence.parse(row!.data) };
}

function newEvidence(enrolment: string, content: Record<string, unknown> = {}) {
  const at = centre.now.value.toISOString();
  return {
    enrolmentId: enrolment,
    title: 'Replacing a failed disk',
    narrative: 'I swapped the disk and rebuilt the array.',
    activityDate: '2026-11-20',
    method: 'practical-demonstration',
    hours: 2,
    offTheJob: false,
    attachments: [],
    criterionIds: ['M:1.1'],
    status: 'submitted',
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    ...content,
  };
}

/** A learner's item, handed in for assessment. */
async function submitted(who: Person = learner, enrolment = enrolmentId, content: Record<string, unknown> = {}): Promise<string> {
  const id = randomUUID();
  expect(await pushOne(who, mutation('evidence', id, 0, newEvidence(enrolment, content)))).toMatchObject({ status: 'applied' });
  return id;
}

type DecisionFields = Partial<UnsignedDecision> & Pick<UnsignedDecision, 'kind' | 'outcome'>;

/** A decision by `signer` over the items as the centre holds them now, signed with their device key. */
async function decide(signer: Person, evidenceIds: string[], fields: DecisionFields, options: { keys?: SigningKeyPair; keyId?: string } = {}): Promise<Decision> {
  const evidence = await Promise.all(evidenceIds.map(async (id) => signedEvidenceOf(await evidenceNow(id))));
  const unsigned: UnsignedDecision = {
    id: randomUUID(),
    learnerId: learner.user.id,
    enrolmentId,
    unitId: null,
    subjectId: null,
    evidence,
    criterionIds: [],
    feedback: { overall: '', criteria: {} },
    signer: { userId: signer.user.id, name: signer.user.name, role: signer.user.role },
    signedFor: null,
    drawnSignature: DRAWN,
    signedAt: centre.now.value.toISOString(),
    keyId: options.keyId ?? signer.keyId,
    ...fields,
  };
  return signDecision(unsigned, (options.keys ?? signer.keys).privateKey);
}

/** The decision as a device sends it: the record without its id (the mutation names it). */
function pushDecision(who: Person | { token: string; deviceId?: string }, decision: Decision): Promise<PushResult> {
  const { id, ...patch } = decision;
  return pushOne({ token: who.token, deviceId: who.deviceId ?? randomUUID() }, mutation('decision', id, 0, patch));
}

async function pullAll(token: string): Promise<PullResponse['changes']> {
  const response = await centre.request('GET', '/api/sync/pull?since=0', { token });
  expect(response.status).toBe(200);
  return PullResponse.parse(await response.json()).changes;
}

function messageOf(result: PushResult): string {
  return result.status === 'rejected' ? result.message : '';
}

async function auditCount(): Promise<number> {
  const [row] = await centre.db.query<{ n: number }>('select count(*)::int as n from audit_log');
  return row!.n;
}

describe('assessment decisions', () => {
  it('signs off a submitted item with the assessor’s criteria; the learner sees it and can no longer change it', async () => {
    const id = await submitted();
    const decision = await decide(assessor, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1', 'M:1.2'], feedback: { overall: 'Clear and complete.', criteria: {} } });
    const result = await pushDecision(assessor, decision);
    expect(result).toMatchObject({ status: 'applied', recordId: decision.id, revision: 1 });

    const item = await record('evidence', id);
    expect(item?.data).toMatchObject({ status: 'signed-off', criterionIds: ['M:1.1', 'M:1.2'] });
    const { id: _id, ...stored } = decision;
    expect((await record('decision', decision.id))?.data).toEqual(stored);

    const pulled = await pullAll(learner.token);
    expect(pulled.find((c) => c.entity === 'decision' && c.id === decision.id)?.data).toMatchObject({ signature: decision.signature, outcome: 'accepted' });
    expect(pulled.find((c) => c.entity === 'evidence' && c.id === id)?.data).toMatchObject({ status: 'signed-off' });

    const edit = await pushOne(learner, mutation('evidence', id, item!.revision, { narrative: 'Changed after sign-off' }));
    expect(edit).toMatchObject({ status: 'rejected', reason: 'locked' });

    const audited = await centre.db.query<{ action: string; device_id: string; record_id: string }>(
      `select action, device_id, record_id from audit_log where detail->>'decisionId' = $1 or record_id = $1 order by id`,
      [decision.id],
    );
    expect(audited).toEqual([
      { action: 'decision.assessment.accepted', device_id: assessor.deviceId, record_id: decision.id },
      { action: 'evidence.signed-off', device_id: assessor.deviceId, record_id: id },
    ]);
  });

  it('refers with per-criterion feedback; the learner edits and resubmits; the assessor then accepts', async () => {
    const id = await submitted();
    const refer = await decide(assessor, [id], {
      kind: 'assessment',
      outcome: 'referred',
      feedback: { overall: 'Nearly there.', criteria: { 'M:1.1': 'Say which RAID level you rebuilt and why.' } },
    });
    expect(await pushDecision(assessor, refer)).toMatchObject({ status: 'applied' });
    const referred = await record('evidence', id);
    expect(referred?.data.status).toBe('referred');

    const resubmit = await pushOne(learner, mutation('evidence', id, referred!.revision, { narrative: 'I rebuilt the RAID 5 array because…', status: 'submitted' }));
    expect(resubmit).toMatchObject({ status: 'applied' });
    expect((await record('evidence', id))?.data.status).toBe('submitted');

    const accept = await decide(assessor, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'] });
    expect(await pushDecision(assessor, accept)).toMatchObject({ status: 'applied' });
    expect((await record('evidence', id))?.data).toMatchObject({ status: 'signed-off', narrative: 'I rebuilt the RAID 5 array because…' });
  });

  it('refuses a referral without feedback, and a decision on an item that is not waiting', async () => {
    const id = await submitted();
    const bare = await pushDecision(assessor, await decide(assessor, [id], { kind: 'assessment', outcome: 'referred' }));
    expect(bare).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect(messageOf(bare)).toMatch(/needs feedback/);
    const draft = randomUUID();
    await pushOne(learner, mutation('evidence', draft, 0, newEvidence(enrolmentId, { status: 'draft' })));
    const early = await pushDecision(assessor, await decide(assessor, [draft], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'] }));
    expect(early).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect(messageOf(early)).toMatch(/no longer waiting for assessment \(it is a draft again\)/);
  });

  describe('refuses what was not signed as sent, and writes nothing', () => {
    let id: string;
    let before: { revision: number; audits: number };
    const accept = () => ({ kind: 'assessment' as const, outcome: 'accepted' as const, criterionIds: ['M:1.1'], feedback: { overall: 'Good.', criteria: {} } });

    beforeAll(async () => {
      id = await submitted();
    });

    async function expectRefused(decision: Decision, reason: string, message: RegExp, who: Person = assessor): Promise<void> {
      before = { revision: (await record('evidence', id))!.revision, audits: await auditCount() };
      const result = await pushDecision(who, decision);
      expect(result).toMatchObject({ status: 'rejected', reason });
      expect(messageOf(result)).toMatch(message);
      expect(await record('decision', decision.id)).toBeUndefined();
      expect((await record('evidence', id))!.revision).toBe(before.revision);
      expect((await record('evidence', id))!.data.status).toBe('submitted');
      expect(await auditCount()).toBe(before.audits);
      expect(await centre.db.query('select 1 from applied_mutations where user_id = $1 and result::text like $2', [who.user.id, `%${decision.id}%`])).toEqual([]);
    }

    it('a forged signature (one character changed)', async () => {
      const signed = await decide(assessor, [id], accept());
      const at = 10;
      const forged = signed.signature.slice(0, at) + (signed.signature[at] === 'A' ? 'B' : 'A') + signed.signature.slice(at + 1);
      await expectRefused({ ...signed, signature: forged }, 'invalid', /signature does not match this decision/);
    });

    it('criteria changed after signing', async () => {
      const signed = await decide(assessor, [id], accept());
      await expectRefused({ ...signed, criterionIds: ['M:1.1', 'M:1.2'] }, 'invalid', /signature does not match/);
    });

    it('the signer’s name changed after signing', async () => {
      const signed = await decide(assessor, [id], accept());
      await expectRefused({ ...signed, signer: { ...signed.signer, name: 'Someone Senior' } }, 'invalid', /signature does not match/);
    });

    it('feedback changed after signing', async () => {
      const signed = await decide(assessor, [id], accept());
      await expectRefused({ ...signed, feedback: { overall: 'Excellent!', criteria: {} } }, 'invalid', /signature does not match/);
    });

    it('a key of another user', async () => {
      const signed = await decide(assessor, [id], accept(), { keys: assessor2.keys, keyId: assessor2.keyId });
      await expectRefused(signed, 'signing-key', /key that belongs to another user/);
    });

    it('a key the centre does not know', async () => {
      const signed = await decide(assessor, [id], accept(), { keyId: randomUUID() });
      await expectRefused(signed, 'signing-key', /does not know the key/);
    });

    it('a revoked key', async () => {
      const { keys, keyId } = await registerKey(assessor.token);
      const revoked = await centre.request('POST', `/api/keys/${keyId}/revoke`, { token: assessor.token, body: { reason: 'Tablet left on a train' } });
      expect(revoked.status).toBe(200);
      const signed = await decide(assessor, [id], accept(), { keys, keyId });
      await expectRefused(signed, 'signing-key', /was revoked on \d{4}-\d{2}-\d{2} \(Tablet left on a train\)/);
      // A version 1 device does not know that reason: it is told 'forbidden', as before.
      const { id: _id, ...patch } = signed;
      const m = mutation('decision', signed.id, 0, patch);
      const response = await centre.request('POST', '/api/sync/push', { token: assessor.token, body: { protocol: 1, deviceId: assessor.deviceId, mutations: [m] } });
      expect(PushResponse.parse(await response.json()).results[0]).toMatchObject({ status: 'rejected', reason: 'forbidden', message: expect.stringMatching(/was revoked/) });
    });

    it('a decision signed in someone else’s name', async () => {
      const signed = await decide(assessor2, [id], accept());
      await expectRefused(signed, 'forbidden', /signed in the name of Amir Other/);
    });

    it('content the learner changed after the assessor reviewed it', async () => {
      const reviewed = await decide(assessor, [id], accept());
      const current = await record('evidence', id);
      expect(await pushOne(learner, mutation('evidence', id, current!.revision, { narrative: 'A late change of words.' }))).toMatchObject({ status: 'applied' });
      await expectRefused(reviewed, 'invalid', /The learner changed this item after you reviewed it: sync and review it again \(“Replacing a failed disk”\)/);
    });
  });

  it('refuses a decision from the wrong role or outside the caseload', async () => {
    const id = await submitted();
    const byLearner = await pushDecision(learner, await decide(learner, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'] }));
    expect(byLearner).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect(messageOf(byLearner)).toMatch(/Only your assessor/);
    const byIqa = await pushDecision(iqa, await decide(iqa, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'] }));
    expect(byIqa).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    const notCaseload = await pushDecision(assessor2, await decide(assessor2, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'] }));
    expect(notCaseload).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect(messageOf(notCaseload)).toMatch(/learners on your caseload/);
    const byAdmin = await pushOne({ token: admin.token, deviceId: randomUUID() }, mutation('decision', randomUUID(), 0, { kind: 'assessment' }));
    expect(byAdmin).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect(messageOf(byAdmin)).toMatch(/Admins do not sign decisions/);
    expect((await record('evidence', id))?.data.status).toBe('submitted');
  });

  it('never changes or deletes a decision, but answers the same decision sent again as applied', async () => {
    const id = await submitted();
    const decision = await decide(assessor, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'] });
    expect(await pushDecision(assessor, decision)).toMatchObject({ status: 'applied', revision: 1 });
    expect(await pushDecision(assessor, decision)).toMatchObject({ status: 'applied', revision: 1 });
    const { id: _id, ...patch } = decision;
    const change = await pushOne(assessor, mutation('decision', decision.id, 1, { ...patch, feedback: { overall: 'Changed my mind', criteria: {} } }));
    expect(change).toMatchObject({ status: 'rejected', reason: 'locked' });
    const del = await pushOne(assessor, mutation('decision', decision.id, 1, {}, 'delete'));
    expect(del).toMatchObject({ status: 'rejected', reason: 'locked' });
    expect(await record('decision', decision.id)).toMatchObject({ revision: 1, deleted: false });
  });

  it('refuses a decision dated ahead of the centre’s clock, not in UTC, or before the item’s latest decision', async () => {
    const id = await submitted();
    const at = (ms: number) => new Date(centre.now.value.getTime() + ms).toISOString();
    // The review's proof: an acceptance dated 2099 would stand as the latest decision for ever.
    const future = await pushDecision(assessor, await decide(assessor, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'], signedAt: '2099-01-01T00:00:00.000Z' }));
    expect(future).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect(messageOf(future)).toMatch(/This tablet's clock is ahead: the decision is dated 2099-01-01 00:00 UTC, but the centre's time is 2026-11-23 10:00 UTC/);
    const sixMinutes = await pushDecision(assessor, await decide(assessor, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'], signedAt: at(6 * 60_000) }));
    expect(messageOf(sixMinutes)).toMatch(/clock is ahead/);
    // Any offset but Z is refused by the schema: times compare as text only in one zone.
    const offset = await pushDecision(assessor, await decide(assessor, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'], signedAt: '2026-11-23T11:00:00.000+01:00' }));
    expect(offset).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect((await record('evidence', id))?.data.status).toBe('submitted');

    // A few minutes of drift is allowed.
    const accept = await decide(assessor, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'], signedAt: at(4 * 60_000) });
    expect(await pushDecision(assessor, accept)).toMatchObject({ status: 'applied' });
    // A reopening dated before the sign-off it withdraws: the tablet's clock is behind.
    const behind = await pushDecision(assessor, await decide(assessor, [id], { kind: 'assessment', outcome: 'reopened', feedback: { overall: 'Wrong date.', criteria: {} }, signedAt: at(-60 * 60_000) }));
    expect(behind).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect(messageOf(behind)).toMatch(/This tablet's clock is behind: the decision is dated 2026-11-23 09:00 UTC, before the latest decision on this item \(Asha Assessor, 2026-11-23 10:04 UTC\)/);
    expect((await record('evidence', id))?.data.status).toBe('signed-off');
    // An IQA verdict dated before the decision it sampled is refused the same way.
    const early = await pushDecision(iqa, await decide(iqa, [id], { kind: 'iqa', outcome: 'agreed', subjectId: accept.id, signedAt: at(0) }));
    expect(messageOf(early)).toMatch(/This tablet's clock is behind: .* before the assessment decision you sampled/);
    expect((await record('evidence', id))?.data.iqaLock).toBeNull();
  });
});

describe('IQA lock and admin unlock', () => {
  it('refuses a reopen under an IQA lock until an admin unlocks it with a reason', async () => {
    const id = await submitted();
    const accept = await decide(assessor, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'] });
    expect(await pushDecision(assessor, accept)).toMatchObject({ status: 'applied' });

    const agree = await decide(iqa, [id], { kind: 'iqa', outcome: 'agreed', subjectId: accept.id, feedback: { overall: 'Sound judgement.', criteria: {} } });
    expect(await pushDecision(iqa, agree)).toMatchObject({ status: 'applied' });
    expect((await record('evidence', id))?.data.iqaLock).toEqual({ decisionId: agree.id, at: agree.signedAt });

    const reopen = () => decide(assessor, [id], { kind: 'assessment', outcome: 'reopened', feedback: { overall: 'The date of the activity is wrong.', criteria: {} } });
    const refused = await pushDecision(assessor, await reopen());
    expect(refused).toMatchObject({ status: 'rejected', reason: 'locked' });
    expect(messageOf(refused)).toMatch(/An IQA agreed with this sign-off .* ask your centre’s admin to unlock it/);

    const unlockPath = `/api/admin/evidence/${id}/unlock`;
    expect((await centre.request('POST', unlockPath, { token: admin.token, body: { reason: 'short' } })).status).toBe(400);
    expect((await centre.request('POST', unlockPath, { token: otherAdmin.token, body: { reason: 'Reopening for a date correction' } })).status).toBe(404);
    expect((await centre.request('POST', unlockPath, { token: assessor.token, body: { reason: 'Reopening for a date correction' } })).status).toBe(403);
    const unlocked = await centre.request('POST', unlockPath, { token: admin.token, body: { reason: 'The activity date was entered wrongly; the assessor will correct it.' } });
    expect(unlocked.status).toBe(200);
    expect(((await unlocked.json()) as { data: { iqaLock: unknown } }).data.iqaLock).toBeNull();
    expect((await centre.request('POST', unlockPath, { token: admin.token, body: { reason: 'The activity date was entered wrongly again.' } })).status).toBe(409);

    const trail = await centre.request('GET', `/api/audit?recordId=${id}`, { token: admin.token });
    const entries = ((await trail.json()) as { entries: Array<{ action: string; detail: Record<string, unknown> }> }).entries;
    expect(entries[0]).toMatchObject({ action: 'evidence-unlocked', detail: { reason: 'The activity date was entered wrongly; the assessor will correct it.', decisionId: agree.id } });

    expect(await pushDecision(assessor, await reopen())).toMatchObject({ status: 'applied' });
    expect((await record('evidence', id))?.data).toMatchObject({ status: 'submitted', iqaLock: null });
  });

  it('lets only the assessor who signed an item off reopen it, with a reason', async () => {
    await centre.db.query('insert into caseloads (assessor_id, learner_id) values ($1, $2)', [assessor2.user.id, learner.user.id]);
    try {
      const id = await submitted();
      expect(await pushDecision(assessor, await decide(assessor, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'] }))).toMatchObject({ status: 'applied' });
      const other = await pushDecision(assessor2, await decide(assessor2, [id], { kind: 'assessment', outcome: 'reopened', feedback: { overall: 'Not convinced.', criteria: {} } }));
      expect(other).toMatchObject({ status: 'rejected', reason: 'forbidden' });
      expect(messageOf(other)).toMatch(/Only Asha Assessor, who signed this item off, can reopen it/);
      const noReason = await pushDecision(assessor, await decide(assessor, [id], { kind: 'assessment', outcome: 'reopened' }));
      expect(noReason).toMatchObject({ status: 'rejected', reason: 'invalid' });
    } finally {
      await centre.db.query('delete from caseloads where assessor_id = $1 and learner_id = $2', [assessor2.user.id, learner.user.id]);
    }
  });

  it('records an IQA action without a lock, and refuses an IQA decision from anyone else', async () => {
    const id = await submitted();
    const accept = await decide(assessor, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'] });
    await pushDecision(assessor, accept);
    const action = await decide(iqa, [id], { kind: 'iqa', outcome: 'action', subjectId: accept.id, feedback: { overall: 'Map 1.2 as well?', criteria: {} } });
    expect(await pushDecision(iqa, action)).toMatchObject({ status: 'applied' });
    expect((await record('evidence', id))?.data.iqaLock).toBeNull();
    const byAssessor = await pushDecision(assessor, await decide(assessor, [id], { kind: 'iqa', outcome: 'agreed', subjectId: accept.id }));
    expect(byAssessor).toMatchObject({ status: 'rejected', reason: 'forbidden' });
  });

  it('keeps IQA decisions, meant for the assessor, out of the learner’s pull and audit trail', async () => {
    const id = await submitted();
    const accept = await decide(assessor, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'] });
    expect(await pushDecision(assessor, accept)).toMatchObject({ status: 'applied' });
    const action = await decide(iqa, [id], { kind: 'iqa', outcome: 'action', subjectId: accept.id, feedback: { overall: 'For the assessor: check authenticity here.', criteria: {} } });
    expect(await pushDecision(iqa, action)).toMatchObject({ status: 'applied' });

    // The assessor and the IQA receive it; the learner receives the item and the assessor's decision, not the IQA's.
    for (const who of [assessor, iqa]) expect((await pullAll(who.token)).some((c) => c.id === action.id)).toBe(true);
    const learnerPull = await pullAll(learner.token);
    expect(learnerPull.some((c) => c.id === action.id)).toBe(false);
    expect(learnerPull.some((c) => c.id === accept.id)).toBe(true);
    expect(learnerPull.some((c) => c.entity === 'decision' && (c.data as { kind?: string }).kind === 'iqa')).toBe(false);

    type Trail = { entries: Array<{ action: string; recordId: string | null }> };
    const trail = async (token: string, query: string) => centre.request('GET', `/api/audit?${query}`, { token });
    const learnerTrail = (await (await trail(learner.token, `learnerId=${learner.user.id}&limit=200`)).json()) as Trail;
    expect(learnerTrail.entries.some((e) => e.recordId === accept.id)).toBe(true);
    expect(learnerTrail.entries.filter((e) => e.action.startsWith('decision.iqa.'))).toEqual([]);
    expect((await trail(learner.token, `recordId=${action.id}`)).status).toBe(404);
    // The assessor's trail of the learner keeps it.
    const assessorTrail = (await (await trail(assessor.token, `recordId=${action.id}`)).json()) as Trail;
    expect(assessorTrail.entries).toMatchObject([{ action: 'decision.iqa.action', recordId: action.id }]);
  });
});

describe('assessor-recorded evidence', () => {
  const observation = (enrolment: string, extra: Record<string, unknown> = {}) =>
    newEvidence(enrolment, { kind: 'observation', method: 'observation', title: 'Observed a server rebuild', status: 'draft', ...extra });

  it('lets an assessor record an observation for a caseload learner, in their own name', async () => {
    const id = randomUUID();
    expect(await pushOne(assessor, mutation('evidence', id, 0, observation(enrolmentId)))).toMatchObject({ status: 'applied' });
    const stored = await record('evidence', id);
    expect(stored?.data).toMatchObject({ kind: 'observation', method: 'observation', status: 'draft', recordedBy: { userId: assessor.user.id, name: 'Asha Assessor', role: 'assessor' } });
    const [owner] = await centre.db.query<{ learner_id: string }>(`select learner_id from records where entity = 'evidence' and id = $1`, [id]);
    expect(owner?.learner_id).toBe(learner.user.id);

    const edit = await pushOne(assessor, mutation('evidence', id, 1, { narrative: 'Talked through each step clearly.', status: 'submitted' }));
    expect(edit).toMatchObject({ status: 'applied' });
    expect((await record('evidence', id))?.data).toMatchObject({ kind: 'observation', status: 'submitted' });

    const byLearner = await pushOne(learner, mutation('evidence', id, 2, { narrative: 'My version' }));
    expect(byLearner).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect(messageOf(byLearner)).toMatch(/recorded by your assessor, Asha Assessor: only they can change it/);

    const otherKind = await pushOne(assessor, mutation('evidence', id, 2, { kind: 'questioning' }));
    expect(otherKind).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    const lock = await pushOne(assessor, mutation('evidence', id, 2, { iqaLock: null }));
    expect(lock).toMatchObject({ status: 'rejected', reason: 'invalid' });

    // The assessor signs off what they recorded like any other item.
    const accept = await decide(assessor, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'] });
    expect(await pushDecision(assessor, accept)).toMatchObject({ status: 'applied' });
    expect((await record('evidence', id))?.data.status).toBe('signed-off');
  });

  it('refuses an observation for a learner not on the caseload, or in another’s name', async () => {
    const elsewhere = await pushOne(assessor, mutation('evidence', randomUUID(), 0, observation(enrolment2Id)));
    expect(elsewhere).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect(messageOf(elsewhere)).toMatch(/learner on your caseload/);
    const asSomeoneElse = await pushOne(
      assessor,
      mutation('evidence', randomUUID(), 0, observation(enrolmentId, { recordedBy: { userId: assessor2.user.id, name: 'Amir Other', role: 'assessor' } })),
    );
    expect(asSomeoneElse).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    const ownWork = await pushOne(assessor, mutation('evidence', randomUUID(), 0, newEvidence(enrolmentId)));
    expect(ownWork).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    const wrongMethod = await pushOne(assessor, mutation('evidence', randomUUID(), 0, observation(enrolmentId, { method: 'mcq-exam' })));
    expect(wrongMethod).toMatchObject({ status: 'rejected', reason: 'invalid' });
  });

  it('keeps learners to their own kind of evidence, and assessors off the learner’s own', async () => {
    const learnerObservation = await pushOne(learner, mutation('evidence', randomUUID(), 0, observation(enrolmentId)));
    expect(learnerObservation).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    const id = await submitted();
    const assessorEdit = await pushOne(assessor, mutation('evidence', id, 1, { title: 'Better title' }));
    expect(assessorEdit).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect(messageOf(assessorEdit)).toMatch(/learner’s own evidence: only they can change it/);
  });

  it('submits a witness testimony only with the witness’s details and drawn signature', async () => {
    const id = randomUUID();
    const witness = { name: 'Wendy Witness', jobTitle: 'IT Manager', relationship: 'Line manager for 8 months', signature: null, signedAt: null };
    const base = newEvidence(enrolmentId, { kind: 'witness-testimony', method: 'witness-testimony', witness, status: 'submitted' });
    const unsigned = await pushOne(assessor, mutation('evidence', id, 0, base));
    expect(unsigned).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect(messageOf(unsigned)).toMatch(/add their signature/);
    const signed = await pushOne(assessor, mutation('evidence', id, 0, { ...base, witness: { ...witness, signature: DRAWN, signedAt: centre.now.value.toISOString() } }));
    expect(signed).toMatchObject({ status: 'applied' });
  });
});

describe('declarations', () => {
  it('by the learner on their own device', async () => {
    const a = await submitted();
    const b = await submitted();
    const declaration = await decide(learner, [a, b], { kind: 'declaration', outcome: 'declared' });
    expect(await pushDecision(learner, declaration)).toMatchObject({ status: 'applied' });
    expect((await record('evidence', a))?.data.status).toBe('submitted');
    const forOther = await decide(learner, [a], { kind: 'declaration', outcome: 'declared', learnerId: learner2.user.id, enrolmentId: enrolment2Id });
    expect(await pushDecision(learner, forOther)).toMatchObject({ status: 'rejected', reason: 'forbidden' });
  });

  it('by the assessor on their tablet, for the learner, with the learner’s drawn signature', async () => {
    const a = await submitted();
    const withoutDrawing = await decide(assessor, [a], { kind: 'declaration', outcome: 'declared', signedFor: 'Lena Learner', drawnSignature: null });
    const refused = await pushDecision(assessor, withoutDrawing);
    expect(refused).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect(messageOf(refused)).toMatch(/learner’s name and their drawn signature/);
    const declaration = await decide(assessor, [a], { kind: 'declaration', outcome: 'declared', signedFor: 'Lena Learner' });
    expect(await pushDecision(assessor, declaration)).toMatchObject({ status: 'applied' });
    expect((await record('decision', declaration.id))?.data).toMatchObject({ signedFor: 'Lena Learner', signer: { userId: assessor.user.id } });
  });

  it('refuses a declaration on the assessor’s tablet drawn by anyone but the learner, as the centre names them', async () => {
    const a = await submitted();
    const someoneElse = await pushDecision(assessor, await decide(assessor, [a], { kind: 'declaration', outcome: 'declared', signedFor: 'Asha Assessor' }));
    expect(someoneElse).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect(messageOf(someoneElse)).toMatch(/drawn by “Asha Assessor”, but the centre holds this learner’s name as “Lena Learner”/);
    // Spacing and capitals typed differently are still the learner's name.
    expect(await pushDecision(assessor, await decide(assessor, [a], { kind: 'declaration', outcome: 'declared', signedFor: ' lena  learner ' }))).toMatchObject({ status: 'applied' });
  });
});

describe('limits', () => {
  const fakeItem = () => ({ id: randomUUID(), contentHash: 'a'.repeat(64), attachments: [] });

  it('caps what one decision may list, before anything is looked up', async () => {
    const cases: Array<[DecisionFields, RegExp]> = [
      [{ kind: 'declaration', outcome: 'declared', evidence: Array.from({ length: 301 }, fakeItem) }, /at most 300 evidence items/],
      [{ kind: 'assessment', outcome: 'accepted', evidence: [fakeItem()], criterionIds: Array.from({ length: 501 }, (_, i) => `M:${i}`) }, /at most 500 criteria/],
      [{ kind: 'assessment', outcome: 'accepted', evidence: [fakeItem()], criterionIds: ['M:' + 'x'.repeat(300)] }, /./],
      [{ kind: 'assessment', outcome: 'referred', evidence: [fakeItem()], feedback: { overall: '', criteria: Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`M:${i}`, 'x'])) } }, /at most 500 criteria/],
      [{ kind: 'assessment', outcome: 'referred', evidence: [fakeItem()], feedback: { overall: '', criteria: { ['M:' + 'x'.repeat(300)]: 'x' } } }, /./],
      [{ kind: 'unit', outcome: 'signed-off', unitId: 'U'.repeat(300) }, /./],
      [{ kind: 'declaration', outcome: 'declared', enrolmentId: 'E'.repeat(300) }, /./],
    ];
    const before = await auditCount();
    for (const [fields, message] of cases) {
      const result = await pushDecision(learner, await decide(learner, [], fields));
      expect(result).toMatchObject({ status: 'rejected', reason: 'invalid' });
      expect(messageOf(result)).toMatch(message);
    }
    expect(await auditCount()).toBe(before);
  });

  it('refuses a decision signed with a key registered under another role', async () => {
    const changer = await person('learner', 'Rowan Rolechange');
    await centre.db.query(`update users set role = 'assessor' where id = $1`, [changer.user.id]);
    await centre.db.query('insert into caseloads (assessor_id, learner_id) values ($1, $2)', [changer.user.id, learner.user.id]);
    const asAssessor = { ...changer, user: { ...changer.user, role: 'assessor' as const } };
    const id = await submitted();
    const withOldKey = await pushDecision(changer, await decide(asAssessor, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'] }));
    expect(withOldKey).toMatchObject({ status: 'rejected', reason: 'signing-key' });
    expect(messageOf(withOldKey)).toMatch(/registered when your account was a learner; you are now an assessor/);
    expect((await record('evidence', id))?.data.status).toBe('submitted');
    // A key registered in the new role is accepted.
    const fresh = await registerKey(changer.token);
    expect(await pushDecision(changer, await decide(asAssessor, [id], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.1'] }, fresh))).toMatchObject({ status: 'applied' });
  });
});

describe('unit and qualification sign-off', () => {
  let unitLearner: Person;
  const unitEnrolment = randomUUID();
  const criteriaOf = (unitId: string) => SPEC.units.find((u) => u.id === unitId)!.outcomes.flatMap((o) => o.criteria.map((c) => c.id));

  beforeAll(async () => {
    unitLearner = await person('learner', 'Uma Units');
    await centre.db.query('insert into caseloads (assessor_id, learner_id) values ($1, $2)', [assessor.user.id, unitLearner.user.id]);
    await enrol(unitEnrolment, unitLearner.user);
  });

  async function signedOff(criterionIds: string[]): Promise<void> {
    const id = await submitted(unitLearner, unitEnrolment, { criterionIds });
    const accept = await decide(assessor, [id], { kind: 'assessment', outcome: 'accepted', criterionIds, learnerId: unitLearner.user.id, enrolmentId: unitEnrolment });
    expect(await pushDecision(assessor, accept)).toMatchObject({ status: 'applied' });
  }

  const signOff = (fields: DecisionFields) => decide(assessor, [], { learnerId: unitLearner.user.id, enrolmentId: unitEnrolment, ...fields });

  it('refuses a unit sign-off naming the criteria not yet met, and allows it once they are', async () => {
    await signedOff(['M:1.1']);
    // Submitted but not signed off does not count.
    await submitted(unitLearner, unitEnrolment, { criterionIds: ['M:1.2'] });
    const early = await pushDecision(assessor, await signOff({ kind: 'unit', outcome: 'signed-off', unitId: 'M', criterionIds: criteriaOf('M') }));
    expect(early).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect(messageOf(early)).toMatch(/Unit M cannot be signed off yet: this criterion is not met by signed-off evidence: 1\.2 \(Criterion 1\.2 of M\)/);
    expect(messageOf(early)).not.toMatch(/1\.1/);

    await signedOff(['M:1.2']);
    const wrongList = await pushDecision(assessor, await signOff({ kind: 'unit', outcome: 'signed-off', unitId: 'M', criterionIds: ['M:1.1'] }));
    expect(wrongList).toMatchObject({ status: 'rejected', reason: 'invalid' });
    const unitM = await signOff({ kind: 'unit', outcome: 'signed-off', unitId: 'M', criterionIds: criteriaOf('M') });
    expect(await pushDecision(assessor, unitM)).toMatchObject({ status: 'applied' });
    const twice = await pushDecision(assessor, await signOff({ kind: 'unit', outcome: 'signed-off', unitId: 'M', criterionIds: criteriaOf('M') }));
    expect(messageOf(twice)).toMatch(/already signed off by Asha Assessor/);
  });

  it('refuses the qualification sign-off until every unit is signed off', async () => {
    const early = await pushDecision(assessor, await signOff({ kind: 'qualification', outcome: 'signed-off' }));
    expect(early).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect(messageOf(early)).toMatch(/this unit has no unit sign-off: Unit A/);

    await signedOff(['A:1.1']);
    expect(await pushDecision(assessor, await signOff({ kind: 'unit', outcome: 'signed-off', unitId: 'A', criterionIds: criteriaOf('A') }))).toMatchObject({ status: 'applied' });
    const qualification = await signOff({ kind: 'qualification', outcome: 'signed-off' });
    expect(await pushDecision(assessor, qualification)).toMatchObject({ status: 'applied' });
  });
});
