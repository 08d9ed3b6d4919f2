import type { AuditPage, AuditQuery } from '../src/domain/audit';
import type { Caller } from './context';
import type { Sql } from './db/database';
import { canReadLearner, recordVisibleSql } from './scope';

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

interface AuditRow {
  id: string;
  at: Date;
  user_id: string | null;
  user_name: string | null;
  user_role: string | null;
  device_id: string | null;
  device_label: string | null;
  action: string;
  entity: string | null;
  record_id: string | null;
  detail: Record<string, unknown> | null;
}

export type AuditEntryView = AuditPage['entries'][number];

/**
 * Audit entries as every reader shows them (the trail screen, the EQA export, the subject-access
 * export): who (with their device's label), what, about which record. `tail` is the where/order/
 * limit over `audit_log a`.
 */
export async function queryAuditEntries(db: Sql, tail: string, params: unknown[]): Promise<AuditEntryView[]> {
  const rows = await db.query<AuditRow>(
    `select a.id::text as id, a.at, a.user_id, u.name as user_name, u.role as user_role, a.device_id,
            (select s.device_label from device_sessions s
              where s.user_id = a.user_id and s.device_id = a.device_id
              order by s.created_at desc limit 1) as device_label,
            a.action, a.entity, a.record_id, a.detail
       from audit_log a left join users u on u.id = a.user_id
      ${tail}`,
    params,
  );
  return rows.map((r) => ({
    id: r.id,
    at: new Date(r.at).toISOString(),
    user: r.user_id ? { id: r.user_id, name: r.user_name ?? '', role: r.user_role ?? '' } : null,
    deviceId: r.device_id,
    deviceLabel: r.device_label,
    action: r.action,
    entity: r.entity,
    recordId: r.record_id,
    detail: r.detail ?? {},
  }));
}

/**
 * One learner's trail (every entry about their records and their signing keys) or one record's,
 * newest first. Null when the learner or record is outside the caller's scope (server/scope.ts),
 * which the route answers as 404 so nothing about it leaks.
 */
export async function readAuditTrail(db: Sql, caller: Caller, query: AuditQuery): Promise<AuditPage | null> {
  const params: unknown[] = [];
  let about: string;
  if (query.learnerId !== undefined) {
    if (!(await learnerInScope(db, caller, query.learnerId))) return null;
    const learner = `$${params.push(query.learnerId)}`;
    const centre = `$${params.push(caller.centreId)}`;
    about = `((a.entity, a.record_id) in (select r.entity, r.id from records r where r.learner_id = ${learner} and r.centre_id = ${centre} and ${recordVisibleSql(caller, 'r')})
              or (a.entity = 'signing-key' and a.record_id in (select k.id::text from signing_keys k where k.user_id = ${learner})))`;
  } else {
    const records = await db.query<{ entity: string; learner_id: string }>(`select r.entity, r.learner_id from records r where r.id = $1 and r.centre_id = $2 and ${recordVisibleSql(caller, 'r')}`, [
      query.recordId,
      caller.centreId,
    ]);
    const visible: string[] = [];
    for (const r of records) if (await learnerInScope(db, caller, r.learner_id)) visible.push(r.entity);
    if (visible.length === 0) return null;
    about = `(a.record_id = $${params.push(query.recordId)} and a.entity = any($${params.push(visible)}::text[]))`;
  }
  const before = query.before !== undefined ? ` and a.id < $${params.push(query.before)}::bigint` : '';
  const rows = await queryAuditEntries(db, `where ${about}${before} order by a.id desc limit $${params.push(query.limit + 1)}`, params);
  // One row beyond the page says whether there is an older page, without a count.
  const page = rows.slice(0, query.limit);
  return {
    entries: page,
    next: rows.length > query.limit ? page.at(-1)!.id : null,
  };
}

/** Scope is server/scope.ts's; the centre check keeps an assessor's trail within their own centre. */
async function learnerInScope(db: Sql, caller: Caller, learnerId: string): Promise<boolean> {
  const [row] = await db.query('select 1 from users where id = $1 and centre_id = $2', [learnerId, caller.centreId]);
  return row !== undefined && (await canReadLearner(db, caller, learnerId));
}
