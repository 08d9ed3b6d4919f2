import { z } from 'zod';
import { AuditEntry } from './audit';
import { Enrolment } from './enrolment';
import { AttachmentRef, EvidenceContent, EvidenceStatus, RecordedBy } from './evidence';
import { Decision, ExportedDecision, PublicSigningKey } from './signoff';

/**
 * manifest.json of an export for external quality assurance (EQA): everything an external
 * verifier needs to check, without the centre, that what was signed still stands. Versioned: a
 * reader refuses a version it does not know rather than half-reading it. Bump EXPORT_VERSION for
 * any change an older reader would misread; adding optional fields does not need a bump.
 *
 * Version 2 (the centre's seal): the centre has its own long-term ECDSA P-256 key
 * (server/centre-key.ts). It certifies every device key in `keys` (`certificate`, over
 * keyCertificatePayload) and signs the whole export: signature.json holds its signature over
 * exportSealPayload, i.e. the SHA-256 of the RFC 8785 canonical JSON of manifest.json and the
 * SHA-256 of index.html, icttech.html and README.txt. A version-1 reader would ignore both, so
 * the version says it must not be read by one (and this verifier refuses version 1, which carried
 * no seal, so an export cannot be downgraded to escape the checks).
 */

export const EXPORT_FORMAT = 'ict-portfolio-export';
export const EXPORT_VERSION = 2;

/** Where an attachment's bytes sit inside the ZIP: named by their SHA-256, so the name is the checksum. */
export function exportFilePath(sha256: string): string {
  return `files/${sha256}`;
}

export const ExportedAttachment = AttachmentRef.extend({
  /** Path inside the ZIP; always files/<id>, checked by verify rather than the schema so a bad one names its item. The size is the file store's (the bytes' real size), covered by the centre's seal. */
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

/** A P-256 public JWK, as device keys carry them. */
export const PublicJwkSchema = PublicSigningKey.shape.publicKey;

/** The centre's long-term export signing key: its public half and RFC 7638 fingerprint. */
export const CentreSigningKey = z.object({
  publicKey: PublicJwkSchema,
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of publicKey: what a centre publishes and `--centre-key` pins. */
  fingerprint: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'Not an RFC 7638 SHA-256 thumbprint'),
});
export type CentreSigningKey = z.infer<typeof CentreSigningKey>;

/** A device key as an export carries it: certified by the centre's key when the export was made. */
export const ExportedSigningKey = PublicSigningKey.extend({
  centreId: z.string().min(1),
  /** base64url P1363 ECDSA P-256 signature by the centre key over keyCertificatePayload(key). */
  certificate: z.string(),
});
export type ExportedSigningKey = z.infer<typeof ExportedSigningKey>;

export const KEY_CERTIFICATE_TYPE = 'ict-portfolio-device-key-certificate';

/**
 * What the centre signs of a device key (RFC 8785 canonical JSON): who it belongs to, their role,
 * the centre, the public key, when the centre registered it and when (if ever) it was revoked,
 * as of the export. The type tag keeps a certificate from being read as any other signed object.
 */
export function keyCertificatePayload(key: Omit<ExportedSigningKey, 'certificate'>): Record<string, unknown> {
  return {
    type: KEY_CERTIFICATE_TYPE,
    v: 1,
    keyId: key.id,
    userId: key.userId,
    name: key.name,
    role: key.role,
    centreId: key.centreId,
    publicKey: { kty: key.publicKey.kty, crv: key.publicKey.crv, x: key.publicKey.x, y: key.publicKey.y },
    createdAt: key.createdAt,
    revokedAt: key.revokedAt,
  };
}

/** The pages of the ZIP the centre's seal covers, besides manifest.json (files/ are covered through the manifest's hashes). */
export const SEALED_PAGES = ['index.html', 'icttech.html', 'README.txt'] as const;
export type SealedPage = (typeof SEALED_PAGES)[number];

export const SEAL_FORMAT = 'ict-portfolio-export-signature';
export const SEAL_VERSION = 1;

/** signature.json: the centre's signature over the whole export. */
export const ExportSeal = z.object({
  format: z.literal(SEAL_FORMAT),
  version: z.literal(SEAL_VERSION),
  centreId: z.string().min(1),
  centreKey: CentreSigningKey,
  /** SHA-256 hex of the RFC 8785 canonical JSON of manifest.json (as parsed, every field). */
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** SHA-256 hex of each page's bytes. */
  pages: z.object({ 'index.html': z.string().regex(/^[0-9a-f]{64}$/), 'icttech.html': z.string().regex(/^[0-9a-f]{64}$/), 'README.txt': z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
  /** base64url P1363 ECDSA P-256 signature by centreKey over exportSealPayload(this). */
  signature: z.string(),
});
export type ExportSeal = z.infer<typeof ExportSeal>;

/** What the centre signs of the export (RFC 8785 canonical JSON). */
export function exportSealPayload(seal: Omit<ExportSeal, 'signature'>): Record<string, unknown> {
  return {
    format: SEAL_FORMAT,
    version: SEAL_VERSION,
    centreId: seal.centreId,
    centreKey: { publicKey: { kty: seal.centreKey.publicKey.kty, crv: seal.centreKey.publicKey.crv, x: seal.centreKey.publicKey.x, y: seal.centreKey.publicKey.y }, fingerprint: seal.centreKey.fingerprint },
    manifestSha256: seal.manifestSha256,
    pages: { 'index.html': seal.pages['index.html'], 'icttech.html': seal.pages['icttech.html'], 'README.txt': seal.pages['README.txt'] },
  };
}

export const ExportManifest = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.string().datetime({ offset: true }),
  exportedBy: RecordedBy,
  centre: z.object({ id: z.string(), name: z.string(), signingKey: CentreSigningKey }),
  scope: ExportScope,
  learners: z.array(z.object({ id: z.string().min(1), name: z.string() })),
  enrolments: z.array(Enrolment),
  specs: z.array(z.object({ id: z.string().min(1), version: z.number().int().positive(), title: z.string() })),
  evidence: z.array(ExportedEvidence),
  decisions: z.array(ExportedDecision),
  /** Every key that signed a decision in this export, revoked ones included (with revokedAt), each certified by the centre key. */
  keys: z.array(ExportedSigningKey),
  /** The audit entries of the exported records (learners, enrolments, evidence, decisions). */
  audit: z.array(AuditEntry),
});
export type ExportManifest = z.infer<typeof ExportManifest>;
