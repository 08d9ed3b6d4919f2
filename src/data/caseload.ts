import type { Enrolment } from '../domain/enrolment';

/**
 * The assessor's caseload as this device holds it after a sync (enrolments, profiles, evidence and
 * decisions of their learners): what a visit needs, offline.
 *
 * CONTRACT for the screens (filled in by the device-data work; the shape is fixed).
 */

export type Rag = 'green' | 'amber' | 'red';

export interface CaseloadLearner {
  learnerId: string;
  name: string;
  employer: string;
  enrolment: Enrolment;
  qualificationTitle: string;
  percentEvidenced: number;
  percentAssessed: number;
  /** Against the planned end date: where progress should be by today. */
  rag: Rag;
  /** Plain words for the status, e.g. "42% assessed, 60% of the time used". */
  ragReason: string;
  /** Items submitted (or resubmitted) and not yet decided. */
  awaitingReview: number;
  offTheJobHours: number;
  /** Planned off-the-job hours to date (weekly plan x weeks elapsed). */
  plannedOffTheJobHoursToDate: number;
  plannedEndDate: string;
}

export async function caseloadLearners(_today: string): Promise<CaseloadLearner[]> {
  throw new Error('caseloadLearners: not implemented yet');
}
