import { useEffect, useState } from 'preact/hooks';
import { useLive } from '../../data/live';
import { formatBytes } from '../../data/storage';
import { waitingChanges, type SyncFailure } from '../../data/sync-outbox';
import { useOnline } from '../online';
import { useAccount, useServices, useStatus } from '../services';
import { REASON_WORDS, changesWord, formatAgo, formatWhen } from '../sync-words';
import { ErrorMessage, LiveView } from './feedback';

/**
 * Everything about sync a user may need to trust it: what waits, what is uploading (with bytes),
 * when it last worked, each refused change with its reason and what can be done, and Sync now.
 */
export function SyncPanel() {
  const { sync, account } = useServices();
  const status = useStatus();
  const { signIn } = useAccount();
  const online = useOnline();
  const [syncing, setSyncing] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const waiting = useLive(waitingChanges, []);
  const canSync = !!signIn && !signIn.ended;

  const syncNow = async () => {
    setSyncing(true);
    setActionError(null);
    try {
      await sync.syncNow();
    } catch (error) {
      setActionError(error);
    } finally {
      setSyncing(false);
    }
  };

  const running = syncing || status.state === 'syncing';
  // Without an account there is nothing to sync with: the waiting count would promise a send
  // that signing in does not make (a user's account has its own database).
  if (status.state === 'local-only')
    return (
      <section class="card" aria-labelledby="sync-heading" data-testid="sync-panel">
        <h2 id="sync-heading" tabIndex={-1}>
          Sync with your centre
        </h2>
        <StateSentence />
      </section>
    );
  return (
    <section class="card" aria-labelledby="sync-heading" data-testid="sync-panel">
      <h2 id="sync-heading" tabIndex={-1}>
        Sync with your centre
      </h2>
      <StateSentence />
      {status.state === 'update-required' && (
        <div class="banner warn" role="alert">
          <p>
            <strong>Update the app.</strong> Your centre no longer accepts this version of ICT Portfolio. {status.problem} Your changes are kept on this device
            and will be sent once the app is updated.
          </p>
          <button class="button" type="button" onClick={() => location.reload()}>
            Reload to update
          </button>
        </div>
      )}
      {status.problem && status.state !== 'update-required' && status.state !== 'signed-out' && (
        <div class={`banner ${status.state === 'offline' ? 'info' : 'error'}`} role="status">
          <p>
            <strong>The last sync did not finish.</strong> {status.problem}
          </p>
        </div>
      )}
      {status.uploading && <UploadMeter />}
      <dl class="facts">
        <dt>Last successful sync</dt>
        <dd data-testid="last-sync">{status.lastSuccessAt ? `${formatWhen(status.lastSuccessAt)} (${formatAgo(status.lastSuccessAt)})` : 'Never'}</dd>
        <dt>Waiting to be sent</dt>
        <dd data-testid="waiting-count">{status.waiting === 0 ? 'Nothing' : changesWord(status.waiting)}</dd>
      </dl>
      {canSync && (
        <div class="actions">
          <button class="button" type="button" onClick={syncNow} disabled={running || !online}>
            {running ? 'Syncing…' : 'Sync now'}
          </button>
          {!online && <span class="small muted">You are offline: sync starts by itself when the connection is back.</span>}
        </div>
      )}
      {actionError !== null && <ErrorMessage error={actionError} title="Could not sync" />}
      <Failures failures={status.failures} />
      {status.fileProblems.length > 0 && (
        <div class="banner error" data-testid="file-problems">
          <h3>Files not sent</h3>
          <ul>
            {status.fileProblems.map((p) => (
              <li key={p.attachmentId}>
                <strong>{p.name}:</strong> {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <LiveView live={waiting} what="waiting changes">
        {(changes) =>
          changes.length === 0 ? null : (
            <details>
              <summary>What is waiting ({changes.length})</summary>
              <ul class="list small" data-testid="waiting-list">
                {changes.map((c) => (
                  <li key={c.seq} style={{ padding: '0.4rem 0' }}>
                    <strong>{c.title}</strong> <span class="muted">saved {formatWhen(c.since)}</span>
                    {c.lastError && <span class="muted"> · last try: {c.lastError}</span>}
                  </li>
                ))}
              </ul>
            </details>
          )
        }
      </LiveView>
      {signIn && <KeepOffline key={signIn.user.id} load={() => account.keepAllOffline()} save={(keep) => account.setKeepAllOffline(keep)} afterEnable={syncNow} />}
    </section>
  );
}

function StateSentence() {
  const status = useStatus();
  const { signIn } = useAccount();
  const online = useOnline();
  const sentence = (() => {
    switch (status.state) {
      case 'local-only':
        return 'This device is not signed in to a centre: your portfolio is kept on this device only.';
      case 'syncing':
        return 'Syncing with your centre now…';
      case 'offline':
        // The device has a connection but the centre did not answer (down, restarting): "offline" would send the user to their Wi-Fi.
        return online
          ? 'Your centre cannot be reached just now. Your work is saved on this device; sync tries again every minute, or choose Sync now.'
          : 'You are offline. Your work is saved on this device and syncs when the connection is back.';
      case 'signed-out':
        return 'Your centre ended this device’s session, so syncing has stopped. Your work is kept here: sign in again to carry on.';
      case 'update-required':
        return 'Syncing has stopped until the app is updated.';
      case 'idle':
        return `Signed in as ${signIn?.user.name ?? 'you'}: changes sync by themselves whenever there is a connection.`;
    }
  })();
  return (
    <p role="status" data-testid="sync-state">
      {sentence}
      {status.state === 'signed-out' && (
        <>
          {' '}
          <a href="/sign-in">Sign in again</a>
        </>
      )}
    </p>
  );
}

function UploadMeter() {
  const { uploading } = useStatus();
  if (!uploading) return null;
  const { name, bytesSent, bytesTotal } = uploading;
  return (
    <div class="banner info" data-testid="upload-progress">
      <p>
        <strong>Uploading {name}:</strong> {formatBytes(bytesSent)} of {formatBytes(bytesTotal)} confirmed by your centre.
      </p>
      <progress class="meter-native" aria-label={`Uploading ${name}`} max={bytesTotal || 1} value={bytesSent}>
        {bytesTotal ? Math.round((bytesSent / bytesTotal) * 100) : 0}%
      </progress>
    </div>
  );
}

function Failures({ failures }: { failures: SyncFailure[] }) {
  const { sync } = useServices();
  const [busy, setBusy] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  if (failures.length === 0) return null;
  const act = async (seq: number, action: (seq: number) => Promise<void>) => {
    setBusy(seq);
    setError(null);
    try {
      await action(seq);
      setConfirming(null);
    } catch (failure) {
      console.error(failure);
      setError(failure);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div class="banner error" data-testid="sync-failures">
      <h3>{failures.length === 1 ? 'One change needs your attention' : `${failures.length} changes need your attention`}</h3>
      {error !== null && <ErrorMessage error={error} title="That did not work" />}
      <ul class="list">
        {failures.map((f) => (
          <li key={f.seq} style={{ padding: '0.6rem 0' }} data-testid="sync-failure">
            <p style={{ marginBottom: '0.25rem' }}>
              <strong>{f.entity === 'evidence' ? <a href={`/evidence/${f.recordId}`}>{f.title}</a> : f.title}</strong>: {REASON_WORDS[f.reason]}.
            </p>
            <p class="small">{f.message}</p>
            {f.reason === 'missing-attachment' ? (
              <p class="small muted">It is sent by itself once the file has reached your centre.</p>
            ) : confirming === f.seq ? (
              <div class="actions" style={{ marginTop: '0.25rem' }}>
                <span class="small">Go back to the centre’s copy? Your change stays in this item’s history.</span>
                <button type="button" class="button danger" disabled={busy !== null} onClick={() => void act(f.seq, sync.discardChange)}>
                  Yes, discard my change
                </button>
                <button type="button" class="button secondary" onClick={() => setConfirming(null)}>
                  Cancel
                </button>
              </div>
            ) : (
              <div class="actions" style={{ marginTop: '0.25rem' }}>
                <button type="button" class="button" disabled={busy !== null} onClick={() => void act(f.seq, sync.retryChange)}>
                  Retry<span class="visually-hidden"> {f.title}</span>
                </button>
                {f.canDiscard && (
                  <button type="button" class="button secondary" disabled={busy !== null} onClick={() => setConfirming(f.seq)}>
                    Discard change<span class="visually-hidden"> to {f.title}</span>
                  </button>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function KeepOffline({ load, save, afterEnable }: { load: () => Promise<boolean>; save: (keep: boolean) => Promise<void>; afterEnable: () => Promise<void> }) {
  const [keep, setKeep] = useState<boolean | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    load().then(setKeep, (failure: unknown) => {
      console.error(failure);
      setError(failure);
    });
  }, []);
  if (keep === null && error === null) return null;
  const change = async (next: boolean) => {
    setError(null);
    try {
      await save(next);
      setKeep(next);
      if (next) await afterEnable();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <div style={{ marginTop: '1rem' }}>
      <label class="check" for="keep-offline">
        <input id="keep-offline" type="checkbox" checked={!!keep} onChange={(e) => void change(e.currentTarget.checked)} aria-describedby="keep-offline-hint" />
        <span>
          Keep my whole portfolio available offline
          <span id="keep-offline-hint" class="hint small muted" style={{ display: 'block', fontWeight: 'normal' }}>
            Downloads every file added on your other devices after each sync. Otherwise a file is downloaded when you first open it.
          </span>
        </span>
      </label>
      {error !== null && <ErrorMessage error={error} title="Could not change this setting" />}
    </div>
  );
}
