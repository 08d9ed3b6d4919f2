import { listIssues } from './issues';
import {
  FrameworkSpec,
  type CompetenceStandard,
  type MappingTarget,
  type QualificationSpec,
  type Unit,
} from './qualification';

const MAX_LISTED_SPEC_ISSUES = 20;

/**
 * The specs shipped with the app. Dynamic imports let Vite split each JSON file into its own
 * chunk, so the first-load bundle stays small and the specs are fetched (and precached) separately.
 */
const SHIPPED: Array<{ file: string; key: string; load: () => Promise<{ default: unknown }> }> = [
  { file: 'qualifications/4520-02.json', key: '4520-02@1', load: () => import('../../qualifications/4520-02.json') },
  { file: 'qualifications/4520-03.json', key: '4520-03@1', load: () => import('../../qualifications/4520-03.json') },
  { file: 'qualifications/4520-04.json', key: '4520-04@1', load: () => import('../../qualifications/4520-04.json') },
  { file: 'qualifications/icttech.json', key: 'icttech@1', load: () => import('../../qualifications/icttech.json') },
];

/**
 * The `id@version` of each shipped spec, known without loading it: a start on a device that holds
 * them all fetches and parses none (they were a third of an offline cold start: bench measure 2).
 * tests/unit/specs.test.ts checks these against the files.
 */
export const SHIPPED_SPEC_KEYS: readonly string[] = SHIPPED.map((s) => s.key);

export class SpecError extends Error {
  override name = 'SpecError';
}

/** Validates raw spec data, throwing an error that names its source and every problem found. */
export function parseSpec(raw: unknown, source: string): FrameworkSpec {
  const result = FrameworkSpec.safeParse(raw);
  if (result.success) return result.data;
  const { text, more } = listIssues(result.error, MAX_LISTED_SPEC_ISSUES);
  throw new SpecError(`${source} is not a valid spec:\n${text}${more > 0 ? `\n…and ${more} more problems: fix these first and import again.` : ''}`);
}

/** The shipped specs, parsed; `only` limits it to those keys (the ones a device lacks). */
export async function loadShippedSpecs(only?: ReadonlySet<string>): Promise<FrameworkSpec[]> {
  const wanted = only ? SHIPPED.filter((s) => only.has(s.key)) : SHIPPED;
  return Promise.all(wanted.map(async ({ file, load }) => parseSpec((await load()).default, file)));
}

export function shortUnitTitle(unit: Unit): string {
  return unit.shortTitle ?? unit.title;
}

/** Mandatory units first then the chosen optional ones, all in the order the spec lists them. */
export function enrolledUnitIds(spec: QualificationSpec, optionalUnitIds: string[]): string[] {
  const chosen = new Set(optionalUnitIds);
  const mandatory = spec.units.filter((u) => u.mandatory).map((u) => u.id);
  const optional = spec.units.filter((u) => !u.mandatory && chosen.has(u.id)).map((u) => u.id);
  return [...mandatory, ...optional];
}

/** Every criterion of the given units, flattened for searching and mapping, in spec order. */
export function mappingTargets(spec: QualificationSpec, unitIds: string[]): MappingTarget[] {
  const wanted = new Set(unitIds);
  const targets: MappingTarget[] = [];
  for (const unit of spec.units) {
    if (!wanted.has(unit.id)) continue;
    const short = shortUnitTitle(unit);
    for (const outcome of unit.outcomes)
      for (const criterion of outcome.criteria)
        targets.push({
          id: criterion.id,
          frameworkId: spec.id,
          label: `${short} · ${criterion.number}`,
          text: criterion.text,
          unitId: unit.id,
          unitTitle: unit.title,
          outcomeNumber: outcome.number,
        });
  }
  return targets;
}

export function competenceTargets(std: CompetenceStandard): MappingTarget[] {
  const prefix = std.id === 'icttech' ? 'ICTTech' : std.title;
  return std.headings.flatMap((heading) =>
    heading.competences.map((c) => ({
      id: c.id,
      frameworkId: std.id,
      label: `${prefix} ${c.code}`,
      text: c.text,
      unitId: null,
      unitTitle: `${heading.code}. ${heading.title}`,
      outcomeNumber: null,
    })),
  );
}

