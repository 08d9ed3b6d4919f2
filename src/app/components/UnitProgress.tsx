import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { QualificationProgress } from '../../domain/progress';

type UnitProgress = QualificationProgress['units'][number];

/** Where an evidence link goes: the learner's editor, or the assessor's review of the item. */
export type EvidenceHref = (evidenceId: string) => string;
const learnerHref: EvidenceHref = (id) => `/evidence/${id}`;

export function pct(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 100);
}

export function Meter({ part, whole, label }: { part: number; whole: number; label: string }) {
  return <progress class="meter-native" value={part} max={Math.max(whole, 1)} aria-label={label} />;
}

/** Links shown before "N more": a criterion a learner has evidenced 500 times stays readable and cheap to draw. */
export const LINKS_SHOWN = 10;

function linkList(ids: string[], titles: Map<string, string>, href: EvidenceHref) {
  return ids.map((id, i) => (
    <span key={id}>
      {i > 0 && ', '}
      <a href={href(id)}>{titles.get(id)?.trim() || 'Untitled draft'}</a>
    </span>
  ));
}

/**
 * The open state of a <details> left to the browser (no `open` prop), so that what is inside can
 * be drawn only while it is open: a closed card costs its summary, not thousands of links.
 */
function useDetailsOpen(): [boolean, (event: Event) => void] {
  const [open, setOpen] = useState(false);
  return [open, (event) => setOpen((event.currentTarget as HTMLDetailsElement).open)];
}

/** The rest of a long list of links, drawn only once its "N more" is opened. */
function MoreLinks({ ids, titles, href }: { ids: string[]; titles: Map<string, string>; href: EvidenceHref }) {
  const [open, onToggle] = useDetailsOpen();
  return (
    <details class="more-links small" onToggle={onToggle}>
      <summary>and {ids.length} more</summary>
      {open && <span>{linkList(ids, titles, href)}</span>}
    </details>
  );
}

export function EvidenceLinks({ ids, titles, href = learnerHref }: { ids: string[]; titles: Map<string, string>; href?: EvidenceHref }) {
  if (ids.length === 0) return <span class="tag warn">No evidence yet</span>;
  const rest = ids.length > LINKS_SHOWN ? ids.slice(LINKS_SHOWN) : null;
  return (
    <>
      <span class="small">{linkList(rest ? ids.slice(0, LINKS_SHOWN) : ids, titles, href)}</span>
      {rest && <MoreLinks ids={rest} titles={titles} href={href} />}
    </>
  );
}

export function UnitCard({ unit, titles, evidenceHref = learnerHref, children }: { unit: UnitProgress; titles: Map<string, string>; evidenceHref?: EvidenceHref; children?: ComponentChildren }) {
  // Evidence links are drawn only while the card is open (a big portfolio has thousands of them).
  const [open, onToggle] = useDetailsOpen();
  const status = unit.achieved ? <span class="tag ok">Assessed</span> : unit.evidenced ? <span class="tag submitted">All criteria evidenced</span> : null;
  return (
    <details class="card unit-progress" data-unit-id={unit.unitId} onToggle={onToggle}>
      <summary>
        <span style={{ flex: 1 }}>
          {unit.title} {status}
          <span class="small muted" style={{ display: 'block', fontWeight: 400 }}>
            {unit.reference ? `${unit.reference} · ` : ''}level {unit.level} · {unit.criteriaEvidenced} of {unit.criteriaTotal} criteria evidenced ·{' '}
            {unit.credits === null ? 'credits not known' : `${unit.credits} credits`}
            {unit.mandatory ? ' · mandatory' : ''}
          </span>
          <Meter part={unit.criteriaEvidenced} whole={unit.criteriaTotal} label={`${unit.title}: criteria evidenced`} />
        </span>
      </summary>
      {children}
      {unit.specIncomplete && (
        <p class="banner warn small">
          This unit's full content is not known on this device, so it cannot be completed here. {unit.sourceNote}
        </p>
      )}
      {unit.outcomes.map((outcome) => (
        <section key={outcome.number}>
          <h3>
            Outcome {outcome.number}: {outcome.title}{' '}
            <span class="small muted">
              ({outcome.criteriaEvidenced}/{outcome.criteriaTotal})
            </span>
          </h3>
          <ul class="list">
            {outcome.criteria.map((c) => (
              <li key={c.id} style={{ padding: '0.5rem 0' }}>
                <strong>{c.number}</strong> {c.text}
                {open && (
                  <div>
                    <EvidenceLinks ids={c.evidenceIds} titles={titles} href={evidenceHref} />
                  </div>
                )}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </details>
  );
}

