import { ensureSigningKey, markRegistered, markRevoked, needsNewKey, unregisteredKeys } from '../data/keys';
import { currentSignIn } from '../data/session';
import { RegisterKeyRequest } from '../domain/signoff';
import { CentreError, registerSigningKey, type CentreClient } from './api';

/**
 * The sync step before the push: the centre must know this device's public key before it can
 * check a decision signed with it. A key the centre revoked (with a device session) is replaced
 * here, so the user can sign again; decisions signed with a key the centre has not registered wait
 * in the outbox (data/sync-outbox.ts, pushableEntries) rather than being refused.
 */

export interface KeyReport {
  registered: number;
  /** Why the centre would not take this device's key, in words; null when all is well. */
  problem: string | null;
}

/** Refusals (error codes of POST /api/keys) after which the key is retired and a new pair made. */
const RETIRE_KEY: ReadonlySet<string> = new Set(['key-id-taken', 'invalid-key']);

/** Only a collision of key ids (or a hostile client) makes this happen; a few tries are plenty. */
const MAX_ATTEMPTS = 3;

export async function syncSigningKeys(ctx: { client: CentreClient }): Promise<KeyReport> {
  const report: KeyReport = { registered: 0, problem: null };
  const signIn = await currentSignIn();
  // Admins never sign; a key is made the first time a user signs, not for every user who syncs.
  if (!signIn || signIn.user.role === 'admin') return report;
  const user = signIn.user;
  if (await needsNewKey(user.id)) await ensureSigningKey(user);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const waiting = (await unregisteredKeys()).filter((k) => k.userId === user.id);
    if (waiting.length === 0) return report;
    for (const key of waiting) {
      const request = RegisterKeyRequest.safeParse({ id: key.id, publicKey: key.publicKey });
      if (!request.success) {
        // Not a P-256 public key: unusable, so it is retired and a new one made.
        await markRevoked(key.id);
        await ensureSigningKey(user);
        continue;
      }
      try {
        const registered = await registerSigningKey(ctx.client, request.data);
        if (registered.revokedAt !== null) {
          // Registered before (its answer was lost) and revoked since: retire it and make another.
          await markRevoked(key.id, registered.revokedAt);
          await ensureSigningKey(user);
          continue;
        }
        await markRegistered(key.id, registered.createdAt);
        report.registered++;
      } catch (error) {
        if (!(error instanceof CentreError) || error.reason !== 'refused') throw error;
        if (error.code !== null && RETIRE_KEY.has(error.code)) {
          // This key can never be registered (its id is someone else's, or the centre cannot use
          // it). A new key replaces it; decisions already signed with it are refused and must be
          // signed again, which the refusal tells the user.
          await markRevoked(key.id);
          await ensureSigningKey(user);
          continue;
        }
        report.problem = `Your centre did not accept this device’s signing key: ${error.message} Decisions you sign on this device wait here until it does.`;
        return report;
      }
    }
  }
  return report;
}
