import type { DeviceSession } from '../../src/domain/auth';
import type { Caller } from '../context';
import type { Sql } from '../db/database';
import { revokeSessionKeys } from '../keys';

interface SessionRow {
  id: string;
  user_id: string;
  device_id: string;
  device_label: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

const iso = (d: Date) => new Date(d).toISOString();

function toDeviceSession(row: SessionRow, currentSessionId: string | null): DeviceSession {
  return {
    id: row.id,
    deviceId: row.device_id,
    deviceLabel: row.device_label,
    createdAt: iso(row.created_at),
    lastSeenAt: iso(row.last_seen_at),
    expiresAt: iso(row.expires_at),
    revokedAt: row.revoked_at ? iso(row.revoked_at) : null,
    current: row.id === currentSessionId,
  };
}

/**
 * A user's device sessions, newest use first. Sessions revoked or expired more than a month ago
 * are left out: they are history (kept in the audit log), not devices anyone needs to act on.
 */
export async function listDeviceSessions(db: Sql, userId: string, currentSessionId: string | null, now: Date): Promise<DeviceSession[]> {
  const rows = await db.query<SessionRow>(
    `select id, user_id, device_id, device_label, created_at, last_seen_at, expires_at, revoked_at
       from device_sessions
      where user_id = $1 and coalesce(revoked_at, expires_at) > $2::timestamptz - interval '30 days'
      order by last_seen_at desc, created_at desc
      limit 200`,
    [userId, now],
  );
  return rows.map((row) => toDeviceSession(row, currentSessionId));
}

/** The session if it belongs to one of the given users; null otherwise (the caller answers 404). */
export async function findDeviceSession(
  db: Sql,
  sessionId: string,
  owner: { userId: string } | { centreId: string },
  currentSessionId: string | null = null,
): Promise<{ session: DeviceSession; userId: string } | null> {
  const [row] =
    'userId' in owner
      ? await db.query<SessionRow>(
          `select id, user_id, device_id, device_label, created_at, last_seen_at, expires_at, revoked_at
             from device_sessions where id = $1 and user_id = $2`,
          [sessionId, owner.userId],
        )
      : await db.query<SessionRow>(
          `select s.id, s.user_id, s.device_id, s.device_label, s.created_at, s.last_seen_at, s.expires_at, s.revoked_at
             from device_sessions s join users u on u.id = s.user_id
            where s.id = $1 and u.centre_id = $2`,
          [sessionId, owner.centreId],
        );
  return row ? { session: toDeviceSession(row, currentSessionId), userId: row.user_id } : null;
}

/**
 * Revokes a session and the signing keys it registered (a lost tablet must not go on signing);
 * revoking one already revoked keeps the first revocation's time and author. Call inside a
 * transaction: the session, its keys and their audit entries change together.
 */
export async function revokeDeviceSession(tx: Sql, sessionId: string, by: Caller, now: Date): Promise<void> {
  await tx.query('update device_sessions set revoked_at = $2, revoked_by = $3 where id = $1 and revoked_at is null', [sessionId, now, by.userId]);
  await revokeSessionKeys(tx, by, sessionId, sessionId === by.sessionId ? 'Signed out on the device that registered it' : 'The device session that registered it was revoked', now);
}
