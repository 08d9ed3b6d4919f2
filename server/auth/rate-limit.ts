import type { Sql } from '../db/database';

/** At most this many failed sign-ins per email and client address in the window. */
export const MAX_SIGN_IN_FAILURES = 10;
export const SIGN_IN_WINDOW_MINUTES = 15;
const WINDOW_MS = SIGN_IN_WINDOW_MINUTES * 60 * 1000;
/** Rows older than this are pruned as new failures arrive; they no longer count for anything. */
const KEEP_MS = 24 * 60 * 60 * 1000;

/**
 * Keyed by email AND client address: someone guessing from one network cannot lock the real
 * person out from theirs, and one network cannot guess one account's password for long.
 */
export interface SignInKey {
  email: string;
  client: string;
}

/** Seconds until another attempt is allowed, or null when the key is not limited. */
export async function signInRetryAfter(db: Sql, key: SignInKey, now: Date): Promise<number | null> {
  const since = new Date(now.getTime() - WINDOW_MS);
  const [row] = await db.query<{ failures: number; oldest: Date | null }>(
    `select count(*)::int as failures, min(at) as oldest from sign_in_failures where email = $1 and client = $2 and at > $3`,
    [key.email, key.client, since],
  );
  if (!row || row.failures < MAX_SIGN_IN_FAILURES || !row.oldest) return null;
  return Math.max(1, Math.ceil((new Date(row.oldest).getTime() + WINDOW_MS - now.getTime()) / 1000));
}

export async function recordSignInFailure(db: Sql, key: SignInKey, now: Date): Promise<void> {
  await db.query('insert into sign_in_failures (email, client, at) values ($1, $2, $3)', [key.email, key.client, now]);
  await db.query('delete from sign_in_failures where at < $1', [new Date(now.getTime() - KEEP_MS)]);
}

/** A successful sign-in starts the count again for that email and address. */
export async function clearSignInFailures(db: Sql, key: SignInKey): Promise<void> {
  await db.query('delete from sign_in_failures where email = $1 and client = $2', [key.email, key.client]);
}
