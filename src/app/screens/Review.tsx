import { useMemo, useRef, useState } from 'preact/hooks';
import type { StoredDecision } from '../../data/db';
import { decideOnEvidence, decisionsForEvidence, reopenEvidence } from '../../data/decisions';
import { useLive } from '../../data/live';
import { assessmentMethodLabel } from '../../domain/assessment-methods';
import { formatDate, todayIso } from '../../domain/dates';
import type { Evidence } from '../../domain/evidence';
import { latestAssessment } from '../../domain/signoff';
import { mappingOf, useReviewSubject, type ReviewSubject } from '../caseload-live';
import { AttachmentList } from '../components/AttachmentList';
import { AuditTrail } from '../components/AuditTrail';
import { CriterionPicker } from '../components/CriterionPicker';
import { DecisionSummary } from '../components/DecisionSummary';
import { formatDateTime } from '../components/EvidenceHistory';
import { StatusTag } from '../components/EvidenceRow';
import { ErrorMessage, LiveView } from '../components/feedback';
import { Page } from '../components/Page';
import { SignOffPanel } from '../components/SignOffPanel';
import { useAccount } from '../services';
import { useKeptState } from '../kept-state';
import { KIND_WORDS, SIGNED_HERE } from '../assessor-words';

type Outcome = 'accepted' | 'referred';

interface ReviewDraft {
  /** The criteria the assessor confirms: starts as the learner's mapping. */
  selected: string[];
  overall: string;
  criteria: Record<string, string>;
}

function fieldId(criterionId: string): string {
  return `feedback-${criterionId.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
}

/** The item as it stands: what the learner (or the assessor) wrote, with its files. */
function ItemDetails({ subject }: { subject: ReviewSubject }) {
  const { item, learner } = subject;
  return (
    <section class="card" aria-labelledby="item-heading">
      <h2 id="item-heading">
        {item.title.trim() || 'Untitled'} <StatusTag evidence={item} />
      </h2>
      <dl class="facts">
        <dt>Learner</dt>
        <dd>{learner.name}</dd>
        <dt>Kind</dt>
        <dd>{KIND_WORDS[item.kind]}</dd>
        <dt>Recorded by</dt>
        <dd>{item.recordedBy ? `${item.recordedBy.name} (${item.recordedBy.role})` : `${learner.name} (learner)`}</dd>
        <dt>Date of the activity</dt>
        <dd>{item.activityDate ? formatDate(item.activityDate) : 'Not given'}</dd>
        <dt>Method</dt>
        <dd>{item.method ? assessmentMethodLabel(item.method) : 'Not given'}</dd>
        <dt>Hours</dt>
        <dd>
          {item.hours}
          {item.offTheJob ? ' (off-the-job)' : ''}
        </dd>
      </dl>
      <h3>{item.kind === 'witness-testimony' ? "Witness's statement" : 'What was done'}</h3>
      <p class="narrative">{item.narrative.trim() || 'No description.'}</p>
      {item.questions.length > 0 && (
        <>
          <h3>Questions and answers</h3>
          <ol class="qa-list">
            {item.questions.map((qa, i) => (
              <li key={i}>
                <p>
                  <strong>Q:</strong> {qa.question}
                </p>
                <p>
                  <strong>A:</strong> {qa.answer}
                </p>
              </li>
            ))}
          </ol>
        </>
      )}
      {item.witness && (
        <>
          <h3>Witness</h3>
          <dl class="facts">
            <dt>Name</dt>
            <dd>{item.witness.name || 'Not given'}</dd>
            <dt>Job title</dt>
            <dd>{item.witness.jobTitle || 'Not given'}</dd>
            <dt>Relationship to the learner</dt>
            <dd>{item.witness.relationship || 'Not given'}</dd>
            <dt>Signature</dt>
            <dd>
              {item.witness.signature ? (
                <img class="signature-image" src={item.witness.signature} alt={`Signature of ${item.witness.name || 'the witness'}`} />
              ) : (
                'Not signed'
              )}
            </dd>
          </dl>
        </>
      )}
      <h3>Files</h3>
      <AttachmentList attachments={item.attachments} viewPdf />
    </section>
  );
}

function DecisionForm({ subject, onDecided }: { subject: ReviewSubject; onDecided: (message: string) => void }) {
  const { item, learner, spec, icttech } = subject;
  const { signIn } = useAccount();
  const me = signIn!.user;
  const { units, targets, labelOf, textOf } = useMemo(() => mappingOf(spec, learner.enrolment.optionalUnitIds, icttech), [spec, learner.enrolment, icttech]);
  // Typing survives a reload or a flat battery until it is signed (the form is not a record yet).
  const [draft, setDraft, forget] = useKeptState<ReviewDraft>(`review:${item.id}:${item.updatedAt}`, () => ({ selected: [...item.criterionIds], overall: '', criteria: {} }));
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const problemRef = useRef<HTMLParagraphElement>(null);

  // The learner's mapping stays listed when unticked, so a slip can be undone; added criteria join it.
  const rows = useMemo(() => [...new Set([...item.criterionIds, ...draft.selected])], [item.criterionIds, draft.selected]);
  const selected = new Set(draft.selected);

  const toggle = (id: string) => setDraft({ ...draft, selected: selected.has(id) ? draft.selected.filter((s) => s !== id) : [...draft.selected, id] });

  const choose = (next: Outcome) => {
    const why =
      next === 'accepted' && draft.selected.length === 0
        ? 'Tick at least one criterion this evidence meets before you sign it off.'
        : next === 'referred' && draft.overall.trim() === ''
          ? 'Write overall feedback saying what the learner needs to do before you refer it back.'
          : null;
    setProblem(why);
    if (why) {
      requestAnimationFrame(() => problemRef.current?.focus());
      return;
    }
    setOutcome(next);
  };

  const feedback = {
    overall: draft.overall.trim(),
    criteria: Object.fromEntries(rows.map((id) => [id, (draft.criteria[id] ?? '').trim()] as const).filter(([, text]) => text !== '')),
  };

  return (
    <>
      <section class="card" aria-labelledby="mapping-heading">
        <h2 id="mapping-heading">Criteria</h2>
        <p class="small muted">The learner's mapping. Untick what the evidence does not show; add what they missed below. Feedback on a criterion goes to the learner.</p>
        {rows.length === 0 && <p>The learner has not mapped this evidence to any criteria.</p>}
        <ul class="list review-checklist">
          {rows.map((id) => (
            <li key={id} data-testid="review-criterion">
              <label class="check">
                <input type="checkbox" checked={selected.has(id)} onChange={() => toggle(id)} />
                <span>
                  <strong>{labelOf(id)}</strong> {textOf(id) ?? '(not in the learner’s units)'}
                  {!item.criterionIds.includes(id) && <span class="small muted"> (added by you)</span>}
                </span>
              </label>
              <div class="field">
                <label for={fieldId(id)}>Feedback on {labelOf(id)}</label>
                <textarea
                  id={fieldId(id)}
                  rows={2}
                  maxLength={10_000}
                  value={draft.criteria[id] ?? ''}
                  onInput={(e) => setDraft({ ...draft, criteria: { ...draft.criteria, [id]: e.currentTarget.value } })}
                />
              </div>
            </li>
          ))}
        </ul>
        <details class="add-criteria">
          <summary>Add criteria the learner did not map</summary>
          <CriterionPicker targets={targets} units={units} selected={draft.selected} onChange={(ids) => setDraft({ ...draft, selected: ids })} searchId="review-criteria-search" />
        </details>
      </section>

      <section class="card" aria-labelledby="decision-heading">
        <h2 id="decision-heading">Your decision</h2>
        <div class="field">
          <label for="overall-feedback">Overall feedback to {learner.name}</label>
          <span class="hint" id="overall-feedback-hint">
            What was good, and what to do next. Needed when you refer the evidence back.
          </span>
          <textarea
            id="overall-feedback"
            rows={5}
            maxLength={20_000}
            aria-describedby="overall-feedback-hint"
            value={draft.overall}
            onInput={(e) => setDraft({ ...draft, overall: e.currentTarget.value })}
          />
        </div>
        {problem && (
          <p class="error-text banner error" ref={problemRef} tabIndex={-1} role="alert">
            {problem}
          </p>
        )}
        {outcome === null && (
          <div class="actions">
            <button type="button" class="button" onClick={() => choose('accepted')}>
              Accept and sign off
            </button>
            <button type="button" class="button secondary" onClick={() => choose('referred')}>
              Refer back to the learner
            </button>
          </div>
        )}
      </section>

      {outcome !== null && (
        <SignOffPanel
          id="review-sign"
          heading={outcome === 'accepted' ? 'Sign off this evidence' : 'Refer this evidence back'}
          summary={[
            { label: 'Learner', value: learner.name },
            { label: 'Item', value: item.title.trim() || 'Untitled' },
            {
              label: 'Criteria',
              value: draft.selected.length === 0 ? 'None' : `${draft.selected.length}: ${draft.selected.map(labelOf).join(', ')}`,
            },
            { label: 'Outcome', value: outcome === 'accepted' ? 'Accepted and signed off' : 'Referred back to the learner' },
            {
              label: 'Feedback',
              value: `${feedback.overall ? 'Overall feedback' : 'No overall feedback'}${Object.keys(feedback.criteria).length > 0 ? `, and on ${Object.keys(feedback.criteria).length} criteria` : ''}`,
            },
          ]}
          signerLabel="Your signature"
          signerName={me.name}
          confirmLabel={outcome === 'accepted' ? 'Sign off' : 'Refer back'}
          onCancel={() => setOutcome(null)}
          onSign={async (drawnSignature) => {
            await decideOnEvidence({ evidenceId: item.id, outcome, criterionIds: draft.selected, feedback, drawnSignature });
            forget();
            onDecided(outcome === 'accepted' ? `Signed off on this tablet; it reaches the centre when you next sync.` : `Referred back to ${learner.name}. ${SIGNED_HERE}`);
          }}
        />
      )}
    </>
  );
}

function NotOpenForDecision({ item }: { item: Evidence }) {
  const words =
    item.status === 'draft'
      ? 'This is still a draft: the learner has not submitted it for assessment.'
      : item.status === 'referred'
        ? 'This evidence was referred back. It is waiting for the learner to change it and submit it again.'
        : item.status === 'signed-off' || item.status === 'accepted'
          ? `This evidence is signed off${item.iqaLock ? ' and locked by an internal quality assurer' : ''}.`
          : null;
  if (item.deletedAt) return <p class="banner warn">The learner deleted this evidence.</p>;
  return words ? <p class="banner info">{words}</p> : null;
}

/**
 * A signed-off item: the assessor who signed it off may reopen it (signed, with a reason) until an
 * IQA agrees with the sign-off; from then on only an admin can unlock it, and this says so.
 */
function SignedOff({ subject, decisions, onReopened }: { subject: ReviewSubject; decisions: StoredDecision[]; onReopened: (message: string) => void }) {
  const { item, learner } = subject;
  const { signIn } = useAccount();
  const me = signIn!.user;
  const [reopening, setReopening] = useState(false);
  const [reason, setReason] = useState('');
  const latest = latestAssessment(decisions, item.id);
  const signedOff = latest?.outcome === 'accepted' ? latest : null;

  if (item.iqaLock) {
    const lockedBy = decisions.find((d) => d.id === item.iqaLock!.decisionId)?.signer.name;
    return (
      <div class="banner info" data-testid="iqa-locked">
        <p>
          <strong>Signed off and locked by the IQA.</strong> {lockedBy ?? 'An internal quality assurer'} agreed with this sign-off on {formatDateTime(item.iqaLock.at)}, so it can no
          longer be reopened. Only an admin can unlock it, giving a reason.
        </p>
      </div>
    );
  }
  if (!signedOff || signedOff.signer.userId !== me.id)
    return (
      <p class="banner info">
        This evidence is signed off{signedOff ? ` by ${signedOff.signer.name}` : ''}.{' '}
        {signedOff ? `Only ${signedOff.signer.name} can reopen it.` : 'Only the assessor who signed it off can reopen it.'}
      </p>
    );

  const problem = reason.trim() ? null : 'Say why you are reopening this sign-off: the learner and the IQA will read it.';
  return (
    <>
      <section class="card" aria-labelledby="signed-off-heading">
        <h2 id="signed-off-heading">Signed off by you</h2>
        <p>
          You signed this evidence off on {formatDateTime(signedOff.signedAt)}. If that was a mistake, reopen it: it goes back to waiting for your decision, and the learner and the IQA
          see your reason.
        </p>
        {!reopening && (
          <div class="actions">
            <button type="button" class="button secondary" onClick={() => setReopening(true)}>
              Reopen
            </button>
          </div>
        )}
      </section>
      {reopening && (
        <SignOffPanel
          id="reopen"
          heading="Reopen this sign-off"
          summary={[
            { label: 'Learner', value: learner.name },
            { label: 'Item', value: item.title.trim() || 'Untitled' },
            { label: 'Signed off', value: `By you, ${formatDateTime(signedOff.signedAt)}` },
            { label: 'Outcome', value: 'Sign-off withdrawn: open for assessment again' },
          ]}
          signerLabel="Your signature"
          signerName={me.name}
          confirmLabel="Reopen the sign-off"
          blockers={problem ? [problem] : []}
          onCancel={() => {
            setReopening(false);
            setReason('');
          }}
          onSign={async (drawnSignature) => {
            await reopenEvidence(item.id, reason, drawnSignature);
            onReopened(`Sign-off reopened: the evidence is waiting for your decision again. ${SIGNED_HERE}`);
          }}
        >
          <div class="field">
            <label for="reopen-reason">Why are you reopening it?</label>
            <span class="hint" id="reopen-reason-hint">
              The learner and the IQA read this. It is kept with your signed decision.
            </span>
            <textarea id="reopen-reason" rows={3} maxLength={20_000} aria-describedby="reopen-reason-hint" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </div>
        </SignOffPanel>
      )}
    </>
  );
}

function ReviewView({ subject, decisions }: { subject: ReviewSubject; decisions: StoredDecision[] }) {
  const { item, learner } = subject;
  const [result, setResult] = useState<string | null>(null);
  const resultRef = useRef<HTMLDivElement>(null);
  const openedAt = useRef(item.updatedAt);
  const { labelOf } = useMemo(() => mappingOf(subject.spec, learner.enrolment.optionalUnitIds, subject.icttech), [subject.spec, learner.enrolment, subject.icttech]);
  const open = item.status === 'submitted' && !item.deletedAt;
  const learnerHref = `/caseload/${encodeURIComponent(learner.learnerId)}`;
  return (
    <>
      <p>
        <a class="standalone-link" href={learnerHref}>
          Back to {learner.name}
        </a>
      </p>
      {result && (
        <div class="banner ok" role="status" tabIndex={-1} ref={resultRef} data-testid="decision-result">
          <p>{result}</p>
          <a class="standalone-link" href={learnerHref}>
            Back to {learner.name}'s portfolio
          </a>
        </div>
      )}
      {open && item.updatedAt !== openedAt.current && (
        <p class="banner warn" role="alert">
          This evidence changed while you were reviewing it (a sync brought the learner's latest version). Check it again before you decide.
        </p>
      )}
      <ItemDetails subject={subject} />
      {decisions.length > 0 && (
        <section class="card" aria-labelledby="history-heading">
          <h2 id="history-heading">Decisions so far</h2>
          {[...decisions].reverse().map((d) => (
            <DecisionSummary key={d.id} decision={d} criterionLabel={labelOf} />
          ))}
        </section>
      )}
      {open ? (
        <DecisionForm
          key={item.id}
          subject={subject}
          onDecided={(message) => {
            setResult(message);
            requestAnimationFrame(() => resultRef.current?.focus());
          }}
        />
      ) : item.status === 'signed-off' && !item.deletedAt ? (
        <SignedOff
          subject={subject}
          decisions={decisions}
          onReopened={(message) => {
            setResult(message);
            requestAnimationFrame(() => resultRef.current?.focus());
          }}
        />
      ) : (
        !result && <NotOpenForDecision item={item} />
      )}
      <AuditTrail subject={{ recordId: item.id }} heading="Audit trail of this item" />
    </>
  );
}

/** Route /review/:evidenceId: the assessor reviews one item and accepts it or refers it back, signed. */
export default function Review({ evidenceId }: { evidenceId: string }) {
  const { signIn } = useAccount();
  const today = todayIso();
  const live = useReviewSubject(evidenceId, today);
  const decisions = useLive(() => decisionsForEvidence(evidenceId), [evidenceId]);
  if (signIn?.user.role !== 'assessor')
    return (
      <Page title="Review evidence">
        <p>Reviewing evidence is for assessors. Sign in with an assessor account to review your learners' evidence.</p>
      </Page>
    );
  return (
    <Page title="Review evidence">
      <LiveView live={live} what="the evidence">
        {(subject) =>
          subject ? (
            <>
              {decisions.status === 'error' && <ErrorMessage error={decisions.error} title="Could not read the decisions on this evidence" />}
              <ReviewView subject={subject} decisions={decisions.status === 'ready' ? decisions.value : []} />
            </>
          ) : (
            <p>
              This evidence is not on this tablet, or its learner is not on your caseload. Sync and try again. <a href="/caseload">Back to your caseload</a>
            </p>
          )
        }
      </LiveView>
    </Page>
  );
}
