import { z } from 'zod';
import { AuditEntry } from './audit';
import { Enrolment } from './enrolment';
import { AttachmentRef, EvidenceContent, EvidenceStatus, RecordedBy } from './evidence';
import { Decision, PublicSigningKey } from './signoff';

/**
 * manifest.json of an export for external quality assurance (EQA): everything an external
 * verifier needs to check, without the centre, that what was signed still stands. Versioned: a
 * reader refuses a version it does not know rather than half-reading it. Bump EXPORT_VERSION for
 * any change a version-1 reader would misread; adding optional fields does not need a bump.
 */

export const EXPORT_FORMAT = 'ict-portfolio-export';
export const EXPORT_VERSION = 1;

/** Where an attachment's bytes sit inside the ZIP: named by their SHA-256, so the name is the checksum. */
export function exportFilePath(sha256: string): string {
  return `files/${sha256}`;
}

export const ExportedAttachment = AttachmentRef.extend({
  /** Path inside the ZIP; always files/<id>, checked by verify rather than the schema so a bad one names its item. */
  path: z.string().min(1),
});
export type ExportedAttachment = z.infer<typeof ExportedAttachment>;

export const ExportedEvidence = EvidenceContent.extend({
  id: z.string().uuid(),
  enrolmentId: z.string().min(1),
  learnerId: z.string().min(1),
  status: EvidenceStatus,
  attachments: z.array(ExportedAttachment),
  recordedBy: RecordedBy.nullable(),
  iqaLock: z.object({ decisionId: z.string(), at: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Deleted items stay in the export when a decision covers them, so every signature can be checked. */
  deletedAt: z.string().nullable(),
  /** The centre's revision of the record when exported. */
  revision: z.number().int().positive(),
});
export type ExportedEvidence = z.infer<typeof ExportedEvidence>;

export const ExportScope = z.discriminatedUnion('type', [
  z.object({ type: z.literal('learner'), learnerId: z.string().min(1) }),
  z.object({ type: z.literal('sample'), planId: z.string().min(1) }),
]);
export type ExportScope = z.infer<typeof ExportScope>;

export const ExportManifest = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.string().datetime({ offset: true }),
  exportedBy: RecordedBy,
  centre: z.object({ id: z.string(), name: z.string() }),
  scope: ExportScope,
  learners: z.array(z.object({ id: z.string().min(1), name: z.string() })),
  enrolments: z.array(Enrolment),
  specs: z.array(z.object({ id: z.string().min(1), version: z.number().int().positive(), title: z.string() })),
  evidence: z.array(ExportedEvidence),
  decisions: z.array(Decision),
  /** Every key that signed a decision in this export, revoked ones included (with revokedAt). */
  keys: z.array(PublicSigningKey),
  /** The audit entries of the exported records (learners, enrolments, evidence, decisions). */
  audit: z.array(AuditEntry),
});
export type ExportManifest = z.infer<typeof ExportManifest>;
