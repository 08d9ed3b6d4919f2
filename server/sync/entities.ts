import { z } from 'zod';
import { Enrolment, LearnerProfile } from '../../src/domain/enrolment';
import { Evidence, EvidenceContent, EvidenceStatus } from '../../src/domain/evidence';
import { FieldConflict } from '../../src/domain/sync';

/**
 * The shapes of synced records as the centre stores them in `records.data`: the domain object
 * without its id (that is the record's key) and without what only a device knows (its dirty
 * flag, the revision its copy is based on). Devices rebuild the domain object as
 * `{ id: record.id, ...record.data }`.
 */

/** More unresolved copies than this on one record is not a person's doing. */
const MAX_CONFLICT_COPIES = 500;

/** Evidence as stored: validated with the domain schema, so a device can never store what the app could not read. */
export const StoredEvidence = Evidence.omit({ id: true, serverRevision: true, dirty: true });
export type StoredEvidence = z.infer<typeof StoredEvidence>;

/** What a learner's device may send for evidence: any subset of these, nothing else. */
export const EvidencePatch = EvidenceContent.partial()
  .extend({
    id: z.string(),
    enrolmentId: z.string().min(1),
    status: EvidenceStatus,
    createdAt: z.string(),
    updatedAt: z.string(),
    deletedAt: z.string().nullable(),
    /** The device's list after the user resolved some conflict copies. */
    conflicts: z.array(FieldConflict).max(MAX_CONFLICT_COPIES),
  })
  .partial()
  .strict();

export const EnrolmentPatch = z
  .object({ ...Enrolment.shape, conflicts: z.array(FieldConflict).max(MAX_CONFLICT_COPIES) })
  .partial()
  .strict();

export const ProfilePatch = z
  .object({
    id: z.string(),
    name: LearnerProfile.shape.name,
    employer: LearnerProfile.shape.employer,
    updatedAt: z.string(),
    conflicts: z.array(FieldConflict).max(MAX_CONFLICT_COPIES),
  })
  .partial()
  .strict();

/** Free text where, on overlap, the centre's text stays and the device's becomes a conflict copy. */
export const TEXT_FIELDS: ReadonlySet<string> = new Set(['title', 'narrative']);

/** Fields a learner may change on an enrolment; the rest are the centre's (registration, dates). */
export const LEARNER_ENROLMENT_FIELDS: ReadonlySet<string> = new Set(['optionalUnitIds', 'plannedOffTheJobHoursPerWeek', 'plannedEndDate']);

/** Evidence statuses after which the item is the assessor's: frozen for the learner. */
export const LOCKED_STATUSES: ReadonlySet<string> = new Set(['accepted', 'signed-off']);

/** Set once when a record is made; a later change that names another value is refused. */
export const IMMUTABLE_FIELDS = {
  evidence: new Set(['id', 'enrolmentId', 'createdAt']),
  enrolment: new Set(['id', 'learnerId', 'createdAt']),
  profile: new Set(['id']),
  decision: new Set(['id']),
} as const;

const FIELD_NAMES: Record<string, string> = {
  qualificationId: 'qualification',
  qualificationVersion: 'qualification version',
  startDate: 'start (registration) date',
  learnerId: 'learner',
  enrolmentId: 'enrolment',
  createdAt: 'creation time',
};

export function fieldName(field: string): string {
  return FIELD_NAMES[field] ?? field;
}

/** The zod message a person can read, for a rejected mutation. */
export function invalidMessage(error: z.ZodError): string {
  return `The centre could not accept this change: ${z.prettifyError(error)}`;
}
