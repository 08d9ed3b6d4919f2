import type { PullResponse, SyncEntity } from '../../src/domain/sync';
import type { Caller } from '../context';
import type { Sql } from '../db/database';
import { learnerScopeSql, recordVisibleSql } from '../scope';
import type { Data } from './merge';

interface ChangeRow {
  entity: SyncEntity;
  id: string;
  revision: number;
  deleted: boolean;
  data: Data;
  updated_at: Date;
  seq: string;
}

/**
 * The changes in the caller's scope after `since`, oldest first. Each record appears once, at its
 * latest revision (a record's row carries the seq of its last write). Writers draw seq under the
 * change lock and commit before releasing it, so whatever is visible here has no gap below it: a
 * device that stores the cursor never skips a change.
 */
export async function pullChanges(db: Sql, caller: Caller, since: string, limit: number): Promise<PullResponse> {
  const scope = learnerScopeSql(caller, 'r.learner_id', 3);
  // Staff devices may hold an erased learner's records (server/personal-data/erase.ts): each
  // tombstone reaches them as a deletion, ids only, so they drop their copies. A learner never held
  // another learner's records, so their pull has none.
  const tombstones =
    caller.role === 'learner'
      ? ''
      : `union all
         select e.entity, e.id, e.revision, true as deleted, '{}'::jsonb as data, e.erased_at as updated_at, e.seq
           from erased_records e
          where e.centre_id = $1 and e.seq > $2::bigint`;
  // An assessor's devices drop the records of a learner taken off the caseload (server/records.ts);
  // one put back on it is in scope again, and their renumbered records follow the tombstones.
  const exits =
    caller.role === 'assessor'
      ? `union all
         select x.entity, x.id, x.revision, true as deleted, '{}'::jsonb as data, x.exited_at as updated_at, x.seq
           from scope_exits x
          where x.user_id = $3 and x.seq > $2::bigint and not (${learnerScopeSql(caller, 'x.learner_id', 3).sql})`
      : '';
  const rows = await db.query<ChangeRow>(
    `select c.entity, c.id, c.revision, c.deleted, c.data, c.updated_at, c.seq::text as seq from (
       select r.entity, r.id, r.revision, r.deleted, r.data, r.updated_at, r.seq
         from records r
        where r.centre_id = $1 and r.seq > $2::bigint and ${scope.sql} and ${recordVisibleSql(caller, 'r')}
       ${tombstones}
       ${exits}
     ) c
      order by c.seq
      limit $${3 + scope.params.length}`,
    [caller.centreId, since, ...scope.params, limit + 1],
  );
  // One row beyond the page tells whether there is more, without a count.
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return {
    changes: page.map((r) => ({
      entity: r.entity,
      id: r.id,
      revision: r.revision,
      deleted: r.deleted,
      data: r.data,
      updatedAt: new Date(r.updated_at).toISOString(),
    })),
    cursor: page.at(-1)?.seq ?? since,
    more,
  };
}
