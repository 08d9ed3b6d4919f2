import { z } from 'zod';
import type { EvidenceKind, EvidenceStatus, RecordedBy } from '../../src/domain/evidence';
import type { Mutation, SyncEntity } from '../../src/domain/sync';
import type { Caller } from '../context';
import type { Sql } from '../db/database';
import { activeEnrolmentOn } from '../enrolments';
import { readRecord, type StoredRecord } from '../records';
import { canReadLearner } from '../scope';
import { authoriseDecision } from './decisions';
import {
  aKind,
  EnrolmentPatch,
  EvidencePatch,
  fieldName,
  IMMUTABLE_FIELDS,
  invalidMessage,
  KIND_WORDS,
  kindOf,
  LEARNER_ENROLMENT_FIELDS,
  LOCKED_STATUSES,
  METHOD_OF_KIND,
  ProfilePatch,
  recordedByOf,
} from './entities';
import { sameValue, type Data } from './merge';
import { isRefusal, refusal, validateEnrolment, validateEvidence, validateProfile, type Refusal } from './validate';

/**
 * Who may write what through sync:
 *   learner:  their own profile (name, employer), their enrolment's plan (optional units, planned
 *             end, off-the-job hours), their own evidence (kind 'learner') in their enrolments,
 *             and their declarations of authenticity;
 *   assessor: the evidence they record (observation, professional discussion, questioning,
 *             witness testimony) in their caseload learners' enrolments, and signed decisions;
 *   iqa:      signed sampling decisions;
 *   admin:    nothing: admins work on the admin screens and never sign.
 * Decisions are checked in decisions.ts.
 */

export interface SyncContext {
  caller: Caller;
  /** The centre's today (YYYY-MM-DD), for registration rules. */
  today: string;
  /** The centre's clock: a decision dated ahead of it is refused. */
  now: Date;
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
  /** Other records the change rewrites in the same transaction (a decision's effect on evidence). */
  effects?: RecordEffect[];
  /** The audit entry's action and detail when the generic "sync.<entity>.create" says too little. */
  audit?: { action: string; detail: Record<string, unknown> };
}

/** A record the centre rewrites as the consequence of an accepted change, audited as `action`. */
export interface RecordEffect {
  entity: SyncEntity;
  id: string;
  centreId: string;
  learnerId: string;
  /** The whole record after the effect, validated. */
  data: Data;
  action: string;
  detail: Record<string, unknown>;
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
    'Profiles and enrolments are changed by the learner and the centre, not by assessors. You record evidence and sign decisions. Your change is still on this device.',
  iqa: 'IQAs sign sampling decisions; they do not change learners’ records. Your change is still on this device.',
  admin: 'Admins change users and enrolments on the admin screens, not through device sync. Your change is still on this device.',
};

const EvidenceId = z.string().uuid();

const ENTITY_NAMES: Record<SyncEntity, string> = { profile: 'profile', enrolment: 'enrolment', evidence: 'evidence item', decision: 'decision' };

export async function authorise(tx: Sql, ctx: SyncContext, m: Mutation, current: StoredRecord | null): Promise<Refused | Permit> {
  const { caller } = ctx;
  if (m.entity === 'decision') return authoriseDecision(tx, ctx, m, current);
  if (m.entity === 'evidence' && caller.role === 'assessor') return authoriseAssessorEvidence(tx, ctx, m, current);
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
  const recorder = current ? recordedByOf(current.data) : null;
  if (current && recorder)
    return refusal(
      'forbidden',
      `This ${KIND_WORDS[kindOf(current.data)]} was recorded by your assessor, ${recorder.name}: only they can change it. Tell them if something in it is wrong.`,
    );
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
  // Devices fill in the defaults (kind 'learner', nobody recorded it): only other values are refused.
  if (('kind' in patch && patch.kind !== 'learner') || ('recordedBy' in patch && patch.recordedBy !== null))
    return refusal(
      'forbidden',
      'Only an assessor can record an observation, a professional discussion, questioning or a witness testimony. Your own evidence is kept as your own.',
    );
  delete patch.recordedBy;

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
  delete patch.kind;

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

/**
 * An assessor's own items: observations, professional discussions, questioning and witness
 * testimonies they record in the enrolment of a learner on their caseload. The centre sets
 * recordedBy to the caller, so nobody records in another's name. They edit it until it is signed
 * off, as a draft or submitted; accepting, referring and signing off are signed decisions.
 */
async function authoriseAssessorEvidence(tx: Sql, ctx: SyncContext, m: Mutation, current: StoredRecord | null): Promise<Refused | Permit> {
  const { caller } = ctx;
  const me: RecordedBy = { userId: caller.userId, name: caller.name, role: 'assessor' };
  const currentStatus = current ? String(current.data.status) : null;
  if (current) {
    if (current.centreId !== caller.centreId || !(await canReadLearner(tx, caller, current.learnerId)))
      return refusal('forbidden', 'This evidence item belongs to a learner who is not on your caseload: you can only record evidence for your own learners.');
    const recorder = recordedByOf(current.data);
    if (!recorder)
      return refusal('forbidden', 'This is the learner’s own evidence: only they can change it. You assess it by accepting or referring it.');
    if (recorder.userId !== caller.userId)
      return refusal('forbidden', `This ${KIND_WORDS[kindOf(current.data)]} was recorded by ${recorder.name}: only they can change it.`);
    if (currentStatus && LOCKED_STATUSES.has(currentStatus))
      return {
        ...refusal('locked', `This ${KIND_WORDS[kindOf(current.data)]} has been signed off, so it can no longer be changed. Reopen your sign-off first if it must change. Your version is kept on this device as a new draft.`),
        record: current,
      };
  } else if (m.op === 'delete' || m.baseRevision > 0) {
    return refusal('not-found', `The centre has no evidence item ${m.recordId}: it may have been removed.`);
  }

  const patch = parsePatch(EvidencePatch, m);
  if (isRefusal(patch)) return patch;
  if (m.op === 'delete' && typeof patch.deletedAt !== 'string')
    return refusal('invalid', 'A delete must carry the time the item was deleted (deletedAt).');
  const immutable = checkImmutable(m, patch, current);
  if (immutable) return immutable;
  if ('recordedBy' in patch && (patch.recordedBy as RecordedBy | null)?.userId !== caller.userId)
    return refusal('forbidden', 'You can only record evidence in your own name.');
  delete patch.recordedBy;

  if (!current) {
    if (!EvidenceId.safeParse(m.recordId).success) return refusal('invalid', `Evidence ids are UUIDs; ${m.recordId} is not one.`);
    const kind = patch.kind as EvidenceKind | undefined;
    if (kind === undefined || kind === 'learner')
      return refusal(
        'forbidden',
        'Assessors record observations, professional discussions, questioning and witness testimonies. A learner’s own evidence is theirs to write.',
      );
    const status = patch.status ?? 'draft';
    if (status !== 'draft' && status !== 'submitted')
      return refusal('forbidden', 'An item you record starts as a draft or submitted: you accept and sign it off with a signed decision.');
    const enrolmentId = typeof patch.enrolmentId === 'string' ? patch.enrolmentId : '';
    const enrolment = enrolmentId ? await readRecord(tx, 'enrolment', enrolmentId) : null;
    // One answer for "no such enrolment" and "not your learner's": it says nothing about other learners.
    if (!enrolment || enrolment.deleted || enrolment.centreId !== caller.centreId || !(await canReadLearner(tx, caller, enrolment.learnerId)))
      return refusal(
        'forbidden',
        `You can only record evidence in the enrolment of a learner on your caseload, and enrolment ${enrolmentId || '(none given)'} is not one of theirs.`,
      );
    const method = patch.method ?? METHOD_OF_KIND[kind];
    const valid = validateEvidence({ ...patch, method, status, recordedBy: me, conflicts: [] }, status === 'submitted');
    if (isRefusal(valid)) return valid;
    return { kind: 'create', centreId: enrolment.centreId, learnerId: enrolment.learnerId, ...valid };
  }

  if ('kind' in patch && patch.kind !== kindOf(current.data))
    return refusal('forbidden', `${aKind(kindOf(current.data), true)} cannot become another kind of evidence: record a new item instead.`);
  delete patch.kind;
  let status: EvidenceStatus | null = null;
  if ('status' in patch) {
    const wanted = patch.status as EvidenceStatus;
    if (wanted !== currentStatus) {
      if (wanted !== 'draft' && wanted !== 'submitted')
        return refusal('forbidden', `An item moves to ${wanted} only through a signed decision, not by editing it.`);
      status = wanted;
    }
    delete patch.status;
  }
  const updatedAt = takeUpdatedAt(patch);
  return { kind: 'update', patch, status, updatedAt };
}
