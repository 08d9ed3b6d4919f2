import { z } from 'zod';

/**
 * The centre's audit trail as GET /api/audit answers it: who did what to which record, when, and
 * from which device. Newest first, a page at a time.
 */

export const MAX_AUDIT_PAGE = 200;

export const AuditQuery = z
  .object({
    /** Every entry about one learner's records (profile, enrolments, evidence, decisions). */
    learnerId: z.string().uuid('That learner id is not a valid UUID').optional(),
    /** Every entry about one record. */
    recordId: z.string().min(1).max(100).optional(),
    /** The `next` of the previous page. */
    before: z.string().regex(/^\d{1,18}$/, 'The page cursor is a whole number').optional(),
    limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(50),
  })
  .strict()
  .refine((q) => (q.learnerId === undefined) !== (q.recordId === undefined), { message: 'Ask for one learner (learnerId) or one record (recordId)' });
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditEntry = z.object({
  id: z.string(),
  at: z.string(),
  /** Null for what the centre did by itself (seeding) or a refused sign-in. */
  user: z.object({ id: z.string(), name: z.string(), role: z.string() }).nullable(),
  deviceId: z.string().nullable(),
  /** The label the device gave when it signed in, where the centre knows it. */
  deviceLabel: z.string().nullable(),
  action: z.string(),
  entity: z.string().nullable(),
  recordId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditPage = z.object({
  entries: z.array(AuditEntry),
  /** Pass as `before` for the next (older) page; null when there is none. */
  next: z.string().nullable(),
});
export type AuditPage = z.infer<typeof AuditPage>;
