import { computeProgress } from '../../src/domain/progress';
import type { QualificationSpec } from '../../src/domain/qualification';
import { checkRulesOfCombination, unitName } from '../../src/domain/rules';
import { evidenceContentHash, verifyDecisionSignature } from '../../src/domain/signing';
import { Decision, latestAssessment, signedAttachments } from '../../src/domain/signoff';
import { enrolledUnitIds } from '../../src/domain/specs';
import type { Mutation } from '../../src/domain/sync';
import type { Sql } from '../db/database';
import { findSigningKey } from '../keys';
import { readRecord, readRecords, type StoredRecord } from '../records';
import { canReadLearner } from '../scope';
import { loadSpec } from '../specs';
import type { Permit, Refused, RecordEffect, SyncContext } from './authorise';
import { invalidMessage, StoredEvidence } from './entities';
import { sameValue, type Data } from './merge';
import { isRefusal, refusal, validateEvidence } from './validate';

/**
 * Signed decisions arriving through sync (DESIGN.md section 4, docs/assessment.md). A decision is
 * accepted only when the caller may make it, signed it themself with a live key of theirs, the
 * signature verifies, and every item it covers is, at the centre, exactly what was signed. Its
 * effects on the evidence (status, criteria, IQA lock) are returned with it and written in the
 * same transaction, so the centre's status always follows from the decisions it holds.
 */

/** Patches are strict, like every other entity's: a device cannot store fields of its own in a decision. */
const DecisionPatch = Decision.strict();

const KIND_NAMES: Record<Decision['kind'], string> = {
  assessment: 'decision on an item',
  declaration: 'declaration',
  iqa: 'sampling decision',
  unit: 'unit sign-off',
  qualification: 'qualification sign-off',
};

type Item = { record: StoredRecord; evidence: StoredEvidence };

export async function authoriseDecision(tx: Sql, ctx: SyncContext, m: Mutation, current: StoredRecord | null): Promise<Refused | Permit> {
  const { caller } = ctx;
  if (caller.role === 'admin')
    return refusal('forbidden', 'Admins do not sign decisions: assessors, IQAs and learners do. Your change is still on this device.');
  if (current) return resentDecision(tx, ctx, m, current);
  if (m.op === 'delete' || m.baseRevision > 0) return refusal('not-found', `The centre has no decision ${m.recordId}: there is nothing to change.`);

  const { id: patchId, ...fields } = m.patch;
  if (patchId !== undefined && patchId !== m.recordId) return refusal('invalid', `The change is for ${m.recordId} but carries the id ${String(patchId)}.`);
  const parsed = DecisionPatch.safeParse({ ...fields, id: m.recordId });
  if (!parsed.success) return refusal('invalid', invalidMessage(parsed.error));
  const d = parsed.data;

  const notYours = whoMayMake(ctx, d);
  if (notYours) return notYours;
  const signed = await checkSignature(tx, ctx, d);
  if (signed) return signed;
  const ahead = clockAhead(ctx, d);
  if (ahead) return ahead;

  const enrolment = await readRecord(tx, 'enrolment', d.enrolmentId);
  if (!enrolment || enrolment.learnerId !== d.learnerId || enrolment.centreId !== caller.centreId || !(await canReadLearner(tx, caller, d.learnerId)))
    return refusal('forbidden', OUT_OF_SCOPE[caller.role]);
  if (enrolment.deleted) return refusal('invalid', 'This enrolment was withdrawn by the centre, so nothing more can be signed in it.');
  if (d.kind === 'declaration' && caller.role === 'assessor') {
    const drawnBy = await drawnByLearner(tx, d);
    if (drawnBy) return drawnBy;
  }

  const shape = shapeProblem(d);
  if (shape) return refusal('invalid', shape);
  const items = await coveredItems(tx, ctx, d);
  if (isRefusal(items)) return items;

  let effects: RecordEffect[] | Refused;
  switch (d.kind) {
    case 'assessment':
      effects = await assessmentEffects(tx, ctx, d, items[0]!);
      break;
    case 'declaration':
      effects = [];
      break;
    case 'iqa':
      effects = await iqaEffects(tx, d, items[0]!);
      break;
    case 'unit':
      effects = await checkUnitSignOff(tx, d, enrolment);
      break;
    case 'qualification':
      effects = await checkQualificationSignOff(tx, d, enrolment);
      break;
  }
  if (isRefusal(effects)) return effects;

  const { id: _id, ...data } = d;
  return {
    kind: 'create',
    centreId: enrolment.centreId,
    learnerId: d.learnerId,
    data,
    deleted: false,
    effects,
    audit: {
      action: `decision.${d.kind}.${d.outcome}`,
      detail: {
        enrolmentId: d.enrolmentId,
        evidenceIds: d.evidence.map((e) => e.id),
        ...(d.unitId !== null ? { unitId: d.unitId } : {}),
        ...(d.subjectId !== null ? { subjectId: d.subjectId } : {}),
        ...(d.signedFor !== null ? { signedFor: d.signedFor } : {}),
        keyId: d.keyId,
        signedAt: d.signedAt,
      },
    },
  };
}

const OUT_OF_SCOPE: Record<SyncContext['caller']['role'], string> = {
  learner: 'You can only sign declarations about your own enrolments.',
  assessor: 'You can only sign decisions for learners on your caseload, and this enrolment is not one of theirs.',
  iqa: 'You can only sample decisions about learners of your own centre.',
  admin: 'Admins do not sign decisions.',
};

/**
 * A decision the centre already holds. The same decision sent again (a device that lost the
 * answer and queued it anew) is answered as applied; anything else is a change, and decisions
 * never change.
 */
async function resentDecision(tx: Sql, ctx: SyncContext, m: Mutation, current: StoredRecord): Promise<Refused | Permit> {
  const { caller } = ctx;
  // No record in the answer: it is about someone outside the caller's scope.
  if (current.centreId !== caller.centreId || !(await canReadLearner(tx, caller, current.learnerId)))
    return refusal('forbidden', 'This decision is about a learner you cannot see: it was not changed.');
  const { id: _id, ...fields } = m.patch;
  const signer = current.data.signer as { userId?: unknown } | undefined;
  if (m.op === 'upsert' && signer?.userId === caller.userId && sameValue(fields, current.data))
    return { kind: 'create', centreId: current.centreId, learnerId: current.learnerId, data: current.data, deleted: false };
  return refusal(
    'locked',
    'A signed decision cannot be changed or withdrawn once the centre has it. Make a new decision instead (an assessor withdraws a sign-off by reopening it).',
  );
}

/** Which role signs which kind of decision, before anything is looked up. */
function whoMayMake(ctx: SyncContext, d: Decision): Refused | null {
  const { caller } = ctx;
  switch (d.kind) {
    case 'assessment':
    case 'unit':
    case 'qualification':
      if (caller.role !== 'assessor')
        return refusal('forbidden', caller.role === 'learner' ? 'Only your assessor can accept, refer or sign off evidence, units and qualifications.' : 'IQAs record sampling decisions (agreed or action), not assessments or sign-offs.');
      return null;
    case 'declaration':
      if (caller.role === 'learner') {
        if (d.learnerId !== caller.userId) return refusal('forbidden', OUT_OF_SCOPE.learner);
        if (d.signedFor !== null) return refusal('invalid', 'Your own declaration is signed by you: "signed for" is only for a declaration signed on your assessor’s device.');
        return null;
      }
      if (caller.role !== 'assessor') return refusal('forbidden', 'Only the learner, or their assessor with the learner present, can record a declaration of authenticity.');
      if (!d.signedFor?.trim() || d.drawnSignature === null)
        return refusal('invalid', 'A declaration signed on your device needs the learner’s name and their drawn signature.');
      return null;
    case 'iqa':
      if (caller.role !== 'iqa') return refusal('forbidden', 'Only an IQA can record a sampling decision.');
      return null;
  }
}

/** The signer is the caller, with a live key of their own, and the signature verifies. */
async function checkSignature(tx: Sql, ctx: SyncContext, d: Decision): Promise<Refused | null> {
  const { caller } = ctx;
  if (d.signer.userId !== caller.userId || d.signer.role !== caller.role)
    return refusal(
      'forbidden',
      `This decision is signed in the name of ${d.signer.name} (${d.signer.role}), but you are signed in as ${caller.name} (${caller.role}): a decision must be sent by the person who signed it.`,
    );
  // 'signing-key': the device retires the key and makes a new one (docs/sync-device.md).
  const key = await findSigningKey(tx, d.keyId);
  if (!key)
    return refusal('signing-key', 'The centre does not know the key this decision was signed with. Connect this device so it can register its key, then sync again.');
  if (key.userId !== caller.userId) return refusal('signing-key', 'This decision was signed with a key that belongs to another user, so it was not recorded.');
  if (key.revokedAt !== null)
    return refusal(
      'signing-key',
      `The key this decision was signed with was revoked on ${key.revokedAt.slice(0, 10)}${key.revokeReason ? ` (${key.revokeReason})` : ''}, so decisions signed with it are not accepted. Sign it again on a device you are signed in on.`,
    );
  // A key speaks for its owner in the role they had when it was registered: an account that has
  // since changed role (learner -> assessor) signs with a new key, so no old key carries the new powers.
  if (key.role !== caller.role)
    return refusal(
      'signing-key',
      `The key this decision was signed with was registered when your account was ${ROLE_WORDS[key.role]}; you are now ${ROLE_WORDS[caller.role]}, so it was not recorded. This device makes a new key when it next syncs: sign again after that.`,
    );
  if (!(await verifyDecisionSignature(d, key.publicKey)))
    return refusal(
      'invalid',
      'The signature does not match this decision: it was changed after it was signed, or signed with another key. Nothing was recorded; sign it again.',
    );
  // The name is shown to everyone who reads the decision: it must be the account's, now or when the key was registered.
  if (d.signer.name !== caller.name && d.signer.name !== key.name)
    return refusal('forbidden', `This decision names its signer ${d.signer.name}, but your account’s name is ${caller.name}. Sign it again.`);
  return null;
}

const ROLE_WORDS: Record<SyncContext['caller']['role'], string> = { learner: 'a learner', assessor: 'an assessor', iqa: 'an IQA', admin: 'an admin' };

/** How far ahead of the centre's clock a device's may run (clocks drift; a decision is signed, then sent). */
export const CLOCK_TOLERANCE_MS = 5 * 60_000;

function utcWords(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A decision dated ahead of the centre's clock would stand as the latest however late it really was. */
function clockAhead(ctx: SyncContext, d: Decision): Refused | null {
  if (Date.parse(d.signedAt) <= ctx.now.getTime() + CLOCK_TOLERANCE_MS) return null;
  return refusal(
    'invalid',
    `This tablet's clock is ahead: the decision is dated ${utcWords(d.signedAt)}, but the centre's time is ${utcWords(ctx.now.toISOString())}. Nothing was recorded. Set the tablet's date and time to automatic, then sign again.`,
  );
}

/** A decision dated before the one it follows on the item: the device's clock is behind (or was set back). */
function clockBehind(d: Decision, earlier: Decision, what: string): Refused | null {
  if (Date.parse(d.signedAt) >= Date.parse(earlier.signedAt)) return null;
  return refusal(
    'invalid',
    `This tablet's clock is behind: the decision is dated ${utcWords(d.signedAt)}, before ${what} (${earlier.signer.name}, ${utcWords(earlier.signedAt)}). Nothing was recorded. Set the tablet's date and time to automatic, sync, then sign again.`,
  );
}

function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('en-GB');
  return norm(a) === norm(b);
}

/** A declaration signed on the assessor's device names the learner who drew it, as the centre holds their name. */
async function drawnByLearner(tx: Sql, d: Decision): Promise<Refused | null> {
  const [learner] = await tx.query<{ name: string }>(`select name from users where id = $1`, [d.learnerId]);
  if (learner && d.signedFor !== null && sameName(d.signedFor, learner.name)) return null;
  return refusal(
    'invalid',
    `This declaration says it was drawn by “${d.signedFor ?? ''}”, but the centre holds this learner’s name as “${learner?.name ?? 'unknown'}”. Only the learner can sign their declaration: sync so the tablet has their name, then have them sign again.`,
  );
}

/** Fields that belong to one kind of decision only, and how many items each kind covers. */
function shapeProblem(d: Decision): string | null {
  const ids = d.evidence.map((e) => e.id);
  if (new Set(ids).size !== ids.length) return 'This decision lists the same evidence item twice.';
  if (d.unitId !== null && d.kind !== 'unit') return `A ${KIND_NAMES[d.kind]} does not name a unit.`;
  if (d.kind === 'unit' && d.unitId === null) return 'A unit sign-off must name its unit.';
  if (d.subjectId !== null && d.kind !== 'iqa') return `A ${KIND_NAMES[d.kind]} does not name a sampled decision.`;
  if (d.kind === 'iqa' && d.subjectId === null) return 'A sampling decision must name the assessment decision it sampled.';
  if ((d.kind === 'assessment' || d.kind === 'iqa') && d.evidence.length !== 1) return `A ${KIND_NAMES[d.kind]} covers exactly one evidence item.`;
  if (d.kind === 'declaration' && d.evidence.length === 0) return 'A declaration must list the evidence items it covers.';
  return null;
}

function feedbackGiven(d: Decision): boolean {
  return d.feedback.overall.trim() !== '' || Object.values(d.feedback.criteria).some((text) => text.trim() !== '');
}

/**
 * Every item the decision covers, checked against what was signed: it must be in the decision's
 * enrolment, not deleted, and its content and files must hash to what the signer saw.
 */
async function coveredItems(tx: Sql, ctx: SyncContext, d: Decision): Promise<Refused | Item[]> {
  const items: Item[] = [];
  // One query for them all: a declaration covers up to MAX_DECISION_EVIDENCE items, checked under the change lock.
  const held = new Map((await readRecords(tx, 'evidence', d.evidence.map((e) => e.id))).map((r) => [r.id, r]));
  for (const signed of d.evidence) {
    const record = held.get(signed.id);
    if (!record || record.learnerId !== d.learnerId || record.data.enrolmentId !== d.enrolmentId)
      return refusal('invalid', `This decision covers an evidence item the centre does not hold in this enrolment (${signed.id}). Sync, then sign again.`);
    const parsed = StoredEvidence.safeParse(record.data);
    if (!parsed.success) return refusal('invalid', `The centre cannot read evidence item ${signed.id} as stored, so it cannot be signed: ${invalidMessage(parsed.error)}`);
    const evidence = parsed.data;
    const title = evidence.title.trim() || 'untitled item';
    if (record.deleted) return refusal('invalid', `“${title}” was deleted after it was reviewed, so it cannot be signed. Sync to see the portfolio as it is now.`);
    const sameContent = (await evidenceContentHash(evidence)) === signed.contentHash;
    const sameFiles = sameValue(signedAttachments(evidence.attachments), [...signed.attachments].sort());
    if (!sameContent || !sameFiles) return refusal('invalid', changedMessage(ctx, d, evidence, title, sameContent));
    items.push({ record, evidence });
  }
  return items;
}

function changedMessage(ctx: SyncContext, d: Decision, evidence: StoredEvidence, title: string, sameContent: boolean): string {
  const what = sameContent ? `“${title}”: its attached files differ` : `“${title}”`;
  if (ctx.caller.role === 'learner') return `This item changed after you signed your declaration: sync and sign it again (${what}).`;
  if (d.kind === 'declaration') return `This item changed after the learner’s declaration was signed: sync and sign it again (${what}).`;
  if (evidence.recordedBy !== null) return `This item changed after you reviewed it: sync and review it again (${what}).`;
  return `The learner changed this item after you reviewed it: sync and review it again (${what}).`;
}

/** The decisions the centre holds about one enrolment, as the device made them. */
async function enrolmentDecisions(tx: Sql, learnerId: string, enrolmentId: string, assessmentsOf?: string): Promise<Decision[]> {
  // assessmentsOf: only the assessment decisions covering that item.
  const rows = await tx.query<{ id: string; data: Data }>(
    `select id, data from records where entity = 'decision' and learner_id = $1 and not deleted and data->>'enrolmentId' = $2${
      assessmentsOf !== undefined ? ` and data->>'kind' = 'assessment' and data->'evidence' @> $3::jsonb` : ''
    }`,
    assessmentsOf !== undefined ? [learnerId, enrolmentId, JSON.stringify([{ id: assessmentsOf }])] : [learnerId, enrolmentId],
  );
  const decisions: Decision[] = [];
  for (const row of rows) {
    const parsed = Decision.safeParse({ ...row.data, id: row.id });
    // Every stored decision passed this schema when it was accepted; one that no longer does is a
    // bug to hear about, not something to skip in silence.
    if (!parsed.success) throw new Error(`Stored decision ${row.id} no longer matches the Decision schema: ${parsed.error.message}`);
    decisions.push(parsed.data);
  }
  return decisions;
}

function statusEffect(d: Decision, item: Item, changes: Data, action: string): RecordEffect | Refused {
  const from = item.evidence.status;
  const valid = validateEvidence({ ...item.record.data, ...changes }, false);
  if (isRefusal(valid)) return valid;
  return {
    entity: 'evidence',
    id: item.record.id,
    centreId: item.record.centreId,
    learnerId: item.record.learnerId,
    data: valid.data,
    action,
    detail: { decisionId: d.id, from, ...changes },
  };
}

const STATUS_WORDS: Record<string, string> = {
  draft: 'a draft again',
  submitted: 'waiting for assessment',
  accepted: 'accepted',
  referred: 'referred back to the learner',
  'signed-off': 'signed off',
};

async function assessmentEffects(tx: Sql, ctx: SyncContext, d: Decision, item: Item): Promise<RecordEffect[] | Refused> {
  const latest = latestAssessment(await enrolmentDecisions(tx, d.learnerId, d.enrolmentId, item.record.id), item.record.id);
  const behind = latest ? clockBehind(d, latest, 'the latest decision on this item') : null;
  if (behind) return behind;
  const status = item.evidence.status;
  const notWaiting = () =>
    refusal('invalid', `This item is no longer waiting for assessment (it is ${STATUS_WORDS[status] ?? status}): sync to see where it stands.`);
  let effect: RecordEffect | Refused;
  switch (d.outcome) {
    case 'accepted': {
      if (status !== 'submitted') return notWaiting();
      const criterionIds = [...new Set(d.criterionIds)];
      if (criterionIds.length === 0) return refusal('invalid', 'Confirm at least one criterion this item meets before you accept it.');
      effect = statusEffect(d, item, { status: 'signed-off', criterionIds }, 'evidence.signed-off');
      break;
    }
    case 'referred':
      if (status !== 'submitted') return notWaiting();
      if (!feedbackGiven(d)) return refusal('invalid', 'Tell the learner what to improve: a referral needs feedback.');
      effect = statusEffect(d, item, { status: 'referred' }, 'evidence.referred');
      break;
    case 'reopened': {
      if (status !== 'signed-off') return refusal('invalid', `This item is not signed off (it is ${STATUS_WORDS[status] ?? status}), so there is nothing to reopen.`);
      if (item.evidence.iqaLock !== null)
        return refusal(
          'locked',
          `An IQA agreed with this sign-off on ${item.evidence.iqaLock.at.slice(0, 10)}, so it is locked: ask your centre’s admin to unlock it (they give a reason) before you reopen it.`,
        );
      if (latest && latest.outcome === 'accepted' && latest.signer.userId !== ctx.caller.userId)
        return refusal('forbidden', `Only ${latest.signer.name}, who signed this item off, can reopen it.`);
      if (!d.feedback.overall.trim()) return refusal('invalid', 'Say why you are reopening this sign-off: the reason is kept with the decision.');
      effect = statusEffect(d, item, { status: 'submitted' }, 'evidence.reopened');
      break;
    }
    default:
      return refusal('invalid', `An assessment decision cannot be “${d.outcome}”.`);
  }
  return isRefusal(effect) ? effect : [effect];
}

async function iqaEffects(tx: Sql, d: Decision, item: Item): Promise<RecordEffect[] | Refused> {
  const subject = await readRecord(tx, 'decision', d.subjectId!);
  const sampled = subject ? Decision.safeParse({ ...subject.data, id: subject.id }) : null;
  if (!subject || !sampled?.success || subject.learnerId !== d.learnerId || sampled.data.kind !== 'assessment' || sampled.data.enrolmentId !== d.enrolmentId)
    return refusal('invalid', 'The decision you sampled is not an assessment decision the centre holds for this enrolment. Sync, then sample again.');
  if (sampled.data.evidence[0]?.id !== item.record.id) return refusal('invalid', 'A sampling decision covers the same evidence item as the assessment decision it sampled.');
  const behind = clockBehind(d, sampled.data, 'the assessment decision you sampled');
  if (behind) return behind;
  if (d.outcome === 'action') {
    if (!feedbackGiven(d)) return refusal('invalid', 'Tell the assessor what to act on: an “action” decision needs feedback.');
    return [];
  }
  if (sampled.data.outcome !== 'accepted') return refusal('invalid', 'Only a sign-off can be agreed with; for a referral or a reopening record an “action” if something needs doing.');
  const latest = latestAssessment(await enrolmentDecisions(tx, d.learnerId, d.enrolmentId), item.record.id);
  if (item.evidence.status !== 'signed-off' || latest?.id !== sampled.data.id)
    return refusal('invalid', 'The sign-off you sampled has been reopened or replaced since: sync and sample the item as it stands now.');
  // A second IQA agreement adds its decision; the first lock (and its time) stands.
  if (item.evidence.iqaLock !== null) return [];
  const effect = statusEffect(d, item, { iqaLock: { decisionId: d.id, at: d.signedAt } }, 'evidence.iqa-locked');
  return isRefusal(effect) ? effect : [effect];
}

async function specOf(tx: Sql, enrolment: StoredRecord): Promise<QualificationSpec | Refused> {
  const spec = await loadSpec(tx, String(enrolment.data.qualificationId), Number(enrolment.data.qualificationVersion));
  if (!spec || spec.kind !== 'qualification')
    return refusal('invalid', `The centre does not hold version ${String(enrolment.data.qualificationVersion)} of ${String(enrolment.data.qualificationId)}, the spec this enrolment is on.`);
  return spec;
}

function optionalUnitsOf(enrolment: StoredRecord): string[] {
  const ids = enrolment.data.optionalUnitIds;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

function signedOffBy(decision: Decision): string {
  return `${decision.signer.name} on ${decision.signedAt.slice(0, 10)}`;
}

/** Every criterion of the unit met by signed-off evidence of the enrolment, on its spec version. */
async function checkUnitSignOff(tx: Sql, d: Decision, enrolment: StoredRecord): Promise<RecordEffect[] | Refused> {
  const spec = await specOf(tx, enrolment);
  if (isRefusal(spec)) return spec;
  const optional = optionalUnitsOf(enrolment);
  const unit = spec.units.find((u) => u.id === d.unitId);
  if (!unit || !enrolledUnitIds(spec, optional).includes(unit.id))
    return refusal('invalid', `Unit ${d.unitId} is not one of the units of this enrolment (${spec.id} version ${spec.version}).`);
  const name = unitName(spec, unit);
  const already = (await enrolmentDecisions(tx, d.learnerId, d.enrolmentId)).find((x) => x.kind === 'unit' && x.unitId === unit.id);
  if (already) return refusal('invalid', `${name} was already signed off by ${signedOffBy(already)}.`);

  const progress = computeProgress(spec, optional, await signedOffEvidence(tx, d.learnerId, d.enrolmentId));
  const unitProgress = progress.units.find((u) => u.unitId === unit.id)!;
  if (unitProgress.specIncomplete)
    return refusal('invalid', `${name} cannot be signed off: the centre’s spec for it is incomplete (${unit.completeness}). An admin imports the full spec first.`);
  const missing = unitProgress.outcomes.flatMap((o) => o.criteria.filter((c) => !c.assessed));
  if (missing.length > 0)
    return refusal(
      'invalid',
      `${name} cannot be signed off yet: ${missing.length === 1 ? 'this criterion is' : 'these criteria are'} not met by signed-off evidence: ${missing.map((c) => `${c.number} ${short(c.text)}`).join('; ')}.`,
    );
  const unitCriteria = unit.outcomes.flatMap((o) => o.criteria.map((c) => c.id)).sort();
  if (!sameValue([...new Set(d.criterionIds)].sort(), unitCriteria))
    return refusal('invalid', `A unit sign-off lists exactly the criteria of its unit; this one lists others than ${name}’s. Sync, then sign again.`);
  return [];
}

/** The rules of combination met by the enrolment's choice, and every enrolled unit signed off. */
async function checkQualificationSignOff(tx: Sql, d: Decision, enrolment: StoredRecord): Promise<RecordEffect[] | Refused> {
  const spec = await specOf(tx, enrolment);
  if (isRefusal(spec)) return spec;
  const optional = optionalUnitsOf(enrolment);
  const decisions = await enrolmentDecisions(tx, d.learnerId, d.enrolmentId);
  const already = decisions.find((x) => x.kind === 'qualification');
  if (already) return refusal('invalid', `${spec.title} was already signed off by ${signedOffBy(already)}.`);
  const rules = checkRulesOfCombination(spec, optional);
  if (!rules.valid) return refusal('invalid', `${spec.title} cannot be signed off: the units chosen do not meet the rules of combination. ${rules.problems.map((p) => p.message).join(' ')}`);
  const signedUnits = new Set(decisions.filter((x) => x.kind === 'unit').map((x) => x.unitId));
  const unitsById = new Map(spec.units.map((u) => [u.id, u]));
  const unsigned = enrolledUnitIds(spec, optional).filter((id) => !signedUnits.has(id));
  if (unsigned.length > 0)
    return refusal(
      'invalid',
      `${spec.title} cannot be signed off yet: ${unsigned.length === 1 ? 'this unit has' : 'these units have'} no unit sign-off: ${unsigned.map((id) => unitName(spec, unitsById.get(id)!)).join('; ')}.`,
    );
  return [];
}

async function signedOffEvidence(tx: Sql, learnerId: string, enrolmentId: string) {
  const rows = await tx.query<{ id: string; data: Data }>(
    `select id, data from records
      where entity = 'evidence' and learner_id = $1 and not deleted and data->>'enrolmentId' = $2 and data->>'status' = 'signed-off'`,
    [learnerId, enrolmentId],
  );
  return rows.map((r) => {
    const e = StoredEvidence.parse(r.data);
    return { id: r.id, criterionIds: e.criterionIds, status: e.status, deletedAt: e.deletedAt, hours: e.hours, offTheJob: e.offTheJob, activityDate: e.activityDate };
  });
}

function short(text: string): string {
  return text.length > 80 ? `(${text.slice(0, 77).trimEnd()}…)` : `(${text})`;
}
