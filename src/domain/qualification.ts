import { z } from 'zod';

/** ISO calendar date (YYYY-MM-DD). Dates without times avoid time-zone drift between devices. */
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date in the form YYYY-MM-DD');
export type IsoDate = z.infer<typeof IsoDate>;

/**
 * How sure we are of a piece of spec text, as labelled in QUALIFICATIONS.md:
 * verbatim from a source, paraphrased, inferred, or not found.
 */
export const Provenance = z.enum(['verbatim', 'paraphrased', 'inferred', 'unknown']);
export type Provenance = z.infer<typeof Provenance>;

export const Criterion = z.object({
  /** Globally unique and stable across spec versions and qualifications, e.g. `D/503/5549:1.2`. */
  id: z.string().min(1),
  /** Number within its outcome as printed in the handbook, e.g. `1.2`. */
  number: z.string().regex(/^\d+\.\d+$/, 'Criterion numbers look like 1.2'),
  text: z.string().min(1),
  provenance: Provenance.default('verbatim'),
});
export type Criterion = z.infer<typeof Criterion>;

export const LearningOutcome = z.object({
  number: z.number().int().positive(),
  title: z.string().min(1),
  provenance: Provenance.default('verbatim'),
  criteria: z.array(Criterion),
});
export type LearningOutcome = z.infer<typeof LearningOutcome>;

/**
 * complete: every outcome and criterion is known.
 * partial: some outcomes/criteria are known, the source was cut off.
 * outcomes-only: outcome titles known, no criteria.
 * missing: nothing of the unit's content is known.
 */
export const UnitCompleteness = z.enum(['complete', 'partial', 'outcomes-only', 'missing']);
export type UnitCompleteness = z.infer<typeof UnitCompleteness>;

export const Unit = z.object({
  /** Stable key: the unit reference number (URN) where known, otherwise a slug. */
  id: z.string().min(1),
  /** The awarding body's unit number in this qualification, when known (e.g. `301`). */
  number: z.string().nullable(),
  /** Ofqual unit reference number, e.g. `D/503/5549`. */
  reference: z.string().regex(/^[A-Z]\/\d{3}\/\d{4}$/, 'A unit reference looks like D/503/5549').nullable(),
  title: z.string().min(1),
  /** Short name for mapping labels and tight layouts, e.g. `H&S in ICT`; falls back to the title. */
  shortTitle: z.string().min(1).max(40).optional(),
  level: z.number().int().min(1).max(8),
  /** Null where the credit value is not known: such a unit cannot count towards the rules. */
  credits: z.number().int().positive().nullable(),
  glh: z.number().int().positive().nullable(),
  mandatory: z.boolean(),
  completeness: UnitCompleteness,
  /** Plain words on what is known and where it came from, shown to users for incomplete units. */
  sourceNote: z.string().default(''),
  outcomes: z.array(LearningOutcome),
});
export type Unit = z.infer<typeof Unit>;

export const UnitGroup = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  kind: z.enum(['mandatory', 'optional', 'restricted']),
  unitIds: z.array(z.string()),
  /** Whole-group bounds on credits counted from this group. */
  minCredits: z.number().int().nonnegative().nullable().default(null),
  maxCredits: z.number().int().nonnegative().nullable().default(null),
  /**
   * Other groups whose chosen credits also count towards this group's bounds. In QCF rules the
   * restricted optional units are optional units too, so they count within the optional minimum.
   */
  alsoCountsGroupIds: z.array(z.string()).optional(),
  provenance: Provenance.default('verbatim'),
});
export type UnitGroup = z.infer<typeof UnitGroup>;

export const LevelRule = z.object({
  /** Credits from units at this level or above must reach minCredits. */
  level: z.number().int().min(1).max(8),
  minCredits: z.number().int().positive(),
  /** Groups whose units count for this rule; empty means every group. */
  fromGroupIds: z.array(z.string()).default([]),
  provenance: Provenance.default('verbatim'),
});
export type LevelRule = z.infer<typeof LevelRule>;

export const RulesOfCombination = z.object({
  minTotalCredits: z.number().int().positive(),
  groups: z.array(UnitGroup).min(1),
  minCreditsAtOrAboveLevel: z.array(LevelRule).default([]),
  /** Upper bound on credits taken from all restricted groups together. */
  maxRestrictedCredits: z.number().int().nonnegative().nullable().default(null),
  note: z.string().default(''),
});
export type RulesOfCombination = z.infer<typeof RulesOfCombination>;

export const QualificationSpec = z
  .object({
    kind: z.literal('qualification'),
    id: z.string().regex(/^\d{4}-\d{2}$/, 'A qualification id looks like 4520-03'),
    /** Spec version; an enrolment keeps the version it started on. */
    version: z.number().int().positive(),
    title: z.string().min(1),
    awardingBody: z.string().min(1),
    level: z.number().int().min(1).max(8),
    accreditationNumber: z.string().regex(/^\d{3}\/\d{4}\/[\dX]$/, 'An accreditation number looks like 501/1788/9'),
    credits: z.number().int().positive(),
    guidedLearningHours: z.object({ min: z.number().int().positive(), max: z.number().int().positive() }),
    totalQualificationTime: z.number().int().positive(),
    lastRegistrationDate: IsoDate,
    lastCertificationDate: IsoDate,
    rules: RulesOfCombination,
    units: z.array(Unit).min(1),
    sources: z.array(z.string()).default([]),
    note: z.string().default(''),
  })
  .superRefine((spec, ctx) => {
    const unitIds = new Set<string>();
    const criterionIds = new Set<string>();
    spec.units.forEach((unit, u) => {
      if (unitIds.has(unit.id)) ctx.addIssue({ code: 'custom', path: ['units', u, 'id'], message: `Unit ${unit.id} appears twice` });
      unitIds.add(unit.id);
      for (const outcome of unit.outcomes)
        for (const criterion of outcome.criteria) {
          if (criterionIds.has(criterion.id))
            ctx.addIssue({ code: 'custom', path: ['units', u], message: `Criterion ${criterion.id} appears twice` });
          criterionIds.add(criterion.id);
          if (!criterion.number.startsWith(`${outcome.number}.`))
            ctx.addIssue({
              code: 'custom',
              path: ['units', u],
              message: `Criterion ${criterion.number} is filed under outcome ${outcome.number}`,
            });
        }
    });
    const groupIds = new Set(spec.rules.groups.map((g) => g.id));
    spec.rules.groups.forEach((group, g) => {
      for (const id of group.unitIds)
        if (!unitIds.has(id))
          ctx.addIssue({ code: 'custom', path: ['rules', 'groups', g], message: `Group ${group.id} names unknown unit ${id}` });
      for (const id of group.alsoCountsGroupIds ?? [])
        if (!groupIds.has(id) || id === group.id)
          ctx.addIssue({ code: 'custom', path: ['rules', 'groups', g], message: `Group ${group.id} counts unknown group ${id}` });
    });
    const grouped = new Set(spec.rules.groups.flatMap((g) => g.unitIds));
    spec.units.forEach((unit, u) => {
      if (!grouped.has(unit.id))
        ctx.addIssue({ code: 'custom', path: ['units', u], message: `Unit ${unit.id} is in no group of the rules` });
      const inMandatory = spec.rules.groups.some((g) => g.kind === 'mandatory' && g.unitIds.includes(unit.id));
      if (inMandatory !== unit.mandatory)
        ctx.addIssue({
          code: 'custom',
          path: ['units', u, 'mandatory'],
          message: `Unit ${unit.id} is ${unit.mandatory ? '' : 'not '}mandatory but ${inMandatory ? 'is' : 'is not'} in a mandatory group`,
        });
    });
    if (spec.guidedLearningHours.min > spec.guidedLearningHours.max)
      ctx.addIssue({ code: 'custom', path: ['guidedLearningHours'], message: 'Guided learning hours: min is above max' });
  });
export type QualificationSpec = z.infer<typeof QualificationSpec>;

/** A professional competence standard (IET ICTTech): headings A-E, each with competences. */
export const Competence = z.object({
  id: z.string().min(1),
  code: z.string().min(1),
  text: z.string().min(1),
  provenance: Provenance.default('verbatim'),
});
export type Competence = z.infer<typeof Competence>;

export const CompetenceStandard = z.object({
  kind: z.literal('competence-standard'),
  id: z.string().min(1),
  version: z.number().int().positive(),
  title: z.string().min(1),
  body: z.string().min(1),
  headings: z
    .array(
      z.object({
        code: z.string().regex(/^[A-Z]$/),
        title: z.string().min(1),
        provenance: Provenance.default('verbatim'),
        competences: z.array(Competence),
      }),
    )
    .min(1),
  sources: z.array(z.string()).default([]),
  note: z.string().default(''),
});
export type CompetenceStandard = z.infer<typeof CompetenceStandard>;

export const FrameworkSpec = z.discriminatedUnion('kind', [QualificationSpec, CompetenceStandard]);
export type FrameworkSpec = z.infer<typeof FrameworkSpec>;

/** A flattened, searchable target an evidence item can be mapped to. */
export interface MappingTarget {
  id: string;
  frameworkId: string;
  /** e.g. `Unit D/503/5549 · 1.2` or `ICTTech B2` */
  label: string;
  text: string;
  unitId: string | null;
  unitTitle: string;
  outcomeNumber: number | null;
}

export function criteriaOf(unit: Unit): Criterion[] {
  return unit.outcomes.flatMap((o) => o.criteria);
}

export function unitLabel(unit: Unit): string {
  return unit.number ? `Unit ${unit.number}` : unit.reference ? unit.reference : unit.title;
}
