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

/** Ids a decision names (learner, enrolment, unit, criteria) are short: UUIDs or spec references. */
export const MAX_ID_LENGTH = 200;
/** Criteria one decision lists: the largest real unit has 17, a whole qualification under 100. */
export const MAX_CRITERIA = 500;
/**
 * Items one declaration or unit sign-off covers. The largest real unit has 17 criteria, so even a
 * portfolio of one item per criterion per visit stays far below; a learner declaring more signs
 * in parts. The cap keeps one push (checked under the centre's change lock) short.
 */
export const MAX_DECISION_EVIDENCE = 300;

export const Feedback = z.object({
  /** Overall feedback to the learner (or, for an IQA, to the assessor). */
  overall: z.string().max(20_000),
  /** Feedback per criterion id. */
  criteria: z
    .record(z.string().max(MAX_ID_LENGTH), z.string().max(10_000))
    .refine((criteria) => Object.keys(criteria).length <= MAX_CRITERIA, `Feedback can be given on at most ${MAX_CRITERIA} criteria`),
});
export type Feedback = z.infer<typeof Feedback>;

export const Signer = RecordedBy;
export type Signer = z.infer<typeof Signer>;

const DecisionFields = z.object({
    /** UUIDv7 made on the signing device. */
    id: z.string().uuid(),
    kind: DecisionKind,
    outcome: DecisionOutcome,
    learnerId: z.string().min(1).max(MAX_ID_LENGTH),
    enrolmentId: z.string().min(1).max(MAX_ID_LENGTH),
    /** unit sign-off: the unit. */
    unitId: z.string().max(MAX_ID_LENGTH).nullable(),
    /** iqa: the assessment decision sampled. */
    subjectId: z.string().uuid().nullable(),
    /** What the decision covers: one item for assessment and iqa, the items listed for declaration and unit. */
    evidence: z.array(SignedEvidence).max(MAX_DECISION_EVIDENCE, `A decision can cover at most ${MAX_DECISION_EVIDENCE} evidence items: sign a declaration in parts`),
    /** assessment: the criteria the assessor confirmed (the item's mapping from then on); unit: the unit's criteria. */
    criterionIds: z.array(z.string().max(MAX_ID_LENGTH)).max(MAX_CRITERIA, `A decision can list at most ${MAX_CRITERIA} criteria`),
    feedback: Feedback,
    signer: Signer,
    /** When a learner's declaration or a witness is signed on someone else's device: the person who drew it. */
    signedFor: z.string().max(200).nullable(),
    drawnSignature: DrawnSignature.nullable(),
    /** UTC, as toISOString() writes it: times compare as text only when they share one zone. */
    signedAt: z.string().datetime(),
    /** The signer's registered device key (server table signing_keys). */
    keyId: z.string().uuid(),
    /** base64url of the IEEE P1363 (r||s) ECDSA P-256 SHA-256 signature WebCrypto makes. */
    signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'Not an ECDSA P-256 signature'),
  });
const outcomeFitsKind = (d: { kind: DecisionKind; outcome: DecisionOutcome }) => OUTCOMES_OF[d.kind].includes(d.outcome);
const OUTCOME_MISFIT = { message: 'That outcome does not belong to this kind of decision', path: ['outcome'] };

export const Decision = DecisionFields.refine(outcomeFitsKind, OUTCOME_MISFIT);
export type Decision = z.infer<typeof Decision>;

/**
 * A decision as an export holds it. The time may carry any offset here, so that a verifier reading
 * an altered export names the decision whose time is not in UTC instead of refusing the whole file.
 */
export const ExportedDecision = DecisionFields.extend({ signedAt: z.string().datetime({ offset: true }) }).refine(outcomeFitsKind, OUTCOME_MISFIT);

/**
 * The fields of an evidence item that a signature covers through its content hash. recordedBy
 * (who wrote an observation, discussion or witness testimony up) is signed too, so an item cannot
 * be passed off as another assessor's record after sign-off.
 */
export const SIGNED_CONTENT_FIELDS = ['title', 'narrative', 'activityDate', 'method', 'hours', 'offTheJob', 'kind', 'questions', 'witness', 'recordedBy'] as const;

/** The content fields proper (recordedBy lives on Evidence, with a default of null). */
type ContentField = Exclude<(typeof SIGNED_CONTENT_FIELDS)[number], 'recordedBy'>;

/**
 * The content hashed into `contentHash`. Attachments and criteria are signed separately (their
 * lists are in the payload), and status, times and sync bookkeeping are not content. An item
 * without recordedBy is hashed as recordedBy null (the default of Evidence).
 */
export function signedContent(content: Pick<EvidenceContent, ContentField> & { recordedBy?: RecordedBy | null }): Record<string, unknown> {
  const parsed = EvidenceContent.pick({ title: true, narrative: true, activityDate: true, method: true, hours: true, offTheJob: true, kind: true, questions: true, witness: true })
    .extend({ recordedBy: RecordedBy.nullable().default(null) })
    .parse({ ...content, recordedBy: content.recordedBy ?? null });
  const out: Record<string, unknown> = {};
  for (const field of SIGNED_CONTENT_FIELDS)
    out[field] = field === 'recordedBy' ? (parsed.recordedBy ? { userId: parsed.recordedBy.userId, name: parsed.recordedBy.name, role: parsed.recordedBy.role } : null) : parsed[field];
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

/** A key as its owner or their admin sees it (GET /api/keys): which device registered it and why it was revoked. */
export const SigningKeyView = PublicSigningKey.extend({
  /** The label of the device session that registered it, where the centre still knows it. */
  deviceLabel: z.string().nullable(),
  /** Registered by the device session making the request. */
  current: z.boolean(),
  revokeReason: z.string().nullable(),
});
export type SigningKeyView = z.infer<typeof SigningKeyView>;

/** GET /api/keys: the caller's own keys, or (an admin) their centre's, optionally one user's (?userId=). */
export const SigningKeyList = z.object({ keys: z.array(SigningKeyView) });
export type SigningKeyList = z.infer<typeof SigningKeyList>;

export const SigningKeyListQuery = z.object({ userId: z.string().uuid('That user id is not a valid UUID').optional() }).strict();

/** POST /api/keys answers 201 (registered now) or 200 (the same key again), and POST /api/keys/:id/revoke 200, with `{ key }`. */
export const SigningKeyAnswer = z.object({ key: SigningKeyView });
export type SigningKeyAnswer = z.infer<typeof SigningKeyAnswer>;

/** Revoking a key: its owner may give a reason; an admin revoking someone else's must (it goes to the audit log and the owner). */
export const RevokeKeyRequest = z.object({ reason: z.string().trim().max(500).optional() }).strict();
export const ADMIN_REVOKE_MIN_REASON = 10;
export const AdminRevokeKeyRequest = z
  .object({ reason: z.string().trim().min(ADMIN_REVOKE_MIN_REASON, `Give a reason of at least ${ADMIN_REVOKE_MIN_REASON} characters, for the audit log`).max(500) })
  .strict();

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
