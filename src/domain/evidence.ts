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
  return { title: '', narrative: '', activityDate: null, method: null, hours: 0, offTheJob: false, attachments: [], criterionIds: [] };
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
