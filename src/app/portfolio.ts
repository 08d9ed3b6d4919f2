import type { Enrolment, LearnerProfile } from '../domain/enrolment';
import type { CompetenceStandard, QualificationSpec } from '../domain/qualification';
import { competenceStandard, qualificationVersion } from '../data/frameworks';
import { currentEnrolment, currentProfile } from '../data/learner';
import { useLive, type Live } from '../data/live';
import { markWhenDone } from './startup-marks';

export interface Portfolio {
  profile: LearnerProfile;
  enrolment: Enrolment;
  /** The spec version the enrolment started on. */
  spec: QualificationSpec;
  icttech: CompetenceStandard | null;
}

async function loadPortfolio(): Promise<Portfolio | null> {
  const [profile, enrolment, icttech] = await Promise.all([currentProfile(), currentEnrolment(), competenceStandard()]);
  if (!profile || !enrolment) return null;
  const spec = await qualificationVersion(enrolment.qualificationId, enrolment.qualificationVersion);
  if (!spec) throw new Error(`The ${enrolment.qualificationId} spec (version ${enrolment.qualificationVersion}) is missing from this device.`);
  return { profile, enrolment, spec, icttech };
}

/** The learner's enrolment with its spec, kept live; null until they have enrolled. */
export function usePortfolio(): Live<Portfolio | null> {
  return useLive(() => markWhenDone('portfolio-read', loadPortfolio()), []);
}
