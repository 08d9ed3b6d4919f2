import { z } from 'zod';
import { AttachmentRef, DrawnSignature, EvidenceContent, Sha256Hex, type Evidence } from './evidence';
import { RecordedBy } from './evidence';

/**
 * Decisions: signed, immutable records of an assessor's judgement, a learner's declaration of
 * authenticity, an IQA's sampling verdict, or a unit/qualification sign-off. Each one carries what
 * it covers (the evidence content hashes and attachment hashes at the time of signing) and an
 * ECDSA P-256 signature by the signer's device key over the RFC 8785 canonical JSON of
 * `signedPayload(decision)`. They travel as the sync entity `decision`, are made offline, and the
 * centre verifies each one on push (DESIGN.md section 4).
 */

export const DecisionKind = z.enum(['assessment', 'declaration', 'iqa', 'unit', 'qualification']);
export type DecisionKind = z.infer<typeof DecisionKind>;

/**
 * assessment: accepted (the item is signed off and frozen), referred (back to the learner with
 *   feedback), reopened (the assessor withdraws their sign-off; refused while an IQA lock holds).
 * declaration: declared (the learner says the listed items are their own work).
 * iqa: agreed (locks the sampled sign-off) or action (the assessor must act on the feedback).
 * unit / qualification: signed-off.
 */
export const DecisionOutcome = z.enum(['accepted', 'referred', 'reopened', 'declared', 'agreed', 'action', 'signed-off']);
export type DecisionOutcome = z.infer<typeof DecisionOutcome>;

export const OUTCOMES_OF: Record<DecisionKind, readonly DecisionOutcome[]> = {
  assessment: ['accepted', 'referred', 'reopened'],
  declaration: ['declared'],
  iqa: ['agreed', 'action'],
  unit: ['signed-off'],
  qualification: ['signed-off'],
};

/** One evidence item as it was when signed. */
export const SignedEvidence = z.object({
  id: z.string().uuid(),
  /** SHA-256 (hex) of the canonical JSON of the item's signed content (see signedContent). */
  contentHash: Sha256Hex,
  /** SHA-256 of each attached file, sorted. */
  attachments: z.array(Sha256Hex),
});
export type SignedEvidence = z.infer<typeof SignedEvidence>;

export const Feedback = z.object({
  /** Overall feedback to the learner (or, for an IQA, to the assessor). */
  overall: z.string().max(20_000),
  /** Feedback per criterion id. */
  criteria: z.record(z.string(), z.string().max(10_000)),
});
export type Feedback = z.infer<typeof Feedback>;

export const Signer = RecordedBy;
export type Signer = z.infer<typeof Signer>;

export const Decision = z
  .object({
    /** UUIDv7 made on the signing device. */
    id: z.string().uuid(),
    kind: DecisionKind,
    outcome: DecisionOutcome,
    learnerId: z.string().min(1),
    enrolmentId: z.string().min(1),
    /** unit sign-off: the unit. */
    unitId: z.string().nullable(),
    /** iqa: the assessment decision sampled. */
    subjectId: z.string().uuid().nullable(),
    /** What the decision covers: one item for assessment and iqa, the items listed for declaration and unit. */
    evidence: z.array(SignedEvidence).max(5_000),
    /** assessment: the criteria the assessor confirmed (the item's mapping from then on); unit: the unit's criteria. */
    criterionIds: z.array(z.string()).max(5_000),
    feedback: Feedback,
    signer: Signer,
    /** When a learner's declaration or a witness is signed on someone else's device: the person who drew it. */
    signedFor: z.string().max(200).nullable(),
    drawnSignature: DrawnSignature.nullable(),
    signedAt: z.string().datetime({ offset: true }),
    /** The signer's registered device key (server table signing_keys). */
    keyId: z.string().uuid(),
    /** base64url of the IEEE P1363 (r||s) ECDSA P-256 SHA-256 signature WebCrypto makes. */
    signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'Not an ECDSA P-256 signature'),
  })
  .refine((d) => OUTCOMES_OF[d.kind].includes(d.outcome), { message: 'That outcome does not belong to this kind of decision', path: ['outcome'] });
export type Decision = z.infer<typeof Decision>;

/** The fields of an evidence item that a signature covers through its content hash. */
export const SIGNED_CONTENT_FIELDS = ['title', 'narrative', 'activityDate', 'method', 'hours', 'offTheJob', 'kind', 'questions', 'witness'] as const;

/**
 * The content hashed into `contentHash`. Attachments and criteria are signed separately (their
 * lists are in the payload), and status, times and sync bookkeeping are not content.
 */
export function signedContent(content: Pick<EvidenceContent, (typeof SIGNED_CONTENT_FIELDS)[number]>): Record<string, unknown> {
  const parsed = EvidenceContent.pick({ title: true, narrative: true, activityDate: true, method: true, hours: true, offTheJob: true, kind: true, questions: true, witness: true }).parse(content);
  const out: Record<string, unknown> = {};
  for (const field of SIGNED_CONTENT_FIELDS) out[field] = parsed[field];
  return out;
}

/** The attachments list as signed: hashes only, sorted, each once. */
export function signedAttachments(attachments: readonly Pick<AttachmentRef, 'id'>[]): string[] {
  return [...new Set(attachments.map((a) => a.id))].sort();
}

export const SIGNATURE_VERSION = 1;

/** Everything of a decision except its signature: what the signature is over. */
export type UnsignedDecision = Omit<Decision, 'signature'>;

/**
 * The object whose RFC 8785 canonical JSON is signed. A drawn signature is covered by its
 * SHA-256, computed by the caller (drawnSignatureHash), so the payload stays small.
 */
export function signedPayload(decision: UnsignedDecision, drawnSignatureHash: string | null): Record<string, unknown> {
  return {
    v: SIGNATURE_VERSION,
    id: decision.id,
    kind: decision.kind,
    outcome: decision.outcome,
    learnerId: decision.learnerId,
    enrolmentId: decision.enrolmentId,
    unitId: decision.unitId,
    subjectId: decision.subjectId,
    evidence: [...decision.evidence]
      .map((e) => ({ id: e.id, contentHash: e.contentHash, attachments: [...e.attachments].sort() }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    criterionIds: [...new Set(decision.criterionIds)].sort(),
    feedback: decision.feedback,
    signer: { userId: decision.signer.userId, name: decision.signer.name, role: decision.signer.role },
    signedFor: decision.signedFor,
    drawnSignature: drawnSignatureHash,
    signedAt: decision.signedAt,
    keyId: decision.keyId,
  };
}

/** A registered device public key, as the centre lists it and exports carry it. */
export const PublicSigningKey = z.object({
  id: z.string().uuid(),
  userId: z.string(),
  /** The key owner's name and role at registration, for readers of an export. */
  name: z.string(),
  role: RecordedBy.shape.role,
  /** Public JWK: kty EC, crv P-256, x, y. */
  publicKey: z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string().min(43).max(43), y: z.string().min(43).max(43) }).loose(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type PublicSigningKey = z.infer<typeof PublicSigningKey>;

export const RegisterKeyRequest = z.object({
  id: z.string().uuid(),
  publicKey: PublicSigningKey.shape.publicKey,
});
export type RegisterKeyRequest = z.infer<typeof RegisterKeyRequest>;

/** The latest assessment decision of an item decides whether it stands signed off. */
export function latestAssessment(decisions: readonly Decision[], evidenceId: string): Decision | null {
  let latest: Decision | null = null;
  for (const d of decisions)
    if (d.kind === 'assessment' && d.evidence.some((e) => e.id === evidenceId) && (!latest || d.signedAt > latest.signedAt || (d.signedAt === latest.signedAt && d.id > latest.id)))
      latest = d;
  return latest;
}

/** Shorthand for the evidence fields a decision needs. */
export type EvidenceForSigning = Pick<Evidence, 'id' | 'attachments' | (typeof SIGNED_CONTENT_FIELDS)[number]>;
