import { describe, expect, it } from 'vitest';
import { QualificationSpec } from '../../src/domain/qualification';
import { checkRulesOfCombination, unitName, wouldBreak, type RuleId } from '../../src/domain/rules';
import raw03 from '../../qualifications/4520-03.json';
import raw02 from '../../qualifications/4520-02.json';
import raw04 from '../../qualifications/4520-04.json';

type UnitInput = { id: string; level: number; credits: number | null; mandatory?: boolean; title?: string };

function unit({ id, level, credits, mandatory = false, title }: UnitInput) {
  return {
    id, number: null, reference: null, title: title ?? `Unit ${id}`, level, credits, glh: null, mandatory,
    completeness: 'complete', outcomes: [{ number: 1, title: 'Outcome', criteria: [{ id: `${id}:1.1`, number: '1.1', text: 'Do it' }] }],
  };
}

/**
 * Mandatory M1 (3) + M2 (6); optional O1-O4 and X (unknown credits), at least 30 and at most 50
 * counting the restricted units; restricted R1, R2 at most 12 in all; 20 credits at level 2+ from the optional group.
 */
const fixture = QualificationSpec.parse({
  kind: 'qualification', id: '9999-01', version: 1, title: 'Test Diploma', awardingBody: 'Test', level: 2,
  accreditationNumber: '500/0000/0', credits: 39, guidedLearningHours: { min: 1, max: 2 }, totalQualificationTime: 390,
  lastRegistrationDate: '2030-01-01', lastCertificationDate: '2032-01-01',
  rules: {
    minTotalCredits: 39,
    groups: [
      { id: 'A', title: 'Mandatory', kind: 'mandatory', unitIds: ['M1', 'M2'] },
      { id: 'B', title: 'Optional', kind: 'optional', unitIds: ['O1', 'O2', 'O3', 'O4', 'X'], minCredits: 30, maxCredits: 50, alsoCountsGroupIds: ['R'] },
      { id: 'R', title: 'Restricted', kind: 'restricted', unitIds: ['R1', 'R2'] },
    ],
    minCreditsAtOrAboveLevel: [{ level: 2, minCredits: 20, fromGroupIds: ['B'] }],
    maxRestrictedCredits: 12,
  },
  units: [
    unit({ id: 'M1', level: 1, credits: 3, mandatory: true }),
    unit({ id: 'M2', level: 2, credits: 6, mandatory: true }),
    unit({ id: 'O1', level: 2, credits: 10 }),
    unit({ id: 'O2', level: 2, credits: 10 }),
    unit({ id: 'O3', level: 3, credits: 12 }),
    unit({ id: 'O4', level: 1, credits: 8 }),
    unit({ id: 'X', level: 2, credits: null, title: 'Customer Care in ICT' }),
    unit({ id: 'R1', level: 3, credits: 12 }),
    unit({ id: 'R2', level: 4, credits: 15 }),
  ],
});

const rulesBroken = (choice: string[]): RuleId[] => checkRulesOfCombination(fixture, choice).problems.map((p) => p.rule);
const VALID = ['O1', 'O2', 'O3'];

describe('checkRulesOfCombination on a fixture', () => {
  it('accepts a valid choice and reports the sums', () => {
    const check = checkRulesOfCombination(fixture, VALID);
    expect(check).toEqual({
      valid: true,
      totalCredits: 41,
      requiredCredits: 39,
      creditsMissing: 0,
      groups: [
        { groupId: 'A', title: 'Mandatory', kind: 'mandatory', credits: 9, minCredits: null, maxCredits: null },
        { groupId: 'B', title: 'Optional', kind: 'optional', credits: 32, minCredits: 30, maxCredits: 50 },
        { groupId: 'R', title: 'Restricted', kind: 'restricted', credits: 0, minCredits: null, maxCredits: null },
      ],
      levelRules: [{ level: 2, credits: 32, minCredits: 20 }],
      problems: [],
    });
  });

  it('min-total-credits: counts mandatory units and says how many more are needed', () => {
    const check = checkRulesOfCombination(fixture, ['O1']);
    expect(check.valid).toBe(false);
    expect(check.totalCredits).toBe(19);
    expect(check.creditsMissing).toBe(20);
    expect(check.problems.find((p) => p.rule === 'min-total-credits')?.message).toBe('You need at least 39 credits in total; you have 19 (20 more).');
  });

  it('group-min-credits: restricted units count within the optional minimum', () => {
    const check = checkRulesOfCombination(fixture, ['O1', 'O2']);
    expect(check.problems.find((p) => p.rule === 'group-min-credits')).toEqual({
      rule: 'group-min-credits',
      groupId: 'B',
      message: 'You need at least 30 credits from the optional units (restricted units included); you have 20 (10 more).',
    });
    expect(rulesBroken(['O1', 'O2', 'R1'])).toEqual([]);
  });

  it('group-max-credits', () => {
    expect(rulesBroken(['O1', 'O2', 'O3', 'O4'])).toEqual([]);
    const check = checkRulesOfCombination(fixture, ['O1', 'O2', 'O3', 'O4', 'R1']);
    expect(check.problems).toEqual([
      { rule: 'group-max-credits', groupId: 'B', message: 'At most 50 credits may come from the optional units (restricted units included); you have chosen 52.' },
    ]);
  });

  it('max-restricted-credits', () => {
    expect(rulesBroken(['O1', 'O2', 'R1'])).toEqual([]);
    const check = checkRulesOfCombination(fixture, ['O1', 'O2', 'R1', 'R2']);
    expect(check.problems).toEqual([
      { rule: 'max-restricted-credits', message: 'At most 12 credits may come from the restricted units; you have chosen 27.', unitIds: ['R1', 'R2'] },
    ]);
  });

  it('min-level-credits: only units at or above the level, from the named groups, count', () => {
    const check = checkRulesOfCombination(fixture, ['O4', 'O1', 'R1']);
    expect(check.levelRules).toEqual([{ level: 2, credits: 10, minCredits: 20 }]);
    expect(check.problems).toEqual([
      { rule: 'min-level-credits', message: 'You need at least 20 credits at level 2 or above from the optional units; you have 10 (10 more).' },
    ]);
    expect(rulesBroken(['O4', 'O1', 'O2', 'R1'])).toEqual([]);
  });

  it('unknown-credits: a unit without a credit value cannot count yet', () => {
    const check = checkRulesOfCombination(fixture, [...VALID, 'X']);
    expect(check.totalCredits).toBe(41);
    expect(check.problems).toEqual([
      {
        rule: 'unknown-credits',
        message: 'Customer Care in ICT has no known credit value, so it cannot count yet: ask your centre to import the full 9999-01 spec.',
        unitIds: ['X'],
      },
    ]);
  });

  it('unknown-unit', () => {
    const check = checkRulesOfCombination(fixture, [...VALID, 'gone']);
    expect(check.problems.map((p) => [p.rule, p.unitIds])).toEqual([['unknown-unit', ['gone']]]);
    expect(check.problems[0]!.message).toMatch(/“gone” is not a unit of 9999-01/);
    expect(check.totalCredits).toBe(41);
  });

  it('mandatory-chosen: a mandatory unit is already included and never counted twice', () => {
    const check = checkRulesOfCombination(fixture, [...VALID, 'M1']);
    expect(check.problems.map((p) => p.rule)).toEqual(['mandatory-chosen']);
    expect(check.problems[0]!.message).toBe('Unit M1 is mandatory, so it is already included: it does not need to be chosen.');
    expect(check.totalCredits).toBe(41);
  });

  it('counts a unit chosen twice once', () => {
    expect(checkRulesOfCombination(fixture, ['O1', 'O1', 'O2', 'O3']).totalCredits).toBe(41);
  });
});

describe('wouldBreak', () => {
  it('gives only the problems that adding the unit would newly cause', () => {
    expect(wouldBreak(fixture, ['O1', 'O2', 'O3', 'O4'], 'R1').map((p) => p.rule)).toEqual(['group-max-credits']);
    expect(wouldBreak(fixture, ['O1', 'O2', 'R1'], 'R2').map((p) => p.rule)).toEqual(['max-restricted-credits']);
    expect(wouldBreak(fixture, VALID, 'X').map((p) => p.rule)).toEqual(['unknown-credits']);
  });

  it('is empty for a unit that helps or is already chosen', () => {
    expect(wouldBreak(fixture, ['O1', 'O2'], 'O3')).toEqual([]);
    expect(wouldBreak(fixture, ['O1'], 'O1')).toEqual([]);
  });

  it('does not repeat a rule that is already broken', () => {
    expect(wouldBreak(fixture, ['O1', 'R1', 'R2'], 'O4')).toEqual([]);
  });
});

describe('checkRulesOfCombination on the shipped specs', () => {
  const l2 = QualificationSpec.parse(raw02);
  const l3 = QualificationSpec.parse(raw03);
  const l4 = QualificationSpec.parse(raw04);

  it('4520-03: a valid choice, then too few optional and too many restricted credits', () => {
    expect(checkRulesOfCombination(l3, ['J/601/3507', 'A/601/3293', 'D/500/7332', 'M/500/7383', 'L/500/7391']).valid).toBe(true);
    const few = checkRulesOfCombination(l3, ['J/601/3507', 'A/601/3293', 'D/500/7332', 'M/500/7383']);
    expect(few.problems.map((p) => p.message)).toEqual([
      'You need at least 72 credits in total; you have 60 (12 more).',
      'You need at least 60 credits from the optional units (restricted units included); you have 48 (12 more).',
    ]);
    const restricted = checkRulesOfCombination(l3, ['J/601/3507', 'A/601/3293', 'D/500/7332', 'L/500/7391', 'customer-care-in-ict', 'J/601/3247']);
    expect(restricted.problems.map((p) => p.message)).toEqual(['At most 24 credits may come from the restricted units; you have chosen 30.']);
  });

  it('4520-03: a unit with no credit value blocks a valid result', () => {
    const check = checkRulesOfCombination(l3, ['J/601/3507', 'A/601/3293', 'D/500/7332', 'M/500/7383', 'L/500/7391', 'software-installation-and-upgrade-l3']);
    expect(check.problems.map((p) => p.message)).toEqual([
      'Software Installation and Upgrade has no known credit value, so it cannot count yet: ask your centre to import the full 4520-03 spec.',
    ]);
  });

  it('4520-02: the Level 2 credit rule and the restricted cap', () => {
    const l3Only = checkRulesOfCombination(l2, ['J/601/3507', 'A/601/3293', 'D/500/7332', 'M/500/7383']);
    expect(l3Only.problems.map((p) => p.rule)).toEqual(['max-restricted-credits', 'min-level-credits']);
    const mixed = checkRulesOfCombination(l2, ['creating-a-procedural-computer-program', 'creating-an-event-driven-computer-program', 'creating-an-object-orientated-computer-program', 'J/601/3247', 'J/601/3507']);
    expect(mixed).toMatchObject({ valid: true, totalCredits: 48 });
  });

  it('4520-04: says the Level 4 mandatory unit cannot count yet', () => {
    const check = checkRulesOfCombination(l4, ['L/500/7391']);
    expect(check.valid).toBe(false);
    expect(check.problems.map((p) => p.rule)).toContain('unknown-credits');
    expect(check.problems.find((p) => p.rule === 'unknown-credits')?.message).toMatch(/^Develop own effectiveness and professionalism has no known credit value/);
  });

  it('names units that share a title by their level', () => {
    const byId = (id: string) => l3.units.find((u) => u.id === id)!;
    expect(unitName(l3, byId('A/601/3293'))).toBe('Technical Fault Diagnosis (Level 3)');
    expect(unitName(l3, byId('L/500/7391'))).toBe('Technical Fault Diagnosis (Level 4)');
    expect(unitName(l3, byId('J/601/3507'))).toBe('Technical Advice and Guidance');
  });
});
