import { useState } from 'preact/hooks';
import type { CentreUser } from '../../domain/admin';
import { EraseLearnerRequest, RETENTION_BASIS_WORDS, type ErasureResult } from '../../domain/personal-data';
import { Loading } from '../components/feedback';
import { focusSoon } from '../components/fields';
import { saveFile } from '../download';
import { useOnline } from '../online';
import type { AdminApi } from './api';
import { AdminError } from './AdminPage';
import { formatWhen, useCentre } from './useCentre';
import { ReasonField } from './ReasonField';

const longDate = (iso: string) => new Date(`${iso.slice(0, 10)}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * A learner's personal data, for an admin: download everything the centre holds about them (their
 * subject-access request), and erase them once the centre's retention period is over. Erasure
 * cannot be undone, so it asks for a reason (kept in the audit log, so it must not name them) and
 * for the learner's name typed out; the centre checks both again.
 */
export function PersonalData({ api, learner, announce, onErased }: { api: AdminApi; learner: CentreUser; announce: (message: string) => void; onErased: (result: ErasureResult) => void }) {
  const online = useOnline();
  return (
    <section aria-label={`Personal data of ${learner.name}`} data-testid={`personal-data-${learner.email}`}>
      <h3>Personal data of {learner.name}</h3>
      {!online && (
        <p class="banner warn" role="note">
          You are offline. Downloading or erasing a learner’s data needs a connection to the centre: connect and try again.
        </p>
      )}
      <DownloadData api={api} learner={learner} announce={announce} online={online} />
      <Erasure api={api} learner={learner} online={online} onErased={onErased} />
    </section>
  );
}

function DownloadData({ api, learner, announce, online }: { api: AdminApi; learner: CentreUser; announce: (message: string) => void; online: boolean }) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const download = async () => {
    setBusy(true);
    setFailure(null);
    try {
      const { zip, filename } = await api.exportPersonalData(learner.id);
      saveFile(zip, filename);
      announce(`Downloaded ${filename}: everything the centre holds about ${learner.name}. The download is recorded in the audit log.`);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      <p>Everything the centre holds about {learner.name}, for a subject-access request: account, portfolio with every version, decisions, files, devices and audit entries, with a README.</p>
      {failure !== null && <AdminError error={failure} title={`The data of ${learner.name} could not be downloaded`} />}
      <button class="button secondary" type="button" disabled={busy || !online} onClick={download}>
        {busy ? 'Preparing the download…' : 'Download their data'}
      </button>
    </div>
  );
}

function Erasure({ api, learner, online, onErased }: { api: AdminApi; learner: CentreUser; online: boolean; onErased: (result: ErasureResult) => void }) {
  const { state } = useCentre(() => api.erasureStatus(learner.id), [api, learner.id]);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [confirmName, setConfirmName] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const formId = `erase-${learner.id}`;

  if (!online && state.status !== 'ready') return null;
  if (state.status === 'loading') return <Loading what="the retention period" />;
  if (state.status === 'error') return <AdminError error={state.error} title="Could not check the retention period" />;
  const status = state.value;

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setFailure(null);
    const parsed = EraseLearnerRequest.safeParse({ reason, confirmName });
    const found: Record<string, string> = {};
    if (!parsed.success) for (const issue of parsed.error.issues) found[String(issue.path[0])] ??= issue.message;
    else if (parsed.data.confirmName.toLocaleLowerCase('en-GB') !== learner.name.trim().toLocaleLowerCase('en-GB')) found.confirmName = `Type ${learner.name} exactly, to confirm`;
    setErrors(found);
    if (Object.keys(found).length > 0 || !parsed.success) {
      focusSoon(found.reason ? `${formId}-reason` : `${formId}-name`);
      return;
    }
    setBusy(true);
    try {
      onErased(await api.eraseLearner(learner.id, parsed.data));
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ marginTop: '1rem' }} data-testid="erasure">
      <h4>Erasure</h4>
      <p>
        The centre keeps a learner’s records for {status.retentionYears} years after {RETENTION_BASIS_WORDS[status.basis]} ({formatWhen(status.retentionFrom)}).{' '}
        {status.erasable ? (
          <strong>That period is over: {learner.name} can be erased.</strong>
        ) : (
          <strong>
            {learner.name} can be erased from {longDate(status.erasableFrom)}.
          </strong>
        )}
      </p>
      {status.erasable && !open && (
        <button class="button danger" type="button" disabled={!online} onClick={() => setOpen(true)} aria-controls={formId}>
          Erase {learner.name}…
        </button>
      )}
      {status.erasable && open && (
        <form id={formId} class="banner warn" onSubmit={onSubmit} noValidate aria-label={`Erase ${learner.name}`}>
          <p>
            <strong>This cannot be undone.</strong> It deletes {learner.name}’s account, their {status.holds.records} records with every version, {status.holds.files}{' '}
            {status.holds.files === 1 ? 'file' : 'files'} (bytes another learner also holds are kept for them), and signs out their {status.holds.sessions}{' '}
            {status.holds.sessions === 1 ? 'device' : 'devices'}. Download their data first if anyone may need it.
          </p>
          {failure !== null && <AdminError error={failure} title={`${learner.name} was not erased`} />}
          <ReasonField
            id={`${formId}-reason`}
            label="Why erase them?"
            hint="At least 10 characters. It is kept in the audit log after the erasure, so do not name the learner or give their email."
            error={errors.reason}
            value={reason}
            onInput={setReason}
          />
          <div class="field">
            <label for={`${formId}-name`}>Type “{learner.name}” to confirm</label>
            {errors.confirmName && (
              <span class="error-text" id={`${formId}-name-error`}>
                {errors.confirmName}
              </span>
            )}
            <input
              id={`${formId}-name`}
              type="text"
              autocomplete="off"
              value={confirmName}
              aria-invalid={errors.confirmName ? 'true' : undefined}
              aria-describedby={errors.confirmName ? `${formId}-name-error` : undefined}
              onInput={(e) => setConfirmName((e.currentTarget as HTMLInputElement).value)}
            />
          </div>
          <div class="actions">
            <button class="button danger" type="submit" disabled={busy || !online}>
              {busy ? 'Erasing…' : `Erase ${learner.name} for good`}
            </button>
            <button class="button secondary" type="button" onClick={() => setOpen(false)} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
