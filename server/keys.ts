import type { PublicSigningKey, RegisterKeyRequest, SigningKeyView } from '../src/domain/signoff';
import type { PublicJwk } from '../src/domain/signing';
import { audit } from './audit';
import type { Caller } from './context';
import type { Sql } from './db/database';

/**
 * Device signing keys (DESIGN.md section 4): the public half of each user's device key, which the
 * centre checks every signed decision against. Every registration and revocation is audited here,
 * with the caller's device, so no route can change a key without a trace.
 */

/** More live keys than this for one person is not a person's devices. */
export const MAX_LIVE_KEYS_PER_USER = 20;

export interface StoredSigningKey extends PublicSigningKey {
  centreId: string;
  deviceSessionId: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
}

export type { SigningKeyView };

interface KeyRow {
  id: string;
  user_id: string;
  centre_id: string;
  device_session_id: string | null;
  public_key: PublicSigningKey['publicKey'];
  name: string;
  role: PublicSigningKey['role'];
  created_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  device_label?: string | null;
}

const SELECT_KEY = `select k.id, k.user_id, k.centre_id, k.device_session_id, k.public_key, k.name, k.role, k.created_at,
                           k.revoked_at, k.revoked_by, k.revoke_reason, s.device_label
                      from signing_keys k left join device_sessions s on s.id = k.device_session_id`;

const iso = (d: Date) => new Date(d).toISOString();

function fromRow(row: KeyRow): StoredSigningKey {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    role: row.role,
    publicKey: row.public_key,
    createdAt: iso(row.created_at),
    revokedAt: row.revoked_at ? iso(row.revoked_at) : null,
    centreId: row.centre_id,
    deviceSessionId: row.device_session_id,
    revokedBy: row.revoked_by,
    revokeReason: row.revoke_reason,
  };
}

function toView(row: KeyRow, currentSessionId: string | null): SigningKeyView {
  const { centreId: _c, deviceSessionId, revokedBy: _r, ...key } = fromRow(row);
  return { ...key, deviceLabel: row.device_label ?? null, current: deviceSessionId !== null && deviceSessionId === currentSessionId };
}

export async function findSigningKey(db: Sql, id: string): Promise<StoredSigningKey | null> {
  const [row] = await db.query<KeyRow>(`${SELECT_KEY} where k.id = $1`, [id]);
  return row ? fromRow(row) : null;
}

/** True when the JWK is a P-256 public key WebCrypto can verify with (not merely the right shape). */
export async function usablePublicKey(jwk: PublicJwk): Promise<boolean> {
  try {
    await crypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, ext: true }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    return true;
  } catch {
    return false;
  }
}

export type RegisterOutcome = { status: 'created' | 'existing'; key: SigningKeyView } | { status: 'taken' } | { status: 'too-many' };

/**
 * Registers the caller's public key against their current device session. A device that lost the
 * answer registers the same key again: that is answered with the stored key, not a second row.
 */
export async function registerSigningKey(tx: Sql, caller: Caller, request: RegisterKeyRequest, now: Date): Promise<RegisterOutcome> {
  const existing = async (): Promise<RegisterOutcome> => {
    const [row] = await tx.query<KeyRow>(`${SELECT_KEY} where k.id = $1`, [request.id]);
    const same = row!.user_id === caller.userId && row!.public_key.x === request.publicKey.x && row!.public_key.y === request.publicKey.y;
    return same ? { status: 'existing', key: toView(row!, caller.sessionId) } : { status: 'taken' };
  };
  const [known] = await tx.query('select 1 from signing_keys where id = $1', [request.id]);
  if (known) return existing();
  const [live] = await tx.query<{ n: number }>('select count(*)::int as n from signing_keys where user_id = $1 and revoked_at is null', [caller.userId]);
  if ((live?.n ?? 0) >= MAX_LIVE_KEYS_PER_USER) return { status: 'too-many' };
  const publicKey = { kty: request.publicKey.kty, crv: request.publicKey.crv, x: request.publicKey.x, y: request.publicKey.y };
  const inserted = await tx.query(
    `insert into signing_keys (id, user_id, centre_id, device_session_id, public_key, name, role, created_at)
     values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)
     on conflict (id) do nothing returning id`,
    [request.id, caller.userId, caller.centreId, caller.sessionId, JSON.stringify(publicKey), caller.name, caller.role, now],
  );
  // A retry that raced its original: the original's row stands.
  if (inserted.length === 0) return existing();
  await audit(tx, caller, 'key-registered', { entity: 'signing-key', recordId: request.id }, { deviceSessionId: caller.sessionId, role: caller.role });
  const [row] = await tx.query<KeyRow>(`${SELECT_KEY} where k.id = $1`, [request.id]);
  return { status: 'created', key: toView(row!, caller.sessionId) };
}

/**
 * The caller's own keys, or (an admin) every key of their centre, or one user's of it; live keys
 * first, newest first.
 */
export async function listSigningKeys(db: Sql, caller: Caller, userId?: string): Promise<SigningKeyView[]> {
  const [where, params] =
    caller.role !== 'admin'
      ? ['k.user_id = $1', [caller.userId]]
      : userId !== undefined
        ? ['k.centre_id = $1 and k.user_id = $2', [caller.centreId, userId]]
        : ['k.centre_id = $1', [caller.centreId]];
  const rows = await db.query<KeyRow>(`${SELECT_KEY} where ${where} order by (k.revoked_at is null) desc, k.created_at desc, k.id limit 500`, params);
  return rows.map((row) => toView(row, caller.sessionId));
}

/** A key the caller may revoke: their own, or (an admin) one of their centre's. Null answers 404. */
export async function revocableKey(db: Sql, caller: Caller, id: string): Promise<SigningKeyView | null> {
  const [row] =
    caller.role === 'admin'
      ? await db.query<KeyRow>(`${SELECT_KEY} where k.id = $1 and k.centre_id = $2`, [id, caller.centreId])
      : await db.query<KeyRow>(`${SELECT_KEY} where k.id = $1 and k.user_id = $2`, [id, caller.userId]);
  return row ? toView(row, caller.sessionId) : null;
}

/**
 * Revokes keys and audits each one. A key already revoked keeps its first revocation (time,
 * author, reason) and is not audited again. Returns the ids revoked now.
 */
async function revokeWhere(tx: Sql, by: Caller, where: string, param: string, reason: string, now: Date, detail: Record<string, unknown>): Promise<string[]> {
  const rows = await tx.query<{ id: string; user_id: string }>(
    `update signing_keys set revoked_at = $2, revoked_by = $3, revoke_reason = $4
      where ${where} and revoked_at is null
      returning id, user_id`,
    [param, now, by.userId, reason],
  );
  for (const row of rows) await audit(tx, by, 'key-revoked', { entity: 'signing-key', recordId: row.id }, { ...detail, userId: row.user_id, reason });
  return rows.map((r) => r.id);
}

export async function revokeSigningKey(tx: Sql, by: Caller, id: string, reason: string, now: Date): Promise<void> {
  await revokeWhere(tx, by, 'id = $1', id, reason, now, {});
}

/**
 * A revoked device session can no longer sign: its keys go with it (the private key may be on a
 * lost tablet). Call in the same transaction as the session's revocation.
 */
export async function revokeSessionKeys(tx: Sql, by: Caller, sessionId: string, reason: string, now: Date): Promise<string[]> {
  return revokeWhere(tx, by, 'device_session_id = $1', sessionId, reason, now, { deviceSessionId: sessionId });
}
