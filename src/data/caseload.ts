import { byAttention, caseloadFigures, type Rag } from '../domain/caseload';
import type { Enrolment } from '../domain/enrolment';
import { db } from './db';
import { qualificationVersion } from './frameworks';
import { userIdOfDatabase } from './session';

/**
 * The assessor's caseload as this device holds it after a sync (enrolments, profiles, evidence and
 * decisions of their learners): what a visit needs, offline.
 *
 * CONTRACT for the screens (the shape is fixed). The arithmetic is in src/domain/caseload.ts.
 */

export type { Rag };

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

/**
 * One row per enrolment of another person on this device (the centre sends an assessor only their
 * caseload), red first, then amber, then green, by name within each. Item status already shows
 * decisions made here that have not reached the centre, so a learner's count of items awaiting
 * review drops as soon as the assessor decides.
 */
export async function caseloadLearners(today: string): Promise<CaseloadLearner[]> {
  const me = userIdOfDatabase(db().name);
  const enrolments = (await db().enrolments.toArray()).filter((e) => e.learnerId !== me);
  const profiles = new Map((await db().profile.bulkGet([...new Set(enrolments.map((e) => e.learnerId))])).filter((p) => !!p).map((p) => [p!.id, p!]));
  const rows: CaseloadLearner[] = [];
  for (const stored of enrolments) {
    const { serverRevision: _revision, ...enrolment } = stored;
    const spec = await qualificationVersion(enrolment.qualificationId, enrolment.qualificationVersion);
    const evidence = await db().evidence.where('enrolmentId').equals(enrolment.id).toArray();
    const profile = profiles.get(enrolment.learnerId);
    rows.push({
      learnerId: enrolment.learnerId,
      name: profile?.name.trim() || 'Learner with no name yet',
      employer: profile?.employer.trim() ?? '',
      enrolment,
      qualificationTitle: spec ? `${spec.id} ${spec.title}` : `${enrolment.qualificationId} (spec version ${enrolment.qualificationVersion} not on this device yet)`,
      ...caseloadFigures(spec, enrolment, evidence, today),
      plannedEndDate: enrolment.plannedEndDate,
    });
  }
  return rows.sort(byAttention);
}
