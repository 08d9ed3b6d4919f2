import { db } from '../../data/db';
import { useLive, type Live } from '../../data/live';
import { unitLabel } from '../../domain/qualification';
import { competenceTargets, mappingTargets } from '../../domain/specs';

export interface UnitChoice {
  id: string;
  /** e.g. "Unit 301 Health and Safety in ICT" */
  label: string;
  /** Titles of the qualifications on this device that have the unit (shared units appear in several). */
  qualifications: string[];
}

/**
 * The units of every qualification spec this device holds (after sync an IQA's device holds the
 * specs of the centre's enrolments), each once however many qualifications or versions share it.
 */
export function useUnitChoices(): Live<UnitChoice[]> {
  return useLive(async () => {
    const byId = new Map<string, UnitChoice>();
    for (const { spec } of await db().frameworks.toArray()) {
      if (spec.kind !== 'qualification') continue;
      for (const unit of spec.units) {
        const known = byId.get(unit.id) ?? { id: unit.id, label: unit.number || unit.reference ? `${unitLabel(unit)} ${unit.title}` : unit.title, qualifications: [] };
        if (!known.qualifications.includes(spec.title)) known.qualifications.push(spec.title);
        byId.set(unit.id, known);
      }
    }
    return [...byId.values()].sort((a, b) => a.label.localeCompare(b.label, 'en-GB', { numeric: true }));
  }, []);
}

/** A unit's words for a unit id, falling back to the id for a unit this device has no spec for. */
export function unitName(units: readonly UnitChoice[], unitId: string): string {
  return units.find((u) => u.id === unitId)?.label ?? unitId;
}

/** "H&S in ICT · 1.2: text" for each criterion and competence of the specs on this device. */
export function useCriterionLabels(): Live<Map<string, string>> {
  return useLive(async () => {
    const labels = new Map<string, string>();
    for (const { spec } of await db().frameworks.toArray()) {
      const targets = spec.kind === 'qualification' ? mappingTargets(spec, spec.units.map((u) => u.id)) : competenceTargets(spec);
      for (const t of targets) labels.set(t.id, `${t.label}: ${t.text}`);
    }
    return labels;
  }, []);
}
