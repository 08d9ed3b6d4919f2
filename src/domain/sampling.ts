import { z } from 'zod';
import { AssessmentMethod, type AssessmentMethodId } from './assessment-methods';
import { Feedback, latestAssessment, type Decision } from './signoff';

/**
 * Internal quality assurance (IQA) sampling. An IQA keeps a plan per assessor; the sample is
 * drawn from that assessor's decisions by a pure, seeded draw, so the centre and any device that
 * holds the same decisions draw the same sample (the seed is the plan's, made by the centre when
 * the plan was created, never chosen by the IQA), and anyone can re-draw
 * it to check that the IQA did not choose what to look at.
 *
 * Candidates: for each evidence item, its current (latest) assessment decision, when that
 * decision was made by the assessor and accepted or referred the item. A superseded judgement (an
 * item referred and later accepted, or accepted and later reopened) is not sampled again: the
 * current one is what stands.
 * Stages:
 *   interim:   decisions on items that no unit sign-off lists yet (work in progress);
 *   summative: accepted decisions on items that a unit sign-off lists (the unit is signed off).
 */

export const SamplingStage = z.enum(['interim', 'summative']);
export type SamplingStage = z.infer<typeof SamplingStage>;

export const SAMPLING_STAGES: ReadonlyArray<{ id: SamplingStage; label: string; hint: string }> = [
  { id: 'interim', label: 'Interim', hint: 'Decisions on items not yet in a unit sign-off' },
  { id: 'summative', label: 'Summative', hint: 'Accepted items in units the assessor has signed off' },
];

const eachOnce = (values: readonly string[]) => new Set(values).size === values.length;

/** The plan as the IQA writes it; the same schema checks the form on the device and the body at the centre. */
export const SamplingPlan = z.object({
  id: z.string().uuid('That plan id is not a valid UUID'),
  assessorId: z.string().uuid('Choose the assessor whose decisions you will sample'),
  percentage: z
    .number({ message: 'Enter the percentage of decisions to sample, as a whole number' })
    .int('Enter the percentage as a whole number, like 10')
    .min(1, 'Sample at least 1% of the decisions')
    .max(100, 'You cannot sample more than 100% of the decisions'),
  /** Units the sample is drawn from and must cover; empty: every unit. */
  unitIds: z.array(z.string().min(1).max(100)).max(200, 'Choose at most 200 units').refine(eachOnce, 'Each unit can be listed once only'),
  stage: SamplingStage,
  /** Assessment methods the sample must include one of each of; empty: any method. */
  methods: z.array(AssessmentMethod).refine(eachOnce, 'Each method can be listed once only'),
});
export type SamplingPlan = z.infer<typeof SamplingPlan>;

/** A plan as the centre lists it: who made it, whose decisions it samples, and when. */
export const SamplingPlanSummary = SamplingPlan.extend({
  /** The seed of the plan's draw: made by the centre when the plan is created, then fixed. */
  seed: z.string(),
  iqaId: z.string(),
  iqaName: z.string(),
  assessorName: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SamplingPlanSummary = z.infer<typeof SamplingPlanSummary>;

export const SamplingPlanList = z.object({ plans: z.array(SamplingPlanSummary) });
export type SamplingPlanList = z.infer<typeof SamplingPlanList>;

export const CentreAssessor = z.object({ id: z.string(), name: z.string(), active: z.boolean() });
export type CentreAssessor = z.infer<typeof CentreAssessor>;
export const CentreAssessorList = z.object({ assessors: z.array(CentreAssessor) });
export type CentreAssessorList = z.infer<typeof CentreAssessorList>;

/** An IQA's verdict already recorded on a sampled decision. */
export const IqaVerdict = z.object({
  id: z.string(),
  outcome: z.enum(['agreed', 'action']),
  by: z.string(),
  signedAt: z.string(),
  feedback: z.string(),
});
export type IqaVerdict = z.infer<typeof IqaVerdict>;

/** One of the assessor's decisions that a sample may include, with what the IQA needs to judge it. */
export const SampleCandidate = z.object({
  decisionId: z.string(),
  evidenceId: z.string(),
  learnerId: z.string(),
  learnerName: z.string(),
  enrolmentId: z.string(),
  /** Empty when the item is not held where the sample was drawn (not yet synced to this device). */
  title: z.string(),
  method: AssessmentMethod.nullable(),
  /** Units of the criteria the assessor confirmed, in the learner's spec version. */
  unitIds: z.array(z.string()),
  outcome: z.enum(['accepted', 'referred']),
  feedback: Feedback,
  assessorName: z.string(),
  signedAt: z.string(),
  /** A unit sign-off lists the item: it belongs to the summative stage. */
  inUnitSignOff: z.boolean(),
  /** The IQA lock on the item, with the name of the IQA who agreed. */
  iqaLock: z.object({ decisionId: z.string(), at: z.string(), by: z.string().nullable() }).nullable(),
  iqaVerdicts: z.array(IqaVerdict),
});
export type SampleCandidate = z.infer<typeof SampleCandidate>;

export const SampleRequirement = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('method'), methodId: AssessmentMethod }),
  z.object({ kind: z.literal('unit'), unitId: z.string() }),
]);
export type SampleRequirement = z.infer<typeof SampleRequirement>;

export const DrawnSample = z.object({
  seed: z.string(),
  /** How many decisions the sample was drawn from (after the stage and unit filters). */
  population: z.number().int().nonnegative(),
  /** ceil(percentage% of population): the sample has at least this many picks when the population allows. */
  target: z.number().int().nonnegative(),
  /** Picks made to meet a requirement first (satisfies lists them), then the seeded random fill (satisfies empty). */
  picks: z.array(z.object({ candidate: SampleCandidate, satisfies: z.array(SampleRequirement) })),
  /** Requirements no decision in the population could meet. */
  unmet: z.array(SampleRequirement),
});
export type DrawnSample = z.infer<typeof DrawnSample>;

export const SampleResponse = DrawnSample.extend({ plan: SamplingPlanSummary });
export type SampleResponse = z.infer<typeof SampleResponse>;

/** What the draw reads of a candidate; the rest travels along untouched. */
export type Drawable = Pick<SampleCandidate, 'decisionId' | 'method' | 'unitIds' | 'outcome' | 'inUnitSignOff'>;

export interface Draw<C extends Drawable> {
  seed: string;
  population: number;
  target: number;
  picks: Array<{ candidate: C; satisfies: SampleRequirement[] }>;
  unmet: SampleRequirement[];
}

/**
 * A small seeded generator (xmur3 string hash feeding sfc32). Only integer operations that
 * JavaScript defines exactly, so every engine (browser, Node) gives the same sequence for a seed.
 */
export function seededRandom(seed: string): () => number {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  const mix = () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return (h ^= h >>> 16) >>> 0;
  };
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

function meets(candidate: Drawable, requirement: SampleRequirement): boolean {
  return requirement.kind === 'method' ? candidate.method === requirement.methodId : candidate.unitIds.includes(requirement.unitId);
}

function inStage(candidate: Drawable, stage: SamplingStage): boolean {
  return stage === 'summative' ? candidate.inUnitSignOff && candidate.outcome === 'accepted' : !candidate.inUnitSignOff;
}

/** ceil(percentage% of n) in integers, so no rounding error can add or lose a pick. */
export function sampleTarget(percentage: number, n: number): number {
  return Math.floor((percentage * n + 99) / 100);
}

/**
 * Draws a plan's sample from the assessor's candidate decisions. The same plan, candidates (in
 * any order) and seed always give the same sample.
 * 1. Population: candidates in the plan's stage and, when the plan lists units, touching one of them.
 * 2. One pick for each required method and each listed unit, in the plan's order, where any
 *    candidate meets it; a requirement an earlier pick already meets is credited to that pick.
 *    Among the candidates meeting a requirement, those meeting most of the requirements still to
 *    come are preferred (so the guaranteed part stays small), and the seed chooses between them.
 * 3. A seeded shuffle of the rest fills the sample up to ceil(percentage% of the population).
 */
export function drawSample<C extends Drawable>(plan: Pick<SamplingPlan, 'percentage' | 'unitIds' | 'stage' | 'methods'>, candidates: readonly C[], seed: string): Draw<C> {
  const random = seededRandom(seed);
  const seen = new Set<string>();
  const population = candidates
    .filter((c) => inStage(c, plan.stage) && (plan.unitIds.length === 0 || c.unitIds.some((u) => plan.unitIds.includes(u))))
    // Sorted by id so the draw does not depend on the order the records were read in.
    .sort((a, b) => (a.decisionId < b.decisionId ? -1 : a.decisionId > b.decisionId ? 1 : 0))
    .filter((c) => !seen.has(c.decisionId) && seen.add(c.decisionId));
  const target = sampleTarget(plan.percentage, population.length);

  const requirements: SampleRequirement[] = [
    ...[...new Set(plan.methods)].map((methodId: AssessmentMethodId) => ({ kind: 'method' as const, methodId })),
    ...[...new Set(plan.unitIds)].map((unitId) => ({ kind: 'unit' as const, unitId })),
  ];
  const picks: Draw<C>['picks'] = [];
  const unmet: SampleRequirement[] = [];
  requirements.forEach((requirement, index) => {
    const already = picks.find((p) => meets(p.candidate, requirement));
    if (already) {
      already.satisfies.push(requirement);
      return;
    }
    const meeting = population.filter((c) => meets(c, requirement) && !picks.some((p) => p.candidate === c));
    if (meeting.length === 0) {
      unmet.push(requirement);
      return;
    }
    const later = requirements.slice(index + 1);
    const score = (c: C) => later.filter((r) => meets(c, r)).length;
    const best = Math.max(...meeting.map(score));
    const pool = meeting.filter((c) => score(c) === best);
    picks.push({ candidate: pool[Math.floor(random() * pool.length)]!, satisfies: [requirement] });
  });

  const rest = population.filter((c) => !picks.some((p) => p.candidate === c));
  // Fisher-Yates with the seeded generator.
  for (let i = rest.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rest[i], rest[j]] = [rest[j]!, rest[i]!];
  }
  for (const candidate of rest) {
    if (picks.length >= target) break;
    picks.push({ candidate, satisfies: [] });
  }
  return { seed, population: population.length, target, picks, unmet };
}

export interface EvidenceForSampling {
  title: string;
  method: AssessmentMethodId | null;
  iqaLock: { decisionId: string; at: string } | null;
}

/** What candidates are built from, wherever the records are held (the centre, or an IQA's device after sync). */
export interface CandidateSources {
  assessorId: string;
  /** Every decision about the learners concerned (assessments, unit sign-offs, IQA verdicts). */
  decisions: readonly Decision[];
  evidence: ReadonlyMap<string, EvidenceForSampling>;
  learnerName: (learnerId: string) => string;
  /** The units of these criteria in the enrolment's spec version. */
  unitsOf: (enrolmentId: string, criterionIds: readonly string[]) => string[];
}

/** The assessor's sampleable decisions: see the rules at the top of this file. */
export function sampleCandidates(sources: CandidateSources): SampleCandidate[] {
  const assessmentsByItem = new Map<string, Decision[]>();
  const inUnitSignOff = new Set<string>();
  const verdicts = new Map<string, Decision[]>();
  const byId = new Map<string, Decision>();
  for (const d of sources.decisions) {
    byId.set(d.id, d);
    if (d.kind === 'assessment')
      for (const e of d.evidence) assessmentsByItem.set(e.id, [...(assessmentsByItem.get(e.id) ?? []), d]);
    if (d.kind === 'unit' && d.outcome === 'signed-off') for (const e of d.evidence) inUnitSignOff.add(e.id);
    if (d.kind === 'iqa' && d.subjectId) verdicts.set(d.subjectId, [...(verdicts.get(d.subjectId) ?? []), d]);
  }

  const candidates: SampleCandidate[] = [];
  for (const [evidenceId, decisions] of assessmentsByItem) {
    const latest = latestAssessment(decisions, evidenceId);
    if (!latest || latest.signer.userId !== sources.assessorId) continue;
    if (latest.outcome !== 'accepted' && latest.outcome !== 'referred') continue;
    const item = sources.evidence.get(evidenceId);
    const lock = item?.iqaLock ?? null;
    candidates.push({
      decisionId: latest.id,
      evidenceId,
      learnerId: latest.learnerId,
      learnerName: sources.learnerName(latest.learnerId),
      enrolmentId: latest.enrolmentId,
      title: item?.title ?? '',
      method: item?.method ?? null,
      unitIds: sources.unitsOf(latest.enrolmentId, latest.criterionIds),
      outcome: latest.outcome,
      feedback: latest.feedback,
      assessorName: latest.signer.name,
      signedAt: latest.signedAt,
      inUnitSignOff: inUnitSignOff.has(evidenceId),
      iqaLock: lock ? { ...lock, by: byId.get(lock.decisionId)?.signer.name ?? null } : null,
      iqaVerdicts: (verdicts.get(latest.id) ?? [])
        .sort((a, b) => (a.signedAt < b.signedAt ? -1 : a.signedAt > b.signedAt ? 1 : 0))
        .map((v) => ({ id: v.id, outcome: v.outcome === 'agreed' ? 'agreed' : 'action', by: v.signer.name, signedAt: v.signedAt, feedback: v.feedback.overall })),
    });
  }
  return candidates;
}

/** The unit of each criterion of a qualification spec, for unitsOf. */
export function unitsOfCriteria(units: ReadonlyArray<{ id: string; outcomes: ReadonlyArray<{ criteria: ReadonlyArray<{ id: string }> }> }>): Map<string, string> {
  const map = new Map<string, string>();
  for (const unit of units) for (const outcome of unit.outcomes) for (const criterion of outcome.criteria) map.set(criterion.id, unit.id);
  return map;
}

/** An item an IQA's agreement has locked, as the admin's unlock screen lists it. */
export const IqaLockedItem = z.object({
  evidenceId: z.string(),
  title: z.string(),
  learnerId: z.string(),
  learnerName: z.string(),
  lock: z.object({ decisionId: z.string(), at: z.string(), by: z.string().nullable() }),
});
export type IqaLockedItem = z.infer<typeof IqaLockedItem>;
export const IqaLockedItemList = z.object({ items: z.array(IqaLockedItem) });
export type IqaLockedItemList = z.infer<typeof IqaLockedItemList>;

/** An admin's unlock of an IQA-locked item: the reason goes into the audit log. */
export const UnlockEvidenceRequest = z.object({
  reason: z.string().trim().min(10, 'Give the reason for unlocking in at least 10 characters').max(2000, 'Keep the reason under 2,000 characters'),
});
export type UnlockEvidenceRequest = z.infer<typeof UnlockEvidenceRequest>;
