import { useState } from 'preact/hooks';
import { assessmentMethodLabel } from '../../domain/assessment-methods';
import type { SessionUser } from '../../domain/auth';
import type { SampleCandidate, SampleRequirement, SampleResponse } from '../../domain/sampling';
import { formatDateTime } from '../components/EvidenceHistory';
import { Loading } from '../components/feedback';
import { useCentre } from '../admin/useCentre';
import type { IqaApi } from './api';
import { IqaError, IqaPage, type IqaScreenProps } from './IqaPage';
import { ItemReview, LockNotice } from './ItemReview';
import { planDescription } from './Plans';
import { unitName, useUnitChoices, type UnitChoice } from './units';

export default function PlanSample({ id, client }: IqaScreenProps & { id?: string }) {
  return (
    <IqaPage title="Sample" client={client}>
      {(api, me) => (id ? <SampleScreen api={api} me={me} planId={id} /> : <p>There is no plan in this address.</p>)}
    </IqaPage>
  );
}

function requirementWords(r: SampleRequirement, units: readonly UnitChoice[]): string {
  return r.kind === 'method' ? assessmentMethodLabel(r.methodId) : unitName(units, r.unitId);
}

function SampleScreen({ api, me, planId }: { api: IqaApi; me: SessionUser; planId: string }) {
  const { state, reload } = useCentre<SampleResponse>(() => api.sample(planId), [api, planId]);
  const unitsLive = useUnitChoices();
  const units = unitsLive.status === 'ready' ? unitsLive.value : [];

  if (state.status === 'loading') return <Loading what="the sample" />;
  if (state.status === 'error')
    return (
      <>
        <IqaError error={state.error} title="Could not draw the sample" />
        <div class="actions">
          <button class="button secondary" type="button" onClick={reload}>
            Try again
          </button>
          <a class="button secondary" href="/iqa">
            Back to the plans
          </a>
        </div>
      </>
    );
  const sample = state.value;
  const { plan } = sample;

  return (
    <>
      <p>
        <a href="/iqa">← All sampling plans</a>
      </p>
      <section class="card" aria-labelledby="plan-heading">
        <h2 id="plan-heading">{plan.assessorName}’s decisions</h2>
        <p>{planDescription(plan, units)}</p>
        <p class="small muted" data-testid="sample-size">
          {sample.population === 0
            ? 'This assessor has no decisions in this plan yet.'
            : `${sample.picks.length} of ${sample.population} ${sample.population === 1 ? 'decision' : 'decisions'} sampled (${plan.percentage}% rounded up is ${sample.target}${sample.picks.length > sample.target ? ', plus picks to cover the methods and units' : ''}).`}{' '}
          The centre chose this plan’s seed (<code data-testid="sample-seed">{plan.seed}</code>) when the plan was made, so anyone who draws it again from the same decisions gets the same sample.
        </p>
      </section>

      {sample.unmet.length > 0 && (
        <div class="banner warn" role="status" data-testid="sample-unmet">
          <p>
            <strong>The sample could not cover everything the plan asks for.</strong> {plan.assessorName} has no {plan.stage} decision for:
          </p>
          <ul>
            {sample.unmet.map((r) => (
              <li key={`${r.kind}:${r.kind === 'method' ? r.methodId : r.unitId}`}>
                {r.kind === 'method' ? 'Method: ' : 'Unit: '}
                {requirementWords(r, units)}
              </li>
            ))}
          </ul>
        </div>
      )}

      <section aria-labelledby="sample-heading">
        <h2 id="sample-heading">The sample</h2>
        {sample.picks.length === 0 ? (
          <p>Nothing to review yet.</p>
        ) : (
          <ol class="list" data-testid="sample-list">
            {sample.picks.map((pick) => (
              <SampleItem key={pick.candidate.decisionId} candidate={pick.candidate} satisfies={pick.satisfies} units={units} me={me} />
            ))}
          </ol>
        )}
      </section>
    </>
  );
}

function SampleItem({ candidate, satisfies, units, me }: { candidate: SampleCandidate; satisfies: SampleRequirement[]; units: UnitChoice[]; me: SessionUser }) {
  const [open, setOpen] = useState(false);
  const regionId = `sample-item-${candidate.decisionId}`;
  const title = candidate.title.trim() || 'Untitled item';
  const latestVerdict = candidate.iqaVerdicts.at(-1);
  return (
    <li class="card" data-testid={`sample-${candidate.decisionId}`}>
      <h3 style={{ marginTop: 0 }}>{title}</h3>
      <dl class="facts">
        <dt>Learner</dt>
        <dd>{candidate.learnerName}</dd>
        <dt>Method</dt>
        <dd>{candidate.method ? assessmentMethodLabel(candidate.method) : 'Not given'}</dd>
        <dt>Units</dt>
        <dd>{candidate.unitIds.length === 0 ? 'No unit criteria' : candidate.unitIds.map((u) => unitName(units, u)).join('; ')}</dd>
        <dt>Assessor’s decision</dt>
        <dd>
          <span class={`tag ${candidate.outcome === 'accepted' ? 'ok' : 'warn'}`}>{candidate.outcome === 'accepted' ? 'Accepted' : 'Referred'}</span> by {candidate.assessorName}, signed {formatDateTime(candidate.signedAt)}
        </dd>
        <dt>Feedback</dt>
        <dd class="feedback-text">{candidate.feedback.overall.trim() || 'None given'}</dd>
        <dt>Why sampled</dt>
        <dd>{satisfies.length === 0 ? 'Chosen at random' : `To cover ${satisfies.map((r) => requirementWords(r, units)).join(', ')}`}</dd>
        {latestVerdict && !candidate.iqaLock && (
          <>
            <dt>IQA verdict</dt>
            <dd>
              {latestVerdict.outcome === 'agreed' ? 'Agreed' : 'Action for the assessor'} ({latestVerdict.by}, {formatDateTime(latestVerdict.signedAt)})
            </dd>
          </>
        )}
      </dl>
      {candidate.iqaLock && !open && <LockNotice lock={candidate.iqaLock} />}
      <div class="actions">
        <button class="button secondary" type="button" aria-expanded={open} aria-controls={open ? regionId : undefined} onClick={() => setOpen((o) => !o)}>
          {open ? 'Close the item' : candidate.iqaLock ? 'Open the item' : 'Open and review'}
          <span class="visually-hidden"> {title}</span>
        </button>
      </div>
      {open && (
        <div id={regionId} style={{ marginTop: '1rem' }}>
          <ItemReview candidate={candidate} me={me} />
        </div>
      )}
    </li>
  );
}
