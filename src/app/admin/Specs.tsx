import { useState } from 'preact/hooks';
import { MAX_SPEC_BYTES, type SpecSummary } from '../../domain/admin';
import { formatDate } from '../../domain/dates';
import type { FrameworkSpec } from '../../domain/qualification';
import { Loading } from '../components/feedback';
import type { AdminApi } from './api';
import { AdminError, AdminPage, type AdminScreenProps } from './AdminPage';
import { checkSpecFile, type SpecFileCheck } from './spec-file';
import { formatWhen, useCentre } from './useCentre';

export default function Specs({ client }: AdminScreenProps) {
  return (
    <AdminPage title="Qualification specs" lead="The spec versions your centre holds. Each enrolment stays on the version it started on." client={client}>
      {(api) => <SpecsScreen api={api} />}
    </AdminPage>
  );
}

function SpecsScreen({ api }: { api: AdminApi }) {
  const { state, update } = useCentre(api.listSpecs, [api]);
  const [announcement, setAnnouncement] = useState('');
  return (
    <>
      <p role="status" aria-live="polite" class={announcement ? 'banner ok' : 'visually-hidden'}>
        {announcement}
      </p>
      <ImportSpec
        api={api}
        known={state.status === 'ready' ? state.value : []}
        onImported={(summary) => {
          update((list) => [...list.filter((s) => !(s.id === summary.id && s.version === summary.version)), summary]);
          setAnnouncement(`Imported ${summary.title} (${summary.id}), version ${summary.version}. New enrolments on ${summary.id} now start on this version.`);
        }}
        onChosen={() => setAnnouncement('')}
      />
      <section aria-labelledby="specs-heading">
        <h2 id="specs-heading">Versions at your centre</h2>
        {state.status === 'loading' && <Loading what="spec versions" />}
        {state.status === 'error' && <AdminError error={state.error} title="Could not load the spec versions" />}
        {state.status === 'ready' && <SpecList specs={state.value} />}
      </section>
    </>
  );
}

function SpecList({ specs }: { specs: SpecSummary[] }) {
  if (specs.length === 0) return <p>Your centre holds no specs yet.</p>;
  const latest = new Map<string, number>();
  for (const s of specs) latest.set(s.id, Math.max(latest.get(s.id) ?? 0, s.version));
  const rows = [...specs].sort((a, b) => a.id.localeCompare(b.id) || b.version - a.version);
  return (
    <table class="admin-table" data-testid="spec-list">
      <caption class="visually-hidden">Spec versions with how many enrolments use each</caption>
      <thead>
        <tr>
          <th scope="col">Spec</th>
          <th scope="col">Version</th>
          <th scope="col">Imported</th>
          <th scope="col">Enrolments</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((s) => (
          <tr key={`${s.id}@${s.version}`} data-testid={`spec-${s.id}-${s.version}`}>
            <td data-label="Spec">
              {s.title} ({s.id}){s.kind === 'competence-standard' && <span class="small muted"> · competence standard</span>}
            </td>
            <td data-label="Version">
              {s.version}
              {latest.get(s.id) === s.version && <> <span class="tag ok">latest</span></>}
            </td>
            <td data-label="Imported">{formatWhen(s.importedAt)}</td>
            <td data-label="Enrolments">{s.enrolments}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type Choice = { status: 'none' } | { status: 'reading'; fileName: string } | { status: 'checked'; check: SpecFileCheck };

function ImportSpec({ api, known, onImported, onChosen }: { api: AdminApi; known: SpecSummary[]; onImported: (s: SpecSummary) => void; onChosen: () => void }) {
  const [choice, setChoice] = useState<Choice>({ status: 'none' });
  const [inputKey, setInputKey] = useState(0);
  const [failure, setFailure] = useState<unknown>(null);
  const [importing, setImporting] = useState(false);

  const reset = () => {
    setChoice({ status: 'none' });
    setFailure(null);
    setInputKey((k) => k + 1);
  };

  const onFile = async (event: Event) => {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    setFailure(null);
    onChosen();
    if (!file) return setChoice({ status: 'none' });
    setChoice({ status: 'reading', fileName: file.name });
    try {
      setChoice({ status: 'checked', check: await checkSpecFile(file) });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      setChoice({ status: 'checked', check: { ok: false, fileName: file.name, title: `${file.name} could not be read`, problems: [reason] } });
    }
  };

  const upload = async (raw: unknown) => {
    setFailure(null);
    setImporting(true);
    try {
      const summary = await api.importSpec(raw);
      reset();
      onImported(summary);
    } catch (error) {
      setFailure(error);
    } finally {
      setImporting(false);
    }
  };

  return (
    <section class="card" aria-labelledby="import-heading">
      <h2 id="import-heading">Import a spec version</h2>
      <div class="field">
        <label for="spec-file">Spec file (.json)</label>
        <span class="hint" id="spec-file-hint">
          It is checked on this device first, and nothing is sent to the centre until you choose Import. At most {MAX_SPEC_BYTES / 1024 / 1024} MB.
        </span>
        <input key={inputKey} id="spec-file" type="file" accept=".json,application/json" aria-describedby="spec-file-hint" onChange={onFile} />
      </div>
      {choice.status === 'reading' && <Loading what={choice.fileName} />}
      {choice.status === 'checked' && !choice.check.ok && (
        <div class="banner error" role="alert" data-testid="spec-problems">
          <h3>{choice.check.title}</h3>
          <p>
            {choice.check.problems.length === 1 ? 'Fix this in the file, then choose it again:' : `Fix these ${choice.check.problems.length} problems in the file, then choose it again:`}
          </p>
          <ul class="admin-problems">
            {choice.check.problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      {choice.status === 'checked' && choice.check.ok && (
        <>
          <SpecPreview spec={choice.check.spec} fileName={choice.check.fileName} known={known} />
          {failure !== null && (
            <div class="admin-preline">
              <AdminError error={failure} title="The centre did not import the spec" />
            </div>
          )}
          <div class="actions">
            <button class="button" type="button" disabled={importing} onClick={() => choice.check.ok && upload(choice.check.raw)}>
              {importing ? 'Importing…' : `Import version ${choice.check.spec.version}`}
            </button>
            <button class="button secondary" type="button" disabled={importing} onClick={reset}>
              Choose another file
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function SpecPreview({ spec, fileName, known }: { spec: FrameworkSpec; fileName: string; known: SpecSummary[] }) {
  const earlier = known.filter((s) => s.id === spec.id).sort((a, b) => b.version - a.version);
  const latest = earlier[0];
  return (
    <section class="banner ok" aria-labelledby="preview-heading" data-testid="spec-preview">
      <h3 id="preview-heading">{fileName} is a valid spec</h3>
      <dl class="facts">
        <dt>ID</dt>
        <dd>{spec.id}</dd>
        <dt>Version</dt>
        <dd>{spec.version}</dd>
        <dt>Title</dt>
        <dd>{spec.title}</dd>
        {spec.kind === 'qualification' ? <QualificationFacts spec={spec} /> : <StandardFacts spec={spec} />}
      </dl>
      {!latest && <p>Your centre has no earlier version of {spec.id}.</p>}
      {latest && latest.version < spec.version && (
        <p>
          This follows version {latest.version}
          {latest.enrolments > 0 ? `, which ${latest.enrolments} ${latest.enrolments === 1 ? 'enrolment uses' : 'enrolments use'}` : ''}. Existing enrolments stay on their version; new enrolments start on version {spec.version}.
        </p>
      )}
      {latest && latest.version >= spec.version && (
        <p class="banner warn" role="note">
          Your centre already has version {latest.version} of {spec.id}, so the centre will refuse this file: a new import needs a higher version number than {latest.version}.
        </p>
      )}
    </section>
  );
}

function QualificationFacts({ spec }: { spec: Extract<FrameworkSpec, { kind: 'qualification' }> }) {
  const incomplete = spec.units.filter((u) => u.completeness !== 'complete');
  const mandatory = spec.units.filter((u) => u.mandatory).length;
  return (
    <>
      <dt>Level and credits</dt>
      <dd>
        Level {spec.level} · {spec.rules.minTotalCredits} credits to achieve · {spec.accreditationNumber}
      </dd>
      <dt>Units</dt>
      <dd>
        {spec.units.length} ({mandatory} mandatory, {spec.units.length - mandatory} optional)
      </dd>
      <dt>Incomplete units</dt>
      <dd data-testid="spec-incomplete">
        {incomplete.length === 0
          ? 'None: every unit’s outcomes and criteria are known'
          : `${incomplete.length} of ${spec.units.length} units are not fully known (${incomplete.map((u) => u.shortTitle ?? u.title).join('; ')})`}
      </dd>
      <dt>Last registration</dt>
      <dd>{formatDate(spec.lastRegistrationDate)}</dd>
      <dt>Last certification</dt>
      <dd>{formatDate(spec.lastCertificationDate)}</dd>
    </>
  );
}

function StandardFacts({ spec }: { spec: Extract<FrameworkSpec, { kind: 'competence-standard' }> }) {
  const competences = spec.headings.reduce((n, h) => n + h.competences.length, 0);
  return (
    <>
      <dt>Kind</dt>
      <dd>Competence standard ({spec.body})</dd>
      <dt>Contents</dt>
      <dd>
        {spec.headings.length} headings, {competences} competences
      </dd>
    </>
  );
}
