import { uuidv7 } from '../domain/ids';
import { exportPublicJwk, generateSigningKey } from '../domain/signing';
import { db, type StoredSigningKey } from './db';
import { guardWrite } from './errors';

/**
 * This user's signing key on this device (DESIGN.md section 4). The private key is a
 * non-extractable CryptoKey stored as it is in IndexedDB (which structured-clones CryptoKeys), so
 * it can sign here, offline, but can never be read out. The public key goes to the centre on the
 * next sync (src/sync/keys.ts); signing never waits for that.
 */

/** Who the key belongs to: the signed-in user. */
export interface KeyOwner {
  id: string;
}

/** The newest key of the user that has not been revoked, if any. */
async function liveKeyOf(userId: string): Promise<StoredSigningKey | undefined> {
  const keys = await db().signingKeys.where('userId').equals(userId).toArray();
  return keys.filter((k) => k.revokedAt === null).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))[0];
}

// Two signings started together (two tabs share IndexedDB, but one tab may also double-click)
// must not make two keys: one tab's calls share one promise, and the write re-checks in its transaction.
const making = new Map<string, Promise<StoredSigningKey>>();

/** The user's key on this device, made (offline) the first time, or again after the centre revoked it. */
export function ensureSigningKey(user: KeyOwner): Promise<StoredSigningKey> {
  const key = `${db().name}:${user.id}`;
  let pending = making.get(key);
  if (!pending) {
    pending = makeOrReuse(user.id).finally(() => making.delete(key));
    making.set(key, pending);
  }
  return pending;
}

async function makeOrReuse(userId: string): Promise<StoredSigningKey> {
  const existing = await liveKeyOf(userId);
  if (existing) return existing;
  // WebCrypto work cannot happen inside an IndexedDB transaction (it would commit on the wait).
  const pair = await generateSigningKey();
  const fresh: StoredSigningKey = {
    id: uuidv7(),
    userId,
    privateKey: pair.privateKey,
    publicKey: await exportPublicJwk(pair.publicKey),
    createdAt: new Date().toISOString(),
    registeredAt: null,
    revokedAt: null,
  };
  return guardWrite(() =>
    db().transaction('rw', db().signingKeys, async () => {
      // Another tab may have made one meanwhile: use that, so the user has one key per device.
      const raced = await liveKeyOf(userId);
      if (raced) return raced;
      await db().signingKeys.add(fresh);
      return fresh;
    }),
  );
}

/** Keys the centre has not accepted yet (and that are still in use), oldest first. */
export async function unregisteredKeys(): Promise<StoredSigningKey[]> {
  const keys = await db().signingKeys.toArray();
  return keys.filter((k) => k.registeredAt === null && k.revokedAt === null).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function markRegistered(keyId: string, at: string = new Date().toISOString()): Promise<void> {
  await guardWrite(() => db().signingKeys.update(keyId, { registeredAt: at }));
}

/**
 * The centre no longer accepts this key (revoked with a device session, or unknown to it). Works
 * inside or outside a transaction that includes `signingKeys`. The next signing makes a new key.
 */
export async function markRevoked(keyId: string, at: string = new Date().toISOString()): Promise<void> {
  await guardWrite(() =>
    db()
      .signingKeys.where('id')
      .equals(keyId)
      .modify((k) => {
        k.revokedAt ??= at;
      }),
  );
}

/** Whether the user had a key here that the centre revoked and has none in use now: sync makes a new one. */
export async function needsNewKey(userId: string): Promise<boolean> {
  const keys = await db().signingKeys.where('userId').equals(userId).toArray();
  return keys.length > 0 && keys.every((k) => k.revokedAt !== null);
}

/** What the Device screen says about the user's key here: the one in use (if any), and whether the centre revoked an earlier one. */
export interface DeviceKeyStatus {
  key: Pick<StoredSigningKey, 'id' | 'createdAt' | 'registeredAt'> | null;
  /** Every key the user had here was revoked: the next sync makes a new one. */
  replacedOnNextSync: boolean;
}

export async function deviceKeyStatus(userId: string): Promise<DeviceKeyStatus> {
  const key = await liveKeyOf(userId);
  return {
    key: key ? { id: key.id, createdAt: key.createdAt, registeredAt: key.registeredAt } : null,
    replacedOnNextSync: !key && (await needsNewKey(userId)),
  };
}

export async function signingKey(keyId: string): Promise<StoredSigningKey | undefined> {
  return db().signingKeys.get(keyId);
}
