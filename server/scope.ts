import type { Caller } from './context';
import type { Sql } from './db/database';

/**
 * The one place that says whose records a caller may see. Every read and write of learner data
 * goes through these, so a route cannot forget a rule.
 *   learner:  their own records
 *   assessor: learners on their caseload
 *   iqa, admin: learners of their own centre
 */
export function learnerScopeSql(caller: Caller, learnerColumn: string, firstParam: number): { sql: string; params: unknown[] } {
  switch (caller.role) {
    case 'learner':
      return { sql: `${learnerColumn} = $${firstParam}`, params: [caller.userId] };
    case 'assessor':
      return { sql: `${learnerColumn} in (select learner_id from caseloads where assessor_id = $${firstParam})`, params: [caller.userId] };
    case 'iqa':
    case 'admin':
      return {
        sql: `${learnerColumn} in (select id from users where centre_id = $${firstParam} and role = 'learner')`,
        params: [caller.centreId],
      };
  }
}

/**
 * Within the learners a caller may see, the records they may read. A learner does not receive IQA
 * decisions about their portfolio: an IQA's verdict and feedback are for the assessor (an
 * agreement still shows, as the lock on the item). Pull and the audit trail both read through this.
 */
export function recordVisibleSql(caller: Pick<Caller, 'role'>, alias: string): string {
  return caller.role === 'learner' ? `not (${alias}.entity = 'decision' and ${alias}.data->>'kind' = 'iqa')` : 'true';
}

export async function canReadLearner(db: Sql, caller: Caller, learnerId: string): Promise<boolean> {
  const scope = learnerScopeSql(caller, 'u.id', 2);
  const rows = await db.query(`select 1 from users u where u.id = $1 and u.role = 'learner' and ${scope.sql}`, [learnerId, ...scope.params]);
  return rows.length > 0;
}
