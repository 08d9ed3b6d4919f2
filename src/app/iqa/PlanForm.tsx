import { useState } from 'preact/hooks';
import { ASSESSMENT_METHODS, type AssessmentMethodId } from '../../domain/assessment-methods';
import { uuidv7 } from '../../domain/ids';
import { SAMPLING_STAGES, SamplingPlan, type CentreAssessor, type SamplingPlanSummary, type SamplingStage } from '../../domain/sampling';
import { ErrorSummary, InputField, SelectField, fieldErrors, focusSoon } from '../components/fields';
import { IqaError } from './IqaPage';
import type { UnitChoice } from './units';

interface FormState {
  assessorId: string;
  percentage: string;
  stage: SamplingStage;
  methods: AssessmentMethodId[];
  unitIds: string[];
}

function stateOf(plan: SamplingPlanSummary | null): FormState {
  return plan
    ? { assessorId: plan.assessorId, percentage: String(plan.percentage), stage: plan.stage, methods: plan.methods, unitIds: plan.unitIds }
    : { assessorId: '', percentage: '10', stage: 'interim', methods: [], unitIds: [] };
}

function toggled<T>(list: readonly T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

/**
 * Makes or changes a plan. The shared schema checks it here first, so the IQA sees every problem
 * next to its field before anything is sent; the centre checks it again with the same schema.
 */
export function PlanForm({
  idPrefix,
  assessors,
  units,
  plan,
  onSave,
  onSaved,
  onCancel,
}: {
  idPrefix: string;
  assessors: CentreAssessor[];
  units: UnitChoice[];
  /** The plan being changed; null for a new one. */
  plan: SamplingPlanSummary | null;
  onSave: (plan: SamplingPlan) => Promise<SamplingPlanSummary>;
  onSaved: (plan: SamplingPlanSummary) => void;
  onCancel?: () => void;
}) {
  const [form, setForm] = useState<FormState>(() => stateOf(plan));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));
  const p = `${idPrefix}-`;
  // Units the plan names that this device has no spec for stay chosen and visible.
  const shownUnits = [...units, ...form.unitIds.filter((id) => !units.some((u) => u.id === id)).map((id) => ({ id, label: id, qualifications: [] }))];

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setFailure(null);
    const percentage = form.percentage.trim() === '' ? Number.NaN : Number(form.percentage);
    const parsed = SamplingPlan.safeParse({ id: plan?.id ?? uuidv7(), assessorId: form.assessorId, percentage, stage: form.stage, methods: form.methods, unitIds: form.unitIds });
    if (!parsed.success) {
      setErrors(fieldErrors(parsed.error, p));
      focusSoon(`${p}errors`);
      return;
    }
    setErrors({});
    setSaving(true);
    try {
      const saved = await onSave(parsed.data);
      if (!plan) setForm(stateOf(null));
      onSaved(saved);
    } catch (error) {
      setFailure(error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form onSubmit={onSubmit} noValidate>
      <ErrorSummary id={`${p}errors`} title="Check these before saving the plan" errors={Object.entries(errors)} />
      {failure !== null && <IqaError error={failure} title="The plan was not saved" />}
      <div class="admin-form-grid">
        <SelectField
          id={`${p}assessorId`}
          label="Assessor"
          hint="Whose decisions to sample"
          value={form.assessorId}
          error={errors[`${p}assessorId`]}
          placeholder="Choose an assessor"
          choices={assessors.map((a) => ({ value: a.id, label: a.active ? a.name : `${a.name} (account disabled)` }))}
          onChange={(v) => set('assessorId', v)}
        />
        <InputField
          id={`${p}percentage`}
          label="Percentage to sample"
          hint="Whole number from 1 to 100; the sample size is rounded up"
          value={form.percentage}
          error={errors[`${p}percentage`]}
          onInput={(v) => set('percentage', v)}
          extra={{ inputmode: 'numeric', autocomplete: 'off' }}
        />
      </div>
      <fieldset class="field" id={`${p}stage`} aria-describedby={errors[`${p}stage`] ? `${p}stage-error` : undefined}>
        <legend>Stage</legend>
        {errors[`${p}stage`] && (
          <span class="error-text" id={`${p}stage-error`}>
            {errors[`${p}stage`]}
          </span>
        )}
        {SAMPLING_STAGES.map((s) => (
          <label class="check" key={s.id}>
            <input type="radio" name={`${p}stage`} value={s.id} checked={form.stage === s.id} onChange={() => set('stage', s.id)} />
            <span>
              {s.label}
              <span class="small muted" style={{ display: 'block' }}>
                {s.hint}
              </span>
            </span>
          </label>
        ))}
      </fieldset>
      <fieldset class="field" id={`${p}methods`} aria-describedby={`${p}methods-hint${errors[`${p}methods`] ? ` ${p}methods-error` : ''}`}>
        <legend>Assessment methods the sample must include</legend>
        <span class="hint" id={`${p}methods-hint`}>
          At least one decision of each method you tick is sampled, where the assessor has one. Tick none to accept any method.
        </span>
        {errors[`${p}methods`] && (
          <span class="error-text" id={`${p}methods-error`}>
            {errors[`${p}methods`]}
          </span>
        )}
        {ASSESSMENT_METHODS.map((m) => (
          <label class="check" key={m.id}>
            <input type="checkbox" checked={form.methods.includes(m.id)} onChange={() => set('methods', toggled(form.methods, m.id))} />
            <span>{m.label}</span>
          </label>
        ))}
      </fieldset>
      <fieldset class="field" id={`${p}unitIds`} aria-describedby={`${p}units-hint${errors[`${p}unitIds`] ? ` ${p}unitIds-error` : ''}`}>
        <legend>Units</legend>
        <span class="hint" id={`${p}units-hint`}>
          The sample is drawn from decisions in the units you tick, with at least one in each. Tick none to sample from every unit.
        </span>
        {errors[`${p}unitIds`] && (
          <span class="error-text" id={`${p}unitIds-error`}>
            {errors[`${p}unitIds`]}
          </span>
        )}
        {shownUnits.length === 0 ? (
          <p class="small muted">No qualification specs are on this device yet. Sync, then the units of your centre's qualifications appear here.</p>
        ) : (
          <details open={form.unitIds.length > 0}>
            <summary>
              Choose units ({form.unitIds.length === 0 ? 'all units' : `${form.unitIds.length} chosen`})
            </summary>
            {shownUnits.map((u) => (
              <label class="check" key={u.id}>
                <input type="checkbox" checked={form.unitIds.includes(u.id)} onChange={() => set('unitIds', toggled(form.unitIds, u.id))} />
                <span>
                  {u.label}
                  {u.qualifications.length > 0 && (
                    <span class="small muted" style={{ display: 'block' }}>
                      {u.qualifications.join('; ')}
                    </span>
                  )}
                </span>
              </label>
            ))}
          </details>
        )}
      </fieldset>
      <div class="actions">
        <button class="button" type="submit" disabled={saving}>
          {saving ? 'Saving…' : plan ? 'Save changes' : 'Make plan'}
        </button>
        {onCancel && (
          <button class="button secondary" type="button" disabled={saving} onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
