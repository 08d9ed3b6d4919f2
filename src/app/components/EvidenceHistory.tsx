import { assessmentMethodLabel } from '../../domain/assessment-methods';
import { formatDate } from '../../domain/dates';
import type { EvidenceContent, EvidenceHistoryAction, EvidenceHistoryEntry } from '../../domain/evidence';
import { evidenceHistory } from '../../data/evidence';
import { useLive } from '../../data/live';
import { LiveView } from './feedback';

const ACTION_WORDS: Record<EvidenceHistoryAction, string> = {
  created: 'Created',
  edited: 'Edited',
  submitted: 'Submitted for assessment',
  deleted: 'Deleted',
  restored: 'Restored after being deleted',
};

export const FIELD_WORDS: Record<keyof EvidenceContent, string> = {
  title: 'the title',
  narrative: 'the account of what you did and learned',
  activityDate: 'the date of the activity',
  method: 'the assessment method',
  hours: 'the hours',
  offTheJob: 'whether the hours were off-the-job',
  attachments: 'the files',
  criterionIds: 'the mapped criteria',
  kind: 'the kind of evidence',
  questions: 'the questions and answers',
  witness: "the witness's details",
};

const dateTime = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const timeOnly = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const list = new Intl.ListFormat('en-GB', { style: 'long', type: 'conjunction' });

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

function when(entry: EvidenceHistoryEntry): string {
  const start = formatDateTime(entry.at);
  // Edits in one sitting are one entry: show the span when it crosses a minute.
  if (entry.until && timeOnly.format(new Date(entry.until)) !== timeOnly.format(new Date(entry.at))) {
    const sameDay = new Date(entry.until).toDateString() === new Date(entry.at).toDateString();
    return `${start} to ${sameDay ? timeOnly.format(new Date(entry.until)) : formatDateTime(entry.until)}`;
  }
  return start;
}

function changedInWords(fields: string[]): string | null {
  const words = fields.map((f) => FIELD_WORDS[f as keyof EvidenceContent] ?? f);
  return words.length === 0 ? null : `Changed ${list.format(words)}.`;
}

/** An earlier version's content, read-only. */
export function ContentSummary({ content, criterionLabel }: { content: EvidenceContent; criterionLabel: (id: string) => string }) {
  return (
    <dl class="small" style={{ margin: '0.5rem 0' }}>
      <dt class="label">Title</dt>
      <dd>{content.title.trim() || <span class="muted">(none)</span>}</dd>
      <dt class="label">What you did and learned</dt>
      <dd style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{content.narrative.trim() || <span class="muted">(none)</span>}</dd>
      <dt class="label">Date of the activity</dt>
      <dd>{content.activityDate ? formatDate(content.activityDate) : <span class="muted">(none)</span>}</dd>
      <dt class="label">Assessment method</dt>
      <dd>{content.method ? assessmentMethodLabel(content.method) : <span class="muted">(none)</span>}</dd>
      <dt class="label">Hours</dt>
      <dd>
        {content.hours}
        {content.offTheJob ? ' (off-the-job)' : ''}
      </dd>
      <dt class="label">Files</dt>
      <dd>{content.attachments.length === 0 ? <span class="muted">(none)</span> : content.attachments.map((a) => a.name).join(', ')}</dd>
      <dt class="label">Mapped criteria</dt>
      <dd>{content.criterionIds.length === 0 ? <span class="muted">(none)</span> : content.criterionIds.map(criterionLabel).join(', ')}</dd>
    </dl>
  );
}

export interface EvidenceHistoryProps {
  evidenceId: string;
  /** Without it, earlier versions can be seen but not restored (locked or deleted items). */
  onRestore?: (entry: EvidenceHistoryEntry) => void;
  criterionLabel?: (id: string) => string;
  busy?: boolean;
}

/** The item's visible history, newest first, kept live. */
export function EvidenceHistory({ evidenceId, onRestore, criterionLabel = (id) => id, busy = false }: EvidenceHistoryProps) {
  const history = useLive(() => evidenceHistory(evidenceId), [evidenceId]);
  return (
    <LiveView live={history} what="the history">
      {(entries) =>
        entries.length === 0 ? (
          <p class="muted small">Nothing yet.</p>
        ) : (
          <ol class="list" reversed>
            {entries.map((entry) => {
              const changed = entry.action === 'edited' ? changedInWords(entry.fields) : null;
              const stamp = when(entry);
              return (
                <li key={entry.id} style={{ padding: '0.5rem 0' }}>
                  <p style={{ marginBottom: '0.25rem' }}>
                    <strong>{ACTION_WORDS[entry.action]}</strong> <time dateTime={entry.at}>{stamp}</time>
                  </p>
                  {changed && <p class="small muted">{changed}</p>}
                  {entry.action === 'edited' && entry.before && (
                    <details>
                      <summary>
                        Show this earlier version<span class="visually-hidden"> (from before the edit of {stamp})</span>
                      </summary>
                      <p class="small muted">How it looked before this edit:</p>
                      <ContentSummary content={entry.before} criterionLabel={criterionLabel} />
                      {onRestore && (
                        <button type="button" class="button secondary" disabled={busy} onClick={() => onRestore(entry)}>
                          Restore this version<span class="visually-hidden"> (from before the edit of {stamp})</span>
                        </button>
                      )}
                    </details>
                  )}
                </li>
              );
            })}
          </ol>
        )
      }
    </LiveView>
  );
}
