import { addYears, RETENTION_BASIS_WORDS, type ErasureStatus, type RetentionBasis } from '../../src/domain/personal-data';
import type { Sql } from '../db/database';

/**
 * When a learner's records may be erased: the rule is written once, in src/domain/personal-data.ts
 * (the centre's retention period, default three years, from the latest of planned end, last
 * change, last device seen, account made). Every time is the centre's: records.updated_at and
 * device_sessions.last_seen_at as the centre wrote them, never a device's clock.
 */

export interface RetentionFacts {
  learnerId: string;
  name: string;
  email: string;
  centreId: string;
  retentionYears: number;
  from: Date;
  basis: RetentionBasis;
  erasableFrom: Date;
  records: number;
  files: number;
  sessions: number;
}

interface FactsRow {
  name: string;
  email: string;
  centre_id: string;
  retention_years: number;
  created_at: Date;
  planned_end: string | null;
  last_change: Date | null;
  last_seen: Date | null;
  records: number;
  files: number;
  sessions: number;
}

/** The learner's retention facts, or null when the centre has no such learner. */
export async function retentionFacts(db: Sql, centreId: string, learnerId: string): Promise<RetentionFacts | null> {
  const [row] = await db.query<FactsRow>(
    `select u.name, u.email, u.centre_id, c.retention_years, u.created_at,
            (select max(r.data->>'plannedEndDate') from records r where r.learner_id = u.id and r.entity = 'enrolment' and not r.deleted) as planned_end,
            (select max(r.updated_at) from records r where r.learner_id = u.id) as last_change,
            (select max(s.last_seen_at) from device_sessions s where s.user_id = u.id) as last_seen,
            (select count(*)::int from records r where r.learner_id = u.id) as records,
            (select count(*)::int from attachment_owners o where o.learner_id = u.id) as files,
            (select count(*)::int from device_sessions s where s.user_id = u.id) as sessions
       from users u join centres c on c.id = u.centre_id
      where u.id = $1 and u.centre_id = $2 and u.role = 'learner'`,
    [learnerId, centreId],
  );
  if (!row) return null;
  // A planned end date ends at the close of that day (UTC).
  const plannedEnd = row.planned_end && /^\d{4}-\d{2}-\d{2}$/.test(row.planned_end) ? new Date(`${row.planned_end}T23:59:59.999Z`) : null;
  const candidates: Array<[RetentionBasis, Date | null]> = [
    ['account-created', new Date(row.created_at)],
    ['planned-end', plannedEnd],
    ['last-change', row.last_change ? new Date(row.last_change) : null],
    ['last-seen', row.last_seen ? new Date(row.last_seen) : null],
  ];
  let basis: RetentionBasis = 'account-created';
  let from = new Date(row.created_at);
  for (const [kind, at] of candidates) if (at && at.getTime() > from.getTime()) [basis, from] = [kind, at];
  // Erasable from the start of the first whole UTC day after the period has run.
  const end = addYears(from, row.retention_years);
  const erasableFrom = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate() + 1));
  return {
    learnerId,
    name: row.name,
    email: row.email,
    centreId: row.centre_id,
    retentionYears: row.retention_years,
    from,
    basis,
    erasableFrom,
    records: row.records,
    files: row.files,
    sessions: row.sessions,
  };
}

export function erasureStatus(facts: RetentionFacts, now: Date): ErasureStatus {
  return {
    learnerId: facts.learnerId,
    name: facts.name,
    retentionYears: facts.retentionYears,
    retentionFrom: facts.from.toISOString(),
    basis: facts.basis,
    erasableFrom: facts.erasableFrom.toISOString().slice(0, 10),
    erasable: now.getTime() >= facts.erasableFrom.getTime(),
    holds: { records: facts.records, files: facts.files, sessions: facts.sessions },
  };
}

const longDate = (at: Date) => at.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** The sentence a refusal gives: when erasure becomes possible, and why then. */
export function tooEarlyMessage(facts: RetentionFacts): string {
  return `${facts.name}'s records must be kept until the centre's retention period of ${facts.retentionYears} years has passed since ${RETENTION_BASIS_WORDS[facts.basis]} (${longDate(facts.from)}). They can be erased from ${longDate(facts.erasableFrom)}.`;
}
