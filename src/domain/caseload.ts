import { daysBetween, formatDate } from './dates';
import type { Enrolment } from './enrolment';
import { computeProgress, offTheJobHours, type EvidenceForProgress } from './progress';
import type { IsoDate, QualificationSpec } from './qualification';

/**
 * The arithmetic of an assessor's caseload list: whether each learner is where they should be by
 * today (RAG), how many items wait for review, and off-the-job hours against the plan. Pure, so
 * the rules can be read and tested on their own; src/data/caseload.ts feeds it from the device.
 */

export type Rag = 'green' | 'amber' | 'red';

/** Green while assessed progress is at most this many points behind the share of the planned time used. */
export const GREEN_MARGIN = 10;
/** Amber while at most this many points behind; further behind (or past the planned end) is red. */
export const AMBER_MARGIN = 25;

/** Share of the planned programme (start to planned end) used by today, 0 to 100, not rounded. */
export function timeUsedPercent(startDate: IsoDate, plannedEndDate: IsoDate, today: IsoDate): number {
  const total = daysBetween(startDate, plannedEndDate);
  if (total <= 0) return 100;
  const used = Math.min(total, Math.max(0, daysBetween(startDate, today)));
  return (used * 100) / total;
}

export interface RagInput {
  /** Criteria assessed (signed off), as computeProgress counts them: 0 to 100. */
  percentAssessed: number;
  startDate: IsoDate;
  plannedEndDate: IsoDate;
  today: IsoDate;
}

export interface RagResult {
  rag: Rag;
  /** Plain words for the status, e.g. "42% assessed, 60% of the planned time used: 18 points behind." */
  reason: string;
}

export function ragStatus({ percentAssessed, startDate, plannedEndDate, today }: RagInput): RagResult {
  const time = timeUsedPercent(startDate, plannedEndDate, today);
  const shown = `${percentAssessed}% assessed, ${Math.round(time)}% of the planned time used`;
  if (percentAssessed >= 100) return { rag: 'green', reason: `Every criterion assessed (${Math.round(time)}% of the planned time used).` };
  if (today > plannedEndDate) return { rag: 'red', reason: `Past the planned end date (${formatDate(plannedEndDate)}) with ${percentAssessed}% assessed.` };
  const behind = time - percentAssessed;
  const points = Math.round(behind);
  const behindWords = `${points} ${points === 1 ? 'point' : 'points'} behind`;
  if (behind <= GREEN_MARGIN) return { rag: 'green', reason: `${shown}: on track.` };
  if (behind <= AMBER_MARGIN) return { rag: 'amber', reason: `${shown}: ${behindWords}.` };
  return { rag: 'red', reason: `${shown}: ${behindWords}.` };
}

export interface CaseloadFigures {
  percentEvidenced: number;
  percentAssessed: number;
  rag: Rag;
  ragReason: string;
  /** Live items submitted (or resubmitted, or reopened) and not yet decided. */
  awaitingReview: number;
  offTheJobHours: number;
  plannedOffTheJobHoursToDate: number;
}

type EnrolmentPlan = Pick<Enrolment, 'optionalUnitIds' | 'startDate' | 'plannedEndDate' | 'plannedOffTheJobHoursPerWeek'>;

/** One learner's figures. `spec` is null while the enrolment's spec version is not on the device. */
export function caseloadFigures(spec: QualificationSpec | null, enrolment: EnrolmentPlan, evidence: readonly EvidenceForProgress[], today: IsoDate): CaseloadFigures {
  const hours = offTheJobHours(enrolment.plannedOffTheJobHoursPerWeek, enrolment.startDate, enrolment.plannedEndDate, today, evidence);
  const awaitingReview = evidence.filter((e) => e.deletedAt === null && e.status === 'submitted').length;
  const common = { awaitingReview, offTheJobHours: hours.logged, plannedOffTheJobHoursToDate: hours.plannedToDate };
  if (!spec)
    return {
      ...common,
      percentEvidenced: 0,
      percentAssessed: 0,
      // Unknown is not on track: the assessor should look (usually one sync fetches the spec).
      rag: 'amber',
      ragReason: 'The qualification spec for this enrolment is not on this device yet, so progress cannot be worked out: sync to fetch it.',
    };
  const { qualification } = computeProgress(spec, enrolment.optionalUnitIds, evidence);
  const { rag, reason } = ragStatus({ percentAssessed: qualification.percentAssessed, startDate: enrolment.startDate, plannedEndDate: enrolment.plannedEndDate, today });
  return { ...common, percentEvidenced: qualification.percentEvidenced, percentAssessed: qualification.percentAssessed, rag, ragReason: reason };
}

const RAG_ORDER: Record<Rag, number> = { red: 0, amber: 1, green: 2 };

/** Who needs attention first: red, then amber, then green; by name within each. */
export function byAttention(a: { rag: Rag; name: string }, b: { rag: Rag; name: string }): number {
  return RAG_ORDER[a.rag] - RAG_ORDER[b.rag] || a.name.localeCompare(b.name, 'en-GB');
}
