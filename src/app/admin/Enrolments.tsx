import { useMemo, useRef, useState } from 'preact/hooks';
import { CreateEnrolmentRequest, type CentreEnrolment, type CentreUser, type SpecSummary } from '../../domain/admin';
import { formatDate, registrationCheck, todayIso } from '../../domain/dates';
import type { FrameworkSpec, QualificationSpec } from '../../domain/qualification';
import { CertificationNotice } from '../components/CertificationNotice';
import { Loading } from '../components/feedback';
import { RulesSummary, UnitGroupChoice } from '../components/UnitChoice';
import type { AdminApi } from './api';
import { AdminError, AdminPage, type AdminScreenProps } from './AdminPage';
import { ErrorSummary, InputField, SelectField, focusSoon } from '../components/fields';
import { useCentre } from './useCentre';
import { byName } from './Users';

export default function Enrolments({ client }: AdminScreenProps) {
  return (
    <AdminPage title="Enrolments" lead="Who is enrolled on which qualification. An enrolment keeps the spec version it started on." client={client}>
      {(api) => <EnrolmentsScreen api={api} />}
    </AdminPage>
  );
}

interface CentreData {
  users: CentreUser[];
  enrolments: CentreEnrolment[];
  specs: SpecSummary[];
}

function EnrolmentsScreen({ api }: { api: AdminApi }) {
  const { state, update } = useCentre(
    async (): Promise<CentreData> => {
      const [users, enrolments, specs] = await Promise.all([api.listUsers(), api.listEnrolments(), api.listSpecs()]);
      return { users, enrolments, specs };
    },
    [api],
  );
  const [announcement, setAnnouncement] = useState('');
  if (state.status === 'loading') return <Loading what="enrolments" />;
  if (state.status === 'error') return <AdminError error={state.error} title="Could not load the enrolments" />;
  const data = state.value;
  return (
    <>
      <p role="status" aria-live="polite" class={announcement ? 'banner ok' : 'visually-hidden'}>
        {announcement}
      </p>
      <CreateEnrolment
        api={api}
        data={data}
        onCreated={(enrolment) => {
          update((d) => ({ ...d, enrolments: [...d.enrolments, enrolment] }));
          setAnnouncement(`Enrolled ${enrolment.learnerName} on ${enrolment.qualificationId}, spec version ${enrolment.qualificationVersion}.`);
        }}
      />
      <EnrolmentList data={data} />
    </>
  );
}

function latestVersions(specs: SpecSummary[]): Map<string, SpecSummary> {
  const latest = new Map<string, SpecSummary>();
  for (const s of specs) if (!latest.has(s.id) || latest.get(s.id)!.version < s.version) latest.set(s.id, s);
  return latest;
}

function EnrolmentList({ data }: { data: CentreData }) {
  const latest = latestVersions(data.specs);
  const rows = [...data.enrolments].sort((a, b) => a.learnerName.localeCompare(b.learnerName, 'en-GB') || a.startDate.localeCompare(b.startDate));
  return (
    <section aria-labelledby="enrolments-heading">
      <h2 id="enrolments-heading">Enrolments ({rows.length})</h2>
      {rows.length === 0 ? (
        <p>No one is enrolled yet.</p>
      ) : (
        <table class="admin-table" data-testid="enrolment-list">
          <caption class="visually-hidden">Enrolments at your centre</caption>
          <thead>
            <tr>
              <th scope="col">Learner</th>
              <th scope="col">Qualification</th>
              <th scope="col">Dates</th>
              <th scope="col">Off-the-job hours a week</th>
              <th scope="col">Optional units</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => {
              const newest = latest.get(e.qualificationId);
              return (
                <tr key={e.id}>
                  <td data-label="Learner">{e.learnerName}</td>
                  <td data-label="Qualification">
                    {newest?.title ? `${newest.title} ` : ''}({e.qualificationId}), version {e.qualificationVersion}
                    {newest && newest.version > e.qualificationVersion && (
                      <span class="small muted" style={{ display: 'block' }}>
                        Stays on version {e.qualificationVersion}; version {newest.version} is the latest.
                      </span>
                    )}
                  </td>
                  <td data-label="Dates">
                    {formatDate(e.startDate)} to {formatDate(e.plannedEndDate)}
                  </td>
                  <td data-label="Off-the-job hours a week">{e.plannedOffTheJobHoursPerWeek}</td>
                  <td data-label="Optional units">{e.optionalUnitIds.length}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

interface FormState {
  learnerId: string;
  qualificationId: string;
  /** Empty means the latest version of the chosen qualification. */
  version: string;
  startDate: string;
  plannedEndDate: string;
  hoursPerWeek: string;
  optionalUnitIds: string[];
}
type Field = 'learner' | 'qualification' | 'start' | 'end' | 'hours';
const EMPTY: FormState = { learnerId: '', qualificationId: '', version: '', startDate: '', plannedEndDate: '', hoursPerWeek: '6', optionalUnitIds: [] };
const FIELD_IDS: Record<Field, string> = { learner: 'enrol-learner', qualification: 'enrol-qualification', start: 'enrol-start', end: 'enrol-end', hours: 'enrol-hours' };

/** The same checks as the learner's own Enrol screen, so a learner and an admin can never disagree. */
function validate(form: FormState, spec: QualificationSpec | null, specLoading: boolean, today: string): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  if (!form.learnerId) errors.learner = 'Choose the learner to enrol';
  if (!form.qualificationId) errors.qualification = 'Choose the qualification the learner is registered on';
  else if (!spec) errors.qualification = specLoading ? 'The qualification spec is still loading: try again in a moment' : 'The qualification spec could not be loaded';
  if (!form.startDate) errors.start = 'Enter the date the learner was registered (the start date)';
  if (!form.plannedEndDate) errors.end = 'Enter the date the learner plans to finish';
  else if (form.startDate && form.plannedEndDate <= form.startDate) errors.end = 'The planned end date must be after the start date';
  const hours = Number(form.hoursPerWeek);
  if (form.hoursPerWeek.trim() === '' || !Number.isFinite(hours) || hours < 0 || hours > 60) errors.hours = 'Enter the planned off-the-job hours a week, between 0 and 60';
  if (spec && form.startDate) {
    const registration = registrationCheck(spec, form.startDate, today);
    if (!registration.open) errors.start = registration.message ?? 'This qualification is closed to new registrations';
  }
  return errors;
}

function CreateEnrolment({ api, data, onCreated }: { api: AdminApi; data: CentreData; onCreated: (e: CentreEnrolment) => void }) {
  const today = todayIso();
  const [form, setForm] = useState<FormState>(EMPTY);
  const [showErrors, setShowErrors] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));

  const learners = data.users.filter((u) => u.role === 'learner' && !u.disabled).sort(byName);
  const qualifications = [...latestVersions(data.specs.filter((s) => s.kind === 'qualification')).values()].sort((a, b) => a.id.localeCompare(b.id));
  const versions = data.specs.filter((s) => s.kind === 'qualification' && s.id === form.qualificationId).sort((a, b) => b.version - a.version);
  const version = form.version ? Number(form.version) : (versions[0]?.version ?? null);

  // Specs are fetched once per version and kept, so switching back and forth costs nothing.
  const cache = useRef(new Map<string, Promise<FrameworkSpec>>());
  const specRead = useCentre(async () => {
    if (!form.qualificationId || version === null) return null;
    const key = `${form.qualificationId}@${version}`;
    let pending = cache.current.get(key);
    if (!pending) {
      pending = api.spec(form.qualificationId, version);
      cache.current.set(key, pending);
      pending.catch(() => cache.current.delete(key));
    }
    const spec = await pending;
    if (spec.kind !== 'qualification') throw new Error(`${spec.id} is a competence standard, not a qualification.`);
    return spec;
  }, [api, form.qualificationId, version]).state;
  const spec = specRead.status === 'ready' ? specRead.value : null;

  // Units of another version that this one lacks are not offered, checked, or sent.
  const chosen = spec ? spec.units.filter((u) => !u.mandatory && form.optionalUnitIds.includes(u.id)).map((u) => u.id) : form.optionalUnitIds;
  const errors = useMemo(() => validate(form, spec, specRead.status === 'loading', today), [form, spec, specRead.status, today]);
  const visible = showErrors ? errors : {};
  const registration = spec && form.startDate ? registrationCheck(spec, form.startDate, today) : null;
  const alreadyOn = data.enrolments.filter((e) => e.learnerId === form.learnerId && e.qualificationId === form.qualificationId);

  const toggleUnit = (unitId: string) =>
    setForm((f) => ({ ...f, optionalUnitIds: f.optionalUnitIds.includes(unitId) ? f.optionalUnitIds.filter((u) => u !== unitId) : [...f.optionalUnitIds, unitId] }));

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setShowErrors(true);
    setFailure(null);
    if (Object.keys(errors).length > 0 || !spec) {
      focusSoon('enrol-errors');
      return;
    }
    const request = CreateEnrolmentRequest.safeParse({
      learnerId: form.learnerId,
      qualificationId: spec.id,
      qualificationVersion: spec.version,
      optionalUnitIds: chosen,
      startDate: form.startDate,
      plannedEndDate: form.plannedEndDate,
      plannedOffTheJobHoursPerWeek: Number(form.hoursPerWeek),
    });
    if (!request.success) {
      setFailure(new Error(request.error.issues.map((i) => i.message).join(' ')));
      return;
    }
    setSaving(true);
    try {
      const created = await api.createEnrolment(request.data);
      setForm(EMPTY);
      setShowErrors(false);
      onCreated(created);
    } catch (error) {
      setFailure(error);
    } finally {
      setSaving(false);
    }
  };

  const errorList = (Object.entries(visible) as Array<[Field, string]>).map(([field, message]): [string, string] => [FIELD_IDS[field], message]);
  return (
    <section class="card" aria-labelledby="enrol-heading">
      <h2 id="enrol-heading">Enrol a learner</h2>
      <form onSubmit={onSubmit} noValidate>
        <ErrorSummary id="enrol-errors" title="Check these before enrolling" errors={errorList} />
        {failure !== null && <AdminError error={failure} title="The learner was not enrolled" />}
        <div class="admin-form-grid">
          <SelectField
            id={FIELD_IDS.learner}
            label="Learner"
            hint={learners.length === 0 ? 'Add learners on the Users page first' : undefined}
            placeholder="Choose a learner"
            value={form.learnerId}
            error={visible.learner}
            choices={learners.map((l) => ({ value: l.id, label: `${l.name} (${l.email})` }))}
            onChange={(v) => set('learnerId', v)}
          />
          <SelectField
            id={FIELD_IDS.qualification}
            label="Qualification"
            placeholder="Choose a qualification"
            value={form.qualificationId}
            error={visible.qualification}
            choices={qualifications.map((q) => ({ value: q.id, label: `${q.id}: ${q.title}` }))}
            onChange={(v) => setForm((f) => ({ ...f, qualificationId: v, version: '', optionalUnitIds: v === f.qualificationId ? f.optionalUnitIds : [] }))}
          />
          {versions.length > 0 && (
            <SelectField
              id="enrol-version"
              label="Spec version"
              hint="The latest is chosen for you. The learner stays on this version even when a newer one is imported."
              value={String(version)}
              choices={versions.map((v, i) => ({ value: String(v.version), label: `Version ${v.version}${i === 0 ? ' (latest)' : ''}` }))}
              onChange={(v) => set('version', v)}
            />
          )}
        </div>
        {alreadyOn.length > 0 && (
          <p class="banner warn" role="note">
            This learner is already enrolled on {form.qualificationId} (version {alreadyOn.map((e) => e.qualificationVersion).join(', ')}, started {alreadyOn.map((e) => formatDate(e.startDate)).join(', ')}).
          </p>
        )}
        {specRead.status === 'loading' && form.qualificationId && <Loading what="the qualification spec" />}
        {specRead.status === 'error' && <AdminError error={specRead.error} title="Could not load the qualification spec" />}
        {spec && <SpecFacts spec={spec} today={today} />}
        <div class="admin-form-grid">
          <InputField id={FIELD_IDS.start} type="date" label="Start date" hint="The date the learner was registered on the qualification" value={form.startDate} error={visible.start} onInput={(v) => set('startDate', v)} />
          <InputField id={FIELD_IDS.end} type="date" label="Planned end date" value={form.plannedEndDate} error={visible.end} onInput={(v) => set('plannedEndDate', v)} />
          <InputField
            id={FIELD_IDS.hours}
            type="number"
            label="Planned off-the-job hours a week"
            hint="Training time away from normal duties, agreed with the employer"
            value={form.hoursPerWeek}
            error={visible.hours}
            onInput={(v) => set('hoursPerWeek', v)}
            extra={{ min: '0', max: '60', step: '0.5', inputmode: 'decimal' }}
          />
        </div>
        {registration?.open && registration.message && (
          <p class="banner info" role="note">
            {registration.message}
          </p>
        )}
        {spec && form.plannedEndDate && <CertificationNotice spec={spec} plannedEndDate={form.plannedEndDate} today={today} />}
        {spec && (
          <section aria-labelledby="enrol-units-heading">
            <h3 id="enrol-units-heading">Units</h3>
            {spec.note && <p class="banner info">{spec.note}</p>}
            {spec.rules.groups.map((group) => (
              <UnitGroupChoice key={group.id} spec={spec} group={group} chosen={chosen} onToggle={toggleUnit} />
            ))}
            <RulesSummary spec={spec} chosen={chosen} headings={{ valid: 'These units meet the rules of combination', invalid: 'These units do not meet the rules yet' }} />
          </section>
        )}
        <div class="actions">
          <button class="button" type="submit" disabled={saving}>
            {saving ? 'Enrolling…' : 'Enrol learner'}
          </button>
        </div>
        <p class="small muted">A unit choice that does not meet the rules yet can be saved and finished later by the learner and their assessor.</p>
      </form>
    </section>
  );
}

function SpecFacts({ spec, today }: { spec: QualificationSpec; today: string }) {
  const incomplete = spec.units.filter((u) => u.completeness !== 'complete').length;
  return (
    <dl class="facts card" data-testid="enrol-spec-facts">
      <dt>Qualification</dt>
      <dd>
        {spec.title} ({spec.id}), version {spec.version}
      </dd>
      <dt>Level and credits</dt>
      <dd>
        Level {spec.level} · {spec.credits} credits · {spec.accreditationNumber}
      </dd>
      <dt>Last registration</dt>
      <dd>
        {formatDate(spec.lastRegistrationDate)}
        {today > spec.lastRegistrationDate && <> <span class="tag warn">registration closed</span></>}
      </dd>
      <dt>Last certification</dt>
      <dd>{formatDate(spec.lastCertificationDate)}</dd>
      {incomplete > 0 && (
        <>
          <dt>Incomplete units</dt>
          <dd>
            {incomplete} of {spec.units.length} units are not fully known in this spec version
          </dd>
        </>
      )}
    </dl>
  );
}
