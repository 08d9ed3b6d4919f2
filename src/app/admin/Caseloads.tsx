import { useState } from 'preact/hooks';
import type { CentreUser } from '../../domain/admin';
import { Loading } from '../components/feedback';
import type { AdminApi } from './api';
import { AdminError, AdminPage, type AdminScreenProps } from './AdminPage';
import { SelectField } from '../components/fields';
import { useCentre } from './useCentre';
import { byName } from './Users';

export default function Caseloads({ client }: AdminScreenProps) {
  return (
    <AdminPage title="Assessor caseloads" lead="Choose which learners each assessor looks after. An assessor sees only the learners on their caseload." client={client}>
      {(api) => <CaseloadsScreen api={api} />}
    </AdminPage>
  );
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

function CaseloadsScreen({ api }: { api: AdminApi }) {
  const { state, update } = useCentre(api.listUsers, [api]);
  const [assessorId, setAssessorId] = useState('');
  /** Unsaved choices per assessor, kept when switching between assessors or when a save fails. */
  const [drafts, setDrafts] = useState<Record<string, string[]>>({});
  const [search, setSearch] = useState('');
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [announcement, setAnnouncement] = useState('');

  if (state.status === 'loading') return <Loading what="assessors and learners" />;
  if (state.status === 'error') return <AdminError error={state.error} title="Could not load the assessors and learners" />;

  const users = state.value;
  const assessors = users.filter((u) => u.role === 'assessor').sort(byName);
  const learners = users.filter((u) => u.role === 'learner').sort(byName);
  const names = new Map(users.map((u) => [u.id, u.name]));
  if (assessors.length === 0)
    return (
      <p class="banner info">
        There are no assessors yet. Add one on the <a href="/admin/users">Users</a> page, then come back to give them a caseload.
      </p>
    );

  const assessor = assessors.find((a) => a.id === assessorId) ?? assessors[0]!;
  const chosen = drafts[assessor.id] ?? assessor.caseload;
  const unsaved = !sameSet(chosen, assessor.caseload);
  const term = search.trim().toLowerCase();
  const shown = learners.filter((l) => !term || l.name.toLowerCase().includes(term) || l.email.toLowerCase().includes(term));
  const hiddenChosen = chosen.filter((id) => !shown.some((l) => l.id === id)).length;

  const toggle = (learnerId: string) => {
    setAnnouncement('');
    setDrafts((d) => {
      const current = d[assessor.id] ?? assessor.caseload;
      return { ...d, [assessor.id]: current.includes(learnerId) ? current.filter((id) => id !== learnerId) : [...current, learnerId] };
    });
  };

  const save = async (event: Event) => {
    event.preventDefault();
    setFailure(null);
    setSaving(true);
    try {
      const saved = await api.setCaseload(assessor.id, { learnerIds: chosen });
      // The learners' own lists of assessors follow the caseload.
      update((all) =>
        all.map((u) => {
          if (u.id === saved.id) return saved;
          if (u.role !== 'learner') return u;
          const on = saved.caseload.includes(u.id);
          const listed = u.assessors.includes(saved.id);
          if (on === listed) return u;
          return { ...u, assessors: on ? [...u.assessors, saved.id] : u.assessors.filter((id) => id !== saved.id) };
        }),
      );
      setDrafts((d) => {
        const { [saved.id]: _, ...rest } = d;
        return rest;
      });
      setAnnouncement(`Saved: ${saved.caseload.length} ${saved.caseload.length === 1 ? 'learner' : 'learners'} on ${saved.name}'s caseload.`);
    } catch (error) {
      setFailure(error);
    } finally {
      setSaving(false);
    }
  };

  const otherAssessors = (learner: CentreUser) =>
    learner.assessors
      .filter((id) => id !== assessor.id)
      .map((id) => names.get(id) ?? 'another assessor')
      .join(', ');

  return (
    <form onSubmit={save} noValidate>
      <p role="status" aria-live="polite" class={announcement ? 'banner ok' : 'visually-hidden'}>
        {announcement}
      </p>
      <SelectField
        id="caseload-assessor"
        label="Assessor"
        value={assessor.id}
        choices={assessors.map((a) => ({
          value: a.id,
          label: `${a.name}${a.disabled ? ' (disabled)' : ''} · ${(drafts[a.id] ?? a.caseload).length} learners${drafts[a.id] && !sameSet(drafts[a.id]!, a.caseload) ? ', not saved' : ''}`,
        }))}
        onChange={(id) => {
          setAssessorId(id);
          setFailure(null);
          setAnnouncement('');
        }}
      />
      {failure !== null && <AdminError error={failure} title="The caseload was not saved" />}
      <fieldset class="card">
        <legend class="label">Learners on {assessor.name}'s caseload</legend>
        <div class="field">
          <label for="caseload-search">Find a learner</label>
          <span class="hint" id="caseload-search-hint">
            Searching only hides learners from the list; ticked learners stay ticked.
          </span>
          <input id="caseload-search" type="search" value={search} autocomplete="off" aria-describedby="caseload-search-hint" onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <p class="small" aria-live="polite" data-testid="caseload-count">
          {chosen.length} of {learners.length} learners chosen
          {hiddenChosen > 0 ? ` (${hiddenChosen} not shown by this search)` : ''}
          {unsaved ? ' · not saved yet' : ''}
        </p>
        {learners.length === 0 && <p>There are no learners yet. Add them on the Users page.</p>}
        {learners.length > 0 && shown.length === 0 && <p>No learner matches “{search.trim()}”.</p>}
        <div class="admin-checklist">
          {shown.map((learner) => {
            const others = otherAssessors(learner);
            return (
              <label class="check" key={learner.id}>
                <input type="checkbox" name="learnerIds" value={learner.id} checked={chosen.includes(learner.id)} onChange={() => toggle(learner.id)} />
                <span>
                  {learner.name}
                  {learner.disabled && <> <span class="tag deleted">disabled</span></>}
                  <span class="small muted" style={{ display: 'block', overflowWrap: 'anywhere' }}>
                    {learner.email}
                    {others ? ` · also with ${others}` : ''}
                  </span>
                </span>
              </label>
            );
          })}
        </div>
      </fieldset>
      <div class="actions">
        <button class="button" type="submit" disabled={saving}>
          {saving ? 'Saving…' : `Save ${assessor.name}'s caseload`}
        </button>
        {unsaved && (
          <button
            class="button secondary"
            type="button"
            onClick={() =>
              setDrafts((d) => {
                const { [assessor.id]: _, ...rest } = d;
                return rest;
              })
            }
          >
            Undo changes
          </button>
        )}
      </div>
    </form>
  );
}
