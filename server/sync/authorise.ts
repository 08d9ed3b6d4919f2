import { z } from 'zod';
import type { EvidenceStatus } from '../../src/domain/evidence';
import type { Mutation, SyncEntity } from '../../src/domain/sync';
import type { Caller } from '../context';
import type { Sql } from '../db/database';
import { activeEnrolmentOn } from '../enrolments';
import { readRecord, type StoredRecord } from '../records';
import {
  EnrolmentPatch,
  EvidencePatch,
  fieldName,
  IMMUTABLE_FIELDS,
  invalidMessage,
  LEARNER_ENROLMENT_FIELDS,
  LOCKED_STATUSES,
  ProfilePatch,
} from './entities';
import { sameValue, type Data } from './merge';
import { isRefusal, refusal, validateEnrolment, validateEvidence, validateProfile, type Refusal } from './validate';

/**
 * Who may write what through sync. Only learners write from devices for now, and only their own
 * records: their profile (name, employer), their enrolment's plan (optional units, planned end,
 * off-the-job hours) and the evidence in their own enrolments. Assessor, IQA and admin decisions
 * arrive through their own routes in a later version.
 */

export interface SyncContext {
  caller: Caller;
  /** The centre's today (YYYY-MM-DD), for registration rules. */
  today: string;
  newId: () => string;
}

/** A refusal that may carry the centre's record, so the device can keep its text and show the truth. */
export interface Refused extends Refusal {
  record?: StoredRecord;
}

export interface CreatePermit {
  kind: 'create';
  centreId: string;
  learnerId: string;
  /** The whole record, validated. */
  data: Data;
  deleted: boolean;
}

export interface UpdatePermit {
  kind: 'update';
  /** Fields to merge: only those the caller may change, immutable fields already checked and dropped. */
  patch: Data;
  /** The status the item moves to (server-authoritative, never merged); null when unchanged. */
  status: EvidenceStatus | null;
  /** The device's time of the edit; kept as the record's updatedAt when it is the latest. */
  updatedAt: string | null;
}

export type Permit = CreatePermit | UpdatePermit;

const OTHER_ROLES_MESSAGE: Record<Exclude<Caller['role'], 'learner'>, string> = {
  assessor:
    'Assessors cannot change records from a device yet: assessment decisions will come in a later version of the app. Your change is still on this device.',
  iqa: 'IQAs cannot change records from a device yet: sampling decisions will come in a later version of the app. Your change is still on this device.',
  admin: 'Admins change users and enrolments on the admin screens, not through device sync. Your change is still on this device.',
};

const EvidenceId = z.string().uuid();

const ENTITY_NAMES: Record<SyncEntity, string> = { profile: 'profile', enrolment: 'enrolment', evidence: 'evidence item', decision: 'decision' };

export async function authorise(tx: Sql, ctx: SyncContext, m: Mutation, current: StoredRecord | null): Promise<Refused | Permit> {
  const { caller } = ctx;
  if (caller.role !== 'learner') return refusal('forbidden', OTHER_ROLES_MESSAGE[caller.role]);
  if (current && (current.learnerId !== caller.userId || current.centreId !== caller.centreId))
    // No record in the answer: it is someone else's.
    return refusal('forbidden', `This ${ENTITY_NAMES[m.entity]} belongs to someone else: you can only change your own.`);
  if (!current && (m.op === 'delete' || m.baseRevision > 0))
    return refusal('not-found', `The centre has no ${ENTITY_NAMES[m.entity]} ${m.recordId}: it may have been removed.`);

  switch (m.entity) {
    case 'profile':
      return authoriseProfile(ctx, m, current);
    case 'enrolment':
      return authoriseEnrolment(tx, ctx, m, current);
    case 'evidence':
      return authoriseEvidence(tx, ctx, m, current);
    case 'decision':
      return refusal('forbidden', 'Signed decisions are not accepted by this centre yet.');
  }
}

function parsePatch<S extends z.ZodType<Data>>(schema: S, m: Mutation): Refused | Data {
  const parsed = schema.safeParse(m.patch);
  if (!parsed.success) return refusal('invalid', invalidMessage(parsed.error));
  return { ...parsed.data };
}

/**
 * Fields set once: on a create `id` must match the record, and on an update a field that repeats
 * the stored value is dropped (devices resend whole records) while one that differs is refused.
 */
function checkImmutable(m: Mutation, patch: Data, current: StoredRecord | null): Refused | null {
  if ('id' in patch && patch.id !== m.recordId) return refusal('invalid', `The change is for ${m.recordId} but carries the id ${String(patch.id)}.`);
  delete patch.id;
  if (!current) return null;
  for (const field of IMMUTABLE_FIELDS[m.entity]) {
    if (field === 'id' || !(field in patch)) continue;
    if (!sameValue(patch[field], current.data[field]))
      return refusal('forbidden', `The ${fieldName(field)} of an ${ENTITY_NAMES[m.entity]} cannot be changed once it is made.`);
    delete patch[field];
  }
  return null;
}

/** Splits off updatedAt, which is bookkeeping rather than content: it is never a conflict. */
function takeUpdatedAt(patch: Data): string | null {
  const at = typeof patch.updatedAt === 'string' ? patch.updatedAt : null;
  delete patch.updatedAt;
  return at;
}

function authoriseProfile(ctx: SyncContext, m: Mutation, current: StoredRecord | null): Refused | Permit {
  // A learner's profile is kept under their user id (server/profiles.ts), one per learner.
  if (m.recordId !== ctx.caller.userId)
    return refusal('forbidden', 'You can only change your own profile, which the centre keeps under your account.');
  if (m.op === 'delete') return refusal('forbidden', 'Your profile cannot be deleted from a device: ask your centre.');
  if (current?.deleted) return { ...refusal('not-found', 'Your centre has closed this learner profile.'), record: current };
  const patch = parsePatch(ProfilePatch, m);
  if (isRefusal(patch)) return patch;
  const immutable = checkImmutable(m, patch, current);
  if (immutable) return immutable;
  if (!current) {
    const { conflicts: _ignored, ...fields } = patch;
    const valid = validateProfile(fields, false, true);
    if (isRefusal(valid)) return valid;
    return { kind: 'create', centreId: ctx.caller.centreId, learnerId: ctx.caller.userId, ...valid };
  }
  const updatedAt = takeUpdatedAt(patch);
  return { kind: 'update', patch, status: null, updatedAt };
}

async function authoriseEnrolment(tx: Sql, ctx: SyncContext, m: Mutation, current: StoredRecord | null): Promise<Refused | Permit> {
  const { caller } = ctx;
  if (m.op === 'delete') return refusal('forbidden', 'Only your centre can withdraw an enrolment.');
  if (current?.deleted) return { ...refusal('not-found', 'This enrolment was withdrawn by your centre, so it can no longer be changed.'), record: current };
  const patch = parsePatch(EnrolmentPatch, m);
  if (isRefusal(patch)) return patch;
  const immutable = checkImmutable(m, patch, current);
  if (immutable) return immutable;

  if (!current) {
    if ('learnerId' in patch && patch.learnerId !== caller.userId) return refusal('forbidden', 'You can only enrol yourself.');
    const { conflicts: _ignored, ...fields } = patch;
    const valid = await validateEnrolment(tx, m.recordId, { ...fields, learnerId: caller.userId }, ctx.today);
    if (isRefusal(valid)) return valid;
    const qualificationId = String(valid.data.qualificationId);
    if (await activeEnrolmentOn(tx, caller.userId, qualificationId))
      return refusal('invalid', `You are already enrolled on ${qualificationId}. To change that enrolment, edit it; to start again, ask your centre.`);
    return { kind: 'create', centreId: caller.centreId, learnerId: caller.userId, ...valid };
  }

  // Devices send the whole enrolment on every save: fields repeating the centre's value are
  // dropped, and only the learner's planning fields may differ.
  for (const [field, value] of Object.entries(patch)) {
    if (LEARNER_ENROLMENT_FIELDS.has(field) || field === 'updatedAt' || field === 'conflicts') continue;
    if (!sameValue(value, current.data[field]))
      return refusal('forbidden', `Only your centre can change the ${fieldName(field)} of an enrolment.`);
    delete patch[field];
  }
  const updatedAt = takeUpdatedAt(patch);
  return { kind: 'update', patch, status: null, updatedAt };
}

async function authoriseEvidence(tx: Sql, ctx: SyncContext, m: Mutation, current: StoredRecord | null): Promise<Refused | Permit> {
  const { caller } = ctx;
  const currentStatus = current ? String(current.data.status) : null;
  if (current && currentStatus && LOCKED_STATUSES.has(currentStatus))
    return {
      ...refusal(
        'locked',
        `This evidence has been ${currentStatus === 'signed-off' ? 'signed off' : 'accepted'} by your assessor, so it can no longer be changed. Your version is kept on this device as a new draft.`,
      ),
      record: current,
    };
  const patch = parsePatch(EvidencePatch, m);
  if (isRefusal(patch)) return patch;
  if (m.op === 'delete' && typeof patch.deletedAt !== 'string')
    return refusal('invalid', 'A delete must carry the time the item was deleted (deletedAt).');
  const immutable = checkImmutable(m, patch, current);
  if (immutable) return immutable;

  if (!current) {
    // Evidence ids are UUIDs made on the device (the domain schema says so); the centre keys on them.
    if (!EvidenceId.safeParse(m.recordId).success) return refusal('invalid', `Evidence ids are UUIDs; ${m.recordId} is not one.`);
    const status = patch.status ?? 'draft';
    if (status !== 'draft' && status !== 'submitted')
      return refusal('forbidden', 'New evidence starts as a draft or submitted: only your assessor can accept, refer or sign it off.');
    const enrolmentId = typeof patch.enrolmentId === 'string' ? patch.enrolmentId : '';
    const enrolment = enrolmentId ? await readRecord(tx, 'enrolment', enrolmentId) : null;
    if (!enrolment || enrolment.deleted || enrolment.learnerId !== caller.userId || enrolment.centreId !== caller.centreId)
      return refusal('not-found', `Evidence can only be added to your own enrolment, and the centre has no enrolment ${enrolmentId || '(none given)'} of yours.`);
    const valid = validateEvidence({ ...patch, status, conflicts: [] }, status === 'submitted');
    if (isRefusal(valid)) return valid;
    return { kind: 'create', centreId: enrolment.centreId, learnerId: enrolment.learnerId, ...valid };
  }

  // Status is the centre's: a learner may only hand a draft or referred item in.
  let status: EvidenceStatus | null = null;
  if ('status' in patch) {
    const wanted = patch.status as EvidenceStatus;
    if (wanted !== currentStatus) {
      if (wanted !== 'submitted' || (currentStatus !== 'draft' && currentStatus !== 'referred'))
        return refusal('forbidden', `Only your assessor can change this evidence from ${currentStatus} to ${wanted}.`);
      status = wanted;
    }
    delete patch.status;
  }
  const updatedAt = takeUpdatedAt(patch);
  return { kind: 'update', patch, status, updatedAt };
}
