import { useEffect, useState } from 'preact/hooks';
import { deviceKeyStatus, markRevoked } from '../../data/keys';
import { useLive } from '../../data/live';
import type { SigningKeyView } from '../../domain/signoff';
import { listSigningKeys, revokeSigningKey } from '../../sync/api';
import { useOnline } from '../online';
import { useAccount, useServices } from '../services';
import { formatWhen } from '../sync-words';
import { ErrorMessage } from './feedback';

/**
 * The user's signing keys (docs/assessment.md): the key on this device and whether the centre has
 * it yet (it registers on the next sync), and, online, every key of theirs the centre holds, with
 * the device that registered it; they can revoke one, say of a lost phone. Admins never sign, so
 * they see nothing here.
 */
export function SigningKeys() {
  const { signIn } = useAccount();
  if (!signIn || signIn.user.role === 'admin') return null;
  return (
    <div style={{ marginTop: '1.25rem' }} data-testid="signing-keys">
      <h3>Signing keys</h3>
      <ThisDevicesKey userId={signIn.user.id} />
      {!signIn.ended && <KeysAtCentre />}
    </div>
  );
}

function ThisDevicesKey({ userId }: { userId: string }) {
  const live = useLive(() => deviceKeyStatus(userId), [userId]);
  if (live.status === 'loading') return null;
  if (live.status === 'error') return <ErrorMessage error={live.error} title="Could not read the signing key on this device" />;
  const { key, replacedOnNextSync } = live.value;
  let words: string;
  if (key?.registeredAt) words = `registered with your centre on ${formatWhen(key.registeredAt)}.`;
  else if (key) words = 'waiting to register (it registers on the next sync). You can sign now: what you sign waits here until then.';
  else if (replacedOnNextSync) words = 'your centre revoked the last one. A new key is made and registered on the next sync.';
  else words = 'none yet. One is made the first time you sign something here, and registers with your centre on the next sync.';
  return (
    <p data-testid="device-key-status">
      <strong>Signing key on this device:</strong> {words}
    </p>
  );
}

function KeysAtCentre() {
  const { account } = useServices();
  const online = useOnline();
  const [keys, setKeys] = useState<SigningKeyView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const load = async () => {
    setError(null);
    try {
      setKeys(await account.endOn401(listSigningKeys(account.client())));
    } catch (failure) {
      setError(failure);
    }
  };
  useEffect(() => {
    if (online) void load();
  }, [online]);

  const revoke = async (key: SigningKeyView) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const revoked = await account.endOn401(revokeSigningKey(account.client(), key.id));
      // This device's own key: stop signing with it now; the next sync makes and registers another.
      await markRevoked(key.id, revoked.revokedAt ?? undefined);
      setConfirming(null);
      setNotice(`The key of ${label(key)} is revoked. Decisions signed with it that have not reached your centre will be refused.`);
      await load();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  if (!online) return <p class="small muted">Connect to see the signing keys your centre holds for you.</p>;
  return (
    <>
      {error !== null && <ErrorMessage error={error} title="Could not load or change your signing keys" />}
      {notice && (
        <p class="banner ok" role="status">
          {notice}
        </p>
      )}
      {keys === null && error === null && (
        <p role="status" class="muted">
          Loading your signing keys…
        </p>
      )}
      {keys !== null &&
        (keys.length === 0 ? (
          <p class="small muted">Your centre holds no signing key of yours yet.</p>
        ) : (
          <>
            <p class="small muted">Keys your centre holds for you, one for each device you have signed on. Revoke the key of a device you lost or no longer use.</p>
            <ul class="list" data-testid="keys-at-centre">
              {keys.map((key) => (
                <li key={key.id} style={{ padding: '0.5rem 0' }}>
                  <div style={{ display: 'flex', flexWrap: 'wrap', gap: '0.5rem 1rem', alignItems: 'center', justifyContent: 'space-between' }}>
                    <span>
                      <strong>{key.deviceLabel?.trim() || 'Unnamed device'}</strong>
                      {key.current && <span class="tag ok"> This device</span>}
                      {key.revokedAt && <span class="tag deleted"> Revoked</span>}
                      <span class="small muted" style={{ display: 'block' }}>
                        Registered {formatWhen(key.createdAt)}
                        {key.revokedAt ? ` · revoked ${formatWhen(key.revokedAt)}${key.revokeReason ? ` (${key.revokeReason})` : ''}` : ''}
                      </span>
                    </span>
                    {!key.revokedAt && confirming !== key.id && (
                      <button class="button secondary" type="button" disabled={busy} onClick={() => setConfirming(key.id)}>
                        Revoke<span class="visually-hidden"> the key of {label(key)}</span>
                      </button>
                    )}
                  </div>
                  {confirming === key.id && (
                    <div class="banner warn" role="group" aria-label={`Revoke the key of ${label(key)}?`} style={{ marginTop: '0.5rem' }}>
                      <p>
                        <strong>Revoke the key of {label(key)}?</strong> Your centre will refuse decisions signed with it from now on, including any still waiting on that device.
                        {key.current ? ' This device makes a new key on its next sync; sign again anything refused.' : ''}
                      </p>
                      <div class="actions">
                        <button class="button danger" type="button" disabled={busy} onClick={() => void revoke(key)}>
                          {busy ? 'Revoking…' : 'Yes, revoke it'}
                        </button>
                        <button class="button secondary" type="button" disabled={busy} onClick={() => setConfirming(null)}>
                          Cancel
                        </button>
                      </div>
                    </div>
                  )}
                </li>
              ))}
            </ul>
          </>
        ))}
    </>
  );
}

function label(key: SigningKeyView): string {
  return key.deviceLabel?.trim() || 'an unnamed device';
}
