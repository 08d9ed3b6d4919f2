import { afterEach, describe, expect, it } from 'vitest';
import { db, type OutboxEntry } from '../../src/data/db';
import {
  decideOnEvidence,
  decisionsForEvidence,
  decisionsForLearner,
  DecisionNotPossibleError,
  recordDeclaration,
  recordIqaDecision,
  reopenEvidence,
  signOffQualification,
  signOffUnit,
} from '../../src/data/decisions';
import { NotAnAssessorError, recordAssessorEvidence, submitEvidence, updateEvidence } from '../../src/data/evidence';
import { ensureSigningKey } from '../../src/data/keys';
import { META, readMeta } from '../../src/data/meta';
import { forgetSignIn } from '../../src/data/session';
import { applyPushResults, discardChange, outboxSummary, pushableEntries, retryChange } from '../../src/data/sync-outbox';
import { UnreadableRecordError } from '../../src/data/sync-records';
import type { Decision, UnsignedDecision } from '../../src/domain/signoff';
import { evidenceContentHash, exportPublicJwk, generateSigningKey, signDecision, signedEvidenceOf, verifyDecisionSignature } from '../../src/domain/signing';
import type { PushRequest } from '../../src/domain/sync';
import { pullChanges } from '../../src/sync/pull';
import { ASSESSOR, assessorDevice, DRAWN, ENROLMENT_ID } from '../assessment-fixture';
import { FakeCentre, LEARNER } from '../fake-centre';
import { signedInDevice } from '../sync-fixture';

afterEach(async () => {
  await forgetSignIn();
});

const feedback = { overall: 'Well evidenced: the change log shows each step.', criteria: {} };
const accept = (evidenceId: string, criterionIds = ['M:1.1', 'M:1.2']) =>
  decideOnEvidence({ evidenceId, outcome: 'accepted', criterionIds, feedback, drawnSignature: DRAWN });

async function item(id: string) {
  return (await db().evidence.get(id))!;
}

describe('making a decision on the device', () => {
  it('stores an offline decision with its outbox entry and the item’s new status, signed so any change shows', async () => {
    const device = await assessorDevice();
    const id = device.items['Router set-up']!;
    device.centre.offline = true;

    const decision = await accept(id);
    expect(decision).toMatchObject({
      kind: 'assessment',
      outcome: 'accepted',
      learnerId: LEARNER.id,
      enrolmentId: ENROLMENT_ID,
      criterionIds: ['M:1.1', 'M:1.2'],
      signer: { userId: ASSESSOR.id, name: ASSESSOR.name, role: 'assessor' },
      drawnSignature: DRAWN,
    });
    const stored = (await db().decisions.get(decision.id))!;
    expect(stored).toMatchObject({ ...decision, evidenceIds: [id] });
    expect(stored.serverRevision).toBeUndefined();
    const { id: _id, ...patch } = decision;
    const entries = await db().outbox.toArray();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ entity: 'decision', recordId: decision.id, op: 'upsert', baseRevision: 0, patch, sentAt: null });
    expect(entries[0]!.undo).toEqual([{ evidenceId: id, status: 'submitted', criterionIds: ['M:1.1'] }]);
    // The centre derives the item's change from the decision: no evidence change waits.
    expect(await item(id)).toMatchObject({ status: 'signed-off', criterionIds: ['M:1.1', 'M:1.2'], dirty: 0, serverRevision: 1 });

    const key = (await db().signingKeys.get(decision.keyId))!;
    expect(await verifyDecisionSignature(decision, key.publicKey)).toBe(true);
    expect(await verifyDecisionSignature({ ...decision, criterionIds: ['M:1.1'] }, key.publicKey)).toBe(false);

    // One byte of the narrative changed afterwards: the item no longer matches what was signed.
    const signedItem = await item(id);
    expect(await evidenceContentHash(signedItem)).toBe(decision.evidence[0]!.contentHash);
    const edited = { ...signedItem, narrative: signedItem.narrative.replace('W', 'w') };
    expect(edited.narrative).not.toBe(signedItem.narrative);
    expect(await evidenceContentHash(edited)).not.toBe(decision.evidence[0]!.contentHash);
  });

  it('writes nothing when any part of the decision cannot be stored', async () => {
    const device = await assessorDevice();
    const id = device.items['Router set-up']!;
    const failing = () => {
      throw new Error('Simulated failure writing the outbox');
    };
    db().outbox.hook('creating', failing);
    try {
      await expect(accept(id)).rejects.toThrow('Simulated failure writing the outbox');
    } finally {
      db().outbox.hook('creating').unsubscribe(failing);
    }
    expect(await db().decisions.count()).toBe(0);
    expect(await db().outbox.count()).toBe(0);
    expect(await item(id)).toMatchObject({ status: 'submitted', criterionIds: ['M:1.1'] });
  });

  it('refuses, before signing, what cannot be decided now', async () => {
    const device = await assessorDevice({
      'Draft item': { status: 'draft' },
      'Signed item': { status: 'signed-off', criterionIds: ['M:1.1'] },
      'Sampled item': { status: 'signed-off', criterionIds: ['A:1.1'], iqaLock: { decisionId: '0190a1b2-0000-7000-8000-0000000000f1', at: '2026-03-01T10:00:00.000Z' } },
      'Waiting item': {},
    });
    const refused = async (attempt: Promise<unknown>, words: RegExp) => {
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DecisionNotPossibleError);
      expect((error as Error).message).toMatch(words);
    };
    await refused(accept(device.items['Draft item']!), /“Draft item” is still a draft: it can be assessed once it is submitted/);
    await refused(accept(device.items['Signed item']!), /already signed off\. To change your decision, reopen it/);
    await refused(accept(device.items['Waiting item']!, []), /Confirm at least one criterion/);
    await refused(
      decideOnEvidence({ evidenceId: device.items['Waiting item']!, outcome: 'referred', criterionIds: [], feedback: { overall: ' ', criteria: {} }, drawnSignature: DRAWN }),
      /feedback is needed to refer/,
    );
    await refused(decideOnEvidence({ evidenceId: device.items['Waiting item']!, outcome: 'referred', criterionIds: [], feedback, drawnSignature: '' }), /Sign in the box/);
    await refused(reopenEvidence(device.items['Sampled item']!, 'Wrong item', DRAWN), /An IQA has agreed .* locked/);
    await refused(reopenEvidence(device.items['Waiting item']!, 'Wrong item', DRAWN), /is not signed off/);
    // Criterion 1.1 of unit M is met by the signed-off item; 1.2 only by a submitted one.
    await refused(signOffUnit(ENROLMENT_ID, 'M', DRAWN), /“Unit M” cannot be signed off yet: criterion 1\.2 is not met by signed-off evidence/);
    await refused(signOffUnit(ENROLMENT_ID, 'Z', DRAWN), /not part of this learner’s 9999-02 enrolment/);
    await refused(signOffQualification(ENROLMENT_ID, DRAWN), /every unit is: “Unit M” and “Unit A” are not signed off yet/);
    await refused(recordDeclaration({ enrolmentId: ENROLMENT_ID, evidenceIds: [device.items['Waiting item']!], drawnSignature: DRAWN, signedFor: null }), /Enter the learner’s name/);
    expect(await db().decisions.count()).toBe(0);
    expect(await db().outbox.count()).toBe(0);
  });

  it('lets only the right people sign', async () => {
    await signedInDevice({ centre: new FakeCentre([LEARNER, ASSESSOR]) });
    await expect(accept('0190a1b2-0000-7000-8000-0000000000f2')).rejects.toThrow('Only assessors can accept or refer evidence.');
    await expect(recordAssessorEvidence(ENROLMENT_ID, 'observation')).rejects.toBeInstanceOf(NotAnAssessorError);
    await forgetSignIn();
    await expect(accept('0190a1b2-0000-7000-8000-0000000000f2')).rejects.toThrow(/Sign in to your centre/);
  });

  it('signs off a unit once every criterion is met by signed-off evidence, covering those items', async () => {
    const device = await assessorDevice({ 'Part one': { status: 'signed-off', criterionIds: ['M:1.1'] }, 'Part two': { criterionIds: ['M:1.2'] } });
    const [partOne, partTwo] = [device.items['Part one']!, device.items['Part two']!];
    await expect(signOffUnit(ENROLMENT_ID, 'M', DRAWN)).rejects.toThrow(/criterion 1\.2 is not met/);

    // The decision made here counts at once (its effect shows before the centre has it).
    await accept(partTwo, ['M:1.2']);
    const unit = await signOffUnit(ENROLMENT_ID, 'M', DRAWN);
    expect(unit).toMatchObject({ kind: 'unit', outcome: 'signed-off', unitId: 'M', criterionIds: ['M:1.1', 'M:1.2'] });
    expect(unit.evidence.map((e) => e.id).sort()).toEqual([partOne, partTwo].sort());
    await expect(signOffUnit(ENROLMENT_ID, 'M', DRAWN)).rejects.toThrow(/already signed off by Tom Okafor/);
    await expect(signOffQualification(ENROLMENT_ID, DRAWN)).rejects.toThrow(/“Unit A” is not signed off yet/);
    expect((await decisionsForLearner(LEARNER.id)).map((d) => d.kind)).toEqual(['assessment', 'unit']);
  });

  it('records an assessor’s observation that saves like a learner’s draft, then signs it and pushes both in order', async () => {
    const device = await assessorDevice({});
    device.centre.offline = true;
    const observation = await recordAssessorEvidence(ENROLMENT_ID, 'observation', { title: 'Switch replacement' });
    expect(observation).toMatchObject({ kind: 'observation', method: 'observation', status: 'draft', recordedBy: { userId: ASSESSOR.id, name: ASSESSOR.name, role: 'assessor' } });
    await updateEvidence(observation.id, { narrative: 'Replaced the switch with no downtime', activityDate: '2026-02-10', criterionIds: ['M:1.1'] });
    // Editing one field leaves the others alone (no schema default turns it into a learner's item).
    expect(await item(observation.id)).toMatchObject({ kind: 'observation', method: 'observation' });
    await submitEvidence(observation.id);
    await accept(observation.id, ['M:1.1']);
    const entries = await db().outbox.orderBy('seq').toArray();
    expect(entries.map((e) => e.entity)).toEqual(['evidence', 'decision']);
    expect(entries[0]!.patch).toMatchObject({ kind: 'observation', method: 'observation', status: 'submitted', recordedBy: { userId: ASSESSOR.id } });

    device.centre.offline = false;
    expect((await device.engine.sync()).problem).toBeNull();
    const posts = device.centre.log.filter((r) => r.method === 'POST').map((r) => r.path);
    // The key is registered before the push that needs it; the item goes before the decision on it.
    expect(posts.indexOf('/api/keys')).toBeGreaterThanOrEqual(0);
    expect(posts.indexOf('/api/keys')).toBeLessThan(posts.indexOf('/api/sync/push'));
    expect((device.centre.requests('POST', '/api/sync/push')[0]!.body as PushRequest).mutations.map((m) => m.entity)).toEqual(['evidence', 'decision']);
    expect(await db().outbox.count()).toBe(0);
  });

  it('keeps a witness testimony’s witness through later edits', async () => {
    await assessorDevice({});
    const witness = { name: 'Sam Lee', jobTitle: 'IT manager', relationship: 'Line manager for 8 months', signature: DRAWN, signedAt: '2026-02-10T10:00:00.000Z' };
    const testimony = await recordAssessorEvidence(ENROLMENT_ID, 'witness-testimony', { title: 'Network audit', witness });
    await updateEvidence(testimony.id, { narrative: 'Priya audited all 40 switches.' });
    expect(await item(testimony.id)).toMatchObject({ kind: 'witness-testimony', method: 'witness-testimony', witness, narrative: 'Priya audited all 40 switches.' });
    const [waiting] = await db().outbox.toArray();
    expect(waiting!.patch).toMatchObject({ witness, kind: 'witness-testimony' });
  });
});

describe('IQA sampling', () => {
  const IQA = { ...ASSESSOR, id: '0190a1b2-0000-7000-8000-0000000000b1', name: 'Grace Mensah', email: 'grace@example.org', role: 'iqa' as const };

  it('signs a verdict on a sign-off the centre holds, covering the item as it is now', async () => {
    // The assessor signs off on their device and syncs.
    const assessor = await assessorDevice();
    const id = assessor.items['Router set-up']!;
    const sampled = await accept(id);
    const signedOffItem = await item(id);

    // The IQA's device, after a sync: the item and the sign-off from the centre.
    await signedInDevice({ centre: new FakeCentre([LEARNER, ASSESSOR, IQA]), user: IQA });
    await db().evidence.put(signedOffItem);
    await db().decisions.put({ ...sampled, evidenceIds: [id] });
    const agree = () => recordIqaDecision({ assessmentId: sampled.id, outcome: 'agreed', feedback: { overall: '', criteria: {} }, drawnSignature: DRAWN });
    await expect(agree()).rejects.toThrow(/has not reached your centre yet/);
    await db().decisions.update(sampled.id, { serverRevision: 1 });
    await expect(recordIqaDecision({ assessmentId: sampled.id, outcome: 'action', feedback: { overall: '', criteria: {} }, drawnSignature: DRAWN })).rejects.toThrow(/feedback is needed/);

    const verdict = await agree();
    expect(verdict).toMatchObject({ kind: 'iqa', outcome: 'agreed', subjectId: sampled.id, criterionIds: sampled.criterionIds, signer: { userId: IQA.id, role: 'iqa' } });
    expect(verdict.evidence).toEqual([await signedEvidenceOf(signedOffItem)]);
    // The lock is the centre's to set: nothing changes here until the pull brings it.
    expect(await item(id)).toMatchObject({ status: 'signed-off', iqaLock: null });
    expect((await decisionsForEvidence(id)).map((d) => d.kind)).toEqual(['assessment', 'iqa']);
  });
});

describe('pushing decisions', () => {
  const entry = (seq: number, entity: OutboxEntry['entity'], recordId: string, patch: Record<string, unknown> = {}, reason: OutboxEntry['reason'] = null): OutboxEntry => ({
    seq, id: `m${seq}`, entity, recordId, op: 'upsert', baseRevision: 0, patch, createdAt: '', attempts: 0, lastError: null, sentAt: null, reason,
  });
  const decision = (seq: number, evidenceId: string, keyId = 'k1') => entry(seq, 'decision', `d${seq}`, { keyId, evidence: [{ id: evidenceId }] });

  it('waits while a change of an item it covers stays behind, or its key is not registered yet', () => {
    const seqs = (entries: OutboxEntry[], keys: string[] = []) => pushableEntries(entries, new Set(), new Set(keys)).map((e) => e.seq);
    expect(seqs([entry(1, 'evidence', 'e1'), decision(2, 'e1')])).toEqual([1, 2]);
    // Refused, or a second change of the same item (next push): the decision would meet old content.
    expect(seqs([entry(1, 'evidence', 'e1', {}, 'invalid'), decision(2, 'e1'), decision(3, 'e2')])).toEqual([3]);
    expect(seqs([entry(1, 'evidence', 'e1'), entry(2, 'evidence', 'e1'), decision(3, 'e1')])).toEqual([1]);
    // Made before the item's later edit: it signed what the centre gets first.
    expect(seqs([entry(1, 'evidence', 'e1'), decision(2, 'e1'), entry(3, 'evidence', 'e1')])).toEqual([1, 2]);
    expect(seqs([decision(1, 'e1', 'new-key'), decision(2, 'e2', 'k1')], ['new-key'])).toEqual([2]);
  });

  it('puts the item back to the centre’s status when the centre refuses the decision, and shows the refusal', async () => {
    const device = await assessorDevice();
    const id = device.items['Router set-up']!;
    const decision = await accept(id);
    device.centre.refuse = (m) => (m.entity === 'decision' ? { reason: 'invalid', message: 'The learner changed this item after you reviewed it: sync and review it again.' } : null);

    await device.engine.sync();
    expect(await item(id)).toMatchObject({ status: 'submitted', criterionIds: ['M:1.1'] });
    let summary = await outboxSummary();
    expect(summary.failures).toEqual([
      expect.objectContaining({ entity: 'decision', recordId: decision.id, title: 'Sign-off of “Router set-up” (Priya Shah)', reason: 'invalid', canDiscard: true, message: expect.stringContaining('changed this item after you reviewed it') }),
    ]);
    // Not in effect: the screens do not show it as made.
    expect(await decisionsForEvidence(id)).toEqual([]);
    // A pull does not lay a refused decision on the item again.
    device.centre.change('evidence', id, { updatedAt: new Date().toISOString() }, null);
    await pullChanges({ client: device.client });
    expect(await item(id)).toMatchObject({ status: 'submitted' });

    // Retry shows its effect again and sends it.
    device.centre.refuse = null;
    await retryChange(summary.failures[0]!.seq);
    expect(await item(id)).toMatchObject({ status: 'signed-off', criterionIds: ['M:1.1', 'M:1.2'] });
    await device.engine.sync();
    expect(device.centre.record('decision', decision.id)?.data).toMatchObject({ outcome: 'accepted', signature: decision.signature });
    expect(await db().outbox.count()).toBe(0);
    expect((await decisionsForEvidence(id)).map((d) => [d.id, d.serverRevision])).toEqual([[decision.id, 1]]);

    // Discard drops a refused decision for good.
    device.centre.refuse = (m) => (m.entity === 'decision' ? { reason: 'forbidden', message: 'This learner is no longer on your caseload.' } : null);
    const referral = await decideOnEvidence({ evidenceId: device.items['Router set-up']!, outcome: 'referred', criterionIds: [], feedback, drawnSignature: DRAWN }).catch((e: unknown) => e);
    expect((referral as Error).message).toMatch(/already signed off/);
    const reopened = await reopenEvidence(id, 'Signed off by mistake', DRAWN);
    expect(await item(id)).toMatchObject({ status: 'submitted' });
    await device.engine.sync();
    summary = await outboxSummary();
    expect(summary.failures[0]).toMatchObject({ recordId: reopened.id, reason: 'forbidden', title: 'Reopening of “Router set-up” (Priya Shah)' });
    expect(await item(id)).toMatchObject({ status: 'signed-off' });
    await discardChange(summary.failures[0]!.seq);
    expect(await db().decisions.get(reopened.id)).toBeUndefined();
    expect(await db().outbox.count()).toBe(0);
    expect(await item(id)).toMatchObject({ status: 'signed-off' });
  });

  it('takes the centre’s copy of the item when the refusal brings one', async () => {
    const device = await assessorDevice();
    const id = device.items['Router set-up']!;
    await accept(id);
    const [waiting] = await db().outbox.toArray();
    const centreCopy = device.centre.change('evidence', id, { status: 'referred', criterionIds: ['M:1.1', 'A:1.1'] }, null);
    await applyPushResults(
      [{ status: 'rejected', mutationId: waiting!.id, recordId: waiting!.recordId, reason: 'invalid', message: 'Another assessor referred this item meanwhile.', record: device.centre.toSyncRecord(centreCopy) }],
      device.deviceId,
    );
    expect(await item(id)).toMatchObject({ status: 'referred', criterionIds: ['M:1.1', 'A:1.1'] });
  });

  it('keeps showing a waiting decision when a pull brings a newer copy of the item', async () => {
    const device = await assessorDevice();
    const id = device.items['Router set-up']!;
    await decideOnEvidence({ evidenceId: id, outcome: 'referred', criterionIds: [], feedback, drawnSignature: DRAWN });
    device.centre.change('evidence', id, { updatedAt: '2026-03-03T09:00:00.000Z' }, null);
    await pullChanges({ client: device.client });
    expect(await item(id)).toMatchObject({ status: 'referred', serverRevision: 2, updatedAt: '2026-03-03T09:00:00.000Z' });
    // If the centre then refuses it, the item goes back to what the centre holds.
    device.centre.refuse = () => ({ reason: 'invalid', message: 'Refused for the test.' });
    await device.engine.sync();
    expect(await item(id)).toMatchObject({ status: 'submitted' });
  });

  it('makes a new key and asks for the decision to be signed again when the centre revoked the key', async () => {
    const device = await assessorDevice();
    const id = device.items['Router set-up']!;
    const first = await accept(id);
    await device.engine.sync();
    expect(device.centre.record('decision', first.id)).toBeDefined();

    // The device session was revoked at the centre, and its keys with it; this device signs on, offline.
    device.centre.keys.get(first.keyId)!.revokedAt = new Date().toISOString();
    const reopened = await reopenEvidence(id, 'Signed off the wrong item', DRAWN);
    expect(reopened.keyId).toBe(first.keyId);
    const outcome = await device.engine.sync();
    expect(outcome.problem).toBeNull();

    const summary = await outboxSummary();
    expect(summary.failures).toEqual([
      expect.objectContaining({ recordId: reopened.id, reason: 'signing-key', canDiscard: true, message: expect.stringMatching(/was revoked.*making a new signing key: make this decision again/s) }),
    ]);
    expect(await item(id)).toMatchObject({ status: 'signed-off' });
    expect((await db().signingKeys.get(first.keyId))!.revokedAt).toEqual(expect.any(String));
    const live = (await db().signingKeys.toArray()).filter((k) => k.revokedAt === null);
    expect(live).toHaveLength(1);
    expect(live[0]!.registeredAt).toEqual(expect.any(String));
    expect(device.centre.keys.get(live[0]!.id)).toMatchObject({ userId: ASSESSOR.id, revokedAt: null });

    await discardChange(summary.failures[0]!.seq);
    const again = await reopenEvidence(id, 'Signed off the wrong item', DRAWN);
    expect(again.keyId).toBe(live[0]!.id);
    await device.engine.sync();
    expect(device.centre.record('decision', again.id)).toBeDefined();
    expect(await db().outbox.count()).toBe(0);
  });

  it('acts on the reason, not the words: a refusal that only mentions a key keeps the key', async () => {
    const device = await assessorDevice();
    const id = device.items['Router set-up']!;
    device.centre.refuse = (m) => (m.entity === 'decision' ? { reason: 'forbidden', message: 'Your key worker says this learner is no longer on your caseload.' } : null);
    const decision = await accept(id);
    await device.engine.sync();
    const summary = await outboxSummary();
    expect(summary.failures).toEqual([expect.objectContaining({ recordId: decision.id, reason: 'forbidden', message: 'Your key worker says this learner is no longer on your caseload.' })]);
    expect((await db().signingKeys.get(decision.keyId))!.revokedAt).toBeNull();
    expect(await db().signingKeys.count()).toBe(1);
  });
});

describe('pulling decisions', () => {
  /** A decision signed on another device (the learner's own declaration). */
  async function signedElsewhere(evidenceId: string): Promise<{ declaration: Decision; publicKey: Awaited<ReturnType<typeof exportPublicJwk>> }> {
    const key = await generateSigningKey();
    const unsigned: UnsignedDecision = {
      id: '0190a1b2-0000-7000-8000-0000000000d1',
      kind: 'declaration',
      outcome: 'declared',
      learnerId: LEARNER.id,
      enrolmentId: ENROLMENT_ID,
      unitId: null,
      subjectId: null,
      evidence: [await signedEvidenceOf(await item(evidenceId))],
      criterionIds: [],
      feedback: { overall: '', criteria: {} },
      signer: { userId: LEARNER.id, name: LEARNER.name, role: 'learner' },
      signedFor: null,
      drawnSignature: null,
      signedAt: '2026-03-02T10:00:00.000Z',
      keyId: '0190a1b2-0000-7000-8000-0000000000c2',
    };
    return { declaration: await signDecision(unsigned, key.privateKey), publicKey: await exportPublicJwk(key.publicKey) };
  }

  it('stores the centre’s decisions; one this version cannot read stops the pull with nothing written', async () => {
    const device = await assessorDevice();
    const id = device.items['Router set-up']!;
    const { declaration, publicKey } = await signedElsewhere(id);
    const { id: declarationId, ...data } = declaration;
    const garbageId = '0190a1b2-0000-7000-8000-0000000000d2';
    device.centre.write('decision', declarationId, data, null);
    device.centre.write('decision', garbageId, { ...data, outcome: 'accepted', signature: 'not a signature' }, null);
    const cursor = await readMeta(META.pullCursor);

    const error = await pullChanges({ client: device.client }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadableRecordError);
    expect((error as Error).message).toMatch(/a signed decision that this version of the app cannot read/);
    expect(await db().decisions.count()).toBe(0);
    expect(await readMeta(META.pullCursor)).toBe(cursor);

    device.centre.write('decision', garbageId, {}, null, true);
    await pullChanges({ client: device.client });
    expect(await db().decisions.get(declarationId)).toEqual({ ...declaration, serverRevision: 1, evidenceIds: [id] });
    expect((await decisionsForEvidence(id)).map((d) => d.id)).toEqual([declarationId]);
    expect(await db().decisions.get(garbageId)).toBeUndefined();
    // Stored as signed: it still verifies against the signer's key.
    const { serverRevision: _revision, evidenceIds: _ids, ...stored } = (await db().decisions.get(declarationId))!;
    expect(await verifyDecisionSignature(stored, publicKey)).toBe(true);
  });

  it('lets a learner declare their own work on their own device, with no effect on the items', async () => {
    const centre = new FakeCentre([LEARNER, ASSESSOR]);
    await signedInDevice({ centre });
    await ensureSigningKey(LEARNER);
    const { createEvidence } = await import('../../src/data/evidence');
    await db().enrolments.put({ id: ENROLMENT_ID, learnerId: LEARNER.id, qualificationId: '9999-02', qualificationVersion: 1, optionalUnitIds: [], startDate: '2026-01-01', plannedEndDate: '2026-12-31', plannedOffTheJobHoursPerWeek: 6, createdAt: '', updatedAt: '' });
    const mine = await createEvidence(ENROLMENT_ID, { title: 'My own work' });
    const declaration = await recordDeclaration({ enrolmentId: ENROLMENT_ID, evidenceIds: [mine.id], drawnSignature: DRAWN, signedFor: 'Someone else' });
    expect(declaration).toMatchObject({ kind: 'declaration', outcome: 'declared', signedFor: null, signer: { userId: LEARNER.id, role: 'learner' } });
    expect(await item(mine.id)).toMatchObject({ status: 'draft' });
    const decisionEntry = (await db().outbox.toArray()).find((e) => e.entity === 'decision')!;
    expect(decisionEntry.undo ?? []).toEqual([]);
  });
});
