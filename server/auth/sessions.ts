import { randomUUID } from 'node:crypto';
import { DEVICE_SESSION_DAYS } from '../../src/domain/auth';
import type { Caller, Role } from '../context';
import type { Sql } from '../db/database';
import { hashToken, newToken } from './tokens';

const DAY_MS = 24 * 60 * 60 * 1000;

export async function createDeviceSession(
  db: Sql,
  userId: string,
  deviceId: string,
  deviceLabel: string,
  now: Date,
): Promise<{ token: string; sessionId: string; expiresAt: Date }> {
  const token = newToken();
  const sessionId = randomUUID();
  const expiresAt = new Date(now.getTime() + DEVICE_SESSION_DAYS * DAY_MS);
  await db.query(
    `insert into device_sessions (id, user_id, token_hash, device_id, device_label, created_at, last_seen_at, expires_at)
     values ($1, $2, $3, $4, $5, $6, $6, $7)`,
    [sessionId, userId, hashToken(token), deviceId, deviceLabel, now, expiresAt],
  );
  return { token, sessionId, expiresAt };
}

export type SessionFailure = 'unknown' | 'revoked' | 'expired' | 'disabled';

/**
 * Resolves a bearer token to its caller. Each use slides the expiry forward, so a device that
 * syncs now and then stays signed in; one unused for DEVICE_SESSION_DAYS must sign in again.
 */
export async function callerForToken(db: Sql, token: string, now: Date): Promise<Caller | SessionFailure> {
  const rows = await db.query<{
    session_id: string;
    device_id: string;
    expires_at: Date;
    revoked_at: Date | null;
    user_id: string;
    centre_id: string;
    role: Role;
    name: string;
    email: string;
    disabled_at: Date | null;
  }>(
    `select s.id as session_id, s.device_id, s.expires_at, s.revoked_at,
            u.id as user_id, u.centre_id, u.role, u.name, u.email, u.disabled_at
       from device_sessions s join users u on u.id = s.user_id
      where s.token_hash = $1`,
    [hashToken(token)],
  );
  const row = rows[0];
  if (!row) return 'unknown';
  if (row.revoked_at) return 'revoked';
  if (new Date(row.expires_at).getTime() <= now.getTime()) return 'expired';
  if (row.disabled_at) return 'disabled';
  // Sliding expiry; written at most once a minute per session to keep reads cheap.
  await db.query(
    `update device_sessions set last_seen_at = $2, expires_at = $3
      where id = $1 and last_seen_at < $2::timestamptz - interval '1 minute'`,
    [row.session_id, now, new Date(now.getTime() + DEVICE_SESSION_DAYS * DAY_MS)],
  );
  return {
    userId: row.user_id,
    centreId: row.centre_id,
    role: row.role,
    name: row.name,
    email: row.email,
    sessionId: row.session_id,
    deviceId: row.device_id,
  };
}
