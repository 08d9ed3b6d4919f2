import type { SyncEntity, SyncRecord } from '../src/domain/sync';
import type { Sql } from './db/database';

/**
 * Every writer of `records` (admin routes, seeding, sync push) takes this transaction-scoped lock
 * before drawing a number from change_seq. Sequence order is then commit order, so a pull that
 * has read up to seq N can never later miss a change numbered below N that was still committing.
 */
export const CHANGE_LOCK = 4520;

export interface StoredRecord {
  entity: SyncEntity;
  id: string;
  centreId: string;
  learnerId: string;
  revision: number;
  /** Place in the centre's change sequence, as text: bigint does not fit a JS number. */
  seq: string;
  deleted: boolean;
  data: Record<string, unknown>;
  updatedAt: Date;
  updatedBy: string | null;
}

export interface RecordWrite {
  entity: SyncEntity;
  id: string;
  centreId: string;
  learnerId: string;
  data: Record<string, unknown>;
  deleted?: boolean;
  byUser: string | null;
  deviceId: string | null;
}

interface RecordRow {
  entity: SyncEntity;
  id: string;
  centre_id: string;
  learner_id: string;
  revision: number;
  seq: string;
  deleted: boolean;
  data: Record<string, unknown>;
  updated_at: Date;
  updated_by: string | null;
}

const SELECT_RECORD = `select entity, id, centre_id, learner_id, revision, seq::text as seq, deleted, data, updated_at, updated_by from records`;

function fromRow(row: RecordRow): StoredRecord {
  return {
    entity: row.entity,
    id: row.id,
    centreId: row.centre_id,
    learnerId: row.learner_id,
    revision: row.revision,
    seq: row.seq,
    deleted: row.deleted,
    data: row.data,
    updatedAt: new Date(row.updated_at),
    updatedBy: row.updated_by,
  };
}

export async function readRecord(tx: Sql, entity: SyncEntity, id: string): Promise<StoredRecord | null> {
  const rows = await tx.query<RecordRow>(`${SELECT_RECORD} where entity = $1 and id = $2`, [entity, id]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** Several records of one entity in one query (the ones the centre holds; order not kept). */
export async function readRecords(tx: Sql, entity: SyncEntity, ids: readonly string[]): Promise<StoredRecord[]> {
  if (ids.length === 0) return [];
  const rows = await tx.query<RecordRow>(`${SELECT_RECORD} where entity = $1 and id = any($2::text[])`, [entity, ids]);
  return rows.map(fromRow);
}

/**
 * Gives the records of `learnerIds` new numbers in change_seq, in their old order, under the
 * change lock: for a scope that grew (a learner added to an assessor's caseload), whose devices'
 * cursors are past those records. Every device's next pull then carries them; one that held them
 * already applies the same revision again. Revisions and data do not change.
 */
export async function renumberLearnerRecords(tx: Sql, centreId: string, learnerIds: readonly string[]): Promise<number> {
  if (learnerIds.length === 0) return 0;
  await tx.query('select pg_advisory_xact_lock($1)', [CHANGE_LOCK]);
  const renumbered = await tx.query<{ id: string }>(
    `update records r set seq = n.seq
       from (select entity, id, nextval('change_seq') as seq
               from (select entity, id from records where centre_id = $1 and learner_id = any($2::uuid[]) order by seq) o) n
      where r.entity = n.entity and r.id = n.id
      returning r.id`,
    [centreId, learnerIds],
  );
  return renumbered.length;
}

/**
 * The records of `learnerIds` leave `userId`'s scope (off an assessor's caseload): a tombstone per
 * record for that user only, numbered in change_seq in the records' order under the change lock,
 * so that user's next pull tells their devices to drop the copies. A learner who comes back is
 * renumbered (above), after these.
 */
export async function markScopeExit(tx: Sql, centreId: string, userId: string, learnerIds: readonly string[], now: Date): Promise<number> {
  if (learnerIds.length === 0) return 0;
  await tx.query('select pg_advisory_xact_lock($1)', [CHANGE_LOCK]);
  const marked = await tx.query<{ id: string }>(
    `insert into scope_exits (user_id, entity, id, learner_id, revision, seq, exited_at)
     select $3, entity, id, learner_id, revision, nextval('change_seq'), $4
       from (select entity, id, learner_id, revision from records where centre_id = $1 and learner_id = any($2::uuid[]) order by seq) o
     returning id`,
    [centreId, learnerIds, userId, now],
  );
  return marked.length;
}

/**
 * Writes the next revision of a record and keeps that revision's data in record_versions.
 * `tx` must be a transaction (db.transaction): the change lock is held until it commits.
 * A record belongs to one learner and centre for life, so a write that names another owner is a
 * programming error, never a way to move a record into someone else's scope.
 */
export async function writeRecord(tx: Sql, input: RecordWrite): Promise<{ revision: number; seq: string }> {
  await tx.query('select pg_advisory_xact_lock($1)', [CHANGE_LOCK]);
  const current = await tx.query<{ revision: number; centre_id: string; learner_id: string }>(
    'select revision, centre_id, learner_id from records where entity = $1 and id = $2 for update',
    [input.entity, input.id],
  );
  const existing = current[0];
  if (existing && (existing.centre_id !== input.centreId || existing.learner_id !== input.learnerId))
    throw new Error(`${input.entity} ${input.id} belongs to another learner or centre; it cannot be rewritten as theirs`);
  const revision = (existing?.revision ?? 0) + 1;
  const [next] = await tx.query<{ seq: string }>(`select nextval('change_seq')::text as seq`);
  const seq = next!.seq;
  const deleted = input.deleted ?? false;
  const data = JSON.stringify(input.data);
  await tx.query(
    `insert into records (entity, id, centre_id, learner_id, revision, seq, deleted, data, updated_at, updated_by)
     values ($1, $2, $3, $4, $5, $6::bigint, $7, $8::jsonb, now(), $9)
     on conflict (entity, id) do update
       set revision = excluded.revision, seq = excluded.seq, deleted = excluded.deleted, data = excluded.data,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    [input.entity, input.id, input.centreId, input.learnerId, revision, seq, deleted, data, input.byUser],
  );
  await tx.query(
    `insert into record_versions (entity, id, revision, data, deleted, by_user, device_id) values ($1, $2, $3, $4::jsonb, $5, $6, $7)`,
    [input.entity, input.id, revision, data, deleted, input.byUser, input.deviceId],
  );
  return { revision, seq };
}

/** The record as devices see it (pull, conflict answers). */
export function toSyncRecord(record: StoredRecord): SyncRecord {
  return {
    entity: record.entity,
    id: record.id,
    revision: record.revision,
    deleted: record.deleted,
    data: record.data,
    updatedAt: record.updatedAt.toISOString(),
  };
}
