import { describe, expect, it } from 'vitest';
import type { AssessmentMethodId } from '../../src/domain/assessment-methods';
import { drawSample, sampleCandidates, sampleTarget, SamplingPlan, seededRandom, type Drawable, type SamplingPlan as Plan } from '../../src/domain/sampling';
import type { Decision } from '../../src/domain/signoff';

let counter = 0;
function candidate(method: AssessmentMethodId | null, unitIds: string[], extra: Partial<Drawable> = {}): Drawable {
  counter++;
  return { decisionId: `0000000${counter}`.slice(-8) + '-0000-4000-8000-000000000000', method, unitIds, outcome: 'accepted', inUnitSignOff: false, ...extra };
}

function plan(overrides: Partial<Plan> = {}): Plan {
  return { id: '0190f0f0-0000-7000-8000-000000000001', assessorId: '0190f0f0-0000-7000-8000-000000000002', percentage: 10, unitIds: [], stage: 'interim', methods: [], ...overrides };
}

/** 40 interim decisions over three units and three methods, with one summative one. */
function population(): Drawable[] {
  const methods: AssessmentMethodId[] = ['portfolio-product', 'observation', 'questioning', 'portfolio-product'];
  return Array.from({ length: 40 }, (_, i) => candidate(methods[i % 4]!, [`U${(i % 3) + 1}`])).concat(candidate('witness-testimony', ['U9'], { inUnitSignOff: true }));
}

const ids = (draw: { picks: Array<{ candidate: Drawable }> }) => draw.picks.map((p) => p.candidate.decisionId);

describe('drawSample', () => {
  it('draws the same sample for the same seed, whatever order the candidates come in', () => {
    const all = population();
    const first = drawSample(plan({ percentage: 25, methods: ['observation'] }), all, 'seed-a');
    const again = drawSample(plan({ percentage: 25, methods: ['observation'] }), [...all].reverse(), 'seed-a');
    expect(ids(again)).toEqual(ids(first));
    expect(first.picks).toHaveLength(10);
  });

  it('draws a different sample for another seed', () => {
    const all = population();
    const a = drawSample(plan({ percentage: 25 }), all, 'seed-a');
    const b = drawSample(plan({ percentage: 25 }), all, 'seed-b');
    expect(new Set(ids(a))).not.toEqual(new Set(ids(b)));
  });

  it('rounds the percentage up, so a sample is never smaller than asked for', () => {
    expect(sampleTarget(10, 41)).toBe(5);
    expect(sampleTarget(10, 40)).toBe(4);
    expect(sampleTarget(1, 1)).toBe(1);
    expect(sampleTarget(100, 7)).toBe(7);
    expect(sampleTarget(33, 0)).toBe(0);
    // 40 interim candidates (the summative one is not in the interim population): 10% is 4, 11% is 4.4 -> 5.
    expect(drawSample(plan({ percentage: 10 }), population(), 's').picks).toHaveLength(4);
    expect(drawSample(plan({ percentage: 11 }), population(), 's').picks).toHaveLength(5);
    expect(drawSample(plan({ percentage: 100 }), population(), 's').picks).toHaveLength(40);
  });

  it('covers each required method and listed unit first, and says which pick meets which', () => {
    const all = population();
    for (const seed of ['one', 'two', 'three', 'four']) {
      const draw = drawSample(plan({ percentage: 1, methods: ['observation', 'questioning'], unitIds: ['U1', 'U2', 'U3'] }), all, seed);
      expect(draw.unmet).toEqual([]);
      const picked = draw.picks.map((p) => p.candidate);
      expect(picked.some((c) => c.method === 'observation')).toBe(true);
      expect(picked.some((c) => c.method === 'questioning')).toBe(true);
      for (const unit of ['U1', 'U2', 'U3']) expect(picked.some((c) => c.unitIds.includes(unit))).toBe(true);
      // Requirements make the sample bigger than 1% (1 pick) when they must.
      expect(draw.picks.length).toBeGreaterThanOrEqual(3);
      for (const pick of draw.picks)
        for (const r of pick.satisfies) expect(r.kind === 'method' ? pick.candidate.method === r.methodId : pick.candidate.unitIds.includes(r.unitId)).toBe(true);
      // Every requirement is credited to exactly one pick.
      expect(draw.picks.flatMap((p) => p.satisfies)).toHaveLength(5);
    }
  });

  it('reports a requirement no decision can meet, and still draws the rest', () => {
    const draw = drawSample(plan({ percentage: 10, methods: ['rpl', 'observation'], unitIds: ['U1', 'U7'] }), population(), 'seed');
    expect(draw.unmet).toEqual([
      { kind: 'method', methodId: 'rpl' },
      { kind: 'unit', unitId: 'U7' },
    ]);
    expect(draw.picks.length).toBeGreaterThanOrEqual(draw.target);
    expect(draw.picks.some((p) => p.satisfies.some((r) => r.kind === 'method' && r.methodId === 'observation'))).toBe(true);
  });

  it('draws only from the listed units and the plan stage', () => {
    const all = population();
    const inUnits = drawSample(plan({ percentage: 100, unitIds: ['U2'] }), all, 'x');
    expect(inUnits.population).toBe(13);
    expect(inUnits.picks.every((p) => p.candidate.unitIds.includes('U2'))).toBe(true);

    const summative = drawSample(plan({ percentage: 100, stage: 'summative' }), all, 'x');
    expect(summative.picks.map((p) => p.candidate.unitIds)).toEqual([['U9']]);
    // A referral is never summative: referred items are not in a signed-off unit.
    const referred = drawSample(plan({ percentage: 100, stage: 'summative' }), [candidate('observation', ['U1'], { inUnitSignOff: true, outcome: 'referred' })], 'x');
    expect(referred.population).toBe(0);
  });

  it('prefers one pick that meets several requirements', () => {
    const both = candidate('observation', ['U5']);
    const draw = drawSample(plan({ percentage: 1, methods: ['observation'], unitIds: ['U5'] }), [candidate('observation', ['U1']), candidate('questioning', ['U5']), both], 'any');
    expect(draw.picks).toHaveLength(1);
    expect(draw.picks[0]!.candidate).toBe(both);
    expect(draw.picks[0]!.satisfies).toHaveLength(2);
  });

  it('draws nothing from nothing, and reports every requirement unmet', () => {
    const draw = drawSample(plan({ methods: ['observation'] }), [], 'seed');
    expect(draw).toMatchObject({ population: 0, target: 0, picks: [], unmet: [{ kind: 'method', methodId: 'observation' }] });
  });
});

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays within [0, 1)', () => {
    const a = seededRandom('plan');
    const b = seededRandom('plan');
    const values = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(values);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    // Spread out, not stuck: every tenth of the range is hit.
    expect(new Set(values.map((v) => Math.floor(v * 10))).size).toBe(10);
  });
});

describe('SamplingPlan', () => {
  it('explains what is wrong with a plan', () => {
    const result = SamplingPlan.safeParse({ ...plan(), percentage: 0, assessorId: '', methods: ['observation', 'observation'] });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => i.message);
    expect(messages).toContain('Sample at least 1% of the decisions');
    expect(messages).toContain('Choose the assessor whose decisions you will sample');
    expect(messages).toContain('Each method can be listed once only');
    expect(SamplingPlan.safeParse({ ...plan(), percentage: 12.5 }).error!.issues[0]!.message).toBe('Enter the percentage as a whole number, like 10');
  });
});

describe('sampleCandidates', () => {
  const assessor = { userId: 'a1', name: 'Tom Okafor', role: 'assessor' as const };
  const other = { userId: 'a2', name: 'Hannah Lewis', role: 'assessor' as const };
  const iqa = { userId: 'q1', name: 'Grace Mensah', role: 'iqa' as const };
  function decision(id: string, fields: Partial<Decision>): Decision {
    return {
      id,
      kind: 'assessment',
      outcome: 'accepted',
      learnerId: 'L1',
      enrolmentId: 'E1',
      unitId: null,
      subjectId: null,
      evidence: [],
      criterionIds: [],
      feedback: { overall: 'Good', criteria: {} },
      signer: assessor,
      signedFor: null,
      drawnSignature: null,
      signedAt: '2026-01-01T10:00:00.000Z',
      keyId: '00000000-0000-4000-8000-000000000000',
      signature: 'x'.repeat(86),
      ...fields,
    };
  }
  const ev = (id: string) => ({ id, contentHash: 'a'.repeat(64), attachments: [] });

  it("takes each item's current decision by the assessor, with its units, stage, lock and IQA verdicts", () => {
    const decisions = [
      decision('d1', { evidence: [ev('e1')], criterionIds: ['U1:1.1', 'U2:1.1'] }),
      // e2 was referred, then accepted: only the acceptance is a candidate.
      decision('d2', { evidence: [ev('e2')], outcome: 'referred', signedAt: '2026-01-01T09:00:00.000Z' }),
      decision('d3', { evidence: [ev('e2')], criterionIds: ['U1:1.2'] }),
      // e3: accepted then reopened: nothing stands to sample.
      decision('d4', { evidence: [ev('e3')] }),
      decision('d5', { evidence: [ev('e3')], outcome: 'reopened', signedAt: '2026-01-02T09:00:00.000Z' }),
      // e4: another assessor's decision.
      decision('d6', { evidence: [ev('e4')], signer: other }),
      decision('u1', { kind: 'unit', outcome: 'signed-off', unitId: 'U1', evidence: [ev('e2')] }),
      decision('q1', { kind: 'iqa', outcome: 'agreed', subjectId: 'd3', signer: iqa, feedback: { overall: 'Sound judgement', criteria: {} } }),
    ];
    const candidates = sampleCandidates({
      assessorId: 'a1',
      decisions,
      evidence: new Map([
        ['e1', { title: 'Disk swap', method: 'observation', iqaLock: null }],
        ['e2', { title: 'Network plan', method: 'portfolio-product', iqaLock: { decisionId: 'q1', at: '2026-02-01T10:00:00.000Z' } }],
      ]),
      learnerName: () => 'Jordan Ellis',
      unitsOf: (_e, criteria) => [...new Set(criteria.map((c) => c.split(':')[0]!))],
    });
    expect(candidates.map((c) => c.decisionId).sort()).toEqual(['d1', 'd3']);
    const d1 = candidates.find((c) => c.decisionId === 'd1')!;
    expect(d1).toMatchObject({ title: 'Disk swap', method: 'observation', unitIds: ['U1', 'U2'], inUnitSignOff: false, iqaLock: null, learnerName: 'Jordan Ellis' });
    const d3 = candidates.find((c) => c.decisionId === 'd3')!;
    expect(d3).toMatchObject({ inUnitSignOff: true, iqaLock: { decisionId: 'q1', by: 'Grace Mensah' }, iqaVerdicts: [{ id: 'q1', outcome: 'agreed', by: 'Grace Mensah', feedback: 'Sound judgement' }] });
  });
});
