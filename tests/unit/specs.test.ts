import { describe, expect, it } from 'vitest';
import { CompetenceStandard, QualificationSpec, criteriaOf, type FrameworkSpec } from '../../src/domain/qualification';
import { competenceTargets, enrolledUnitIds, loadShippedSpecs, mappingTargets, parseSpec, SHIPPED_SPEC_KEYS, SpecError } from '../../src/domain/specs';
import { checkRulesOfCombination } from '../../src/domain/rules';
import raw02 from '../../qualifications/4520-02.json';
import raw03 from '../../qualifications/4520-03.json';
import raw04 from '../../qualifications/4520-04.json';
import rawIcttech from '../../qualifications/icttech.json';

const specs = [raw02, raw03, raw04].map((raw) => QualificationSpec.parse(raw));
const [l2, l3, l4] = specs as [QualificationSpec, QualificationSpec, QualificationSpec];
const icttech = CompetenceStandard.parse(rawIcttech);

/** A choice of optional units known to meet the 4520-03 rules; the end-to-end test uses it too. */
const VALID_4520_03 = ['J/601/3507', 'A/601/3293', 'D/500/7332', 'M/500/7383', 'L/500/7391'];

function optionalIds(spec: QualificationSpec): string[] {
  return spec.units.filter((u) => !u.mandatory).map((u) => u.id);
}

/** Every subset of the optional units (there are few enough), looking for one that meets the rules. */
function someValidChoice(spec: QualificationSpec): string[] | null {
  const ids = optionalIds(spec);
  expect(ids.length).toBeLessThanOrEqual(16);
  for (let mask = 1; mask < 1 << ids.length; mask++) {
    const choice = ids.filter((_, i) => mask & (1 << i));
    if (checkRulesOfCombination(spec, choice).valid) return choice;
  }
  return null;
}

describe('shipped specs', () => {
  it('loads and parses all four files', async () => {
    const loaded: FrameworkSpec[] = await loadShippedSpecs();
    expect(loaded.map((s) => `${s.kind}:${s.id}`)).toEqual([
      'qualification:4520-02',
      'qualification:4520-03',
      'qualification:4520-04',
      'competence-standard:icttech',
    ]);
  });

  it('lists each shipped file under the id@version it holds, so a start can skip loading what the device has', async () => {
    const loaded = await loadShippedSpecs();
    expect(loaded.map((s) => `${s.id}@${s.version}`)).toEqual([...SHIPPED_SPEC_KEYS]);
    expect((await loadShippedSpecs(new Set(['4520-04@1']))).map((s) => s.id)).toEqual(['4520-04']);
  });

  it('carries the awarding-body facts from the City & Guilds page', () => {
    expect(l2).toMatchObject({ accreditationNumber: '501/1789/0', credits: 48, totalQualificationTime: 480, guidedLearningHours: { min: 270, max: 355 } });
    expect(l3).toMatchObject({ accreditationNumber: '501/1788/9', credits: 72, totalQualificationTime: 720, guidedLearningHours: { min: 525, max: 565 } });
    expect(l4).toMatchObject({ accreditationNumber: '501/1787/7', credits: 80, totalQualificationTime: 800, guidedLearningHours: { min: 525, max: 565 } });
    expect([l2, l3, l4].map((s) => [s.lastRegistrationDate, s.lastCertificationDate])).toEqual([
      ['2026-08-31', '2028-08-31'],
      ['2026-08-31', '2029-08-31'],
      ['2023-12-31', '2026-12-31'],
    ]);
    for (const spec of specs) {
      expect(spec.kind).toBe('qualification');
      expect(spec.version).toBe(1);
      expect(spec.awardingBody).toBe('City & Guilds');
      expect(spec.rules.minTotalCredits).toBe(spec.credits);
    }
  });

  it('gives every criterion a unique id made from its unit id and number', () => {
    for (const spec of specs) {
      const ids = spec.units.flatMap((u) => criteriaOf(u).map((c) => c.id));
      expect(new Set(ids).size).toBe(ids.length);
      for (const unit of spec.units) for (const c of criteriaOf(unit)) expect(c.id).toBe(`${unit.id}:${c.number}`);
    }
  });

  it('keeps a unit shared between qualifications identical, so its criterion ids mean the same', () => {
    const seen = new Map<string, string>();
    for (const spec of specs)
      for (const unit of spec.units) {
        const { mandatory: _mandatory, ...content } = unit;
        const json = JSON.stringify(content);
        expect(seen.get(unit.id) ?? json, `${unit.id} differs between specs`).toBe(json);
        seen.set(unit.id, json);
      }
    expect(l2.units.find((u) => u.id === 'health-and-safety-in-ict')).toEqual(l3.units.find((u) => u.id === 'health-and-safety-in-ict'));
  });

  it('never claims a unit is complete, and says why each is not', () => {
    for (const spec of specs)
      for (const unit of spec.units) {
        expect(unit.completeness, unit.id).not.toBe('complete');
        expect(unit.number, 'no 4520 unit numbers are known').toBeNull();
        expect(unit.sourceNote).toMatch(/ask your centre to import the full spec/i);
        const criteria = criteriaOf(unit).length;
        if (unit.outcomes.length === 0) expect(unit.completeness).toBe('missing');
        else if (criteria === 0) expect(unit.completeness).toBe('outcomes-only');
        else expect(unit.completeness).toBe('partial');
        if (unit.credits === null) expect(unit.sourceNote).toMatch(/credit value is not known|credit value.*were found|no criteria, credit value/i);
      }
  });

  it('uses the unit reference number as the id where it is known', () => {
    for (const spec of specs)
      for (const unit of spec.units) {
        if (unit.reference) expect(unit.id).toBe(unit.reference);
        else expect(unit.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      }
  });

  it('marks inferred groups and explains the rules', () => {
    for (const spec of specs) {
      expect(spec.rules.note.length).toBeGreaterThan(50);
      for (const g of spec.rules.groups) if (g.kind !== 'mandatory') expect(g.provenance).toBe('inferred');
    }
    expect(l2.rules).toMatchObject({ maxRestrictedCredits: 12, minCreditsAtOrAboveLevel: [{ level: 2, minCredits: 23 }] });
    expect(l2.rules.groups.find((g) => g.kind === 'optional')?.minCredits).toBe(39);
    expect(l3.rules.maxRestrictedCredits).toBe(24);
    expect(l3.rules.groups.find((g) => g.kind === 'optional')?.minCredits).toBe(60);
    expect(l4.rules.groups[0]).toMatchObject({ kind: 'mandatory', provenance: 'inferred' });
  });

  it('has the known mandatory units', () => {
    const mandatory = (spec: QualificationSpec) => spec.units.filter((u) => u.mandatory).map((u) => [u.id, u.level, u.credits]);
    expect(mandatory(l2)).toEqual([
      ['health-and-safety-in-ict', 1, 3],
      ['develop-own-effectiveness-and-professionalism-l2', 2, 6],
    ]);
    expect(mandatory(l3)).toEqual([
      ['health-and-safety-in-ict', 1, 3],
      ['D/503/5549', 3, 9],
    ]);
    expect(mandatory(l4)).toEqual([
      ['health-and-safety-in-ict', 1, 3],
      ['develop-own-effectiveness-and-professionalism-l4', 4, null],
    ]);
  });

  it('lets a 4520-03 learner make a valid choice of optional units', () => {
    expect(someValidChoice(l3)).not.toBeNull();
    const check = checkRulesOfCombination(l3, VALID_4520_03);
    expect(check.problems).toEqual([]);
    expect(check).toMatchObject({ valid: true, totalCredits: 75, requiredCredits: 72, creditsMissing: 0 });
  });

  it('lets a 4520-02 learner make a valid choice of optional units', () => {
    expect(someValidChoice(l2)).not.toBeNull();
    const l2Units = ['computer-games-development', 'creating-a-procedural-computer-program', 'creating-an-event-driven-computer-program', 'creating-an-object-orientated-computer-program', 'customer-care-in-ict', 'J/601/3247'];
    expect(checkRulesOfCombination(l2, l2Units)).toMatchObject({ valid: true, totalCredits: 49 });
  });

  it('cannot confirm any 4520-04 choice while the Level 4 mandatory unit has no credit value', () => {
    expect(someValidChoice(l4)).toBeNull();
  });
});

describe('parseSpec', () => {
  it('names the file and each problem', () => {
    const broken = structuredClone(raw03) as Record<string, unknown> & { units: Array<Record<string, unknown>> };
    broken.title = '';
    broken.units[0]!.reference = 'D-503-5549';
    let error: unknown;
    try {
      parseSpec(broken, 'qualifications/broken.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpecError);
    const message = (error as Error).message;
    expect(message).toContain('qualifications/broken.json is not a valid spec');
    expect(message).toContain('title');
    expect(message).toContain('A unit reference looks like D/503/5549');
  });

  it('reports rule groups that name units the spec lacks', () => {
    const broken = structuredClone(raw02) as { rules: { groups: Array<{ unitIds: string[]; alsoCountsGroupIds?: string[] }> } };
    broken.rules.groups[1]!.unitIds.push('no-such-unit');
    broken.rules.groups[1]!.alsoCountsGroupIds = ['nowhere'];
    expect(() => parseSpec(broken, 'x.json')).toThrow(/names unknown unit no-such-unit/);
    expect(() => parseSpec(broken, 'x.json')).toThrow(/counts unknown group nowhere/);
  });

  it('rejects data that is not a spec at all', () => {
    expect(() => parseSpec({ kind: 'recipe' }, 'odd.json')).toThrow(/odd\.json is not a valid spec/);
    expect(() => parseSpec(null, 'null.json')).toThrow(SpecError);
  });
});

describe('mapping targets', () => {
  it('flattens enrolled units into short, readable labels', () => {
    const ids = enrolledUnitIds(l3, ['A/601/3293']);
    expect(ids).toEqual(['health-and-safety-in-ict', 'D/503/5549', 'A/601/3293']);
    const targets = mappingTargets(l3, ids);
    expect(targets[1]).toEqual({
      id: 'health-and-safety-in-ict:1.2',
      frameworkId: '4520-03',
      label: 'H&S in ICT · 1.2',
      text: 'Identify available sources of health and safety information',
      unitId: 'health-and-safety-in-ict',
      unitTitle: 'Health and Safety in ICT',
      outcomeNumber: 1,
    });
    expect(targets.map((t) => t.label)).toContain('Fault diagnosis L3 · 1.3');
    expect(new Set(targets.map((t) => t.id)).size).toBe(targets.length);
    for (const t of targets) expect(t.label.length).toBeLessThanOrEqual(40);
  });

  it('keeps the spec order of optional units whatever order they were chosen in', () => {
    expect(enrolledUnitIds(l3, ['L/500/7391', 'J/601/3507', 'not-a-unit'])).toEqual(['health-and-safety-in-ict', 'D/503/5549', 'J/601/3507', 'L/500/7391']);
  });

  it('flattens the ICTTech standard', () => {
    const targets = competenceTargets(icttech);
    expect(icttech.headings.map((h) => h.code)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(targets[0]).toMatchObject({ id: 'icttech:A1', frameworkId: 'icttech', label: 'ICTTech A1', unitId: null, outcomeNumber: null });
    expect(new Set(targets.map((t) => t.id)).size).toBe(targets.length);
    for (const t of targets) expect(t.id).toMatch(/^icttech:[A-E]\d$/);
  });
});
