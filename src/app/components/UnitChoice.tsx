import type { QualificationSpec, Unit, UnitGroup } from '../../domain/qualification';
import { checkRulesOfCombination, wouldBreak } from '../../domain/rules';

/**
 * Choosing a qualification's optional units with the rules of combination checked live:
 * shared by the learner's Enrol screen and the centre admin's enrolment form.
 */

export function unitFacts(unit: Unit): string {
  return [
    unit.reference ?? 'reference not known',
    `level ${unit.level}`,
    unit.credits === null ? 'credits not known' : `${unit.credits} credits`,
    unit.glh === null ? null : `${unit.glh} GLH`,
  ]
    .filter(Boolean)
    .join(' · ');
}

export function CompletenessTag({ unit }: { unit: Unit }) {
  if (unit.completeness === 'complete') return null;
  const text = { partial: 'criteria partly known', 'outcomes-only': 'only outcomes known', missing: 'content not known' }[unit.completeness];
  return <span class="tag warn">{text}</span>;
}

export function UnitGroupChoice({ spec, group, chosen, onToggle }: { spec: QualificationSpec; group: UnitGroup; chosen: string[]; onToggle: (unitId: string) => void }) {
  const units = group.unitIds.map((id) => spec.units.find((u) => u.id === id)!).filter(Boolean);
  const bounds = [group.minCredits !== null ? `at least ${group.minCredits} credits` : null, group.maxCredits !== null ? `at most ${group.maxCredits} credits` : null].filter(Boolean).join(', ');
  if (group.kind === 'mandatory')
    return (
      <div class="card">
        <h3>{group.title}</h3>
        <p class="small muted">Everyone on {spec.id} takes these units.</p>
        <ul>
          {units.map((unit) => (
            <li key={unit.id}>
              <strong>{unit.title}</strong> <span class="small muted">({unitFacts(unit)})</span> <CompletenessTag unit={unit} />
            </li>
          ))}
        </ul>
      </div>
    );
  return (
    <fieldset class="card">
      <legend class="label">
        {group.title}
        {bounds && <span class="small muted"> ({bounds})</span>}
      </legend>
      {group.provenance === 'inferred' && <p class="small muted">Which units belong here is inferred from public sources; your centre's handbook is the authority.</p>}
      {units.map((unit) => {
        const checked = chosen.includes(unit.id);
        const hints = checked ? [] : wouldBreak(spec, chosen, unit.id);
        const hintId = `unit-hint-${unit.id.replace(/[^a-z0-9]/gi, '-')}`;
        return (
          <div key={unit.id}>
            <label class="check">
              <input type="checkbox" name="optionalUnitIds" value={unit.id} checked={checked} aria-describedby={hints.length ? hintId : undefined} onChange={() => onToggle(unit.id)} />
              <span>
                {unit.title} <CompletenessTag unit={unit} />
                <span class="small muted" style={{ display: 'block' }}>
                  {unitFacts(unit)}
                </span>
                {hints.length > 0 && (
                  <span class="small" id={hintId} style={{ display: 'block', color: 'var(--warn)' }}>
                    Adding it would break a rule: {hints.map((h) => h.message).join(' ')}
                  </span>
                )}
              </span>
            </label>
          </div>
        );
      })}
    </fieldset>
  );
}

const LEARNER_HEADINGS = { valid: 'Your units meet the rules of combination', invalid: 'Your units do not meet the rules yet' };

export function RulesSummary({ spec, chosen, headings = LEARNER_HEADINGS }: { spec: QualificationSpec; chosen: string[]; headings?: { valid: string; invalid: string } }) {
  const check = checkRulesOfCombination(spec, chosen);
  return (
    <section class={`banner ${check.valid ? 'ok' : 'warn'}`} aria-labelledby="rules-heading" aria-live="polite" data-testid="rules-summary">
      <h2 id="rules-heading" style={{ marginTop: 0 }}>
        {check.valid ? headings.valid : headings.invalid}
      </h2>
      <p>
        <strong>
          {check.totalCredits} credits chosen, {check.requiredCredits} needed
        </strong>
        {check.creditsMissing > 0 ? ` (${check.creditsMissing} more to choose)` : ''}
      </p>
      <ul class="small">
        {check.groups.map((g) => (
          <li key={g.groupId}>
            {g.title}: {g.credits} credits
            {g.minCredits !== null ? `, need at least ${g.minCredits}` : ''}
            {g.maxCredits !== null ? `, at most ${g.maxCredits}` : ''}
          </li>
        ))}
        {check.levelRules.map((r) => (
          <li key={r.level}>
            Level {r.level} or above: {r.credits} credits, need at least {r.minCredits}
          </li>
        ))}
      </ul>
      {check.problems.length > 0 && (
        <ul>
          {check.problems.map((p, i) => (
            <li key={i}>{p.message}</li>
          ))}
        </ul>
      )}
      {spec.rules.note && <SourceNote text={spec.rules.note} summary="Where these rules come from" />}
    </section>
  );
}

/** Provenance of spec data matters to a centre, not to a learner choosing units: kept, but folded away. */
export function SourceNote({ text, summary }: { text: string; summary: string }) {
  return (
    <details class="small source-note">
      <summary>{summary}</summary>
      <p>{text}</p>
    </details>
  );
}
