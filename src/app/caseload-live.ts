import { caseloadLearners, type CaseloadLearner } from '../data/caseload';
import { getEvidence, evidenceOf } from '../data/evidence';
import { competenceStandard, qualificationVersion } from '../data/frameworks';
import { useLive, type Live } from '../data/live';
import type { Evidence } from '../domain/evidence';
import type { CompetenceStandard, MappingTarget, QualificationSpec, Unit } from '../domain/qualification';
import { competenceTargets, enrolledUnitIds, mappingTargets } from '../domain/specs';

/** One caseload learner as an assessor's screens need them: enrolment, spec version, evidence. */
export interface CaseloadPortfolio {
  learner: CaseloadLearner;
  spec: QualificationSpec;
  icttech: CompetenceStandard | null;
  /** Every item of the enrolment, deleted ones included (the caller filters), newest first. */
  evidence: Evidence[];
}

async function portfolioOf(learner: CaseloadLearner): Promise<CaseloadPortfolio> {
  const { enrolment } = learner;
  const [spec, icttech, evidence] = await Promise.all([
    qualificationVersion(enrolment.qualificationId, enrolment.qualificationVersion),
    competenceStandard(),
    evidenceOf(enrolment.id),
  ]);
  if (!spec) throw new Error(`The ${enrolment.qualificationId} spec (version ${enrolment.qualificationVersion}) is not on this tablet yet: sync to fetch it.`);
  return { learner, spec, icttech, evidence };
}

/** A caseload learner by id, kept live; null when they are not on this tablet's caseload. */
export function useCaseloadLearner(learnerId: string, today: string): Live<CaseloadPortfolio | null> {
  return useLive(async () => {
    const learner = (await caseloadLearners(today)).find((l) => l.learnerId === learnerId);
    return learner ? portfolioOf(learner) : null;
  }, [learnerId, today]);
}

export interface ReviewSubject extends CaseloadPortfolio {
  item: Evidence;
}

/** An item and its learner's portfolio, kept live; null when the item (or its learner) is not here. */
export function useReviewSubject(evidenceId: string, today: string): Live<ReviewSubject | null> {
  return useLive(async () => {
    const item = await getEvidence(evidenceId);
    if (!item) return null;
    const learner = (await caseloadLearners(today)).find((l) => l.enrolment.id === item.enrolmentId);
    return learner ? { ...(await portfolioOf(learner)), item } : null;
  }, [evidenceId, today]);
}

/** The units and mapping targets of an enrolment, for CriterionPicker and criterion labels. */
export function mappingOf(spec: QualificationSpec, optionalUnitIds: string[], icttech: CompetenceStandard | null) {
  const unitIds = enrolledUnitIds(spec, optionalUnitIds);
  const byId = new Map(spec.units.map((u) => [u.id, u]));
  const units = unitIds.map((uid) => byId.get(uid)).filter((u): u is Unit => !!u);
  const targets: MappingTarget[] = [...mappingTargets(spec, unitIds), ...(icttech ? competenceTargets(icttech) : [])];
  const labels = new Map(targets.map((t) => [t.id, t.label]));
  const texts = new Map(targets.map((t) => [t.id, t.text]));
  return {
    units,
    targets,
    labelOf: (id: string) => labels.get(id) ?? id,
    textOf: (id: string) => texts.get(id) ?? null,
  };
}
