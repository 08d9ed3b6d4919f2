import { z } from 'zod';
import type { AssessmentMethodId } from '../../src/domain/assessment-methods';
import { Enrolment, LearnerProfile } from '../../src/domain/enrolment';
import { Evidence, EvidenceContent, EvidenceKind, EvidenceStatus, QuestionAnswer, RecordedBy, WitnessDetails } from '../../src/domain/evidence';
import { FieldConflict } from '../../src/domain/sync';
import type { Data } from './merge';

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

/**
 * What a device may send for evidence: any subset of these, nothing else. The content fields that
 * have defaults in the domain schema are restated without them: a partial patch must never fill
 * in a field the device did not send (an assessor's edit of a title would otherwise reset the
 * item's kind to 'learner'). iqaLock is the centre's alone and is never accepted from a device.
 */
export const EvidencePatch = EvidenceContent.extend({
  kind: EvidenceKind,
  questions: z.array(QuestionAnswer).max(200),
  witness: WitnessDetails.nullable(),
})
  .partial()
  .extend({
    recordedBy: RecordedBy.nullable(),
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

/**
 * The assessment method each assessor-recorded kind is: the item's method must match it, so the
 * mapping and the progress views never disagree about how the evidence was assessed.
 */
export const METHOD_OF_KIND: Record<Exclude<EvidenceKind, 'learner'>, AssessmentMethodId> = {
  observation: 'observation',
  'professional-discussion': 'professional-discussion',
  questioning: 'questioning',
  'witness-testimony': 'witness-testimony',
};

/** Plain words for an item's kind, for refusals. */
export const KIND_WORDS: Record<EvidenceKind, string> = {
  learner: 'evidence item',
  observation: 'observation',
  'professional-discussion': 'professional discussion',
  questioning: 'questioning record',
  'witness-testimony': 'witness testimony',
};

/** The assessor who recorded an item, or null for the learner's own. */
export function recordedByOf(data: Data): RecordedBy | null {
  const parsed = RecordedBy.nullable().safeParse(data.recordedBy ?? null);
  return parsed.success ? parsed.data : null;
}

/** Items stored before kinds existed are the learner's own. */
export function kindOf(data: Data): EvidenceKind {
  const parsed = EvidenceKind.safeParse(data.kind ?? 'learner');
  return parsed.success ? parsed.data : 'learner';
}

/** "an observation", "a witness testimony"; capitalised to start a sentence. */
export function aKind(kind: EvidenceKind, startOfSentence = false): string {
  const words = KIND_WORDS[kind];
  const article = /^[aeiou]/.test(words) ? 'an' : 'a';
  return `${startOfSentence ? article[0]!.toUpperCase() + article.slice(1) : article} ${words}`;
}

/** Set once when a record is made; a later change that names another value is refused. */
export const IMMUTABLE_FIELDS = {
  evidence: new Set(['id', 'enrolmentId', 'createdAt']),
  enrolment: new Set(['id', 'learnerId', 'createdAt']),
  profile: new Set(['id']),
  // Never updated at all (authorise refuses every change of a decision); listed for completeness.
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
