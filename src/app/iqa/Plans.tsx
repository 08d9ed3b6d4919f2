import { useState } from 'preact/hooks';
import { assessmentMethodLabel } from '../../domain/assessment-methods';
import type { SessionUser } from '../../domain/auth';
import { SAMPLING_STAGES, type CentreAssessor, type SamplingPlanSummary } from '../../domain/sampling';
import { Loading } from '../components/feedback';
import { formatWhen, useCentre } from '../admin/useCentre';
import type { IqaApi } from './api';
import { IqaError, IqaPage, type IqaScreenProps } from './IqaPage';
import { PlanForm } from './PlanForm';
import { unitName, useUnitChoices, type UnitChoice } from './units';

export default function IqaPlans({ client }: IqaScreenProps) {
  return (
    <IqaPage title="Internal quality assurance" lead="Plan which of each assessor's decisions to sample, then review the sample the centre draws." client={client}>
      {(api, me) => <PlansScreen api={api} me={me} />}
    </IqaPage>
  );
}

interface CentreData {
  assessors: CentreAssessor[];
  plans: SamplingPlanSummary[];
}

function PlansScreen({ api, me }: { api: IqaApi; me: SessionUser }) {
  const { state, update, reload } = useCentre<CentreData>(async () => {
    const [assessors, plans] = await Promise.all([api.listAssessors(), api.listPlans()]);
    return { assessors, plans };
  }, [api]);
  const units = useUnitChoices();
  const [announcement, setAnnouncement] = useState('');
  const unitList = units.status === 'ready' ? units.value : [];

  if (state.status === 'loading') return <Loading what="your centre's assessors and plans" />;
  if (state.status === 'error')
    return (
      <>
        <IqaError error={state.error} title="Could not load the sampling plans" />
        <button class="button secondary" type="button" onClick={reload}>
          Try again
        </button>
      </>
    );
  const { assessors, plans } = state.value;
  const saved = (plan: SamplingPlanSummary, verb: string) => {
    update((d) => ({ ...d, plans: d.plans.some((p) => p.id === plan.id) ? d.plans.map((p) => (p.id === plan.id ? plan : p)) : [...d.plans, plan] }));
    setAnnouncement(`${verb} the plan for ${plan.assessorName}.`);
  };

  return (
    <>
      <p role="status" aria-live="polite" class={announcement ? 'banner ok' : 'visually-hidden'}>
        {announcement}
      </p>
      <section aria-labelledby="assessors-heading">
        <h2 id="assessors-heading">Assessors at {me.centreName}</h2>
        {assessors.length === 0 ? (
          <p>Your centre has no assessors yet. An administrator adds them.</p>
        ) : (
          <ul class="list card">
            {assessors.map((a) => {
              const theirs = plans.filter((p) => p.assessorId === a.id);
              return (
                <li key={a.id} style={{ padding: '0.5rem 0' }}>
                  <strong>{a.name}</strong>
                  {!a.active && <> <span class="tag deleted">Account disabled</span></>}
                  <span class="small muted" style={{ display: 'block' }}>
                    {theirs.length === 0 ? 'No sampling plan yet' : `${theirs.length} ${theirs.length === 1 ? 'plan' : 'plans'}`}
                  </span>
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section aria-labelledby="plans-heading">
        <h2 id="plans-heading">Sampling plans</h2>
        {plans.length === 0 ? (
          <p>No plans yet. Make one below.</p>
        ) : (
          <ul class="list card" data-testid="plan-list">
            {plans.map((plan) => (
              <PlanRow key={plan.id} plan={plan} me={me} api={api} assessors={assessors} units={unitList} onSaved={(p) => saved(p, 'Saved')} />
            ))}
          </ul>
        )}
      </section>

      {assessors.length > 0 && (
        <section class="card" aria-labelledby="new-plan-heading">
          <h2 id="new-plan-heading">New sampling plan</h2>
          <PlanForm idPrefix="new-plan" assessors={assessors} units={unitList} plan={null} onSave={api.createPlan} onSaved={(p) => saved(p, 'Made')} />
        </section>
      )}
    </>
  );
}

export function planDescription(plan: SamplingPlanSummary, units: readonly UnitChoice[]): string {
  const stage = SAMPLING_STAGES.find((s) => s.id === plan.stage)?.label ?? plan.stage;
  const parts = [`${plan.percentage}% of ${stage.toLowerCase()} decisions`];
  parts.push(plan.unitIds.length === 0 ? 'all units' : `units: ${plan.unitIds.map((u) => unitName(units, u)).join(', ')}`);
  if (plan.methods.length > 0) parts.push(`must include: ${plan.methods.map(assessmentMethodLabel).join(', ')}`);
  return parts.join(' · ');
}

function PlanRow({ plan, me, api, assessors, units, onSaved }: { plan: SamplingPlanSummary; me: SessionUser; api: IqaApi; assessors: CentreAssessor[]; units: UnitChoice[]; onSaved: (p: SamplingPlanSummary) => void }) {
  const [editing, setEditing] = useState(false);
  const mine = plan.iqaId === me.id;
  const formId = `edit-plan-${plan.id}`;
  return (
    <li style={{ padding: '0.75rem 0' }}>
      <p style={{ margin: 0 }}>
        <strong>{plan.assessorName}</strong>
        <span class="small muted" style={{ display: 'block' }}>
          {planDescription(plan, units)}
        </span>
        <span class="small muted" style={{ display: 'block' }}>
          {mine ? 'Your plan' : `${plan.iqaName}'s plan`}, last changed {formatWhen(plan.updatedAt)}
        </span>
      </p>
      <div class="actions" style={{ marginTop: '0.5rem' }}>
        <a class="button" href={`/iqa/plans/${encodeURIComponent(plan.id)}`}>
          View sample<span class="visually-hidden"> for {plan.assessorName}</span>
        </a>
        {mine && (
          <button class="button secondary" type="button" aria-expanded={editing} aria-controls={editing ? formId : undefined} onClick={() => setEditing((e) => !e)}>
            {editing ? 'Close' : 'Change plan'}
            <span class="visually-hidden"> for {plan.assessorName}</span>
          </button>
        )}
      </div>
      {editing && (
        <div id={formId} class="card" style={{ marginTop: '0.75rem' }}>
          <PlanForm
            idPrefix={formId}
            assessors={assessors}
            units={units}
            plan={plan}
            onSave={api.updatePlan}
            onSaved={(p) => {
              setEditing(false);
              onSaved(p);
            }}
            onCancel={() => setEditing(false)}
          />
        </div>
      )}
    </li>
  );
}
