import type { Role, SessionUser } from '../domain/auth';
import { DrawnSignature, type Evidence } from '../domain/evidence';
import { uuidv7 } from '../domain/ids';
import { computeProgress, type QualificationProgress } from '../domain/progress';
import type { QualificationSpec } from '../domain/qualification';
import { checkRulesOfCombination } from '../domain/rules';
import { Decision, latestAssessment, type Feedback, type UnsignedDecision } from '../domain/signoff';
import { signDecision, signedEvidenceOf } from '../domain/signing';
import type { SyncRecord } from '../domain/sync';
import { db, type DecisionUndo, type OutboxEntry, type StoredDecision, type StoredSigningKey } from './db';
import { guardWrite } from './errors';
import { contentOf, EvidenceNotFoundError } from './evidence';
import { qualificationVersion } from './frameworks';
import { ensureSigningKey } from './keys';
import { enqueue } from './outbox';
import { currentSignIn } from './session';
import { evidenceFromRecord, sameJson, UnreadableRecordError } from './sync-records';

/**
 * Signing on this device: every decision is built from the local copies of the items it covers,
 * signed with this user's device key (src/data/keys.ts), and stored with its outbox entry (and the
 * optimistic change to the items' status) in one Dexie transaction. Works offline.
 *
 * The centre is authoritative for status: it applies the same effect when it accepts the decision
 * and the next pull brings it. Until then the device shows the effect; if the centre refuses the
 * decision, the items go back to what they were (see "The sync side" below).
 */

/** Why this decision cannot be made now, in words the signer can act on. Nothing was signed or stored. */
export class DecisionNotPossibleError extends Error {
  override readonly name = 'DecisionNotPossibleError';
}

export interface AssessmentInput {
  evidenceId: string;
  outcome: 'accepted' | 'referred';
  /** The mapping the assessor confirmed: becomes the item's criteria on acceptance. */
  criterionIds: string[];
  feedback: Feedback;
  /** PNG data URL from the signature pad. */
  drawnSignature: string;
}

export async function decideOnEvidence(input: AssessmentInput): Promise<Decision> {
  const signing = await signingAs(['assessor'], 'accept or refer evidence');
  const item = await liveItem(input.evidenceId);
  const title = itemTitle(item);
  if (item.status !== 'submitted') throw new DecisionNotPossibleError(notDecidable(item));
  const criterionIds = [...new Set(input.criterionIds)];
  if (input.outcome === 'accepted' && criterionIds.length === 0)
    throw new DecisionNotPossibleError(`Confirm at least one criterion that ${title} meets before you sign it off.`);
  if (input.outcome === 'referred' && !input.feedback.overall.trim())
    throw new DecisionNotPossibleError(`Tell the learner what to do next: feedback is needed to refer ${title}.`);
  const enrolment = await enrolmentOf(item.enrolmentId);
  return signAndStore(signing, [item], {
    kind: 'assessment',
    outcome: input.outcome,
    learnerId: enrolment.learnerId,
    enrolmentId: enrolment.id,
    unitId: null,
    subjectId: null,
    criterionIds,
    feedback: input.feedback,
    signedFor: null,
    drawnSignature: drawn(input.drawnSignature),
  });
}

/** The assessor withdraws their sign-off; the centre refuses it while an IQA lock holds. */
export async function reopenEvidence(evidenceId: string, reason: string, drawnSignature: string): Promise<Decision> {
  const signing = await signingAs(['assessor'], 'reopen a sign-off');
  const item = await liveItem(evidenceId);
  if (item.status !== 'signed-off') throw new DecisionNotPossibleError(`${capital(itemTitle(item))} is not signed off, so there is nothing to reopen.`);
  if (item.iqaLock)
    throw new DecisionNotPossibleError(
      `An IQA has agreed with the sign-off of ${itemTitle(item)}, so it is locked and cannot be reopened. An admin can unlock it, recording why.`,
    );
  if (!reason.trim()) throw new DecisionNotPossibleError('Say why you are reopening this sign-off: the learner and the IQA will read it.');
  const enrolment = await enrolmentOf(item.enrolmentId);
  return signAndStore(signing, [item], {
    kind: 'assessment',
    outcome: 'reopened',
    learnerId: enrolment.learnerId,
    enrolmentId: enrolment.id,
    unitId: null,
    subjectId: null,
    // The mapping being withdrawn, so the record says what the sign-off had confirmed.
    criterionIds: [...item.criterionIds],
    feedback: { overall: reason.trim(), criteria: {} },
    signedFor: null,
    drawnSignature: drawn(drawnSignature),
  });
}

export interface DeclarationInput {
  enrolmentId: string;
  evidenceIds: string[];
  drawnSignature: string;
  /** The learner's name when they sign on the assessor's device; null when they sign on their own. */
  signedFor: string | null;
}

export async function recordDeclaration(input: DeclarationInput): Promise<Decision> {
  const signing = await signingAs(['learner', 'assessor'], 'record a declaration of authenticity');
  const enrolment = await enrolmentOf(input.enrolmentId);
  let signedFor: string | null = null;
  if (signing.user.role === 'learner') {
    if (enrolment.learnerId !== signing.user.id) throw new DecisionNotPossibleError('You can only declare your own work, in your own enrolment.');
  } else {
    signedFor = input.signedFor?.trim() || null;
    if (!signedFor) throw new DecisionNotPossibleError('Enter the learner’s name: they sign the declaration on your device.');
    if (!input.drawnSignature) throw new DecisionNotPossibleError('Ask the learner to sign in the box: their drawn signature is needed when they declare on your device.');
  }
  const ids = [...new Set(input.evidenceIds)];
  if (ids.length === 0) throw new DecisionNotPossibleError('Choose the evidence the declaration covers.');
  const items: Evidence[] = [];
  for (const id of ids) {
    const item = await liveItem(id);
    if (item.enrolmentId !== enrolment.id) throw new DecisionNotPossibleError(`${capital(itemTitle(item))} belongs to another enrolment, so this declaration cannot cover it.`);
    if (item.recordedBy)
      throw new DecisionNotPossibleError(`${capital(itemTitle(item))} was recorded by an assessor, not written by the learner, so it is not part of a declaration of the learner’s own work.`);
    items.push(item);
  }
  return signAndStore(signing, items, {
    kind: 'declaration',
    outcome: 'declared',
    learnerId: enrolment.learnerId,
    enrolmentId: enrolment.id,
    unitId: null,
    subjectId: null,
    criterionIds: [],
    feedback: { overall: '', criteria: {} },
    signedFor,
    drawnSignature: input.drawnSignature ? drawn(input.drawnSignature) : null,
  });
}

export async function signOffUnit(enrolmentId: string, unitId: string, drawnSignature: string): Promise<Decision> {
  const signing = await signingAs(['assessor'], 'sign off a unit');
  const enrolment = await enrolmentOf(enrolmentId);
  const { spec, progress, evidence } = await progressOf(enrolment);
  const unit = progress.units.find((u) => u.unitId === unitId);
  if (!unit) throw new DecisionNotPossibleError(`That unit is not part of this learner’s ${spec.id} enrolment (mandatory units and their chosen optional units).`);
  if (unit.specIncomplete)
    throw new DecisionNotPossibleError(`The spec of “${unit.title}” on this device is incomplete (${unit.sourceNote || unit.completeness}), so the unit cannot be signed off. Your centre can import the full spec.`);
  if (!unit.achieved) {
    const unmet = unit.outcomes.flatMap((o) => o.criteria.filter((c) => !c.assessed).map((c) => c.number));
    throw new DecisionNotPossibleError(
      `“${unit.title}” cannot be signed off yet: ${unmet.length === 1 ? 'criterion' : 'criteria'} ${listWords(unmet)} ${unmet.length === 1 ? 'is' : 'are'} not met by signed-off evidence.`,
    );
  }
  const earlier = (await decisionsInEffect(enrolment.id)).find((d) => d.kind === 'unit' && d.unitId === unitId);
  if (earlier) throw new DecisionNotPossibleError(`“${unit.title}” was already signed off by ${earlier.signer.name}.`);
  const covering = new Set(unit.outcomes.flatMap((o) => o.criteria.flatMap((c) => c.evidenceIds)));
  const items = evidence.filter((e) => covering.has(e.id) && ASSESSED.has(e.status));
  return signAndStore(signing, items, {
    kind: 'unit',
    outcome: 'signed-off',
    learnerId: enrolment.learnerId,
    enrolmentId: enrolment.id,
    unitId,
    subjectId: null,
    criterionIds: unit.outcomes.flatMap((o) => o.criteria.map((c) => c.id)),
    feedback: { overall: '', criteria: {} },
    signedFor: null,
    drawnSignature: drawn(drawnSignature),
  });
}

export async function signOffQualification(enrolmentId: string, drawnSignature: string): Promise<Decision> {
  const signing = await signingAs(['assessor'], 'sign off a qualification');
  const enrolment = await enrolmentOf(enrolmentId);
  const { spec, progress } = await progressOf(enrolment);
  const inEffect = await decisionsInEffect(enrolment.id);
  const earlier = inEffect.find((d) => d.kind === 'qualification');
  if (earlier) throw new DecisionNotPossibleError(`This learner’s ${spec.id} was already signed off by ${earlier.signer.name}.`);
  const signedOffUnits = new Set(inEffect.filter((d) => d.kind === 'unit').map((d) => d.unitId));
  const withoutSignOff = progress.units.filter((u) => !signedOffUnits.has(u.unitId)).map((u) => `“${u.title}”`);
  if (withoutSignOff.length > 0)
    throw new DecisionNotPossibleError(`The qualification cannot be signed off until every unit is: ${listWords(withoutSignOff)} ${withoutSignOff.length === 1 ? 'is' : 'are'} not signed off yet.`);
  if (!progress.qualification.rulesMetByAchieved) {
    const achievedOptional = progress.units.filter((u) => !u.mandatory && u.achieved).map((u) => u.unitId);
    const problems = checkRulesOfCombination(spec, achievedOptional).problems.map((p) => p.message);
    throw new DecisionNotPossibleError(`The units achieved do not meet the rules of combination of ${spec.id} yet. ${problems.join(' ')}`.trim());
  }
  return signAndStore(signing, [], {
    kind: 'qualification',
    outcome: 'signed-off',
    learnerId: enrolment.learnerId,
    enrolmentId: enrolment.id,
    unitId: null,
    subjectId: null,
    criterionIds: [],
    feedback: { overall: '', criteria: {} },
    signedFor: null,
    drawnSignature: drawn(drawnSignature),
  });
}

export interface IqaInput {
  /** The assessment decision sampled. */
  assessmentId: string;
  outcome: 'agreed' | 'action';
  feedback: Feedback;
  drawnSignature: string;
}

export async function recordIqaDecision(input: IqaInput): Promise<Decision> {
  const signing = await signingAs(['iqa'], 'record a sampling decision');
  const sampled = await db().decisions.get(input.assessmentId);
  if (!sampled || sampled.kind !== 'assessment') throw new DecisionNotPossibleError('That assessment decision is not on this device: sync, then try again.');
  if (sampled.serverRevision === undefined) throw new DecisionNotPossibleError('That assessment decision has not reached your centre yet, so it cannot be sampled.');
  const evidenceId = sampled.evidenceIds[0];
  if (!evidenceId) throw new DecisionNotPossibleError('That assessment decision covers no evidence, so there is nothing to sample.');
  const latest = latestAssessment(await decisionsForEvidence(evidenceId), evidenceId);
  if (latest && latest.id !== sampled.id)
    throw new DecisionNotPossibleError(`The assessor has made a later decision on this item (${outcomeWords(latest.outcome)}): sample that one instead.`);
  if (input.outcome === 'action' && !input.feedback.overall.trim())
    throw new DecisionNotPossibleError('Say what the assessor needs to do: feedback is needed when action is required.');
  const item = await liveItem(evidenceId);
  return signAndStore(signing, [item], {
    kind: 'iqa',
    outcome: input.outcome,
    learnerId: sampled.learnerId,
    enrolmentId: sampled.enrolmentId,
    unitId: null,
    subjectId: sampled.id,
    criterionIds: [...sampled.criterionIds],
    feedback: input.feedback,
    signedFor: null,
    drawnSignature: drawn(input.drawnSignature),
  });
}

/**
 * Decisions covering one item, oldest first. Decisions the centre refused are left out: they are
 * not in effect, and the sync failures list shows them with the centre's reason.
 */
export async function decisionsForEvidence(evidenceId: string): Promise<StoredDecision[]> {
  return inEffect(await db().decisions.where('evidenceIds').equals(evidenceId).toArray());
}

/** Every decision about one learner, oldest first (refused ones left out, as above). */
export async function decisionsForLearner(learnerId: string): Promise<StoredDecision[]> {
  return inEffect(await db().decisions.where('learnerId').equals(learnerId).toArray());
}

// --- Building, signing and storing ---------------------------------------------------------------

const ASSESSED = new Set<Evidence['status']>(['accepted', 'signed-off']);

const ROLE_WORDS: Record<Role, string> = { learner: 'learners', assessor: 'assessors', iqa: 'IQAs', admin: 'admins' };

interface Signing {
  user: SessionUser;
  key: StoredSigningKey;
}

/** The signed-in user and their device key, if their role may make this kind of decision. */
async function signingAs(roles: Role[], what: string): Promise<Signing> {
  const signIn = await currentSignIn();
  if (!signIn) throw new DecisionNotPossibleError(`Sign in to your centre to ${what}: decisions are signed with your account’s key on this device.`);
  if (signIn.ended) throw new DecisionNotPossibleError(`This device’s session with your centre has ended. Sign in again before you ${what}.`);
  if (!roles.includes(signIn.user.role)) throw new DecisionNotPossibleError(`Only ${listWords(roles.map((r) => ROLE_WORDS[r]), 'or')} can ${what}.`);
  return { user: signIn.user, key: await ensureSigningKey(signIn.user) };
}

type DecisionFields = Omit<UnsignedDecision, 'id' | 'evidence' | 'signer' | 'signedAt' | 'keyId'>;

/**
 * Signs the decision over the items as read, then stores it, its outbox entry and its effect on
 * the items in one transaction. Items that changed meanwhile (a pull brought the learner's edit)
 * stop it: the signer must see what they sign.
 */
async function signAndStore(signing: Signing, items: Evidence[], fields: DecisionFields): Promise<Decision> {
  const unsigned: UnsignedDecision = {
    ...fields,
    id: uuidv7(),
    evidence: await Promise.all(items.map((item) => signedEvidenceOf(item))),
    signer: { userId: signing.user.id, name: signing.user.name, role: signing.user.role },
    signedAt: new Date().toISOString(),
    keyId: signing.key.id,
  };
  const parsed = Decision.safeParse(await signDecision(unsigned, signing.key.privateKey));
  if (!parsed.success) throw new DecisionNotPossibleError(`This decision cannot be signed as it is: ${parsed.error.issues.map((i) => i.message).join('; ')}.`);
  const decision = parsed.data;
  return guardWrite(() =>
    db().transaction('rw', [db().decisions, db().evidence, db().outbox], async () => {
      const undo: DecisionUndo[] = [];
      for (const before of items) {
        const current = await db().evidence.get(before.id);
        if (!current || current.deletedAt || current.status !== before.status || !sameJson(contentOf(current), contentOf(before)))
          throw new DecisionNotPossibleError(`${capital(itemTitle(before))} changed while you were signing (a sync brought a newer version). Look at it again, then sign.`);
        const effect = effectOn(decision, current);
        if (!effect) continue;
        undo.push({ evidenceId: current.id, status: current.status, criterionIds: current.criterionIds });
        // No evidence outbox entry: the centre derives the change from the decision.
        await db().evidence.put({ ...current, ...effect });
      }
      await db().decisions.put({ ...decision, evidenceIds: decision.evidence.map((e) => e.id) });
      const { id, ...patch } = decision;
      await enqueue('decision', id, 'upsert', 0, patch);
      if (undo.length > 0) {
        const entry = await db().outbox.where('[entity+recordId]').equals(['decision', id]).first();
        if (entry) await db().outbox.update(entry.seq!, { undo });
      }
      return decision;
    }),
  );
}

/**
 * What a decision does to an item's status, as the centre does it when it accepts the decision
 * (null when it does nothing, or the item is not in a state it applies to).
 */
export function effectOn(
  decision: Pick<Decision, 'kind' | 'outcome' | 'criterionIds'>,
  item: Pick<Evidence, 'status' | 'iqaLock' | 'deletedAt'>,
): Pick<Evidence, 'status'> & Partial<Pick<Evidence, 'criterionIds'>> | null {
  if (decision.kind !== 'assessment' || item.deletedAt) return null;
  if (decision.outcome === 'accepted' && item.status === 'submitted') return { status: 'signed-off', criterionIds: [...decision.criterionIds] };
  if (decision.outcome === 'referred' && item.status === 'submitted') return { status: 'referred' };
  if (decision.outcome === 'reopened' && item.status === 'signed-off' && !item.iqaLock) return { status: 'submitted' };
  return null;
}

async function liveItem(evidenceId: string): Promise<Evidence> {
  const item = await db().evidence.get(evidenceId);
  if (!item) throw new EvidenceNotFoundError(evidenceId);
  if (item.deletedAt) throw new DecisionNotPossibleError(`${capital(itemTitle(item))} has been deleted, so it cannot be signed.`);
  return item;
}

async function enrolmentOf(enrolmentId: string) {
  const enrolment = await db().enrolments.get(enrolmentId);
  if (!enrolment) throw new DecisionNotPossibleError('That enrolment is not on this device yet: sync, then try again.');
  return enrolment;
}

async function progressOf(enrolment: { qualificationId: string; qualificationVersion: number; optionalUnitIds: string[]; id: string }): Promise<{
  spec: QualificationSpec;
  progress: QualificationProgress;
  evidence: Evidence[];
}> {
  const spec = await qualificationVersion(enrolment.qualificationId, enrolment.qualificationVersion);
  if (!spec)
    throw new DecisionNotPossibleError(`Version ${enrolment.qualificationVersion} of the ${enrolment.qualificationId} spec is not on this device yet: sync, then try again.`);
  const evidence = await db().evidence.where('enrolmentId').equals(enrolment.id).toArray();
  return { spec, progress: computeProgress(spec, enrolment.optionalUnitIds, evidence), evidence };
}

function drawn(signature: string): string {
  const parsed = DrawnSignature.safeParse(signature);
  if (!parsed.success) throw new DecisionNotPossibleError('Sign in the box before you confirm: the drawn signature is missing or could not be read.');
  return parsed.data;
}

function notDecidable(item: Evidence): string {
  const title = capital(itemTitle(item));
  switch (item.status) {
    case 'draft':
      return `${title} is still a draft: it can be assessed once it is submitted.`;
    case 'referred':
      return `${title} was referred back and has not been resubmitted yet.`;
    case 'signed-off':
    case 'accepted':
      return `${title} is already signed off. To change your decision, reopen it.`;
    default:
      return `${title} cannot be assessed now.`;
  }
}

function itemTitle(item: Pick<Evidence, 'title'>): string {
  return item.title.trim() ? `“${item.title.trim()}”` : 'this untitled item';
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function listWords(items: string[], last = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)}`;
}

function outcomeWords(outcome: Decision['outcome']): string {
  return outcome === 'accepted' ? 'signed off' : outcome;
}

function bySigning(a: Decision, b: Decision): number {
  return a.signedAt.localeCompare(b.signedAt) || a.id.localeCompare(b.id);
}

/** Ids of decisions waiting with a refusal from the centre. */
async function refusedDecisionIds(): Promise<Set<string>> {
  const entries = await decisionEntries();
  return new Set(entries.filter((e) => !!e.reason).map((e) => e.recordId));
}

async function inEffect(decisions: StoredDecision[]): Promise<StoredDecision[]> {
  const refused = await refusedDecisionIds();
  return decisions.filter((d) => !refused.has(d.id)).sort(bySigning);
}

async function decisionsInEffect(enrolmentId: string): Promise<StoredDecision[]> {
  return inEffect(await db().decisions.where('enrolmentId').equals(enrolmentId).toArray());
}

// --- The sync side ----------------------------------------------------------------------------
// A decision waiting in the outbox has already changed its items here. A pull that brings a newer
// copy of such an item lays the effect on it again; a refusal puts the item back. Every function
// here runs inside the sync's transaction (which includes the outbox, evidence and decisions).

async function decisionEntries(): Promise<OutboxEntry[]> {
  const entries = await db().outbox.where('[entity+recordId]').between(['decision', ''], ['decision', '\uffff']).toArray();
  return entries.sort((a, b) => a.seq! - b.seq!);
}

function covers(entry: OutboxEntry, evidenceId: string): boolean {
  const evidence = entry.patch.evidence;
  return Array.isArray(evidence) && evidence.some((e) => (e as { id?: unknown }).id === evidenceId);
}

/** The evidence ids a waiting decision covers (read from what it will send). */
export function evidenceIdsOfEntry(entry: Pick<OutboxEntry, 'entity' | 'patch'>): string[] {
  if (entry.entity !== 'decision' || !Array.isArray(entry.patch.evidence)) return [];
  return (entry.patch.evidence as Array<{ id?: unknown }>).map((e) => e.id).filter((id): id is string => typeof id === 'string');
}

/**
 * Lays the effects of the decisions still waiting to go (not refused) on an item, in the order
 * they were made, remembering on each what it changed. `afterSeq` skips the earlier ones (already
 * in the item as given).
 */
export async function overlayWaitingDecisions(item: Evidence, afterSeq = -1): Promise<Evidence> {
  let next = item;
  for (const entry of await decisionEntries()) {
    if (entry.seq! <= afterSeq || entry.reason || !covers(entry, item.id)) continue;
    const effect = effectOn(entry.patch as Pick<Decision, 'kind' | 'outcome' | 'criterionIds'>, next);
    const undo = (entry.undo ?? []).filter((u) => u.evidenceId !== item.id);
    if (effect) {
      undo.push({ evidenceId: item.id, status: next.status, criterionIds: next.criterionIds });
      next = { ...next, ...effect };
    }
    if (!sameJson(undo, entry.undo ?? [])) await db().outbox.update(entry.seq!, { undo });
  }
  return next;
}

/**
 * The centre refused a decision: its items return to the centre's truth. That is the item the
 * centre sent back with the refusal when it did, otherwise the status and criteria the item had
 * before the decision; later waiting decisions are then laid on again.
 */
export async function undoRefusedDecision(entry: OutboxEntry, record: SyncRecord | null): Promise<void> {
  for (const undo of entry.undo ?? []) {
    const item = await db().evidence.get(undo.evidenceId);
    if (!item) continue;
    let restored: Evidence = { ...item, status: undo.status, criterionIds: undo.criterionIds };
    if (record && record.entity === 'evidence' && record.id === item.id && !record.deleted) {
      try {
        const centre = evidenceFromRecord(record);
        restored = { ...item, status: centre.status, criterionIds: centre.criterionIds, iqaLock: centre.iqaLock };
        // The item's own changes still waiting to go (an assessor's recorded item) stand on top.
        for (const waiting of await db().outbox.where('[entity+recordId]').equals(['evidence', item.id]).sortBy('seq')) {
          const patch = waiting.patch as Partial<Evidence>;
          if (patch.status !== undefined) restored.status = patch.status;
          if (patch.criterionIds !== undefined) restored.criterionIds = patch.criterionIds;
        }
      } catch (error) {
        // A copy this version cannot read: what the item was before the decision is the best truth here.
        if (!(error instanceof UnreadableRecordError)) throw error;
      }
    }
    await db().evidence.put(await overlayWaitingDecisions(restored, entry.seq!));
  }
  await db().outbox.update(entry.seq!, { undo: [] });
}

/** The user retries a refused decision: its effect shows again until the centre answers. */
export async function redoDecision(entry: OutboxEntry): Promise<void> {
  const undo: DecisionUndo[] = [];
  for (const id of evidenceIdsOfEntry(entry)) {
    const item = await db().evidence.get(id);
    if (!item) continue;
    const effect = effectOn(entry.patch as Pick<Decision, 'kind' | 'outcome' | 'criterionIds'>, item);
    if (!effect) continue;
    undo.push({ evidenceId: id, status: item.status, criterionIds: item.criterionIds });
    await db().evidence.put({ ...item, ...effect });
  }
  await db().outbox.update(entry.seq!, { undo });
}

/** Words for a decision in the list of waiting and refused changes. */
export async function decisionTitle(decisionId: string): Promise<string> {
  const decision = await db().decisions.get(decisionId);
  if (!decision) return 'A signed decision';
  const firstId = decision.evidenceIds[0];
  const item = firstId ? await db().evidence.get(firstId) : undefined;
  const about = item ? itemTitle(item) : 'an item';
  const learner = decision.learnerId !== decision.signer.userId ? (await db().profile.get(decision.learnerId))?.name : undefined;
  const forWhom = learner ? ` (${learner})` : '';
  switch (decision.kind) {
    case 'assessment':
      return `${decision.outcome === 'accepted' ? 'Sign-off' : decision.outcome === 'referred' ? 'Referral' : 'Reopening'} of ${about}${forWhom}`;
    case 'declaration':
      return `Declaration of authenticity, ${decision.evidenceIds.length} ${decision.evidenceIds.length === 1 ? 'item' : 'items'}${forWhom}`;
    case 'iqa':
      return `IQA ${decision.outcome === 'agreed' ? 'agreement' : 'action'} on the sign-off of ${about}${forWhom}`;
    case 'unit': {
      const enrolment = await db().enrolments.get(decision.enrolmentId);
      const spec = enrolment ? await qualificationVersion(enrolment.qualificationId, enrolment.qualificationVersion) : null;
      const unit = spec?.units.find((u) => u.id === decision.unitId);
      return `Sign-off of the unit ${unit ? `“${unit.title}”` : decision.unitId ?? ''}${forWhom}`;
    }
    case 'qualification':
      return `Sign-off of the qualification${forWhom}`;
  }
}
