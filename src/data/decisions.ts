import type { Feedback, Decision } from '../domain/signoff';
import type { StoredDecision } from './db';

/**
 * Signing on this device: every decision is built from the local copies of the items it covers,
 * signed with this user's device key (src/data/keys.ts), and stored with its outbox entry (and the
 * optimistic change to the items' status) in one Dexie transaction. Works offline.
 *
 * CONTRACT for the screens (filled in by the device-data work; the signatures are fixed).
 */

export interface AssessmentInput {
  evidenceId: string;
  outcome: 'accepted' | 'referred';
  /** The mapping the assessor confirmed: becomes the item's criteria on acceptance. */
  criterionIds: string[];
  feedback: Feedback;
  /** PNG data URL from the signature pad. */
  drawnSignature: string;
}

export async function decideOnEvidence(_input: AssessmentInput): Promise<Decision> {
  throw new Error('decideOnEvidence: not implemented yet');
}

/** The assessor withdraws their sign-off; the centre refuses it while an IQA lock holds. */
export async function reopenEvidence(_evidenceId: string, _reason: string, _drawnSignature: string): Promise<Decision> {
  throw new Error('reopenEvidence: not implemented yet');
}

export interface DeclarationInput {
  enrolmentId: string;
  evidenceIds: string[];
  drawnSignature: string;
  /** The learner's name when they sign on the assessor's device; null when they sign on their own. */
  signedFor: string | null;
}

export async function recordDeclaration(_input: DeclarationInput): Promise<Decision> {
  throw new Error('recordDeclaration: not implemented yet');
}

export async function signOffUnit(_enrolmentId: string, _unitId: string, _drawnSignature: string): Promise<Decision> {
  throw new Error('signOffUnit: not implemented yet');
}

export async function signOffQualification(_enrolmentId: string, _drawnSignature: string): Promise<Decision> {
  throw new Error('signOffQualification: not implemented yet');
}

export interface IqaInput {
  /** The assessment decision sampled. */
  assessmentId: string;
  outcome: 'agreed' | 'action';
  feedback: Feedback;
  drawnSignature: string;
}

export async function recordIqaDecision(_input: IqaInput): Promise<Decision> {
  throw new Error('recordIqaDecision: not implemented yet');
}

/** Decisions covering one item, oldest first. */
export async function decisionsForEvidence(_evidenceId: string): Promise<StoredDecision[]> {
  throw new Error('decisionsForEvidence: not implemented yet');
}

/** Every decision about one learner, oldest first. */
export async function decisionsForLearner(_learnerId: string): Promise<StoredDecision[]> {
  throw new Error('decisionsForLearner: not implemented yet');
}
