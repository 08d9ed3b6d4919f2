import { useState } from 'preact/hooks';
import { UnlockEvidenceRequest, type IqaLockedItem } from '../../domain/sampling';
import { AuditTrail } from '../components/AuditTrail';
import { Loading } from '../components/feedback';
import { focusSoon } from '../components/fields';
import type { AdminApi } from './api';
import { AdminError, AdminPage, type AdminScreenProps } from './AdminPage';
import { formatWhen, useCentre } from './useCentre';
import { ReasonField } from './ReasonField';

export default function AdminLocks({ client }: AdminScreenProps) {
  return (
    <AdminPage
      title="IQA locks"
      lead="When an internal quality assurer agrees with a sign-off, the item is locked: the assessor can no longer reopen it. Unlock one only for a good reason; the reason is kept in the audit log."
      client={client}
    >
      {(api) => <LocksScreen api={api} />}
    </AdminPage>
  );
}

function LocksScreen({ api }: { api: AdminApi }) {
  const { state, update, reload } = useCentre(() => api.listIqaLocks(), [api]);
  const [search, setSearch] = useState('');
  const [announcement, setAnnouncement] = useState('');

  if (state.status === 'loading') return <Loading what="locked items" />;
  if (state.status === 'error')
    return (
      <>
        <AdminError error={state.error} title="Could not load the locked items" />
        <button class="button secondary" type="button" onClick={reload}>
          Try again
        </button>
      </>
    );
  const items = state.value;
  const term = search.trim().toLowerCase();
  const shown = items.filter((i) => !term || i.learnerName.toLowerCase().includes(term) || i.title.toLowerCase().includes(term));

  return (
    <>
      <p role="status" aria-live="polite" class={announcement ? 'banner ok' : 'visually-hidden'} data-testid="unlock-outcome">
        {announcement}
      </p>
      {items.length === 0 ? (
        <p>No item at your centre is locked by an IQA agreement.</p>
      ) : (
        <section aria-labelledby="locks-heading">
          <h2 id="locks-heading">Locked items</h2>
          <div class="field">
            <label for="lock-search">Find a learner or an item</label>
            <input id="lock-search" type="search" value={search} autocomplete="off" onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <p class="small muted" aria-live="polite">
            {shown.length === items.length ? `${items.length} locked ${items.length === 1 ? 'item' : 'items'}` : `${shown.length} of ${items.length} locked items match “${search.trim()}”`}
          </p>
          <ul class="list card">
            {shown.map((item) => (
              <LockRow
                key={item.evidenceId}
                item={item}
                api={api}
                onUnlocked={() => {
                  update((all) => all.filter((i) => i.evidenceId !== item.evidenceId));
                  setAnnouncement(`Unlocked “${item.title.trim() || 'Untitled item'}” of ${item.learnerName}. The assessor can reopen it again; your reason is in the audit log.`);
                  focusSoon('lock-search');
                }}
              />
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function LockRow({ item, api, onUnlocked }: { item: IqaLockedItem; api: AdminApi; onUnlocked: () => void }) {
  const [open, setOpen] = useState(false);
  const [trail, setTrail] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const formId = `unlock-${item.evidenceId}`;
  const title = item.title.trim() || 'Untitled item';

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setFailure(null);
    const parsed = UnlockEvidenceRequest.safeParse({ reason });
    if (!parsed.success) {
      setError(parsed.error.issues[0]!.message);
      focusSoon(`${formId}-reason`);
      return;
    }
    setError(null);
    setBusy(true);
    try {
      await api.unlockEvidence(item.evidenceId, parsed.data);
      onUnlocked();
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li style={{ padding: '0.75rem 0' }} data-testid={`lock-${item.evidenceId}`}>
      <p style={{ margin: 0 }}>
        <strong>{title}</strong>
        <span class="small muted" style={{ display: 'block' }}>
          {item.learnerName} · locked by {item.lock.by ?? 'an IQA'} on {formatWhen(item.lock.at)}
        </span>
      </p>
      <div class="actions" style={{ marginTop: '0.5rem' }}>
        <button class="button secondary" type="button" aria-expanded={open} aria-controls={open ? formId : undefined} onClick={() => setOpen((o) => !o)}>
          {open ? 'Cancel' : 'Unlock'}
          <span class="visually-hidden">
            {' '}
            {title} of {item.learnerName}
          </span>
        </button>
        <button class="button secondary" type="button" aria-expanded={trail} onClick={() => setTrail((t) => !t)}>
          {trail ? 'Hide the audit trail' : 'Audit trail'}
          <span class="visually-hidden">
            {' '}
            of {title} of {item.learnerName}
          </span>
        </button>
      </div>
      {trail && <AuditTrail subject={{ recordId: item.evidenceId }} heading={`Audit trail of “${title}”`} headingLevel={3} load={api.auditTrail} showLocalDecisions={false} />}
      {open && (
        <form id={formId} onSubmit={onSubmit} noValidate style={{ marginTop: '0.75rem' }}>
          {failure !== null && <AdminError error={failure} title="The item was not unlocked" />}
          <ReasonField
            id={`${formId}-reason`}
            label="Why unlock it?"
            hint="At least 10 characters. The IQA and the assessor can read it in the audit log."
            error={error}
            value={reason}
            onInput={setReason}
          />
          <div class="actions">
            <button class="button" type="submit" disabled={busy}>
              {busy ? 'Unlocking…' : 'Unlock item'}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
