import { useEffect, useRef, useState } from 'preact/hooks';
import type { StoredDecision } from '../../data/db';
import { decisionsForEvidence, decisionsForLearner } from '../../data/decisions';
import { useLive } from '../../data/live';
import type { AuditEntry, AuditPage } from '../../domain/audit';
import { CentreError } from '../../sync/api';
import { readAuditTrail, type AuditSubject } from '../../sync/audit';
import { useOnline } from '../online';
import { useAccount, useServices } from '../services';
import { atCentre, outcomeWords } from './DecisionSummary';
import { formatDateTime } from './EvidenceHistory';
import { ErrorMessage } from './feedback';

/**
 * The centre's audit trail of one record or one learner (GET /api/audit): every change and
 * decision, newest first, with who, when and from which device, a page at a time. It is kept by
 * the centre only, so offline it says so and lists the decisions held on this device instead.
 */

export const AUDIT_OFFLINE_MESSAGE = 'The audit trail is kept by your centre: connect to see it.';

/** Reads one page; `before` is the previous page's `next`. */
export type AuditLoader = (subject: AuditSubject, before: string | null) => Promise<AuditPage>;

const PAGE_SIZE = 20;

const ROLE_WORDS: Record<string, string> = { learner: 'learner', assessor: 'assessor', iqa: 'IQA', admin: 'admin' };

/** Field names of the records, as people say them. */
const FIELD_WORDS: Record<string, string> = {
  title: 'title',
  narrative: 'narrative',
  activityDate: 'date',
  method: 'method',
  hours: 'hours',
  offTheJob: 'off-the-job',
  attachments: 'files',
  criterionIds: 'criteria',
  kind: 'kind',
  questions: 'questions',
  witness: 'witness details',
  status: 'status',
  conflicts: 'conflict copies',
  recordedBy: 'recorded by',
  iqaLock: 'IQA lock',
  name: 'name',
  employer: 'employer',
  optionalUnitIds: 'optional units',
  startDate: 'start date',
  plannedEndDate: 'planned end date',
  plannedOffTheJobHoursPerWeek: 'planned off-the-job hours',
  qualificationId: 'qualification',
  qualificationVersion: 'spec version',
};

/** Bookkeeping that changes with every save: not worth a word. */
const QUIET_FIELDS = new Set(['updatedAt', 'createdAt', 'deletedAt', 'id']);

const DECISION_WORDS: Record<string, string> = {
  'decision.assessment.accepted': 'Signed off',
  'decision.assessment.referred': 'Referred',
  'decision.assessment.reopened': 'Reopened',
  'decision.declaration.declared': 'Declared the work their own',
  'decision.iqa.agreed': 'IQA agreed with the sign-off',
  'decision.iqa.action': 'IQA asked the assessor to act',
  'decision.unit.signed-off': 'Signed off a unit',
  'decision.qualification.signed-off': 'Signed off the qualification',
};

/** What the centre did to an item as the consequence of a decision, in the same transaction. */
const EFFECT_WORDS: Record<string, string> = {
  'evidence.signed-off': 'Signed off',
  'evidence.referred': 'Referred',
  'evidence.reopened': 'Reopened',
  'evidence.iqa-locked': 'Locked by the IQA’s agreement',
};

const FIXED_WORDS: Record<string, string> = {
  ...EFFECT_WORDS,
  'evidence-unlocked': 'IQA lock removed by an admin',
  'key-registered': 'Key registered',
  'key-revoked': 'Key revoked',
  'attachment.upload': 'File uploaded',
  'enrolment-created': 'Enrolled',
  'eqa-export': 'Exported for the EQA',
  'user-created': 'Account created',
  'user-updated': 'Account changed',
  'caseload-set': 'Caseload changed',
  'session-revoked': 'Device signed out',
  'sign-in': 'Signed in',
  'sign-out': 'Signed out',
  'sign-in-failed': 'Sign-in refused',
  'demo-centre-seeded': 'Demo centre set up',
};

const RECORD_WORDS: Record<string, string> = { evidence: 'item', profile: 'profile', enrolment: 'enrolment', decision: 'decision' };

function list(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** The action of an entry in plain words: "Signed off", "Edited title, narrative", "Key registered". */
export function actionWords(entry: Pick<AuditEntry, 'action' | 'entity' | 'detail'>): string {
  const { action, detail } = entry;
  const decision = DECISION_WORDS[action];
  if (decision) return decision;
  const fixed = FIXED_WORDS[action];
  if (fixed) return fixed;
  const sync = /^sync\.([a-z-]+)\.(create|update|delete|restore)$/.exec(action);
  if (sync) {
    const what = RECORD_WORDS[sync[1]!] ?? sync[1]!;
    switch (sync[2]) {
      case 'create':
        return `Created the ${what}`;
      case 'delete':
        return `Deleted the ${what}`;
      case 'restore':
        return `Restored the ${what}`;
      default: {
        const fields = Array.isArray(detail.fields) ? (detail.fields as unknown[]).filter((f): f is string => typeof f === 'string' && !QUIET_FIELDS.has(f)) : [];
        return fields.length > 0 ? `Edited ${fields.map((f) => FIELD_WORDS[f] ?? f).join(', ')}` : `Saved the ${what} (no change to its content)`;
      }
    }
  }
  // An action this version has no words for yet: still readable.
  const plain = action.replace(/[._-]+/g, ' ').trim();
  return plain.charAt(0).toUpperCase() + plain.slice(1);
}

/** Further words an entry carries: a reason, who drew a signature, which fields overlapped. */
function detailWords(entry: AuditEntry): string[] {
  const words: string[] = [];
  const { detail } = entry;
  if (typeof detail.reason === 'string' && detail.reason.trim()) words.push(`Reason: “${detail.reason.trim()}”`);
  if (typeof detail.signedFor === 'string' && detail.signedFor.trim()) words.push(`Signature drawn by ${detail.signedFor.trim()}`);
  if (Array.isArray(detail.overlapping) && detail.overlapping.length > 0)
    words.push(`Also changed on another device: ${list((detail.overlapping as unknown[]).map((f) => FIELD_WORDS[String(f)] ?? String(f)))}`);
  if (entry.action === 'attachment.upload' && typeof detail.filename === 'string') words.push(detail.filename);
  return words;
}

/**
 * A learner's trail holds both a decision and its effect on the item: the effect is left out
 * where its decision is listed too (same person, same moment), so each judgement reads once.
 */
export function withoutEchoes(entries: AuditEntry[]): AuditEntry[] {
  const decisions = new Set(entries.filter((e) => e.entity === 'decision' && e.recordId).map((e) => e.recordId));
  return entries.filter((e) => !(e.action in EFFECT_WORDS && typeof e.detail.decisionId === 'string' && decisions.has(e.detail.decisionId)));
}

function whoWords(entry: AuditEntry): string {
  if (!entry.user) return 'The centre';
  return `${entry.user.name || 'Someone'} (${ROLE_WORDS[entry.user.role] ?? entry.user.role})`;
}

function deviceWords(entry: AuditEntry): string | null {
  if (entry.deviceLabel) return `on ${entry.deviceLabel}`;
  return entry.deviceId ? 'on a device the centre has no name for' : null;
}

export interface AuditTrailProps {
  subject: AuditSubject;
  heading?: string;
  headingLevel?: 2 | 3;
  /** Where the pages come from: by default the signed-in account's client (admin screens pass theirs). */
  load?: AuditLoader;
  /** Offline, list the decisions this device holds about the subject (not on admin screens: they hold none). */
  showLocalDecisions?: boolean;
  /** What an entry is about (an item's title, a unit), when the screen knows it: shown beside the action. */
  recordLabel?: (entry: AuditEntry) => string | null;
  /** Words under the heading. */
  intro?: string;
}

type TrailState =
  | { status: 'loading' }
  | { status: 'ready'; entries: AuditEntry[]; next: string | null; more: 'idle' | 'loading' | { error: unknown } }
  | { status: 'error'; error: unknown };

function unreachable(error: unknown): boolean {
  return error instanceof CentreError && error.reason === 'offline';
}

export function AuditTrail({ subject, heading = 'Audit trail', headingLevel = 2, load, showLocalDecisions = true, recordLabel, intro }: AuditTrailProps) {
  const { account } = useServices();
  const { signIn } = useAccount();
  const online = useOnline();
  const loader: AuditLoader = load ?? ((s, before) => account.endOn401(readAuditTrail(account.client(), s, before, PAGE_SIZE)));
  const key = 'recordId' in subject ? `record:${subject.recordId}` : `learner:${subject.learnerId}`;
  const canAsk = !!load || (!!signIn && !signIn.ended);
  const [state, setState] = useState<TrailState>({ status: 'loading' });
  const generation = useRef(0);
  const headingId = `audit-${key.replace(/[^a-zA-Z0-9_-]/g, '_')}`;

  useEffect(() => {
    if (!online || !canAsk) return;
    const mine = ++generation.current;
    setState({ status: 'loading' });
    loader(subject, null).then(
      (page) => mine === generation.current && setState({ status: 'ready', entries: page.entries, next: page.next, more: 'idle' }),
      (error: unknown) => mine === generation.current && setState({ status: 'error', error }),
    );
    return () => {
      generation.current++;
    };
    // The loader is rebuilt on each render; the subject's key and the connection decide a reload.
  }, [key, online, canAsk]);

  const showOlder = async () => {
    if (state.status !== 'ready' || !state.next) return;
    const mine = generation.current;
    setState({ ...state, more: 'loading' });
    try {
      const page = await loader(subject, state.next);
      if (mine !== generation.current) return;
      setState((s) => (s.status === 'ready' ? { status: 'ready', entries: [...s.entries, ...page.entries], next: page.next, more: 'idle' } : s));
      // Focus moves to the first older entry, so a keyboard or screen reader user carries on from there.
      requestAnimationFrame(() => {
        for (const entry of page.entries) {
          const element = document.getElementById(`${headingId}-entry-${entry.id}`);
          if (element) return element.focus();
        }
      });
    } catch (error) {
      if (mine === generation.current) setState((s) => (s.status === 'ready' ? { ...s, more: { error } } : s));
    }
  };

  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const offline = !online || (state.status === 'error' && unreachable(state.error));
  let body;
  if (!canAsk)
    body = (
      <>
        <p class="muted">
          {signIn?.ended ? 'The audit trail is kept by your centre: sign in again to see it.' : 'The audit trail is kept by your centre: sign in to your centre to see it.'}
        </p>
        {showLocalDecisions && <LocalDecisions subject={subject} />}
      </>
    );
  else if (offline)
    body = (
      <>
        <p class="banner info" data-testid="audit-offline">
          {AUDIT_OFFLINE_MESSAGE}
        </p>
        {showLocalDecisions && <LocalDecisions subject={subject} />}
      </>
    );
  else if (state.status === 'loading')
    body = (
      <p role="status" class="muted">
        Loading the audit trail…
      </p>
    );
  else if (state.status === 'error')
    body =
      state.error instanceof CentreError && state.error.status === 404 ? (
        <p class="muted">Your centre has no audit trail for this yet: it starts when the first change reaches the centre.</p>
      ) : (
        <ErrorMessage error={state.error} title="Could not load the audit trail" />
      );
  else
    body = (
      <>
        {state.entries.length === 0 ? (
          <p class="muted">Nothing has been recorded yet.</p>
        ) : (
          <ol class="list audit-trail" data-testid="audit-entries">
            {withoutEchoes(state.entries).map((entry) => {
              const record = recordLabel?.(entry) ?? null;
              const device = deviceWords(entry);
              const extra = detailWords(entry);
              return (
                <li key={entry.id} id={`${headingId}-entry-${entry.id}`} tabIndex={-1} data-testid="audit-entry" style={{ padding: '0.5rem 0' }}>
                  <strong>{actionWords(entry)}</strong>
                  {record && <span> · {record}</span>}
                  <span class="small" style={{ display: 'block' }}>
                    {whoWords(entry)}, <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
                    {device ? `, ${device}` : ''}
                  </span>
                  {extra.map((words) => (
                    <span key={words} class="small muted" style={{ display: 'block' }}>
                      {words}
                    </span>
                  ))}
                </li>
              );
            })}
          </ol>
        )}
        {typeof state.more === 'object' && <ErrorMessage error={state.more.error} title="Could not load older entries" />}
        {state.next && (
          <div class="actions">
            <button type="button" class="button secondary" disabled={state.more === 'loading'} onClick={() => void showOlder()}>
              {state.more === 'loading' ? 'Loading…' : 'Show older'}
            </button>
          </div>
        )}
      </>
    );

  return (
    <section class="card" aria-labelledby={headingId} data-testid="audit-trail">
      <Heading id={headingId} style={{ marginTop: 0 }}>
        {heading}
      </Heading>
      {intro && <p class="small muted">{intro}</p>}
      {body}
    </section>
  );
}

/** Offline: the decisions this device holds about the subject, newest first. */
function LocalDecisions({ subject }: { subject: AuditSubject }) {
  const id = 'recordId' in subject ? subject.recordId : subject.learnerId;
  const live = useLive<StoredDecision[]>(() => ('recordId' in subject ? decisionsForEvidence(subject.recordId) : decisionsForLearner(subject.learnerId)), [id]);
  if (live.status === 'loading') return null;
  if (live.status === 'error') return <p class="banner error small">Could not read the decisions on this device: {live.error.message}</p>;
  const decisions = [...live.value].reverse();
  return (
    <div data-testid="audit-local">
      <h3 class="label">Decisions held on this device</h3>
      {decisions.length === 0 ? (
        <p class="muted small">None.</p>
      ) : (
        <ol class="list">
          {decisions.map((d) => (
            <li key={d.id} style={{ padding: '0.5rem 0' }} data-testid="audit-local-decision">
              <strong>{outcomeWords(d)}</strong>
              <span class="small" style={{ display: 'block' }}>
                {d.signer.name} ({ROLE_WORDS[d.signer.role] ?? d.signer.role}), {formatDateTime(d.signedAt)}
                {atCentre(d) ? '' : '; waiting to reach the centre'}
              </span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
