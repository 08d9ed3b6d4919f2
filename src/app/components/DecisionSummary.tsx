import type { StoredDecision } from '../../data/db';
import { decisionsForEvidence, decisionsForLearner } from '../../data/decisions';
import { useLive } from '../../data/live';
import type { Evidence } from '../../domain/evidence';
import { latestAssessment, type Decision } from '../../domain/signoff';
import { formatDateTime } from './EvidenceHistory';

/** Who reads it: the learner is "you"; staff read about "the learner". */
export type Audience = 'learner' | 'staff';

const ROLE_WORDS: Record<Decision['signer']['role'], string> = {
  assessor: 'assessor',
  iqa: 'internal quality assurer',
  learner: 'learner',
  admin: 'administrator',
};

export function outcomeWords(decision: Pick<Decision, 'kind' | 'outcome'>, audience: Audience = 'staff'): string {
  switch (`${decision.kind}:${decision.outcome}`) {
    case 'assessment:accepted':
      return 'Accepted and signed off';
    case 'assessment:referred':
      return audience === 'learner' ? 'Referred back to you' : 'Referred back to the learner';
    case 'assessment:reopened':
      return 'Sign-off withdrawn: open for assessment again';
    case 'declaration:declared':
      return audience === 'learner' ? 'Declared as your own work' : "Declared as the learner's own work";
    case 'iqa:agreed':
      return 'Internal quality assurer agreed with the sign-off';
    case 'iqa:action':
      return 'Internal quality assurer asked for action';
    case 'unit:signed-off':
      return 'Unit signed off';
    case 'qualification:signed-off':
      return 'Qualification signed off';
    default:
      return decision.outcome;
  }
}

/** Whether the centre has confirmed the decision (pulled or pushed); until then it waits on this device. */
export function atCentre(decision: StoredDecision): boolean {
  return (decision.serverRevision ?? 0) > 0;
}

const NEXT_STEP: Partial<Record<string, string>> = {
  'assessment:referred': 'What to do next: read the feedback, change the evidence (or add to it), then submit it again.',
  'assessment:reopened': 'Your assessor has reopened this evidence. It is waiting for their decision again.',
};

/** One decision in words: the outcome, the feedback (overall and per criterion), who signed and when. */
export function DecisionSummary({
  decision,
  criterionLabel,
  audience = 'staff',
  headingLevel = 3,
}: {
  decision: StoredDecision;
  criterionLabel: (id: string) => string;
  audience?: Audience;
  headingLevel?: 2 | 3;
}) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const perCriterion = Object.entries(decision.feedback.criteria).filter(([, text]) => text.trim() !== '');
  const tone = decision.outcome === 'referred' || decision.outcome === 'action' ? 'warn' : decision.outcome === 'reopened' ? 'info' : 'ok';
  const next = audience === 'learner' ? NEXT_STEP[`${decision.kind}:${decision.outcome}`] : undefined;
  return (
    <section class={`banner ${tone} decision-summary`} aria-label={outcomeWords(decision, audience)} data-testid="decision-summary">
      <Heading style={{ marginTop: 0 }}>{outcomeWords(decision, audience)}</Heading>
      {next && (
        <p>
          <strong>{next}</strong>
        </p>
      )}
      {decision.feedback.overall.trim() !== '' && (
        <>
          <p class="label">{decision.kind === 'iqa' ? 'Feedback to the assessor' : 'Feedback'}</p>
          <p class="feedback-text">{decision.feedback.overall}</p>
        </>
      )}
      {perCriterion.length > 0 && (
        <>
          <p class="label">Feedback on each criterion</p>
          <ul>
            {perCriterion.map(([criterionId, text]) => (
              <li key={criterionId}>
                <strong>{criterionLabel(criterionId)}:</strong> <span class="feedback-text">{text}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <p class="small">
        {/* A learner's declaration (or a witness) is drawn on the staff member's device and signed with its key: say who drew it first. */}
        {decision.signedFor
          ? `Signed by ${decision.signedFor} on ${formatDateTime(decision.signedAt)}, on the device of ${decision.signer.name} (${ROLE_WORDS[decision.signer.role]}), who recorded it.`
          : `Signed by ${decision.signer.name} (${ROLE_WORDS[decision.signer.role]}) on ${formatDateTime(decision.signedAt)}.`}
        {!atCentre(decision) && ' Signed on this device; it reaches the centre when this device next syncs.'}
      </p>
    </section>
  );
}

/** The latest assessor decision on one item, kept live; nothing while there is none. */
export function LatestDecision({ evidenceId, criterionLabel, audience }: { evidenceId: string; criterionLabel: (id: string) => string; audience: Audience }) {
  const live = useLive(() => decisionsForEvidence(evidenceId), [evidenceId]);
  if (live.status === 'loading') return null;
  if (live.status === 'error')
    return (
      // Not an alert: it must not interrupt typing, and the evidence itself is unaffected.
      <p class="banner error small">
        Could not read the assessor's decisions on this evidence: {live.error.message}
      </p>
    );
  const latest = latestAssessment(live.value, evidenceId) as StoredDecision | null;
  if (!latest) return null;
  return <DecisionSummary decision={latest} criterionLabel={criterionLabel} audience={audience} />;
}

/**
 * The learner's to-do after an assessor's decisions: each referred item with what the assessor
 * said and who said it, linking to the item. Nothing when nothing is referred.
 */
export function ReferredItems({ learnerId, items }: { learnerId: string; items: Evidence[] }) {
  const referred = items.filter((e) => e.status === 'referred' && !e.deletedAt);
  const live = useLive(() => (referred.length > 0 ? decisionsForLearner(learnerId) : Promise.resolve([])), [learnerId, referred.length]);
  if (referred.length === 0) return null;
  const decisions = live.status === 'ready' ? live.value : [];
  return (
    <section class="banner warn" aria-labelledby="referred-heading" data-testid="referred-items">
      <h2 id="referred-heading">Referred back to you ({referred.length})</h2>
      <p>Your assessor needs changes to these. Open each one, read the feedback, change it, then submit it again.</p>
      {live.status === 'error' && <p class="small">The assessor's feedback could not be read on this device: {live.error.message}</p>}
      <ul class="list">
        {referred.map((item) => {
          const latest = latestAssessment(decisions, item.id);
          return (
            <li key={item.id}>
              <a class="list-link" href={`/evidence/${item.id}`}>
                <span class="list-title">{item.title.trim() || 'Untitled'}</span>
                {latest && (
                  <span class="small" style={{ display: 'block' }}>
                    {latest.signer.name}, {formatDateTime(latest.signedAt)}
                    {latest.feedback.overall.trim() ? `: “${excerpt(latest.feedback.overall)}”` : ''}
                  </span>
                )}
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function excerpt(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}
