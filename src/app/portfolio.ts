import type { Enrolment, LearnerProfile } from '../domain/enrolment';
import type { Evidence } from '../domain/evidence';
import type { CompetenceStandard, QualificationSpec } from '../domain/qualification';
import { evidenceOf } from '../data/evidence';
import { competenceStandard, qualificationVersion } from '../data/frameworks';
import { currentEnrolment, currentProfile } from '../data/learner';
import { useLive, type Live } from '../data/live';
import { markStartup } from '../data/startup';

export interface Portfolio {
  profile: LearnerProfile;
  enrolment: Enrolment;
  /** The spec version the enrolment started on. */
  spec: QualificationSpec;
  icttech: CompetenceStandard | null;
}

export interface PortfolioWithEvidence extends Portfolio {
  /** All of the enrolment's evidence (deleted items included), newest first. */
  evidence: Evidence[];
}

/** The portfolio of the enrolment being read: the caller starts that read, so one serves both the portfolio and its evidence. */
async function portfolioOf(enrolmentRead: Promise<Enrolment | undefined>): Promise<Portfolio | null> {
  const [profile, enrolment, icttech] = await Promise.all([currentProfile(), enrolmentRead, competenceStandard()]);
  if (!profile || !enrolment) return null;
  const spec = await qualificationVersion(enrolment.qualificationId, enrolment.qualificationVersion);
  if (!spec) throw new Error(`The ${enrolment.qualificationId} spec (version ${enrolment.qualificationVersion}) is missing from this device.`);
  markStartup('portfolio-read');
  return { profile, enrolment, spec, icttech };
}

const loadPortfolio = () => portfolioOf(currentEnrolment());

/**
 * The enrolment and its evidence in one live query: two nested ones cost the first screen a
 * render, a paint and a second round of reads before any evidence shows (bench measure 2).
 */
async function loadPortfolioWithEvidence(): Promise<PortfolioWithEvidence | null> {
  const enrolment = currentEnrolment();
  // The evidence read starts beside the portfolio's own reads, not after them.
  const [portfolio, evidence] = await Promise.all([portfolioOf(enrolment), enrolment.then((e) => (e ? evidenceOf(e.id) : []))]);
  if (!portfolio) return null;
  markStartup('evidence-read');
  return { ...portfolio, evidence };
}

/** The learner's enrolment with its spec, kept live; null until they have enrolled. */
export function usePortfolio(): Live<Portfolio | null> {
  return useLive(loadPortfolio, []);
}

/** The same with all of the enrolment's evidence, for the screens that show it. */
export function usePortfolioWithEvidence(): Live<PortfolioWithEvidence | null> {
  return useLive(loadPortfolioWithEvidence, []);
}
