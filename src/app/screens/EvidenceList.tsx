import { Component } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import type { Evidence, EvidenceStatus } from '../../domain/evidence';
import { restoreEvidence } from '../../data/evidence';
import { ReferredItems } from '../components/DecisionSummary';
import { EvidenceRow } from '../components/EvidenceRow';
import { ErrorMessage, LiveView } from '../components/feedback';
import { Page } from '../components/Page';
import { usePortfolioWithEvidence } from '../portfolio';

const PAGE_SIZE = 100;
const STATUS_FILTERS: Array<{ value: '' | EvidenceStatus; label: string }> = [
  { value: '', label: 'All' },
  { value: 'draft', label: 'Drafts' },
  { value: 'submitted', label: 'Submitted' },
  { value: 'referred', label: 'Referred' },
  { value: 'accepted', label: 'Accepted' },
  { value: 'signed-off', label: 'Signed off' },
];

function matches(item: Evidence, words: string[]): boolean {
  if (words.length === 0) return true;
  const haystack = `${item.title} ${item.narrative} ${item.criterionIds.join(' ')}`.toLowerCase();
  return words.every((w) => haystack.includes(w));
}

/**
 * One page of rows. It redraws only when its own items change, so "Show N more" draws the new
 * page's rows and leaves the rows already shown alone.
 */
class RowPage extends Component<{ items: Evidence[] }> {
  override shouldComponentUpdate(next: { items: Evidence[] }) {
    return next.items !== this.props.items;
  }
  override render() {
    return <>{this.props.items.map((item) => <EvidenceRow key={item.id} evidence={item} />)}</>;
  }
}

function DeletedItems({ items }: { items: Evidence[] }) {
  const [error, setError] = useState<unknown>(null);
  if (items.length === 0) return null;
  return (
    <details class="card">
      <summary>Deleted evidence ({items.length})</summary>
      <p class="small muted">Deleted items stay on this device and can be restored.</p>
      {error !== null && <ErrorMessage error={error} title="Could not restore" />}
      <ul class="list">
        {items.map((item) => (
          <li key={item.id} style={{ display: 'flex', alignItems: 'center', gap: '0.5rem', justifyContent: 'space-between' }}>
            <span>{item.title.trim() || 'Untitled draft'}</span>
            <button class="button secondary" type="button" onClick={() => restoreEvidence(item.id).catch(setError)}>
              Restore<span class="visually-hidden"> {item.title.trim() || 'untitled draft'}</span>
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}

function EvidenceListView({ items, learnerId }: { items: Evidence[]; learnerId: string }) {
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<'' | EvidenceStatus>('');
  const [shown, setShown] = useState(PAGE_SIZE);
  const live = useMemo(() => items.filter((e) => !e.deletedAt), [items]);
  const deleted = useMemo(() => items.filter((e) => e.deletedAt), [items]);
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const visible = useMemo(() => live.filter((e) => (!status || e.status === status) && matches(e, words)), [live, status, query]);
  // Pages are cut from `visible` once per change of it, so a page keeps its identity while more are shown.
  const pages = useMemo(() => {
    const out: Evidence[][] = [];
    for (let i = 0; i < visible.length; i += PAGE_SIZE) out.push(visible.slice(i, i + PAGE_SIZE));
    return out;
  }, [visible]);
  return (
    <>
      <ReferredItems learnerId={learnerId} items={items} />
      <div class="actions" style={{ marginTop: 0, marginBottom: '1rem' }}>
        <a class="button" href="/evidence/new">
          Log new evidence
        </a>
      </div>
      <div class="grid" role="search">
        <div class="field">
          <label for="evidence-search">Search your evidence</label>
          <input id="evidence-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="evidence-status">Show</label>
          <select id="evidence-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as '' | EvidenceStatus)}>
            {STATUS_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p role="status" class="small muted">
        {visible.length} of {live.length} items
      </p>
      {live.length === 0 ? (
        <div class="card">
          <p>You have not logged any evidence yet.</p>
        </div>
      ) : (
        <section class="card" aria-label="Evidence">
          <ul class="list" data-testid="evidence-list">
            {pages.slice(0, Math.ceil(shown / PAGE_SIZE)).map((page, i) => (
              <RowPage key={i} items={page} />
            ))}
          </ul>
          {visible.length > shown && (
            <button class="button secondary" type="button" onClick={() => setShown((n) => n + PAGE_SIZE)}>
              Show {Math.min(PAGE_SIZE, visible.length - shown)} more
            </button>
          )}
        </section>
      )}
      <DeletedItems items={deleted} />
    </>
  );
}

export default function EvidenceList() {
  const portfolio = usePortfolioWithEvidence();
  return (
    <Page title="Your evidence">
      <LiveView live={portfolio} what="your portfolio">
        {(value) =>
          value ? (
            <EvidenceListView items={value.evidence} learnerId={value.profile.id} />
          ) : (
            <p>
              <a href="/enrol">Set up your portfolio</a> before logging evidence.
            </p>
          )
        }
      </LiveView>
    </Page>
  );
}
