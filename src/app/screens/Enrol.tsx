import { useLocation } from 'preact-iso';
import { useMemo, useState } from 'preact/hooks';
import { formatDate, registrationCheck, todayIso } from '../../domain/dates';
import type { QualificationSpec } from '../../domain/qualification';
import { StorageFullError } from '../../data/errors';
import { latestQualifications } from '../../data/frameworks';
import { saveEnrolment } from '../../data/learner';
import { useLive } from '../../data/live';
import { CertificationNotice } from '../components/CertificationNotice';
import { ErrorMessage, LiveView } from '../components/feedback';
import { ErrorSummary, InputField } from '../components/fields';
import { Page } from '../components/Page';
import { RulesSummary, SourceNote, UnitGroupChoice } from '../components/UnitChoice';
import { usePortfolio, type Portfolio } from '../portfolio';

interface FormState {
  name: string;
  employer: string;
  qualificationId: string;
  optionalUnitIds: string[];
  startDate: string;
  plannedEndDate: string;
  hoursPerWeek: string;
}

type FieldErrors = Partial<Record<keyof FormState, string>>;

function initialState(existing: Portfolio | null): FormState {
  if (!existing) return { name: '', employer: '', qualificationId: '', optionalUnitIds: [], startDate: '', plannedEndDate: '', hoursPerWeek: '6' };
  const { profile, enrolment } = existing;
  return {
    name: profile.name,
    employer: profile.employer,
    qualificationId: enrolment.qualificationId,
    optionalUnitIds: enrolment.optionalUnitIds,
    startDate: enrolment.startDate,
    plannedEndDate: enrolment.plannedEndDate,
    hoursPerWeek: String(enrolment.plannedOffTheJobHoursPerWeek),
  };
}

function validate(form: FormState, spec: QualificationSpec | undefined, today: string): FieldErrors {
  const errors: FieldErrors = {};
  if (!form.name.trim()) errors.name = 'Enter your name';
  if (!form.employer.trim()) errors.employer = 'Enter your employer';
  if (!spec) errors.qualificationId = 'Choose the qualification you are registered on';
  if (!form.startDate) errors.startDate = 'Enter the date you started (were registered)';
  if (!form.plannedEndDate) errors.plannedEndDate = 'Enter the date you plan to finish';
  else if (form.startDate && form.plannedEndDate <= form.startDate) errors.plannedEndDate = 'The planned end date must be after the start date';
  const hours = Number(form.hoursPerWeek);
  if (form.hoursPerWeek.trim() === '' || !Number.isFinite(hours) || hours < 0 || hours > 60)
    errors.hoursPerWeek = 'Enter the planned off-the-job hours a week, between 0 and 60';
  if (spec && form.startDate) {
    const registration = registrationCheck(spec, form.startDate, today);
    if (!registration.open) errors.startDate = registration.message ?? 'This qualification is closed to new registrations';
  }
  return errors;
}


function QualificationChoice({ specs, value, today, error, onChange }: { specs: QualificationSpec[]; value: string; today: string; error?: string | undefined; onChange: (id: string) => void }) {
  return (
    <fieldset class="field" aria-describedby={error ? 'qualificationId-error' : undefined}>
      <legend>Qualification</legend>
      {error && (
        <span class="error-text" id="qualificationId-error">
          {error}
        </span>
      )}
      {specs.map((spec) => {
        const closedForNew = today > spec.lastRegistrationDate;
        return (
          <label class="check card" key={spec.id} style={{ marginBottom: '0.5rem' }}>
            <input type="radio" name="qualificationId" id={`qualification-${spec.id}`} value={spec.id} checked={value === spec.id} onChange={() => onChange(spec.id)} />
            <span>
              <strong class="nowrap-id">
                {spec.title} <span class="nowrap">({spec.id})</span>
              </strong>
              <span class="small muted" style={{ display: 'block' }}>
                Level {spec.level} · {spec.credits} credits · {spec.accreditationNumber} · guided learning {spec.guidedLearningHours.min}–{spec.guidedLearningHours.max} hours · total qualification time {spec.totalQualificationTime} hours
              </span>
              <span class="small" style={{ display: 'block' }}>
                Last registration {formatDate(spec.lastRegistrationDate)}
                {closedForNew && <span class="tag warn">registration closed</span>} · last certification {formatDate(spec.lastCertificationDate)}
              </span>
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}

function EnrolForm({ specs, existing }: { specs: QualificationSpec[]; existing: Portfolio | null }) {
  const { route } = useLocation();
  const today = todayIso();
  const [form, setForm] = useState<FormState>(() => initialState(existing));
  const [showErrors, setShowErrors] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  // An existing enrolment keeps the spec version it started on.
  const spec = existing && existing.enrolment.qualificationId === form.qualificationId ? existing.spec : specs.find((s) => s.id === form.qualificationId);
  const errors = useMemo(() => validate(form, spec, today), [form, spec, today]);
  const visibleErrors = showErrors ? errors : {};
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));

  const chooseQualification = (id: string) => setForm((f) => ({ ...f, qualificationId: id, optionalUnitIds: id === f.qualificationId ? f.optionalUnitIds : [] }));
  const toggleUnit = (unitId: string) =>
    setForm((f) => ({ ...f, optionalUnitIds: f.optionalUnitIds.includes(unitId) ? f.optionalUnitIds.filter((u) => u !== unitId) : [...f.optionalUnitIds, unitId] }));

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setShowErrors(true);
    setSaveError(null);
    if (Object.keys(errors).length > 0 || !spec) {
      requestAnimationFrame(() => document.getElementById('error-summary')?.focus());
      return;
    }
    setSaving(true);
    try {
      await saveEnrolment(
        {
          name: form.name,
          employer: form.employer,
          qualificationId: spec.id,
          qualificationVersion: spec.version,
          optionalUnitIds: spec.units.filter((u) => form.optionalUnitIds.includes(u.id)).map((u) => u.id),
          startDate: form.startDate,
          plannedEndDate: form.plannedEndDate,
          plannedOffTheJobHoursPerWeek: Number(form.hoursPerWeek),
        },
        existing?.enrolment.id,
      );
      route('/');
    } catch (error) {
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  };

  const errorList = Object.entries(visibleErrors) as Array<[keyof FormState, string]>;
  const registration = spec && form.startDate ? registrationCheck(spec, form.startDate, today) : null;
  return (
    <form onSubmit={onSubmit} noValidate>
      <ErrorSummary
        id="error-summary"
        title="Check these before saving"
        errors={errorList.map(([field, message]) => [field === 'qualificationId' ? `qualification-${specs[0]?.id ?? ''}` : field, message])}
      />
      {saveError !== null && <ErrorMessage error={saveError} title={saveError instanceof StorageFullError ? 'Not saved' : 'Could not save'} />}
      <section class="card" aria-labelledby="about-heading">
        <h2 id="about-heading" style={{ marginTop: 0 }}>
          About you
        </h2>
        <InputField id="name" label="Your full name" value={form.name} error={visibleErrors.name} onInput={(v) => set('name', v)} extra={{ autocomplete: 'name' }} />
        <InputField id="employer" label="Employer" hint="The organisation you work for during your apprenticeship" value={form.employer} error={visibleErrors.employer} onInput={(v) => set('employer', v)} extra={{ autocomplete: 'organization' }} />
      </section>
      <section class="card" aria-labelledby="qualification-heading">
        <h2 id="qualification-heading" style={{ marginTop: 0 }}>
          Qualification and dates
        </h2>
        <QualificationChoice specs={specs} value={form.qualificationId} today={today} error={visibleErrors.qualificationId} onChange={chooseQualification} />
        <InputField id="startDate" type="date" label="Start date" hint="The date you were registered on the qualification" value={form.startDate} error={visibleErrors.startDate} onInput={(v) => set('startDate', v)} />
        {registration?.open && registration.message && (
          <p class="banner info" role="note">
            {registration.message}
          </p>
        )}
        <InputField id="plannedEndDate" type="date" label="Planned end date" value={form.plannedEndDate} error={visibleErrors.plannedEndDate} onInput={(v) => set('plannedEndDate', v)} />
        {spec && form.plannedEndDate && <CertificationNotice spec={spec} plannedEndDate={form.plannedEndDate} today={today} />}
        <InputField
          id="hoursPerWeek"
          type="number"
          label="Planned off-the-job hours a week"
          hint="Training time away from your normal duties, agreed with your employer"
          value={form.hoursPerWeek}
          error={visibleErrors.hoursPerWeek}
          onInput={(v) => set('hoursPerWeek', v)}
          extra={{ min: '0', max: '60', step: '0.5', inputmode: 'decimal' }}
        />
      </section>
      {spec && (
        <section aria-labelledby="units-heading">
          <h2 id="units-heading">Units</h2>
          {spec.note && <SourceNote text={spec.note} summary="About this unit list: it is incomplete" />}
          {spec.rules.groups.map((group) => (
            <UnitGroupChoice key={group.id} spec={spec} group={group} chosen={form.optionalUnitIds} onToggle={toggleUnit} />
          ))}
          <RulesSummary spec={spec} chosen={form.optionalUnitIds} />
        </section>
      )}
      <div class="actions">
        <button class="button" type="submit" disabled={saving}>
          {saving ? 'Saving…' : existing ? 'Save changes' : 'Save and start my portfolio'}
        </button>
        {existing && (
          <a class="button secondary" href="/">
            Cancel
          </a>
        )}
      </div>
      <p class="small muted">You can save a unit choice that does not yet meet the rules and finish it later with your assessor.</p>
    </form>
  );
}

export default function Enrol() {
  const specs = useLive(latestQualifications, []);
  const portfolio = usePortfolio();
  return (
    <Page title="Your enrolment" lead="Your details, qualification and units. Everything is saved on this device.">
      <LiveView live={portfolio} what="your enrolment">
        {(existing) => (
          <LiveView live={specs} what="qualifications">
            {(list) => (list.length === 0 ? <p role="status">Preparing the qualification specs on this device…</p> : <EnrolForm specs={list} existing={existing} />)}
          </LiveView>
        )}
      </LiveView>
    </Page>
  );
}
