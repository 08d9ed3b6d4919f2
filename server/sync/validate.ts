import { z } from 'zod';
import { Enrolment, LearnerProfile } from '../../src/domain/enrolment';
import { SubmittableEvidence } from '../../src/domain/evidence';
import type { RejectReason } from '../../src/domain/sync';
import type { Sql } from '../db/database';
import { enrolmentProblem } from '../enrolments';
import { loadSpec } from '../specs';
import { aKind, invalidMessage, METHOD_OF_KIND, StoredEvidence } from './entities';
import type { Data } from './merge';

/**
 * The whole record after a change, checked with the same shared schemas the app uses, so the
 * centre never stores what a device could not read back. Runs on creates and on merged updates.
 */

export interface Refusal {
  reason: RejectReason;
  message: string;
}

export interface Valid {
  data: Data;
  deleted: boolean;
}

export function refusal(reason: RejectReason, message: string): Refusal {
  return { reason, message };
}

export function isRefusal(value: object): value is Refusal {
  return 'reason' in value;
}

// The checked values go over the record rather than replace it: fields another part of the
// centre keeps on a record (now or in a later version) are not stripped by a learner's edit.
// Patches are strict, so a device cannot add fields of its own this way.

export function validateEvidence(data: Data, submitting: boolean): Refusal | Valid {
  const parsed = StoredEvidence.safeParse(data);
  if (!parsed.success) return refusal('invalid', invalidMessage(parsed.error));
  const item = parsed.data;
  const problem = kindProblem(item, submitting);
  if (problem) return refusal('invalid', problem);
  if (submitting) {
    // The same check the app makes before it offers "Submit": the assessor never gets an empty item.
    const ready = SubmittableEvidence.safeParse(item);
    if (!ready.success)
      return refusal('invalid', `This evidence cannot be submitted yet: ${ready.error.issues.map((i) => i.message).join('; ')}.`);
  }
  return { data: { ...data, ...item }, deleted: item.deletedAt !== null };
}

/** What makes an item's kind consistent: who recorded it, its method, and a witness's details. */
function kindProblem(item: StoredEvidence, submitting: boolean): string | null {
  if (item.kind === 'learner') {
    if (item.recordedBy !== null) return 'A learner’s own evidence is not recorded by an assessor.';
  } else {
    if (item.recordedBy === null) return `${aKind(item.kind, true)} must name the assessor who recorded it.`;
    if (item.method !== null && item.method !== METHOD_OF_KIND[item.kind])
      return `${aKind(item.kind, true)} is assessed by ${METHOD_OF_KIND[item.kind].replace(/-/g, ' ')}, not ${item.method.replace(/-/g, ' ')}.`;
  }
  if (item.kind !== 'witness-testimony' && item.witness !== null) return 'Only a witness testimony has witness details.';
  if (item.kind === 'witness-testimony' && submitting) {
    const w = item.witness;
    const missing = [
      !w?.name.trim() && 'the witness’s name',
      !w?.jobTitle.trim() && 'their job title',
      !w?.relationship.trim() && 'how they know the learner’s work',
      !w?.signature && 'their signature',
    ].filter((m): m is string => typeof m === 'string');
    if (missing.length > 0) return `This witness testimony cannot be submitted yet: add ${missing.join(', ')}.`;
  }
  return null;
}

/** An enrolment must satisfy the shared schema and the rules of the spec version it names. */
export async function validateEnrolment(tx: Sql, id: string, data: Data, today: string): Promise<Refusal | Valid> {
  const { conflicts: _conflicts, ...fields } = data;
  const parsed = Enrolment.safeParse({ ...fields, id });
  if (!parsed.success) return refusal('invalid', invalidMessage(parsed.error));
  const enrolment = parsed.data;
  const spec = await loadSpec(tx, enrolment.qualificationId, enrolment.qualificationVersion);
  const problem = enrolmentProblem(spec, enrolment, today);
  if (problem) return refusal('invalid', problem.message);
  const { id: _id, ...checked } = enrolment;
  return { data: { ...data, ...checked }, deleted: false };
}

const CompleteProfile = z.object({ name: LearnerProfile.shape.name, employer: LearnerProfile.shape.employer });
// A profile the centre made (an admin adding a learner) starts with an empty employer; an edit of
// the name alone must not be refused for it. The fields a device sends are checked in ProfilePatch.
const StoredProfile = z.object({ name: z.string().max(200), employer: z.string().max(200) });

export function validateProfile(data: Data, deleted: boolean, creating: boolean): Refusal | Valid {
  const parsed = (creating ? CompleteProfile : StoredProfile).safeParse(data);
  if (!parsed.success) return refusal('invalid', invalidMessage(parsed.error));
  return { data: { ...data, ...parsed.data }, deleted };
}
