import type { EvidenceKind } from '../domain/evidence';

/** Shared words of the assessor's screens (caseload, learner page, review, records). */

export const KIND_WORDS: Record<EvidenceKind, string> = {
  learner: "Learner's evidence",
  observation: 'Observation',
  'professional-discussion': 'Professional discussion',
  questioning: 'Questioning',
  'witness-testimony': 'Witness testimony',
};

export const SIGNED_HERE = 'Signed on this tablet; it reaches the centre when you next sync.';

/** What the learner signs when they declare their evidence their own work. */
export const DECLARATION_TEXT =
  'I confirm that the evidence listed is my own work, produced by me at work or in my learning. Where other people helped me or I used their work, I have said so in the evidence. I understand that my registration may be withdrawn if this declaration is not true.';
