import { useState } from 'preact/hooks';
import { db } from '../../data/db';
import { decisionsForEvidence, recordIqaDecision } from '../../data/decisions';
import { useLive } from '../../data/live';
import { assessmentMethodLabel } from '../../domain/assessment-methods';
import type { SessionUser } from '../../domain/auth';
import { formatDate } from '../../domain/dates';
import type { SampleCandidate } from '../../domain/sampling';
import type { Decision } from '../../domain/signoff';
import { AttachmentList } from '../components/AttachmentList';
import { AuditTrail } from '../components/AuditTrail';
import { DecisionSummary } from '../components/DecisionSummary';
import { formatDateTime } from '../components/EvidenceHistory';
import { SignOffPanel } from '../components/SignOffPanel';
import { useCriterionLabels } from './units';

type Verdict = 'agreed' | 'action';

const VERDICTS: ReadonlyArray<{ id: Verdict; label: string; hint: string }> = [
  { id: 'agreed', label: 'I agree with the assessor’s decision', hint: 'The sign-off is then locked: only an administrator can unlock it, with a reason.' },
  { id: 'action', label: 'The assessor must act on this', hint: 'Say what they must do. The item is not locked.' },
];

/** Who locked an item and when, in words. */
export function LockNotice({ lock }: { lock: { at: string; by: string | null } }) {
  return (
    <div class="banner info" data-testid="iqa-lock">
      <p>
        <strong>Locked by an IQA agreement</strong>: {lock.by ?? 'an internal quality assurer'} agreed with this sign-off on {formatDateTime(lock.at)}. The assessor can no longer reopen it; only an administrator can unlock it.
      </p>
    </div>
  );
}

/**
 * One sampled item, read-only as the device holds it after sync (the IQA's pull scope is the whole
 * centre), with the assessor's decision and the IQA's verdict: agreement or an action for the
 * assessor, with feedback, signed with the drawn signature on this device (works offline).
 */
export function ItemReview({ candidate, me }: { candidate: SampleCandidate; me: SessionUser }) {
  const item = useLive(() => db().evidence.get(candidate.evidenceId), [candidate.evidenceId]);
  const decisions = useLive(() => decisionsForEvidence(candidate.evidenceId), [candidate.evidenceId]);
  const labels = useCriterionLabels();
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [feedback, setFeedback] = useState('');
  const [recorded, setRecorded] = useState<Decision | null>(null);
  const label = (id: string) => (labels.status === 'ready' ? labels.value.get(id) : undefined) ?? id;
  const idp = `review-${candidate.decisionId}`;

  if (item.status === 'loading') return <p class="muted">Opening the item…</p>;
  if (item.status === 'error')
    return (
      <p class="banner error" role="alert">
        Could not read this item on this device: {item.error.message}
      </p>
    );
  const evidence = item.value;
  if (!evidence)
    return (
      <p class="banner warn" role="alert">
        This item is not on this device yet. Sync (Device → Sync now), then open it again: your device receives your centre's portfolios when it syncs.
      </p>
    );

  const local = decisions.status === 'ready' ? decisions.value : [];
  const assessment = local.find((d) => d.id === candidate.decisionId) ?? null;
  const verdicts = local.filter((d) => d.kind === 'iqa' && d.subjectId === candidate.decisionId);
  const lockDecision = evidence.iqaLock ? local.find((d) => d.id === evidence.iqaLock!.decisionId) : undefined;
  const lock = evidence.iqaLock
    ? { at: evidence.iqaLock.at, by: lockDecision?.signer.name ?? (candidate.iqaLock?.decisionId === evidence.iqaLock.decisionId ? candidate.iqaLock.by : null) }
    : candidate.iqaLock;
  const blockers = verdict === 'action' && feedback.trim() === '' ? ['Write the feedback the assessor must act on.'] : [];

  return (
    <div class="iqa-review" data-testid={`review-${candidate.evidenceId}`}>
      {lock && <LockNotice lock={lock} />}
      {evidence.status !== 'signed-off' && candidate.outcome === 'accepted' && (
        <p class="banner warn">This item is no longer signed off on this device ({evidence.status}): the assessor may have reopened it since the sample was drawn.</p>
      )}
      <h3>{evidence.title.trim() || 'Untitled item'}</h3>
      <dl class="facts">
        <dt>Date</dt>
        <dd>{evidence.activityDate ? formatDate(evidence.activityDate) : 'Not given'}</dd>
        <dt>Method</dt>
        <dd>{evidence.method ? assessmentMethodLabel(evidence.method) : 'Not given'}</dd>
        <dt>Hours</dt>
        <dd>
          {evidence.hours} {evidence.offTheJob ? '(off-the-job)' : ''}
        </dd>
        {evidence.recordedBy && (
          <>
            <dt>Recorded by</dt>
            <dd>{evidence.recordedBy.name}</dd>
          </>
        )}
      </dl>
      <p class="label">What was done</p>
      <p class="feedback-text" style={{ whiteSpace: 'pre-wrap' }}>
        {evidence.narrative.trim() || 'No description.'}
      </p>
      {evidence.questions.length > 0 && (
        <>
          <p class="label">Questions and answers</p>
          <ol>
            {evidence.questions.map((q, i) => (
              <li key={i}>
                <strong>{q.question}</strong>
                <p style={{ whiteSpace: 'pre-wrap' }}>{q.answer}</p>
              </li>
            ))}
          </ol>
        </>
      )}
      {evidence.witness && (
        <p>
          Witness: {evidence.witness.name}, {evidence.witness.jobTitle} ({evidence.witness.relationship})
        </p>
      )}
      <p class="label">Criteria</p>
      <ul>
        {evidence.criterionIds.map((c) => (
          <li key={c}>{label(c)}</li>
        ))}
      </ul>
      <p class="label">Files</p>
      <AttachmentList attachments={evidence.attachments} />

      <h3>The assessor's decision</h3>
      {assessment ? (
        <DecisionSummary decision={assessment} criterionLabel={label} />
      ) : (
        <div class={`banner ${candidate.outcome === 'referred' ? 'warn' : 'ok'}`}>
          <p>
            <strong>{candidate.outcome === 'accepted' ? 'Accepted and signed off' : 'Referred back to the learner'}</strong> by {candidate.assessorName} on {formatDateTime(candidate.signedAt)}.
          </p>
          {candidate.feedback.overall.trim() && <p class="feedback-text">{candidate.feedback.overall}</p>}
        </div>
      )}
      {decisions.status === 'error' && <p class="banner error small">Could not read the decisions held on this device: {decisions.error.message}</p>}

      {verdicts.length > 0 && (
        <>
          <h3>IQA verdicts so far</h3>
          {verdicts.map((v) => (
            <DecisionSummary key={v.id} decision={v} criterionLabel={label} />
          ))}
        </>
      )}

      {recorded ? (
        <div class="banner ok" role="status" data-testid="iqa-recorded">
          <p>
            <strong>{recorded.outcome === 'agreed' ? 'Agreement recorded.' : 'Action for the assessor recorded.'}</strong> Signed on this device on {formatDateTime(recorded.signedAt)}; it reaches your centre when this device next syncs.
          </p>
        </div>
      ) : lock ? null : (
        <>
          <fieldset class="field">
            <legend>Your verdict on this decision</legend>
            {VERDICTS.map((v) => (
              <label class="check" key={v.id}>
                <input type="radio" name={`${idp}-verdict`} value={v.id} checked={verdict === v.id} onChange={() => setVerdict(v.id)} />
                <span>
                  {v.label}
                  <span class="small muted" style={{ display: 'block' }}>
                    {v.hint}
                  </span>
                </span>
              </label>
            ))}
          </fieldset>
          {verdict && (
            <SignOffPanel
              key={verdict}
              id={idp}
              heading={verdict === 'agreed' ? 'Sign your agreement' : 'Sign the action for the assessor'}
              summary={[
                { label: 'Learner', value: candidate.learnerName },
                { label: 'Item', value: evidence.title.trim() || 'Untitled item' },
                { label: 'Assessor’s decision', value: `${candidate.outcome === 'accepted' ? 'Accepted' : 'Referred'} by ${candidate.assessorName}, ${formatDateTime(candidate.signedAt)}` },
                { label: 'Your verdict', value: verdict === 'agreed' ? 'Agree (locks the sign-off)' : 'Action needed by the assessor' },
              ]}
              signerLabel="Your signature"
              signerName={me.name}
              confirmLabel={verdict === 'agreed' ? 'Sign agreement' : 'Sign and send the action'}
              blockers={blockers}
              onCancel={() => setVerdict(null)}
              onSign={async (drawnSignature) => {
                const decision = await recordIqaDecision({ assessmentId: candidate.decisionId, outcome: verdict, feedback: { overall: feedback.trim(), criteria: {} }, drawnSignature });
                setRecorded(decision);
              }}
            >
              <div class="field">
                <label for={`${idp}-feedback`}>Feedback to the assessor{verdict === 'agreed' ? ' (optional)' : ''}</label>
                <span class="hint" id={`${idp}-feedback-hint`}>
                  {verdict === 'agreed' ? 'What was good about the assessment, if you want to say.' : 'What the assessor must do, and why.'}
                </span>
                <textarea id={`${idp}-feedback`} aria-describedby={`${idp}-feedback-hint`} value={feedback} onInput={(e) => setFeedback((e.currentTarget as HTMLTextAreaElement).value)} />
              </div>
            </SignOffPanel>
          )}
        </>
      )}
      <AuditTrail subject={{ recordId: candidate.evidenceId }} heading="Audit trail of this item" headingLevel={3} />
    </div>
  );
}
