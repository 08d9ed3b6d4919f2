import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { unitLabel, type MappingTarget, type Provenance, type Unit } from '../../domain/qualification';

/** Enough to find things by scrolling on a phone; more would make every keystroke re-render thousands of rows. */
export const PAGE_SIZE = 200;

const FRAMEWORK_TITLES: Record<string, string> = { icttech: 'IET ICTTech competences' };

export interface CriterionPickerProps {
  /** Everything the item may be mapped to, in display order (units first, then competence standards). */
  targets: MappingTarget[];
  /** The enrolled units: outcome titles, and what is known about units whose criteria are missing. */
  units: Unit[];
  selected: string[];
  onChange(ids: string[]): void;
  /** id of the search box, so an error summary elsewhere can link to it. */
  searchId?: string;
  /** id of an error message about the mapping, read out with the search box. */
  errorId?: string;
  /** Titles of groups of targets that belong to no unit, by framework id. */
  frameworkTitles?: Record<string, string>;
}

interface Group {
  key: string;
  title: string;
  subtitle: string | null;
  unit: Unit | null;
  sections: Array<{ key: string; title: string; targets: MappingTarget[] }>;
}

function words(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

function matchesAll(haystack: string, needles: string[]): boolean {
  for (const needle of needles) if (!haystack.includes(needle)) return false;
  return true;
}

function unitHaystack(unit: Unit): string {
  return [unit.title, unit.shortTitle, unit.reference, unit.number ? `unit ${unit.number}` : null, unit.id].filter(Boolean).join(' ').toLowerCase();
}

function domId(prefix: string, id: string): string {
  return `${prefix}-${id.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
}

const PROVENANCE_NOTE: Partial<Record<Provenance, string>> = {
  paraphrased: 'reworded: the official wording may differ',
  inferred: 'inferred: not confirmed by the handbook',
};

export function CriterionPicker({ targets, units, selected, onChange, searchId = 'criteria-search', errorId, frameworkTitles = FRAMEWORK_TITLES }: CriterionPickerProps) {
  const [query, setQuery] = useState('');
  const [limit, setLimit] = useState(PAGE_SIZE);
  const chipsRef = useRef<HTMLUListElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  // After a chip is removed its button is gone: focus goes to the next chip, or the search box.
  const [focusChipAt, setFocusChipAt] = useState<number | null>(null);

  const unitById = useMemo(() => new Map(units.map((u) => [u.id, u])), [units]);
  const targetById = useMemo(() => new Map(targets.map((t) => [t.id, t])), [targets]);

  // Built once per spec, not per keystroke: this is what keeps 2,000 targets responsive.
  const indexed = useMemo(
    () =>
      targets.map((target) => {
        const unit = target.unitId ? unitById.get(target.unitId) : undefined;
        const outcome = unit?.outcomes.find((o) => o.number === target.outcomeNumber);
        const criterion = outcome?.criteria.find((c) => c.id === target.id);
        const haystack = [target.label, target.text, target.unitTitle, target.id, unit ? unitHaystack(unit) : null, outcome?.title]
          .filter(Boolean)
          .join(' ')
          .toLowerCase();
        return { target, haystack, provenance: criterion?.provenance ?? null, outcomeTitle: outcome?.title ?? null };
      }),
    [targets, unitById],
  );
  const extraById = useMemo(() => new Map(indexed.map((i) => [i.target.id, i])), [indexed]);
  const unitHaystacks = useMemo(() => new Map(units.map((u) => [u.id, unitHaystack(u)])), [units]);

  const needles = words(query);
  const matches = useMemo(() => (needles.length === 0 ? indexed : indexed.filter((i) => matchesAll(i.haystack, needles))), [indexed, query]);
  const shown = useMemo(() => matches.slice(0, limit), [matches, limit]);
  const selectedSet = useMemo(() => new Set(selected), [selected]);

  useEffect(() => setLimit(PAGE_SIZE), [query]);

  useEffect(() => {
    if (focusChipAt === null) return;
    const buttons = chipsRef.current?.querySelectorAll('button');
    const next = buttons && buttons.length > 0 ? buttons[Math.min(focusChipAt, buttons.length - 1)] : null;
    (next ?? searchRef.current)?.focus();
    setFocusChipAt(null);
  }, [focusChipAt]);

  const groups = useMemo(() => {
    const byKey = new Map<string, Group>();
    const groupFor = (target: MappingTarget): Group => {
      const unit = target.unitId ? unitById.get(target.unitId) ?? null : null;
      const key = target.unitId ? `unit:${target.unitId}` : `framework:${target.frameworkId}`;
      let group = byKey.get(key);
      if (!group) {
        group = unit
          ? { key, title: unit.title, subtitle: unitLabel(unit) === unit.title ? null : unitLabel(unit), unit, sections: [] }
          : target.unitId
            ? { key, title: target.unitTitle, subtitle: null, unit: null, sections: [] }
            : { key, title: frameworkTitles[target.frameworkId] ?? target.frameworkId, subtitle: null, unit: null, sections: [] };
        byKey.set(key, group);
      }
      return group;
    };
    // Units first in enrolment order, so incomplete units keep their place even with no criteria.
    for (const unit of units)
      if (needles.length === 0 || matchesAll(unitHaystacks.get(unit.id) ?? '', needles) || shown.some((i) => i.target.unitId === unit.id))
        if (unit.completeness !== 'complete' || shown.some((i) => i.target.unitId === unit.id))
          groupFor({ id: '', frameworkId: '', label: '', text: '', unitId: unit.id, unitTitle: unit.title, outcomeNumber: null });
    for (const { target, outcomeTitle } of shown) {
      const group = groupFor(target);
      const sectionKey = target.outcomeNumber !== null ? `outcome:${target.outcomeNumber}` : `heading:${target.unitTitle}`;
      let section = group.sections.find((s) => s.key === sectionKey);
      if (!section) {
        const title =
          target.outcomeNumber !== null ? `Outcome ${target.outcomeNumber}${outcomeTitle ? `: ${outcomeTitle}` : ''}` : target.unitTitle;
        section = { key: sectionKey, title, targets: [] };
        group.sections.push(section);
      }
      section.targets.push(target);
    }
    return [...byKey.values()];
  }, [shown, units, unitById, unitHaystacks, frameworkTitles, query]);

  const toggle = (id: string) => onChange(selectedSet.has(id) ? selected.filter((s) => s !== id) : [...selected, id]);
  const remove = (id: string, index: number) => {
    onChange(selected.filter((s) => s !== id));
    setFocusChipAt(index);
  };

  const hintId = `${searchId}-hint`;
  const countText =
    needles.length === 0
      ? `${targets.length} criteria and competences`
      : matches.length === 0
        ? 'No criteria match your search'
        : `${matches.length} ${matches.length === 1 ? 'match' : 'matches'}`;

  return (
    <div class="criterion-picker">
      <h3 id={`${searchId}-selected-heading`}>Mapped ({selected.length})</h3>
      {selected.length === 0 ? (
        <p class="muted small">None yet. Search, or open a unit below, and tick the criteria this evidence shows you can do.</p>
      ) : (
        <ul ref={chipsRef} class="list" aria-labelledby={`${searchId}-selected-heading`} style={{ display: 'flex', flexWrap: 'wrap', gap: '0.5rem', marginBottom: '1rem' }}>
          {selected.map((id, index) => {
            const target = targetById.get(id);
            const label = target?.label ?? id;
            return (
              <li key={id} style={{ border: 0 }}>
                <button
                  type="button"
                  class="button secondary"
                  aria-label={`Remove ${label}`}
                  title={target ? target.text : 'Not in your current units'}
                  onClick={() => remove(id, index)}
                >
                  <span>{label}</span>
                  {!target && <span class="small"> (not in your units)</span>}
                  <span aria-hidden="true">×</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}

      <div class="field" role="search">
        <label for={searchId}>Search criteria</label>
        <span class="hint" id={hintId}>
          Type a number such as 1.2, a unit name or reference, or words from the criterion.
        </span>
        <input
          ref={searchRef}
          id={searchId}
          type="search"
          value={query}
          autocomplete="off"
          spellcheck={false}
          aria-describedby={[hintId, errorId].filter(Boolean).join(' ')}
          aria-invalid={errorId ? 'true' : undefined}
          aria-controls={`${searchId}-results`}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
      </div>
      <p class="small muted" role="status" aria-live="polite">
        {countText}
        {matches.length > shown.length ? `, showing the first ${shown.length}` : ''}
      </p>

      <div id={`${searchId}-results`}>
        {groups.map((group) => {
          const mapped = group.sections.reduce((n, section) => n + section.targets.filter((t) => selectedSet.has(t.id)).length, 0);
          // Browsing shows one line per unit (a phone screen, not 66 rows); a search opens what matched.
          return (
            <section key={`${group.key}:${needles.length > 0}`} class="card picker-group" aria-labelledby={domId('group', group.key)}>
             <details open={needles.length > 0}>
              <summary>
                <span>
                  <h3 id={domId('group', group.key)} style={{ margin: 0 }}>
                    {group.title}
                    {group.subtitle && <span class="small muted"> ({group.subtitle})</span>}
                  </h3>
                  <span class="small muted" style={{ display: 'block', fontWeight: 400 }}>
                    {group.sections.reduce((n, s) => n + s.targets.length, 0)} criteria{mapped > 0 ? ` · ${mapped} mapped` : ''}
                  </span>
                </span>
              </summary>
              {group.unit && <UnitNote unit={group.unit} hasCriteria={group.sections.length > 0 || needles.length > 0} />}
              {group.sections.map((section) => (
                <fieldset key={section.key}>
                  <legend class="label">{section.title}</legend>
                  {section.targets.map((target) => {
                    const note = PROVENANCE_NOTE[extraById.get(target.id)?.provenance ?? 'verbatim'];
                    return (
                      <label class="check" key={target.id}>
                        <input type="checkbox" value={target.id} checked={selectedSet.has(target.id)} onChange={() => toggle(target.id)} />
                        <span>
                          <strong>{target.label}</strong> {target.text}
                          {note && <span class="small muted"> ({note})</span>}
                        </span>
                      </label>
                    );
                  })}
                </fieldset>
              ))}
             </details>
            </section>
          );
        })}
      </div>
      {matches.length > shown.length && (
        <button type="button" class="button secondary" onClick={() => setLimit((n) => n + PAGE_SIZE)}>
          Show more ({matches.length - shown.length} not shown)
        </button>
      )}
    </div>
  );
}

/** What is and is not known about an incomplete unit, in the spec's own words; nothing is made up. */
function UnitNote({ unit, hasCriteria }: { unit: Unit; hasCriteria: boolean }) {
  if (unit.completeness === 'complete') return null;
  const source = unit.sourceNote.trim();
  const known = unit.outcomes.some((o) => o.criteria.length > 0);
  if (!known)
    return (
      <div class="banner warn">
        <p>
          <strong>The criteria for this unit are not yet known</strong>, so evidence cannot be mapped to it here. Ask your assessor how to record evidence for it.
        </p>
        {unit.outcomes.length > 0 && (
          <>
            <p class="small">Known learning outcomes:</p>
            <ul class="small">
              {unit.outcomes.map((o) => (
                <li key={o.number}>
                  {o.number}. {o.title}
                </li>
              ))}
            </ul>
          </>
        )}
        {source && <p class="small">{source}</p>}
      </div>
    );
  return (
    <details class="small" open={!hasCriteria}>
      <summary>
        Only some criteria of this unit are known <span class="muted">(why)</span>
      </summary>
      <p>{source || 'The rest of this unit has not been published to this app yet. Ask your assessor about the missing criteria.'}</p>
    </details>
  );
}
