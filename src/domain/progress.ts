import type { EvidenceStatus } from './evidence';
import type { CompetenceStandard, Criterion, IsoDate, QualificationSpec, Unit, UnitCompleteness } from './qualification';
import { checkRulesOfCombination, unitName, type RuleCheck } from './rules';
import { enrolledUnitIds } from './specs';
import { daysBetween } from './dates';

export interface EvidenceForProgress {
  id: string;
  criterionIds: string[];
  status: EvidenceStatus;
  deletedAt: string | null;
  hours: number;
  offTheJob: boolean;
  activityDate: string | null;
}

/** Criterion counts; percentages round down so 100 means every criterion. */
export interface CriterionCounts {
  criteriaTotal: number;
  criteriaEvidenced: number;
  criteriaAssessed: number;
  percentEvidenced: number;
  percentAssessed: number;
}

export interface CriterionProgress {
  id: string;
  number: string;
  text: string;
  /** Live (not deleted) evidence mapped to this criterion, in evidence order. */
  evidenceIds: string[];
  evidenced: boolean;
  /** Some mapped item is accepted or signed off. */
  assessed: boolean;
}

export interface OutcomeProgress extends CriterionCounts {
  number: number;
  title: string;
  criteria: CriterionProgress[];
}

export interface UnitProgress extends CriterionCounts {
  unitId: string;
  title: string;
  reference: string | null;
  level: number;
  credits: number | null;
  mandatory: boolean;
  completeness: UnitCompleteness;
  /** The spec lacks some of this unit's content, so it can never show as complete; sourceNote says why. */
  specIncomplete: boolean;
  sourceNote: string;
  /** Spec complete and every criterion has evidence. */
  evidenced: boolean;
  /** Spec complete and every criterion assessed (accepted or signed off). */
  achieved: boolean;
  outcomes: OutcomeProgress[];
}

export interface Gap {
  criterion: Criterion;
  unitId: string;
  unitTitle: string;
  outcomeNumber: number;
  outcomeTitle: string;
}

export interface QualificationTotals extends CriterionCounts {
  /** Credits of units whose spec is complete and whose every criterion has evidence (unknown credits count 0). */
  creditsEvidenced: number;
  /** Credits of units whose spec is complete and whose every criterion is assessed. */
  creditsAchieved: number;
  creditsRequired: number;
  /** Whether the achieved units alone (all mandatory ones among them) meet the rules of combination. */
  rulesMetByAchieved: boolean;
}

export interface QualificationProgress {
  qualificationId: string;
  qualification: QualificationTotals;
  /** Enrolled units: mandatory first, then chosen optional units, in spec order. */
  units: UnitProgress[];
  /** The rules of combination checked against the learner's unit choice. */
  rules: RuleCheck;
  /** Criteria of enrolled units with no evidence, in unit order. */
  gaps: Gap[];
}

const ASSESSED: ReadonlySet<EvidenceStatus> = new Set<EvidenceStatus>(['accepted', 'signed-off']);

function percent(part: number, total: number): number {
  return total === 0 ? 0 : Math.floor((part * 100) / total);
}

function counts(total: number, evidenced: number, assessed: number): CriterionCounts {
  return {
    criteriaTotal: total,
    criteriaEvidenced: evidenced,
    criteriaAssessed: assessed,
    percentEvidenced: percent(evidenced, total),
    percentAssessed: percent(assessed, total),
  };
}

interface CriterionEvidence {
  ids: string[];
  assessed: boolean;
}

type MappedEvidence = Pick<EvidenceForProgress, 'id' | 'criterionIds' | 'status' | 'deletedAt'>;

/** One pass over the evidence: criterion id to the live items mapped to it. */
function indexEvidence(evidence: readonly MappedEvidence[]): Map<string, CriterionEvidence> {
  const byCriterion = new Map<string, CriterionEvidence>();
  for (const item of evidence) {
    if (item.deletedAt !== null) continue;
    const assessed = ASSESSED.has(item.status);
    for (const criterionId of item.criterionIds) {
      let entry = byCriterion.get(criterionId);
      if (!entry) byCriterion.set(criterionId, (entry = { ids: [], assessed: false }));
      // An item listing a criterion twice still counts once.
      if (entry.ids[entry.ids.length - 1] !== item.id) entry.ids.push(item.id);
      if (assessed) entry.assessed = true;
    }
  }
  return byCriterion;
}

function unitProgress(spec: QualificationSpec, unit: Unit, byCriterion: Map<string, CriterionEvidence>, gaps: Gap[]): UnitProgress {
  // Two units may share a title at different levels (Technical Fault Diagnosis L3 and L4).
  const title = unitName(spec, unit);
  let total = 0;
  let evidenced = 0;
  let assessed = 0;
  const outcomes = unit.outcomes.map((outcome): OutcomeProgress => {
    let oEvidenced = 0;
    let oAssessed = 0;
    const criteria = outcome.criteria.map((criterion): CriterionProgress => {
      const entry = byCriterion.get(criterion.id);
      const evidenceIds = entry ? entry.ids : [];
      const isEvidenced = evidenceIds.length > 0;
      const isAssessed = entry?.assessed ?? false;
      if (isEvidenced) oEvidenced++;
      else gaps.push({ criterion, unitId: unit.id, unitTitle: title, outcomeNumber: outcome.number, outcomeTitle: outcome.title });
      if (isAssessed) oAssessed++;
      return { id: criterion.id, number: criterion.number, text: criterion.text, evidenceIds, evidenced: isEvidenced, assessed: isAssessed };
    });
    total += criteria.length;
    evidenced += oEvidenced;
    assessed += oAssessed;
    return { number: outcome.number, title: outcome.title, ...counts(criteria.length, oEvidenced, oAssessed), criteria };
  });
  const specComplete = unit.completeness === 'complete';
  return {
    unitId: unit.id,
    title,
    reference: unit.reference,
    level: unit.level,
    credits: unit.credits,
    mandatory: unit.mandatory,
    completeness: unit.completeness,
    specIncomplete: !specComplete,
    sourceNote: unit.sourceNote,
    ...counts(total, evidenced, assessed),
    evidenced: specComplete && total > 0 && evidenced === total,
    achieved: specComplete && total > 0 && assessed === total,
    outcomes,
  };
}

export function computeProgress(
  spec: QualificationSpec,
  optionalUnitIds: string[],
  evidence: readonly EvidenceForProgress[],
): QualificationProgress {
  const byCriterion = indexEvidence(evidence);
  const unitsById = new Map(spec.units.map((u) => [u.id, u]));
  const gaps: Gap[] = [];
  const units = enrolledUnitIds(spec, optionalUnitIds).map((id) => unitProgress(spec, unitsById.get(id)!, byCriterion, gaps));

  let total = 0;
  let evidenced = 0;
  let assessed = 0;
  let creditsEvidenced = 0;
  let creditsAchieved = 0;
  for (const unit of units) {
    total += unit.criteriaTotal;
    evidenced += unit.criteriaEvidenced;
    assessed += unit.criteriaAssessed;
    if (unit.evidenced) creditsEvidenced += unit.credits ?? 0;
    if (unit.achieved) creditsAchieved += unit.credits ?? 0;
  }

  // Mandatory units always count in the rule check, so the achieved check also needs them all achieved.
  const achievedOptional = units.filter((u) => !u.mandatory && u.achieved).map((u) => u.unitId);
  const mandatoryAchieved = units.every((u) => !u.mandatory || u.achieved);

  return {
    qualificationId: spec.id,
    qualification: {
      ...counts(total, evidenced, assessed),
      creditsEvidenced,
      creditsAchieved,
      creditsRequired: spec.rules.minTotalCredits,
      rulesMetByAchieved: mandatoryAchieved && checkRulesOfCombination(spec, achievedOptional).valid,
    },
    units,
    rules: checkRulesOfCombination(spec, optionalUnitIds),
    gaps,
  };
}

export interface OffTheJobHours {
  logged: number;
  plannedToDate: number;
  plannedTotal: number;
  percentOfPlanToDate: number;
}

/** Hours to one decimal place, so sums of fractional hours do not show float noise. */
function roundHours(hours: number): number {
  return Math.round(hours * 10) / 10;
}

export function offTheJobHours(
  plannedPerWeek: number,
  startDate: IsoDate,
  plannedEndDate: IsoDate,
  today: IsoDate,
  evidence: readonly Pick<EvidenceForProgress, 'deletedAt' | 'offTheJob' | 'hours'>[],
): OffTheJobHours {
  let logged = 0;
  for (const item of evidence) if (item.deletedAt === null && item.offTheJob) logged += item.hours;
  const totalDays = Math.max(0, daysBetween(startDate, plannedEndDate));
  const daysSoFar = Math.min(totalDays, Math.max(0, daysBetween(startDate, today)));
  const plannedToDate = (plannedPerWeek * daysSoFar) / 7;
  return {
    logged: roundHours(logged),
    plannedToDate: roundHours(plannedToDate),
    plannedTotal: roundHours((plannedPerWeek * totalDays) / 7),
    percentOfPlanToDate: plannedToDate > 0 ? Math.round((logged * 100) / plannedToDate) : 0,
  };
}

/** Competence id to the live evidence mapped to it, for every competence of the standard (empty when none). */
export function competenceCoverage(std: CompetenceStandard, evidence: readonly MappedEvidence[]): Map<string, string[]> {
  const byCriterion = indexEvidence(evidence);
  const coverage = new Map<string, string[]>();
  for (const heading of std.headings)
    for (const competence of heading.competences) coverage.set(competence.id, byCriterion.get(competence.id)?.ids ?? []);
  return coverage;
}
