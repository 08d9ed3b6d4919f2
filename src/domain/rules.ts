import type { QualificationSpec, Unit, UnitGroup } from './qualification';

export type RuleId =
  | 'min-total-credits'
  | 'group-min-credits'
  | 'group-max-credits'
  | 'max-restricted-credits'
  | 'min-level-credits'
  | 'unknown-credits'
  | 'unknown-unit'
  | 'mandatory-chosen';

export interface RuleProblem {
  rule: RuleId;
  message: string;
  groupId?: string;
  unitIds?: string[];
}

export interface GroupCredits {
  groupId: string;
  title: string;
  kind: UnitGroup['kind'];
  /** Credits counted towards this group's bounds: its own chosen units plus any groups it also counts. */
  credits: number;
  minCredits: number | null;
  maxCredits: number | null;
}

export interface RuleCheck {
  valid: boolean;
  /** Known credits of the mandatory units and the recognised optional choices. */
  totalCredits: number;
  requiredCredits: number;
  creditsMissing: number;
  groups: GroupCredits[];
  levelRules: Array<{ level: number; credits: number; minCredits: number }>;
  problems: RuleProblem[];
}

const KIND_PHRASE: Record<UnitGroup['kind'], string> = {
  mandatory: 'the mandatory units',
  optional: 'the optional units',
  restricted: 'the restricted units',
};

/** "the optional units" when the group is the only one of its kind, else its title. */
function groupPhrase(spec: QualificationSpec, group: UnitGroup): string {
  const sameKind = spec.rules.groups.filter((g) => g.kind === group.kind).length;
  return sameKind === 1 ? KIND_PHRASE[group.kind] : `the group “${group.title}”`;
}

/** The unit's title, with its level where another unit of the spec has the same title. */
export function unitName(spec: QualificationSpec, unit: Unit): string {
  const clash = spec.units.some((u) => u !== unit && u.title === unit.title);
  return clash ? `${unit.title} (Level ${unit.level})` : unit.title;
}

function creditsOf(units: Iterable<Unit>): number {
  let sum = 0;
  for (const unit of units) sum += unit.credits ?? 0;
  return sum;
}

export function checkRulesOfCombination(spec: QualificationSpec, optionalUnitIds: string[]): RuleCheck {
  const rules = spec.rules;
  const unitsById = new Map(spec.units.map((u) => [u.id, u]));
  const problems: RuleProblem[] = [];

  // Mandatory units always count; optional choices count once each, and only if the spec offers them.
  const selected = new Map<string, Unit>();
  for (const unit of spec.units) if (unit.mandatory) selected.set(unit.id, unit);
  for (const id of new Set(optionalUnitIds)) {
    const unit = unitsById.get(id);
    if (!unit) {
      problems.push({
        rule: 'unknown-unit',
        message: `“${id}” is not a unit of ${spec.id} (spec version ${spec.version}), so it cannot count: remove it from the choice.`,
        unitIds: [id],
      });
    } else if (unit.mandatory) {
      problems.push({
        rule: 'mandatory-chosen',
        message: `${unitName(spec, unit)} is mandatory, so it is already included: it does not need to be chosen.`,
        unitIds: [id],
      });
    } else {
      selected.set(id, unit);
    }
  }

  for (const unit of selected.values())
    if (unit.credits === null)
      problems.push({
        rule: 'unknown-credits',
        message: `${unitName(spec, unit)} has no known credit value, so it cannot count yet: ask your centre to import the full ${spec.id} spec.`,
        unitIds: [unit.id],
      });

  const totalCredits = creditsOf(selected.values());
  const creditsMissing = Math.max(0, rules.minTotalCredits - totalCredits);
  if (creditsMissing > 0)
    problems.push({
      rule: 'min-total-credits',
      message: `You need at least ${rules.minTotalCredits} credits in total; you have ${totalCredits} (${creditsMissing} more).`,
    });

  const groupsById = new Map(rules.groups.map((g) => [g.id, g]));
  const selectedIn = (groups: UnitGroup[]): Unit[] => {
    const ids = new Set(groups.flatMap((g) => g.unitIds));
    return [...selected.values()].filter((u) => ids.has(u.id));
  };

  const groups: GroupCredits[] = rules.groups.map((group) => {
    const counted = [group, ...(group.alsoCountsGroupIds ?? []).flatMap((id) => groupsById.get(id) ?? [])];
    const credits = creditsOf(selectedIn(counted));
    const phrase = groupPhrase(spec, group) + (counted.length > 1 ? ' (restricted units included)' : '');
    if (group.minCredits !== null && credits < group.minCredits)
      problems.push({
        rule: 'group-min-credits',
        groupId: group.id,
        message: `You need at least ${group.minCredits} credits from ${phrase}; you have ${credits} (${group.minCredits - credits} more).`,
      });
    if (group.maxCredits !== null && credits > group.maxCredits)
      problems.push({
        rule: 'group-max-credits',
        groupId: group.id,
        message: `At most ${group.maxCredits} credits may come from ${phrase}; you have chosen ${credits}.`,
      });
    return { groupId: group.id, title: group.title, kind: group.kind, credits, minCredits: group.minCredits, maxCredits: group.maxCredits };
  });

  if (rules.maxRestrictedCredits !== null) {
    const restrictedUnits = selectedIn(rules.groups.filter((g) => g.kind === 'restricted'));
    const restricted = creditsOf(restrictedUnits);
    if (restricted > rules.maxRestrictedCredits)
      problems.push({
        rule: 'max-restricted-credits',
        message: `At most ${rules.maxRestrictedCredits} credits may come from the restricted units; you have chosen ${restricted}.`,
        unitIds: restrictedUnits.map((u) => u.id),
      });
  }

  const levelRules = rules.minCreditsAtOrAboveLevel.map((rule) => {
    const from = rule.fromGroupIds.flatMap((id) => groupsById.get(id) ?? []);
    const pool = from.length > 0 ? selectedIn(from) : [...selected.values()];
    const credits = creditsOf(pool.filter((u) => u.level >= rule.level));
    if (credits < rule.minCredits) {
      const fromPhrase = from.length > 0 ? ` from ${from.map((g) => groupPhrase(spec, g)).join(' and ')}` : '';
      problems.push({
        rule: 'min-level-credits',
        message: `You need at least ${rule.minCredits} credits at level ${rule.level} or above${fromPhrase}; you have ${credits} (${rule.minCredits - credits} more).`,
      });
    }
    return { level: rule.level, credits, minCredits: rule.minCredits };
  });

  return {
    valid: problems.length === 0,
    totalCredits,
    requiredCredits: rules.minTotalCredits,
    creditsMissing,
    groups,
    levelRules,
    problems,
  };
}

function problemKey(p: RuleProblem): string {
  return `${p.rule}|${p.groupId ?? ''}|${p.rule === 'max-restricted-credits' ? '' : (p.unitIds ?? []).join(',')}`;
}

/** Problems that choosing unitId would newly cause, for a live hint beside its checkbox. */
export function wouldBreak(spec: QualificationSpec, current: string[], unitId: string): RuleProblem[] {
  if (current.includes(unitId)) return [];
  const before = new Set(checkRulesOfCombination(spec, current).problems.map(problemKey));
  return checkRulesOfCombination(spec, [...current, unitId]).problems.filter((p) => !before.has(problemKey(p)));
}
