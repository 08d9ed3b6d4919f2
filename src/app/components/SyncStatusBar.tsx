import { useEffect, useState } from 'preact/hooks';
import type { SyncStatus } from '../../sync/status';
import { useOnline } from '../online';
import { useAccount, useStatus } from '../services';
import { changesWord, formatAgo } from '../sync-words';

/** Re-renders every half minute, so "Synced 2 min ago" stays true. */
function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/**
 * One line about sync for the header: `state` is announced to screen readers when it changes;
 * `when` ("2 min ago") ticks every half minute and so stays out of the live region. `online` is
 * the browser's own view: a sync that could not reach the centre while the device has a
 * connection (the centre is down or restarting) must not tell the user they are offline.
 */
export function syncSummary(status: SyncStatus, now: number, online = true): { state: string; when: string | null } {
  const waiting = status.waiting;
  switch (status.state) {
    case 'local-only':
      return { state: waiting === 0 ? 'All changes saved on this device' : `${changesWord(waiting)} saved on this device`, when: null };
    case 'syncing':
      return { state: status.uploading ? `Syncing… sending ${status.uploading.name}` : 'Syncing…', when: null };
    case 'offline':
      if (online)
        return { state: waiting === 0 ? 'Cannot reach your centre: your work is saved on this device' : `Cannot reach your centre: ${changesWord(waiting)} waiting`, when: null };
      return { state: waiting === 0 ? 'Offline: your work is saved on this device' : `Offline: ${changesWord(waiting)} waiting`, when: null };
    case 'signed-out':
      return { state: waiting === 0 ? 'Signed out by your centre' : `Signed out by your centre: ${changesWord(waiting)} kept here`, when: null };
    case 'update-required':
      return { state: `Update the app to sync${waiting > 0 ? `: ${changesWord(waiting)} kept here` : ''}`, when: null };
    case 'idle':
      if (waiting > 0) return { state: `${changesWord(waiting)} waiting`, when: null };
      return status.lastSuccessAt ? { state: 'Synced', when: formatAgo(status.lastSuccessAt, now) } : { state: 'Not synced yet', when: null };
  }
}

export function SyncStatusBar() {
  const online = useOnline();
  const status = useStatus();
  const account = useAccount();
  const now = useNow();
  const attention = status.failures.length + status.fileProblems.length;
  // A sync that stopped on this device (a full disk, say) left only "Synced 5 min ago" or "Not
  // synced yet" up here, so a tablet missing part of its caseload looked ready for an offline visit:
  // point to the Device screen, which says why in words.
  const stopped = status.state === 'idle' && !!status.problem;
  const user = account.signIn?.user;
  const summary = syncSummary(status, now, online);
  return (
    <div class="status-strip">
      <span data-testid="sync-summary" class="status-text">
        <span role="status" aria-live="polite">
          <span class={`pill ${online ? 'online' : 'offline'}`}>{online ? 'Online' : 'Offline'}</span> {summary.state}
        </span>
        {summary.when && <span>{` ${summary.when}`}</span>}
      </span>
      {(attention > 0 || stopped || status.state === 'signed-out' || status.state === 'update-required') && (
        <a class="status-link" href={status.state === 'signed-out' ? '/sign-in' : '/device#sync-heading'}>
          {status.state === 'signed-out'
            ? 'Sign in again'
            : status.state === 'update-required'
              ? 'How to update'
              : attention > 0
                ? `${attention} need${attention === 1 ? 's' : ''} attention`
                : 'Last sync did not finish'}
        </a>
      )}
      {user && (
        <a class="status-link account" href="/device#account-heading" title={`${user.email} · ${user.centreName}`}>
          <span class="visually-hidden">Signed in as </span>
          {user.name}
        </a>
      )}
    </div>
  );
}
