import { describe, expect, it } from 'vitest';
import type { EvidenceStatus } from '../../src/domain/evidence';
import { CompetenceStandard, QualificationSpec } from '../../src/domain/qualification';
import { competenceCoverage, computeProgress, offTheJobHours, type EvidenceForProgress } from '../../src/domain/progress';
import rawIcttech from '../../qualifications/icttech.json';
import raw03 from '../../qualifications/4520-03.json';

function unit(id: string, credits: number | null, outcomes: number[], opts: { mandatory?: boolean; completeness?: string; level?: number } = {}) {
  return {
    id, number: null, reference: null, title: `Unit ${id}`, level: opts.level ?? 2, credits, glh: null,
    mandatory: opts.mandatory ?? false, completeness: opts.completeness ?? 'complete', sourceNote: `About ${id}`,
    outcomes: outcomes.map((count, o) => ({
      number: o + 1,
      title: `Outcome ${o + 1}`,
      criteria: Array.from({ length: count }, (_, c) => ({ id: `${id}:${o + 1}.${c + 1}`, number: `${o + 1}.${c + 1}`, text: `Criterion ${o + 1}.${c + 1}` })),
    })),
  };
}

/** M (mandatory, 5 credits, criteria 1.1 1.2 2.1), A (10), B (8, partial spec), C (unchosen). */
const spec = QualificationSpec.parse({
  kind: 'qualification', id: '9999-02', version: 1, title: 'Test', awardingBody: 'Test', level: 2,
  accreditationNumber: '500/0000/0', credits: 15, guidedLearningHours: { min: 1, max: 1 }, totalQualificationTime: 150,
  lastRegistrationDate: '2030-01-01', lastCertificationDate: '2032-01-01',
  rules: {
    minTotalCredits: 15,
    groups: [
      { id: 'M', title: 'Mandatory', kind: 'mandatory', unitIds: ['M'] },
      { id: 'O', title: 'Optional', kind: 'optional', unitIds: ['A', 'B', 'C'], minCredits: 10 },
    ],
  },
  units: [
    unit('M', 5, [2, 1], { mandatory: true }),
    unit('A', 10, [2]),
    unit('B', 8, [1], { completeness: 'partial' }),
    unit('C', 4, [1]),
  ],
});

let next = 0;
function item(criterionIds: string[], status: EvidenceStatus = 'submitted', extra: Partial<EvidenceForProgress> = {}): EvidenceForProgress {
  return { id: `e${++next}`, criterionIds, status, deletedAt: null, hours: 0, offTheJob: false, activityDate: null, ...extra };
}

describe('computeProgress', () => {
  it('counts evidenced and assessed criteria per outcome, unit and qualification', () => {
    const e1 = item(['M:1.1', 'M:1.2'], 'accepted');
    const e2 = item(['M:1.1', 'A:1.1'], 'submitted');
    const e3 = item(['A:1.1', 'C:1.1', 'icttech:A1'], 'signed-off');
    const progress = computeProgress(spec, ['A', 'B'], [e1, e2, e3]);

    expect(progress.units.map((u) => u.unitId)).toEqual(['M', 'A', 'B']);
    const [m, a, b] = progress.units;
    expect(m!.outcomes[0]).toMatchObject({ criteriaTotal: 2, criteriaEvidenced: 2, criteriaAssessed: 2, percentEvidenced: 100, percentAssessed: 100 });
    expect(m!.outcomes[0]!.criteria[0]).toEqual({ id: 'M:1.1', number: '1.1', text: 'Criterion 1.1', evidenceIds: [e1.id, e2.id], evidenced: true, assessed: true });
    expect(m).toMatchObject({ criteriaTotal: 3, criteriaEvidenced: 2, criteriaAssessed: 2, percentEvidenced: 66, evidenced: false, achieved: false });
    expect(a).toMatchObject({ criteriaTotal: 2, criteriaEvidenced: 1, criteriaAssessed: 1, percentEvidenced: 50 });
    expect(b).toMatchObject({ criteriaTotal: 1, criteriaEvidenced: 0, specIncomplete: true, sourceNote: 'About B' });

    expect(progress.qualification).toMatchObject({
      criteriaTotal: 6, criteriaEvidenced: 3, criteriaAssessed: 3, percentEvidenced: 50,
      creditsEvidenced: 0, creditsAchieved: 0, creditsRequired: 15, rulesMetByAchieved: false,
    });
    expect(progress.rules.valid).toBe(true);
    expect(progress.gaps.map((g) => [g.criterion.id, g.unitId, g.outcomeNumber, g.outcomeTitle])).toEqual([
      ['M:2.1', 'M', 2, 'Outcome 2'],
      ['A:1.2', 'A', 1, 'Outcome 1'],
      ['B:1.1', 'B', 1, 'Outcome 1'],
    ]);
  });

  it('ignores deleted evidence', () => {
    const live = item(['A:1.1']);
    const deleted = item(['A:1.2', 'A:1.1'], 'signed-off', { deletedAt: '2025-01-01T00:00:00Z' });
    const [, a] = computeProgress(spec, ['A'], [live, deleted]).units;
    expect(a!.outcomes[0]!.criteria.map((c) => [c.evidenceIds, c.assessed])).toEqual([
      [[live.id], false],
      [[], false],
    ]);
  });

  it('counts an item once even if it lists a criterion twice', () => {
    const twice = item(['A:1.1', 'A:1.1']);
    expect(computeProgress(spec, ['A'], [twice]).units[1]!.outcomes[0]!.criteria[0]!.evidenceIds).toEqual([twice.id]);
  });

  it('marks complete units evidenced, then achieved, and credits them', () => {
    const evidenced = [item(['M:1.1', 'M:1.2', 'M:2.1', 'A:1.1', 'A:1.2'])];
    const p1 = computeProgress(spec, ['A'], evidenced);
    expect(p1.units.map((u) => [u.evidenced, u.achieved])).toEqual([[true, false], [true, false]]);
    expect(p1.qualification).toMatchObject({ creditsEvidenced: 15, creditsAchieved: 0, rulesMetByAchieved: false });

    const achieved = [item(['M:1.1', 'M:1.2', 'M:2.1', 'A:1.1', 'A:1.2'], 'accepted')];
    const p2 = computeProgress(spec, ['A'], achieved);
    expect(p2.units.map((u) => u.achieved)).toEqual([true, true]);
    expect(p2.qualification).toMatchObject({ creditsEvidenced: 15, creditsAchieved: 15, rulesMetByAchieved: true, percentAssessed: 100 });
  });

  it('does not meet the rules by achieved units while a mandatory unit is unassessed', () => {
    const progress = computeProgress(spec, ['A'], [item(['A:1.1', 'A:1.2'], 'signed-off')]);
    expect(progress.qualification.creditsAchieved).toBe(10);
    expect(progress.qualification.rulesMetByAchieved).toBe(false);
  });

  it('never counts a unit with an incomplete spec as complete', () => {
    const progress = computeProgress(spec, ['B'], [item(['B:1.1'], 'signed-off')]);
    const b = progress.units.find((u) => u.unitId === 'B')!;
    expect(b).toMatchObject({ criteriaEvidenced: 1, criteriaAssessed: 1, percentAssessed: 100, specIncomplete: true, evidenced: false, achieved: false });
    expect(progress.qualification.creditsEvidenced).toBe(0);
  });

  it('on the shipped 4520-03 spec no unit can be achieved, whatever the evidence', () => {
    const l3 = QualificationSpec.parse(raw03);
    const choice = ['J/601/3507', 'A/601/3293', 'D/500/7332', 'M/500/7383', 'L/500/7391'];
    const all = l3.units.flatMap((u) => u.outcomes.flatMap((o) => o.criteria.map((c) => c.id)));
    const progress = computeProgress(l3, choice, [item(all, 'signed-off')]);
    expect(progress.rules.valid).toBe(true);
    expect(progress.gaps).toEqual([]);
    expect(progress.units.every((u) => u.specIncomplete && !u.achieved)).toBe(true);
    expect(progress.qualification).toMatchObject({ creditsAchieved: 0, rulesMetByAchieved: false, percentEvidenced: 100 });
  });

  it('handles 5,000 items with 20,000 mappings quickly and correctly', () => {
    const units = Array.from({ length: 20 }, (_, u) => unit(`U${u}`, 5, [10, 10, 10, 10, 10], { mandatory: u < 2 }));
    const big = QualificationSpec.parse({
      ...spec, id: '9999-03', credits: 100,
      rules: {
        minTotalCredits: 100,
        groups: [
          { id: 'M', title: 'Mandatory', kind: 'mandatory', unitIds: units.slice(0, 2).map((u) => u.id) },
          { id: 'O', title: 'Optional', kind: 'optional', unitIds: units.slice(2).map((u) => u.id) },
        ],
      },
      units,
    });
    const criterionIds = big.units.flatMap((u) => u.outcomes.flatMap((o) => o.criteria.map((c) => c.id)));
    expect(criterionIds).toHaveLength(1000);
    // 5,000 items x 4 mappings; every 10th assessed; every 7th deleted; the last 100 criteria get no mappings.
    const evidence: EvidenceForProgress[] = Array.from({ length: 5000 }, (_, i) => ({
      id: `big${i}`,
      criterionIds: [0, 1, 2, 3].map((k) => criterionIds[(i * 4 + k) % 900]!),
      status: i % 10 === 0 ? 'accepted' : 'submitted',
      deletedAt: i % 7 === 0 ? '2025-01-01T00:00:00Z' : null,
      hours: 1,
      offTheJob: i % 2 === 0,
      activityDate: null,
    }));

    // Expected values the slow, obvious way.
    const evidenced = new Set<string>();
    const assessed = new Set<string>();
    for (const e of evidence)
      if (!e.deletedAt) for (const c of e.criterionIds) (evidenced.add(c), e.status === 'accepted' && assessed.add(c));

    const optional = big.units.filter((u) => !u.mandatory).map((u) => u.id);
    computeProgress(big, optional, evidence); // warm up
    const started = performance.now();
    const progress = computeProgress(big, optional, evidence);
    const elapsed = performance.now() - started;

    expect(progress.qualification).toMatchObject({ criteriaTotal: 1000, criteriaEvidenced: evidenced.size, criteriaAssessed: assessed.size });
    expect(evidenced.size).toBe(900);
    expect(progress.gaps).toHaveLength(100);
    expect(progress.gaps[0]!.criterion.id).toBe(criterionIds[900]);
    expect(progress.qualification.creditsEvidenced).toBe(90); // 18 units fully evidenced
    const liveMappings = evidence.filter((e) => !e.deletedAt).length * 4;
    const counted = progress.units.reduce((n, u) => n + u.outcomes.reduce((m, o) => m + o.criteria.reduce((k, c) => k + c.evidenceIds.length, 0), 0), 0);
    expect(counted).toBe(liveMappings);
    expect(elapsed).toBeLessThan(100);
  });
});

describe('offTheJobHours', () => {
  const evidence = [
    item([], 'draft', { hours: 10, offTheJob: true }),
    item([], 'submitted', { hours: 2.5, offTheJob: true }),
    item([], 'submitted', { hours: 100, offTheJob: true, deletedAt: '2024-01-02T00:00:00Z' }),
    item([], 'submitted', { hours: 50, offTheJob: false }),
  ];

  it('compares logged hours with the plan so far', () => {
    // 364 days is 52 weeks; 28 days is 4 weeks.
    expect(offTheJobHours(6, '2024-01-01', '2024-12-30', '2024-01-29', evidence)).toEqual({
      logged: 12.5,
      plannedToDate: 24,
      plannedTotal: 312,
      percentOfPlanToDate: 52,
    });
  });

  it('plans nothing before the start and no more than the total after the end', () => {
    expect(offTheJobHours(6, '2024-01-01', '2024-12-30', '2023-12-01', evidence)).toMatchObject({ plannedToDate: 0, percentOfPlanToDate: 0 });
    expect(offTheJobHours(6, '2024-01-01', '2024-12-30', '2026-01-01', evidence)).toMatchObject({ plannedToDate: 312, plannedTotal: 312 });
  });

  it('uses fractional weeks', () => {
    expect(offTheJobHours(7, '2024-01-01', '2024-01-11', '2024-01-04', [])).toEqual({ logged: 0, plannedToDate: 3, plannedTotal: 10, percentOfPlanToDate: 0 });
  });
});

describe('competenceCoverage', () => {
  it('lists the live evidence for every ICTTech competence', () => {
    const std = CompetenceStandard.parse(rawIcttech);
    const a = item(['icttech:A1', 'icttech:B2', 'M:1.1']);
    const b = item(['icttech:A1'], 'draft', { deletedAt: '2025-01-01T00:00:00Z' });
    const c = item(['icttech:A1']);
    const coverage = competenceCoverage(std, [a, b, c]);
    expect(coverage.size).toBe(std.headings.reduce((n, h) => n + h.competences.length, 0));
    expect(coverage.get('icttech:A1')).toEqual([a.id, c.id]);
    expect(coverage.get('icttech:B2')).toEqual([a.id]);
    expect(coverage.get('icttech:E1')).toEqual([]);
    expect(coverage.has('M:1.1')).toBe(false);
  });
});
