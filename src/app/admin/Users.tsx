import { useState } from 'preact/hooks';
import { CreateUserRequest, UpdateUserRequest, type CentreUser } from '../../domain/admin';
import type { Role, SessionUser } from '../../domain/auth';
import { AdminRevokeKeyRequest, type SigningKeyView } from '../../domain/signoff';
import { AuditTrail } from '../components/AuditTrail';
import { Loading } from '../components/feedback';
import type { AdminApi } from './api';
import { AdminError, AdminPage, type AdminScreenProps } from './AdminPage';
import { ErrorSummary, InputField, SelectField, fieldErrors, focusSoon } from '../components/fields';
import { formatWhen, useCentre } from './useCentre';
import { ExportForEqa } from './ExportForEqa';
import { PersonalData } from './PersonalData';
import { ReasonField } from './ReasonField';

export const ROLE_NAMES: Record<Role, string> = {
  learner: 'Learner',
  assessor: 'Assessor',
  iqa: 'IQA (internal quality assurer)',
  admin: 'Administrator',
};
const A_ROLE: Record<Role, string> = { learner: 'a learner', assessor: 'an assessor', iqa: 'an IQA', admin: 'an administrator' };
const ROLE_CHOICES = (Object.keys(ROLE_NAMES) as Role[]).map((role) => ({ value: role, label: ROLE_NAMES[role] }));

export function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name.localeCompare(b.name, 'en-GB', { sensitivity: 'base' });
}

type Announce = (message: string) => void;

export default function Users({ client }: AdminScreenProps) {
  return (
    <AdminPage title="Users" lead="Everyone at your centre who can sign in, with their role." client={client}>
      {(api, me) => <UsersScreen api={api} me={me} />}
    </AdminPage>
  );
}

function UsersScreen({ api, me }: { api: AdminApi; me: SessionUser }) {
  const { state, update } = useCentre(api.listUsers, [api]);
  const [announcement, setAnnouncement] = useState('');
  const [search, setSearch] = useState('');
  const replace = (changed: CentreUser) => update((users) => users.map((u) => (u.id === changed.id ? changed : u)));
  const remove = (id: string) => update((users) => users.filter((u) => u.id !== id));

  return (
    <>
      <p role="status" aria-live="polite" class={announcement ? 'banner ok' : 'visually-hidden'}>
        {announcement}
      </p>
      <CreateUserForm
        api={api}
        onCreated={(user) => {
          update((users) => [...users, user]);
          setAnnouncement(`Added ${user.name} as ${A_ROLE[user.role]}. Give them their initial password privately.`);
        }}
      />
      <section aria-labelledby="people-heading">
        <h2 id="people-heading">People at your centre</h2>
        {state.status === 'loading' && <Loading what="users" />}
        {state.status === 'error' && <AdminError error={state.error} title="Could not load the users" />}
        {state.status === 'ready' && (
          <>
            <div class="field">
              <label for="user-search">Find a person</label>
              <input id="user-search" type="search" value={search} onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)} autocomplete="off" />
            </div>
            <UserTable users={state.value} search={search} me={me} api={api} onChanged={replace} onRemoved={remove} announce={setAnnouncement} />
          </>
        )}
      </section>
    </>
  );
}

interface NewUserForm {
  name: string;
  email: string;
  role: Role;
  password: string;
}
const EMPTY_USER: NewUserForm = { name: '', email: '', role: 'learner', password: '' };

function CreateUserForm({ api, onCreated }: { api: AdminApi; onCreated: (user: CentreUser) => void }) {
  const [form, setForm] = useState<NewUserForm>(EMPTY_USER);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [showPassword, setShowPassword] = useState(false);
  const set = <K extends keyof NewUserForm>(key: K, value: NewUserForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setFailure(null);
    const parsed = CreateUserRequest.safeParse(form);
    if (!parsed.success) {
      setErrors(fieldErrors(parsed.error, 'new-'));
      focusSoon('new-user-errors');
      return;
    }
    setErrors({});
    setSaving(true);
    try {
      const user = await api.createUser(parsed.data);
      setForm(EMPTY_USER);
      setShowPassword(false);
      onCreated(user);
    } catch (error) {
      setFailure(error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section class="card" aria-labelledby="new-user-heading">
      <h2 id="new-user-heading">Add a person</h2>
      <form onSubmit={onSubmit} noValidate>
        <ErrorSummary id="new-user-errors" title="Check these before adding the person" errors={Object.entries(errors)} />
        {failure !== null && <AdminError error={failure} title="The person was not added" />}
        <div class="admin-form-grid">
          <InputField id="new-name" label="Full name" value={form.name} error={errors['new-name']} onInput={(v) => set('name', v)} extra={{ autocomplete: 'off' }} />
          <InputField id="new-email" type="email" label="Email" hint="They sign in with this" value={form.email} error={errors['new-email']} onInput={(v) => set('email', v)} extra={{ autocomplete: 'off', spellcheck: 'false' }} />
          <SelectField id="new-role" label="Role" value={form.role} error={errors['new-role']} choices={ROLE_CHOICES} onChange={(v) => set('role', v as Role)} />
          <div>
            <InputField
              id="new-password"
              type={showPassword ? 'text' : 'password'}
              label="Initial password"
              hint="At least 10 characters. Give it to the person privately."
              value={form.password}
              error={errors['new-password']}
              onInput={(v) => set('password', v)}
              extra={{ autocomplete: 'new-password' }}
            />
            <label class="check">
              <input type="checkbox" checked={showPassword} onChange={() => setShowPassword((s) => !s)} />
              <span>Show the password</span>
            </label>
          </div>
        </div>
        <div class="actions">
          <button class="button" type="submit" disabled={saving}>
            {saving ? 'Adding…' : 'Add person'}
          </button>
        </div>
      </form>
    </section>
  );
}

function UserTable({
  users,
  search,
  me,
  api,
  onChanged,
  onRemoved,
  announce,
}: {
  users: CentreUser[];
  search: string;
  me: SessionUser;
  api: AdminApi;
  onChanged: (u: CentreUser) => void;
  onRemoved: (id: string) => void;
  announce: Announce;
}) {
  const term = search.trim().toLowerCase();
  const shown = [...users].sort(byName).filter((u) => !term || u.name.toLowerCase().includes(term) || u.email.toLowerCase().includes(term));
  if (users.length === 0) return <p>No one has been added yet.</p>;
  return (
    <>
      <p class="small muted" aria-live="polite">
        {shown.length === users.length ? `${users.length} ${users.length === 1 ? 'person' : 'people'}` : `${shown.length} of ${users.length} people match “${search.trim()}”`}
      </p>
      <table class="admin-table">
        <caption class="visually-hidden">Users, their roles and whether they can sign in</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((user) => (
            <UserRow key={user.id} user={user} me={me} api={api} onChanged={onChanged} onRemoved={onRemoved} announce={announce} />
          ))}
        </tbody>
      </table>
    </>
  );
}

type Panel = 'edit' | 'confirm' | 'devices' | 'audit' | 'data' | null;

function UserRow({
  user,
  me,
  api,
  onChanged,
  onRemoved,
  announce,
}: {
  user: CentreUser;
  me: SessionUser;
  api: AdminApi;
  onChanged: (u: CentreUser) => void;
  onRemoved: (id: string) => void;
  announce: Announce;
}) {
  const [panel, setPanel] = useState<Panel>(null);
  const isMe = user.id === me.id;
  const toggle = (p: Panel) => setPanel((current) => (current === p ? null : p));
  const panelId = `user-panel-${user.id}`;
  return (
    <>
      <tr data-testid={`user-${user.email}`}>
        <td data-label="Name">
          <strong>{user.name}</strong>
          {isMe && <> <span class="tag">you</span></>}
          <span class="small muted" style={{ display: 'block', overflowWrap: 'anywhere' }}>
            {user.email}
          </span>
        </td>
        <td data-label="Role">{ROLE_NAMES[user.role]}</td>
        <td data-label="Status">{user.disabled ? <span class="tag deleted">Disabled</span> : <span class="tag ok">Active</span>}</td>
        <td data-label="Actions">
          <div class="admin-row-actions">
            <button class="button secondary" type="button" aria-expanded={panel === 'edit'} aria-controls={panel === 'edit' ? panelId : undefined} onClick={() => toggle('edit')}>
              Edit<span class="visually-hidden"> {user.name}</span>
            </button>
            {!isMe && (
              <button class="button secondary" type="button" aria-expanded={panel === 'confirm'} aria-controls={panel === 'confirm' ? panelId : undefined} onClick={() => toggle('confirm')}>
                {user.disabled ? 'Enable' : 'Disable'}
                <span class="visually-hidden"> {user.name}</span>
              </button>
            )}
            <button class="button secondary" type="button" aria-expanded={panel === 'devices'} aria-controls={panel === 'devices' ? panelId : undefined} onClick={() => toggle('devices')}>
              Devices<span class="visually-hidden"> of {user.name}</span>
            </button>
            {user.role === 'learner' && (
              <button class="button secondary" type="button" aria-expanded={panel === 'audit'} aria-controls={panel === 'audit' ? panelId : undefined} onClick={() => toggle('audit')}>
                Audit trail<span class="visually-hidden"> of {user.name}</span>
              </button>
            )}
            {user.role === 'learner' && <ExportForEqa api={api} learner={user} announce={announce} />}
            {user.role === 'learner' && (
              <button class="button secondary" type="button" aria-expanded={panel === 'data'} aria-controls={panel === 'data' ? panelId : undefined} onClick={() => toggle('data')}>
                Personal data<span class="visually-hidden"> of {user.name}</span>
              </button>
            )}
          </div>
        </td>
      </tr>
      {panel && (
        <tr class="admin-panel-row">
          <td colSpan={4} id={panelId}>
            {panel === 'edit' && (
              <EditUser
                user={user}
                isMe={isMe}
                api={api}
                onCancel={() => setPanel(null)}
                onSaved={(u) => {
                  onChanged(u);
                  setPanel(null);
                  announce(`Saved changes to ${u.name}.`);
                }}
              />
            )}
            {panel === 'confirm' && (
              <ConfirmDisable
                user={user}
                api={api}
                onCancel={() => setPanel(null)}
                onDone={(u) => {
                  onChanged(u);
                  setPanel(null);
                  announce(u.disabled ? `${u.name}'s account is disabled: they cannot sign in or sync.` : `${u.name}'s account is enabled again.`);
                }}
              />
            )}
            {panel === 'devices' && <DeviceSessions user={user} api={api} announce={announce} />}
            {panel === 'data' && (
              <PersonalData
                api={api}
                learner={user}
                announce={announce}
                onErased={(result) => {
                  onRemoved(user.id);
                  announce(
                    `${user.name} is erased: ${result.records} records, ${result.filesDeleted} files and ${result.sessions} device sessions are gone${result.filesKept > 0 ? `; ${result.filesKept} files another learner also holds are kept for them` : ''}. The audit log keeps the erasure under an id that names no one.`,
                  );
                }}
              />
            )}
            {panel === 'audit' && (
              <AuditTrail
                subject={{ learnerId: user.id }}
                heading={`Audit trail: ${user.name}`}
                headingLevel={3}
                load={api.auditTrail}
                showLocalDecisions={false}
                intro="Every change and decision about this learner's portfolio and signing keys, newest first."
              />
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function EditUser({ user, isMe, api, onCancel, onSaved }: { user: CentreUser; isMe: boolean; api: AdminApi; onCancel: () => void; onSaved: (u: CentreUser) => void }) {
  const [name, setName] = useState(user.name);
  const [role, setRole] = useState<Role>(user.role);
  const [error, setError] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const prefix = `edit-${user.id}`;

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setFailure(null);
    const change: Record<string, unknown> = {};
    if (name.trim() !== user.name) change.name = name;
    if (role !== user.role) change.role = role;
    const parsed = UpdateUserRequest.safeParse(change);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.path[0] === 'name' ? 'Enter the person’s name' : (parsed.error.issues[0]?.message ?? 'Check the name and role'));
      return;
    }
    setError(null);
    setSaving(true);
    try {
      onSaved(await api.updateUser(user.id, parsed.data));
    } catch (e) {
      setFailure(e);
    } finally {
      setSaving(false);
    }
  };

  const losesCaseload = user.role === 'assessor' && role !== 'assessor' && user.caseload.length > 0;
  return (
    <form onSubmit={onSubmit} noValidate aria-label={`Edit ${user.name}`}>
      {error && (
        <p class="banner error" role="alert">
          {error}
        </p>
      )}
      {failure !== null && <AdminError error={failure} title="Not saved" />}
      <div class="admin-form-grid">
        <InputField id={`${prefix}-name`} label="Full name" value={name} onInput={setName} extra={{ autocomplete: 'off' }} />
        <SelectField
          id={`${prefix}-role`}
          label="Role"
          value={role}
          choices={ROLE_CHOICES}
          disabled={isMe}
          hint={isMe ? 'You cannot change your own role, so the centre always keeps an administrator.' : undefined}
          onChange={(v) => setRole(v as Role)}
        />
      </div>
      {losesCaseload && (
        <p class="banner warn" role="note">
          {user.name} has {user.caseload.length} {user.caseload.length === 1 ? 'learner' : 'learners'} on their caseload. Check the Caseloads page after changing the role, so every learner still has an assessor.
        </p>
      )}
      <div class="actions">
        <button class="button" type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save changes'}
        </button>
        <button class="button secondary" type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ConfirmDisable({ user, api, onCancel, onDone }: { user: CentreUser; api: AdminApi; onCancel: () => void; onDone: (u: CentreUser) => void }) {
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const disabling = !user.disabled;
  const confirm = async () => {
    setFailure(null);
    setSaving(true);
    try {
      onDone(await api.updateUser(user.id, { disabled: disabling }));
    } catch (e) {
      setFailure(e);
    } finally {
      setSaving(false);
    }
  };
  return (
    <div class={`banner ${disabling ? 'warn' : 'info'}`} role="group" aria-label={`${disabling ? 'Disable' : 'Enable'} ${user.name}?`}>
      {failure !== null && <AdminError error={failure} title={disabling ? 'Not disabled' : 'Not enabled'} />}
      <p>
        <strong>
          {disabling ? 'Disable' : 'Enable'} {user.name}?
        </strong>{' '}
        {disabling
          ? 'They will not be able to sign in or sync until the account is enabled again. Nothing they have recorded is deleted.'
          : 'They can sign in and sync again with their existing password.'}
      </p>
      <div class="actions">
        <button class={`button ${disabling ? 'danger' : ''}`} type="button" disabled={saving} onClick={confirm}>
          {saving ? 'Saving…' : disabling ? 'Yes, disable the account' : 'Yes, enable the account'}
        </button>
        <button class="button secondary" type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function DeviceSessions({ user, api, announce }: { user: CentreUser; api: AdminApi; announce: Announce }) {
  const { state, reload } = useCentre(() => api.userSessions(user.id), [api, user.id]);
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  // A revoked session takes the keys it registered with it: the key list is read again.
  const [revoked, setRevoked] = useState(0);

  const revoke = async (sessionId: string, label: string) => {
    setFailure(null);
    setBusy(sessionId);
    try {
      await api.revokeSession(sessionId);
      announce(`${label} is signed out of ${user.name}'s account. Anything not yet synced from it stays on that device.`);
      reload();
      setRevoked((n) => n + 1);
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-label={`Devices signed in as ${user.name}`}>
      <h3>Devices signed in as {user.name}</h3>
      {failure !== null && <AdminError error={failure} title="The device was not signed out" />}
      {state.status === 'loading' && <Loading what="devices" />}
      {state.status === 'error' && <AdminError error={state.error} title="Could not load the devices" />}
      {state.status === 'ready' &&
        (state.value.length === 0 ? (
          <p>{user.name} has not signed in on any device.</p>
        ) : (
          <ul class="list">
            {[...state.value]
              .sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null) || b.lastSeenAt.localeCompare(a.lastSeenAt))
              .map((session) => {
                const label = session.deviceLabel.trim() || 'Unnamed device';
                return (
                  <li key={session.id} class="admin-session">
                    <div>
                      <strong>{label}</strong>
                      {session.current && <> <span class="tag">this device</span></>}
                      <span class="small muted" style={{ display: 'block' }}>
                        Signed in {formatWhen(session.createdAt)} · last seen {formatWhen(session.lastSeenAt)}
                        {session.revokedAt ? ` · signed out ${formatWhen(session.revokedAt)}` : ` · expires ${formatWhen(session.expiresAt)} unless used`}
                      </span>
                    </div>
                    {session.revokedAt === null ? (
                      <button class="button secondary" type="button" disabled={busy !== null} onClick={() => revoke(session.id, label)}>
                        {busy === session.id ? 'Signing out…' : 'Sign out device'}
                        <span class="visually-hidden"> {label}</span>
                      </button>
                    ) : (
                      <span class="tag deleted">Signed out</span>
                    )}
                  </li>
                );
              })}
          </ul>
        ))}
      {user.role !== 'admin' && <SigningKeys key={revoked} user={user} api={api} announce={announce} />}
    </section>
  );
}

/**
 * The user's device signing keys. Revoking one (with a reason, for the audit log and the owner)
 * stops the centre accepting decisions signed with it; the device makes a new key on its next sync.
 */
function SigningKeys({ user, api, announce }: { user: CentreUser; api: AdminApi; announce: Announce }) {
  const { state, update } = useCentre(() => api.userKeys(user.id), [api, user.id]);
  const [revoking, setRevoking] = useState<string | null>(null);

  return (
    <div data-testid={`keys-${user.email}`} style={{ marginTop: '1rem' }}>
      <h3>Signing keys of {user.name}</h3>
      <p class="small muted">Each device {user.name} signs on has its own key. Decisions signed with a revoked key are refused by the centre.</p>
      {state.status === 'loading' && <Loading what="signing keys" />}
      {state.status === 'error' && <AdminError error={state.error} title="Could not load the signing keys" />}
      {state.status === 'ready' &&
        (state.value.length === 0 ? (
          <p>{user.name} has no signing key yet: a device makes one the first time they sign something.</p>
        ) : (
          <ul class="list">
            {state.value.map((key) => (
              <KeyRow
                key={key.id}
                signingKey={key}
                owner={user}
                api={api}
                open={revoking === key.id}
                onToggle={() => setRevoking((r) => (r === key.id ? null : key.id))}
                onRevoked={(revoked) => {
                  update((keys) => keys.map((k) => (k.id === revoked.id ? revoked : k)));
                  setRevoking(null);
                  announce(`The signing key of ${user.name} on ${revoked.deviceLabel?.trim() || 'an unnamed device'} is revoked. Decisions signed with it are refused from now on.`);
                }}
              />
            ))}
          </ul>
        ))}
    </div>
  );
}

function KeyRow({
  signingKey: key,
  owner,
  api,
  open,
  onToggle,
  onRevoked,
}: {
  signingKey: SigningKeyView;
  owner: CentreUser;
  api: AdminApi;
  open: boolean;
  onToggle: () => void;
  onRevoked: (key: SigningKeyView) => void;
}) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const formId = `revoke-key-${key.id}`;
  const label = key.deviceLabel?.trim() || 'Unnamed device';

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setFailure(null);
    const parsed = AdminRevokeKeyRequest.safeParse({ reason });
    if (!parsed.success) {
      setError(parsed.error.issues[0]!.message);
      focusSoon(`${formId}-reason`);
      return;
    }
    setError(null);
    setBusy(true);
    try {
      onRevoked(await api.revokeKey(key.id, parsed.data.reason));
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li class="admin-session" data-testid={`key-${key.id}`}>
      <div>
        <strong>{label}</strong>
        <span class="small muted" style={{ display: 'block' }}>
          Registered {formatWhen(key.createdAt)}
          {key.revokedAt ? ` · revoked ${formatWhen(key.revokedAt)}${key.revokeReason ? ` (${key.revokeReason})` : ''}` : ''}
        </span>
        {open && (
          <form id={formId} onSubmit={onSubmit} noValidate style={{ marginTop: '0.75rem' }}>
            {failure !== null && <AdminError error={failure} title="The key was not revoked" />}
            <ReasonField
              id={`${formId}-reason`}
              label="Why revoke it?"
              hint={`At least 10 characters. ${owner.name} and anyone reading the audit log see it.`}
              error={error}
              value={reason}
              onInput={setReason}
            />
            <div class="actions">
              <button class="button danger" type="submit" disabled={busy}>
                {busy ? 'Revoking…' : 'Revoke the key'}
              </button>
            </div>
          </form>
        )}
      </div>
      {key.revokedAt === null ? (
        <button class="button secondary" type="button" aria-expanded={open} aria-controls={open ? formId : undefined} onClick={onToggle}>
          {open ? 'Cancel' : 'Revoke'}
          <span class="visually-hidden"> the signing key on {label}</span>
        </button>
      ) : (
        <span class="tag deleted">Revoked</span>
      )}
    </li>
  );
}
