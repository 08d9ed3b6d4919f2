import { randomUUID } from 'node:crypto';
import type { CentreUser } from '../src/domain/admin';
import type { Role } from './context';
import type { Sql } from './db/database';
import { writeLearnerProfile } from './profiles';

/** A centre's people as the admin screens show them. Every query here is bound to one centre. */

interface UserRow {
  id: string;
  name: string;
  email: string;
  role: Role;
  disabled_at: Date | null;
}

async function caseloadPairs(db: Sql, centreId: string, userId?: string): Promise<Array<{ assessor_id: string; learner_id: string }>> {
  return db.query(
    `select k.assessor_id, k.learner_id from caseloads k join users a on a.id = k.assessor_id
      where a.centre_id = $1 ${userId ? 'and (k.assessor_id = $2 or k.learner_id = $2)' : ''}
      order by k.assessor_id, k.learner_id`,
    userId ? [centreId, userId] : [centreId],
  );
}

function toCentreUsers(rows: UserRow[], pairs: Array<{ assessor_id: string; learner_id: string }>): CentreUser[] {
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    disabled: row.disabled_at !== null,
    caseload: pairs.filter((p) => p.assessor_id === row.id).map((p) => p.learner_id),
    assessors: pairs.filter((p) => p.learner_id === row.id).map((p) => p.assessor_id),
  }));
}

export async function listCentreUsers(db: Sql, centreId: string): Promise<CentreUser[]> {
  const rows = await db.query<UserRow>('select id, name, email, role, disabled_at from users where centre_id = $1 order by role, name, email', [centreId]);
  return toCentreUsers(rows, await caseloadPairs(db, centreId));
}

/** The user if they belong to the centre; null for anyone else, so callers answer 404 and leak nothing. */
export async function findCentreUser(db: Sql, centreId: string, userId: string): Promise<CentreUser | null> {
  const rows = await db.query<UserRow>('select id, name, email, role, disabled_at from users where centre_id = $1 and id = $2', [centreId, userId]);
  if (rows.length === 0) return null;
  return toCentreUsers(rows, await caseloadPairs(db, centreId, userId))[0] ?? null;
}

export async function emailTaken(db: Sql, email: string): Promise<boolean> {
  return (await db.query('select 1 from users where email = $1', [email])).length > 0;
}

/** PostgreSQL's unique_violation, raised by pg and PGlite alike when a racing insert wins. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

/** Inserts the user (password already hashed) and, for a learner, the profile their device pulls. */
export async function insertUser(
  tx: Sql,
  input: { centreId: string; name: string; email: string; role: Role; passwordHash: string; byUser: string | null; id?: string },
): Promise<string> {
  const id = input.id ?? randomUUID();
  await tx.query('insert into users (id, centre_id, email, name, role, password_hash) values ($1, $2, $3, $4, $5, $6)', [
    id,
    input.centreId,
    input.email,
    input.name,
    input.role,
    input.passwordHash,
  ]);
  if (input.role === 'learner') await writeLearnerProfile(tx, { learnerId: id, centreId: input.centreId, name: input.name, byUser: input.byUser });
  return id;
}

/** Learners of the centre among the ids given; anything else (other centres, other roles, unknown) is left out. */
export async function centreLearnerIds(db: Sql, centreId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.query<{ id: string }>(`select id from users where centre_id = $1 and role = 'learner' and id = any($2::uuid[])`, [centreId, ids]);
  return new Set(rows.map((r) => r.id));
}

/** Whether a learner has anything beyond a profile: such a learner cannot stop being a learner. */
export async function hasPortfolio(db: Sql, learnerId: string): Promise<boolean> {
  const rows = await db.query(`select 1 from records where learner_id = $1 and entity <> 'profile' and not deleted limit 1`, [learnerId]);
  return rows.length > 0;
}
