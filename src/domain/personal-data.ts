import { z } from 'zod';
import { AuditEntry } from './audit';
import { IsoDate } from './qualification';
import { SampleRequirement, SamplingPlanSummary } from './sampling';

/**
 * Personal data (UK GDPR): a learner's subject-access export (Art. 15) and their erasure by an
 * admin once the centre's retention period is over (Art. 17, with the awarding body's retention
 * rule as the lawful reason to keep the records until then). Shared by the centre
 * (server/personal-data/) and the screens, so the ZIP a learner downloads and the erasure an
 * admin asks for are checked with the same code on both sides.
 */

// ---------- Retention ----------

/**
 * City & Guilds expects centres to keep learners' assessment records for at least three years
 * after certification (or after the learner left). The centre's rule, stated once here:
 *
 *   A learner may be erased once `retentionYears` (default 3, never less) have passed since the
 *   latest of: the planned end date of any of their enrolments, the last change the centre
 *   recorded to any of their records (a qualification sign-off, which is certification, is one),
 *   the last time one of their devices was seen, and the day their account was made.
 *
 * The latest, not the earliest: a learner still working, or certificated late, restarts the clock.
 */
export const DEFAULT_RETENTION_YEARS = 3;
export const MIN_RETENTION_YEARS = 3;
export const MAX_RETENTION_YEARS = 50;

export const RetentionYears = z
  .number()
  .int('Give the retention period in whole years')
  .min(MIN_RETENTION_YEARS, `City & Guilds expects records to be kept for at least ${MIN_RETENTION_YEARS} years`)
  .max(MAX_RETENTION_YEARS, `At most ${MAX_RETENTION_YEARS} years`);

/** What started the retention clock, as the admin screen and the refusal name it. */
export const RetentionBasis = z.enum(['planned-end', 'last-change', 'last-seen', 'account-created']);
export type RetentionBasis = z.infer<typeof RetentionBasis>;

export const RETENTION_BASIS_WORDS: Record<RetentionBasis, string> = {
  'planned-end': 'the planned end date of their last enrolment',
  'last-change': 'the last change to their records (assessment, sign-off or evidence)',
  'last-seen': 'the last time one of their devices synced',
  'account-created': 'the day their account was made',
};

/** Adds whole calendar years to a UTC instant (29 February becomes 1 March). */
export function addYears(at: Date, years: number): Date {
  const next = new Date(at.getTime());
  next.setUTCFullYear(next.getUTCFullYear() + years);
  return next;
}

/** GET /api/personal-data/learners/:id/erasure: whether the learner may be erased yet, and from when. */
export const ErasureStatus = z.object({
  learnerId: z.string().uuid(),
  name: z.string(),
  retentionYears: RetentionYears,
  /** The instant the retention clock started, and what it was. */
  retentionFrom: z.string(),
  basis: RetentionBasis,
  /** The first day (UTC) an erasure is accepted. */
  erasableFrom: IsoDate,
  erasable: z.boolean(),
  /** What an erasure would remove, so the admin sees the size of it before confirming. */
  holds: z.object({
    records: z.number().int().nonnegative(),
    files: z.number().int().nonnegative(),
    sessions: z.number().int().nonnegative(),
  }),
});
export type ErasureStatus = z.infer<typeof ErasureStatus>;

/**
 * POST /api/personal-data/learners/:id/erase. The reason is kept in the audit log after the
 * learner is gone, so it must not name them: the centre refuses a reason holding their name or
 * email. `confirmName` is the learner's name typed by the admin, a second check that the right
 * person is being erased.
 */
export const EraseLearnerRequest = z.object({
  reason: z.string().trim().min(10, 'Give the reason for the erasure in at least 10 characters').max(500, 'Keep the reason under 500 characters'),
  confirmName: z.string().trim().min(1, 'Type the learner’s name to confirm').max(200),
});
export type EraseLearnerRequest = z.infer<typeof EraseLearnerRequest>;

export const ErasureResult = z.object({
  /** The learner's id, now an opaque id that names nobody. */
  learnerId: z.string().uuid(),
  erasedAt: z.string(),
  records: z.number().int().nonnegative(),
  versions: z.number().int().nonnegative(),
  filesDeleted: z.number().int().nonnegative(),
  /** Files whose bytes another learner's evidence also holds: kept for them, no longer linked to this learner. */
  filesKept: z.number().int().nonnegative(),
  sessions: z.number().int().nonnegative(),
  signingKeys: z.number().int().nonnegative(),
  auditEntriesRedacted: z.number().int().nonnegative(),
});
export type ErasureResult = z.infer<typeof ErasureResult>;

// ---------- Subject-access export ----------

export const SUBJECT_ACCESS_FORMAT = 'ict-portfolio-subject-access';
export const SUBJECT_ACCESS_VERSION = 1;

/** A synced record with every revision the centre keeps of it. */
export const HeldRecord = z.object({
  entity: z.enum(['profile', 'enrolment', 'evidence', 'decision']),
  id: z.string(),
  revision: z.number().int().positive(),
  deleted: z.boolean(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  versions: z.array(
    z.object({
      revision: z.number().int().positive(),
      at: z.string(),
      byUser: z.string().nullable(),
      deviceId: z.string().nullable(),
      deleted: z.boolean(),
      data: z.record(z.string(), z.unknown()),
    }),
  ),
});
export type HeldRecord = z.infer<typeof HeldRecord>;

/** The sections of the export: each is one JSON file of the ZIP, named as the key with `.json`. */
export const SubjectAccessExport = z.object({
  about: z.object({
    format: z.literal(SUBJECT_ACCESS_FORMAT),
    version: z.literal(SUBJECT_ACCESS_VERSION),
    exportedAt: z.string(),
    exportedBy: z.object({ userId: z.string(), name: z.string(), role: z.string() }),
    centre: z.object({ id: z.string(), name: z.string() }),
    learnerId: z.string(),
    retention: z.object({ years: RetentionYears, rule: z.string() }),
  }),
  /** The account, without its password hash (never exported: it is not data about the person but a lock). */
  account: z.object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.string(),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
  }),
  /** Assessors with the learner on their caseload. */
  assessors: z.array(z.object({ id: z.string(), name: z.string() })),
  profile: z.array(HeldRecord),
  enrolments: z.array(HeldRecord),
  /** Every evidence item with its criteria (mappings), files and full history, deleted drafts included. */
  evidence: z.array(HeldRecord),
  /** Every signed decision about the learner's work: assessments, sign-offs, declarations, IQA decisions. */
  decisions: z.array(HeldRecord),
  /** IQA sampling plans whose current sample holds one of the learner's assessed items, with those picks only. */
  iqaSamples: z.array(
    z.object({
      plan: SamplingPlanSummary.omit({ seed: true }),
      picks: z.array(z.object({ decisionId: z.string(), evidenceId: z.string(), signedAt: z.string(), satisfies: z.array(SampleRequirement) })),
    }),
  ),
  /** Every file held for the learner: its bytes are in files/ under its SHA-256. */
  attachments: z.array(
    z.object({ sha256: z.string(), size: z.number().int().nonnegative(), type: z.string(), storedAt: z.string(), names: z.array(z.string()), path: z.string() }),
  ),
  /** Devices that signed in as the learner (the token itself is never stored, only its hash, which is not exported). */
  sessions: z.array(
    z.object({
      id: z.string(),
      deviceId: z.string(),
      deviceLabel: z.string(),
      createdAt: z.string(),
      lastSeenAt: z.string(),
      expiresAt: z.string(),
      revokedAt: z.string().nullable(),
    }),
  ),
  signingKeys: z.array(
    z.object({ id: z.string(), publicKey: z.unknown(), name: z.string(), role: z.string(), createdAt: z.string(), revokedAt: z.string().nullable(), revokeReason: z.string().nullable() }),
  ),
  /** Refused sign-ins with the learner's email: when, and from which client address. */
  signInFailures: z.array(z.object({ at: z.string(), client: z.string() })),
  /** Changes the learner's devices sent, with the answer the centre gave each. */
  syncReceipts: z.array(z.object({ mutationId: z.string(), appliedAt: z.string(), result: z.unknown() })),
  /** Audit entries by the learner or about their account, records, devices, keys or email. */
  audit: z.array(AuditEntry),
});
export type SubjectAccessExport = z.infer<typeof SubjectAccessExport>;

export type SubjectAccessSection = keyof SubjectAccessExport;

/** The file each section goes to in the ZIP (kebab-case of the key). */
export function sectionFile(section: SubjectAccessSection): string {
  return `${section.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}.json`;
}

/** Where a file's bytes are in the ZIP. */
export function personalDataFilePath(sha256: string): string {
  return `files/${sha256}`;
}
