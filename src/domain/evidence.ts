import { z } from 'zod';
import { AssessmentMethod } from './assessment-methods';
import { IsoDate } from './qualification';
import { FieldConflict } from './sync';

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'Not a SHA-256 hash');

export const EvidenceStatus = z.enum(['draft', 'submitted', 'accepted', 'referred', 'signed-off']);
export type EvidenceStatus = z.infer<typeof EvidenceStatus>;

export const AttachmentRef = z.object({
  /** SHA-256 of the bytes, hex: the key of the attachment Blob. */
  id: Sha256Hex,
  name: z.string().min(1).max(255),
  type: z.string().max(255),
  size: z.number().int().nonnegative(),
});
export type AttachmentRef = z.infer<typeof AttachmentRef>;

/** Who made the item: the learner, or an assessor recording what they saw, asked or were told. */
export const EvidenceKind = z.enum(['learner', 'observation', 'professional-discussion', 'questioning', 'witness-testimony']);
export type EvidenceKind = z.infer<typeof EvidenceKind>;

/** A drawn signature (touch or stylus) as a PNG data URL: what people expect to see signed. */
export const DrawnSignature = z
  .string()
  .max(400_000, 'The drawn signature is too large')
  .regex(/^data:image\/png;base64,[A-Za-z0-9+/=]+$/, 'A drawn signature is a PNG image');
export type DrawnSignature = z.infer<typeof DrawnSignature>;

export const QuestionAnswer = z.object({
  question: z.string().max(5_000),
  answer: z.string().max(20_000),
});
export type QuestionAnswer = z.infer<typeof QuestionAnswer>;

/** A witness's statement is the narrative; this is who they are and their signature, drawn on the assessor's tablet. */
export const WitnessDetails = z.object({
  name: z.string().max(200),
  jobTitle: z.string().max(200),
  /** How the witness knows the learner's work (e.g. line manager for 8 months). */
  relationship: z.string().max(500),
  signature: DrawnSignature.nullable(),
  signedAt: z.string().nullable(),
});
export type WitnessDetails = z.infer<typeof WitnessDetails>;

/** The user who recorded an assessor-made item (observation, discussion, questioning, witness testimony). */
export const RecordedBy = z.object({ userId: z.string(), name: z.string(), role: z.enum(['learner', 'assessor', 'iqa', 'admin']) });
export type RecordedBy = z.infer<typeof RecordedBy>;

/** The content a learner writes: everything that is editable and kept in history. */
export const EvidenceContent = z.object({
  title: z.string().max(300),
  narrative: z.string().max(100_000),
  activityDate: IsoDate.nullable(),
  method: AssessmentMethod.nullable(),
  hours: z.number().min(0, 'Hours cannot be negative').max(1000, 'That is more than 1,000 hours'),
  offTheJob: z.boolean(),
  attachments: z.array(AttachmentRef),
  /** Ids of qualification criteria and ICTTech competences this item evidences. */
  criterionIds: z.array(z.string()),
  kind: EvidenceKind.default('learner'),
  /** Questioning: the questions asked and the learner's answers. */
  questions: z.array(QuestionAnswer).max(200).default([]),
  /** Witness testimony only. */
  witness: WitnessDetails.nullable().default(null),
});
export type EvidenceContent = z.infer<typeof EvidenceContent>;

export const Evidence = EvidenceContent.extend({
  /** UUIDv7 made on the device, so ids sort by creation and never clash between devices. */
  id: z.string().uuid(),
  enrolmentId: z.string().min(1),
  status: EvidenceStatus,
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
  /** Server revision this copy is based on; 0 until the centre has seen it. */
  serverRevision: z.number().int().nonnegative(),
  /** 1 when the device holds changes the centre has not yet acknowledged (indexable, unlike a boolean). */
  dirty: z.union([z.literal(0), z.literal(1)]),
  /** Text that lost an overlapping edit from another device, kept until the user resolves it. */
  conflicts: z.array(FieldConflict).default([]),
  /** Set for assessor-recorded items; null when the learner made it. */
  recordedBy: RecordedBy.nullable().default(null),
  /**
   * Set by the centre when an IQA agreed with the item's sign-off: the assessor can no longer
   * reopen it until an admin unlocks it (with a reason, in the audit log).
   */
  iqaLock: z.object({ decisionId: z.string(), at: z.string() }).nullable().default(null),
});
export type Evidence = z.infer<typeof Evidence>;

/** What a learner must have filled in before an item can be submitted for assessment. */
export const SubmittableEvidence = EvidenceContent.extend({
  title: z.string().trim().min(1, 'Give the evidence a title'),
  narrative: z.string().trim().min(1, 'Describe what you did and what you learned'),
  activityDate: IsoDate.nullable().refine((d) => d !== null, 'Enter the date of the activity'),
  method: AssessmentMethod.nullable().refine((m) => m !== null, 'Choose how this evidence was assessed'),
  criterionIds: z.array(z.string()).min(1, 'Map the evidence to at least one criterion'),
});

export function emptyEvidenceContent(): EvidenceContent {
  return {
    title: '',
    narrative: '',
    activityDate: null,
    method: null,
    hours: 0,
    offTheJob: false,
    attachments: [],
    criterionIds: [],
    kind: 'learner',
    questions: [],
    witness: null,
  };
}

export const EvidenceHistoryAction = z.enum(['created', 'edited', 'submitted', 'deleted', 'restored']);
export type EvidenceHistoryAction = z.infer<typeof EvidenceHistoryAction>;

/** One entry in an item's visible history. Edits in one sitting coalesce into one entry. */
export const EvidenceHistoryEntry = z.object({
  id: z.string(),
  evidenceId: z.string(),
  action: EvidenceHistoryAction,
  at: z.string(),
  /** Last write of this entry: coalesced edits keep `at` as their start. */
  until: z.string(),
  /** Names of the content fields this entry changed. */
  fields: z.array(z.string()),
  /** Content before this entry, so any earlier version can be seen and restored. */
  before: EvidenceContent.nullable(),
  deviceId: z.string(),
});
export type EvidenceHistoryEntry = z.infer<typeof EvidenceHistoryEntry>;
