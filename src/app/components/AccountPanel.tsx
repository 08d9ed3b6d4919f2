import { useLocation } from 'preact-iso';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DeviceSession } from '../../domain/auth';
import { SignOutBlockedError, type SignOutBlockers } from '../../sync/account';
import { useOnline } from '../online';
import { useAccount, useServices } from '../services';
import { changesWord, formatWhen } from '../sync-words';
import { DownloadMyData } from './DownloadMyData';
import { ErrorMessage } from './feedback';
import { SigningKeys } from './SigningKeys';

const ROLE_WORDS = { learner: 'Learner', assessor: 'Assessor', iqa: 'Internal quality assurer', admin: 'Centre admin' } as const;

/**
 * The centre account on this device: sign in (the app works without one), who is signed in, and
 * signing out, which removes the user's portfolio from the device and so is refused, with the
 * reasons, while anything is still waiting to reach the centre.
 */
export function AccountPanel() {
  const { signIn } = useAccount();
  return (
    <section class="card" aria-labelledby="account-heading" data-testid="account-panel">
      <h2 id="account-heading" tabIndex={-1}>
        Your centre account
      </h2>
      {!signIn ? (
        <>
          <p>This device is not signed in: your portfolio is kept in this browser only, and nobody else sees it.</p>
          <p>
            <a class="button secondary" href="/sign-in">
              Sign in to your centre
            </a>
          </p>
        </>
      ) : (
        <>
          <dl class="facts">
            <dt>Signed in as</dt>
            <dd>
              {signIn.user.name} ({signIn.user.email})
            </dd>
            <dt>Role</dt>
            <dd>{ROLE_WORDS[signIn.user.role]}</dd>
            <dt>Centre</dt>
            <dd>{signIn.user.centreName}</dd>
          </dl>
          {signIn.ended && (
            <div class="banner warn" style={{ marginTop: '1rem' }}>
              <p>
                <strong>Your centre ended this device’s session.</strong> {signIn.ended.message} Your work is kept on this device.
              </p>
              <p>
                <a class="button" href="/sign-in">
                  Sign in again
                </a>
              </p>
            </div>
          )}
          <SignOut />
          {!signIn.ended && <DeviceSessions />}
          <SigningKeys />
          <DownloadMyData />
        </>
      )}
    </section>
  );
}

function blockerWords(blockers: SignOutBlockers): string[] {
  const words: string[] = [];
  if (blockers.waiting > 0) words.push(`${changesWord(blockers.waiting)} saved on this device ${blockers.waiting === 1 ? 'has' : 'have'} not reached your centre yet.`);
  if (blockers.files.length > 0)
    words.push(
      `${blockers.files.length === 1 ? 'This file has' : `These ${blockers.files.length} files have`} not been uploaded yet: ${blockers.files.map((f) => f.name).join(', ')}.`,
    );
  return words;
}

function SignOut() {
  const { account, sync } = useServices();
  const ended = !!useAccount().signIn?.ended;
  const { route } = useLocation();
  const online = useOnline();
  const [stage, setStage] = useState<'idle' | 'checking' | 'confirm' | 'blocked' | 'signing-out'>('idle');
  const [blockers, setBlockers] = useState<SignOutBlockers | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [syncing, setSyncing] = useState(false);
  const focusRef = useRef<HTMLHeadingElement>(null);

  const focusNext = () => requestAnimationFrame(() => focusRef.current?.focus());

  const check = async () => {
    setError(null);
    setStage('checking');
    try {
      const found = await account.signOutBlockers();
      setBlockers(found);
      setStage(found.waiting > 0 || found.files.length > 0 ? 'blocked' : 'confirm');
      focusNext();
    } catch (failure) {
      setError(failure);
      setStage('idle');
    }
  };

  const signOut = async () => {
    setError(null);
    setStage('signing-out');
    try {
      await account.signOut();
      route('/');
    } catch (failure) {
      if (failure instanceof SignOutBlockedError) {
        setBlockers(failure.blockers);
        setStage('blocked');
        focusNext();
      } else {
        setError(failure);
        setStage('confirm');
      }
    }
  };

  const syncThenCheck = async () => {
    setSyncing(true);
    setError(null);
    try {
      await sync.syncNow();
      await check();
    } catch (failure) {
      setError(failure);
    } finally {
      setSyncing(false);
    }
  };

  return (
    <div style={{ marginTop: '1rem' }}>
      {error !== null && <ErrorMessage error={error} title="Could not sign out" />}
      {stage === 'blocked' && blockers && (
        <div class="banner warn" data-testid="sign-out-blocked">
          <h3 ref={focusRef} tabIndex={-1}>
            Not signed out: your work has not all reached your centre
          </h3>
          <p>Signing out removes your portfolio from this device. These would be lost:</p>
          <ul>
            {blockerWords(blockers).map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
          {ended ? (
            <p>
              Your centre ended this device’s session, so nothing can be sent until you <a href="/sign-in">sign in again</a>. Then sync, and sign out.
            </p>
          ) : (
            <p>{online ? 'Sync now, then sign out.' : 'You are offline: connect, sync, then sign out.'} If a change is refused by your centre, see “Sync with your centre” below.</p>
          )}
          <div class="actions">
            {!ended && (
              <button class="button" type="button" onClick={syncThenCheck} disabled={syncing || !online}>
                {syncing ? 'Syncing…' : 'Sync now'}
              </button>
            )}
            <button class="button secondary" type="button" onClick={() => setStage('idle')}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {(stage === 'confirm' || stage === 'signing-out') && (
        <div class="banner info">
          <h3 ref={focusRef} tabIndex={-1}>
            Sign out of this device?
          </h3>
          <p>Everything has reached your centre. Signing out removes your portfolio from this device; it stays at your centre, and you can sign in again here or anywhere.</p>
          <div class="actions">
            <button class="button danger" type="button" onClick={signOut} disabled={stage === 'signing-out'}>
              {stage === 'signing-out' ? 'Signing out…' : 'Yes, sign out'}
            </button>
            <button class="button secondary" type="button" onClick={() => setStage('idle')} disabled={stage === 'signing-out'}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {(stage === 'idle' || stage === 'checking') && (
        <button class="button secondary" type="button" onClick={check} disabled={stage === 'checking'}>
          Sign out
        </button>
      )}
    </div>
  );
}

function DeviceSessions() {
  const { account } = useServices();
  const online = useOnline();
  const [sessions, setSessions] = useState<DeviceSession[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = async () => {
    setError(null);
    try {
      setSessions(await account.sessions());
    } catch (failure) {
      setError(failure);
    }
  };
  useEffect(() => {
    if (online) void load();
  }, [online]);

  const revoke = async (session: DeviceSession) => {
    setBusy(session.id);
    setError(null);
    setNotice(null);
    try {
      await account.revoke(session.id);
      setNotice(`${session.deviceLabel || 'That device'} is signed out. It keeps what it has but can no longer sync.`);
      await load();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  };

  const active = (sessions ?? []).filter((s) => !s.revokedAt);
  return (
    <div style={{ marginTop: '1.25rem' }} data-testid="device-sessions">
      <h3>Devices signed in to your account</h3>
      {!online && <p class="small muted">Connect to see the devices signed in to your account.</p>}
      {error !== null && <ErrorMessage error={error} title="Could not load your devices" />}
      {notice && (
        <p class="banner ok" role="status">
          {notice}
        </p>
      )}
      {online && sessions === null && error === null && (
        <p role="status" class="muted">
          Loading your devices…
        </p>
      )}
      {sessions !== null && (
        <ul class="list">
          {active.map((s) => (
            <li key={s.id} style={{ padding: '0.5rem 0', display: 'flex', flexWrap: 'wrap', gap: '0.5rem 1rem', alignItems: 'center', justifyContent: 'space-between' }}>
              <span>
                <strong>{s.deviceLabel || 'Unnamed device'}</strong>
                {s.current && <span class="tag ok"> This device</span>}
                <span class="small muted" style={{ display: 'block' }}>
                  Signed in {formatWhen(s.createdAt)} · last seen {formatWhen(s.lastSeenAt)}
                </span>
              </span>
              {!s.current && (
                <button class="button secondary" type="button" disabled={busy !== null} onClick={() => void revoke(s)}>
                  Sign out that device<span class="visually-hidden"> ({s.deviceLabel || 'unnamed device'})</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
