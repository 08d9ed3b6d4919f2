import type { Caller } from './context';
import type { Sql } from './db/database';

/** Appends to the audit log, inside the caller's transaction so the change and its record commit together. */
export async function audit(
  db: Sql,
  caller: Pick<Caller, 'centreId' | 'userId' | 'deviceId'> | null,
  action: string,
  target: { entity?: string; recordId?: string; centreId?: string } = {},
  detail: Record<string, unknown> = {},
): Promise<void> {
  await db.query(
    `insert into audit_log (centre_id, user_id, device_id, action, entity, record_id, detail) values ($1, $2, $3, $4, $5, $6, $7)`,
    [caller?.centreId ?? target.centreId ?? null, caller?.userId ?? null, caller?.deviceId ?? null, action, target.entity ?? null, target.recordId ?? null, JSON.stringify(detail)],
  );
}
