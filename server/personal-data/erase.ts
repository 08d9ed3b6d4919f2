import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErasureResult } from '../../src/domain/personal-data';
import { audit } from '../audit';
import type { Caller } from '../context';
import type { Database, Sql } from '../db/database';
import type { ContentStore } from '../files/store';
import { CHANGE_LOCK } from '../records';
import { retentionFacts, type RetentionFacts } from './retention';
import { AUDIT_ABOUT_LEARNER } from './subject-access';

/**
 * Erases a learner after the retention period (UK GDPR Art. 17), in one transaction under the
 * change lock, so no push or pull sees half of it:
 *   - their records (profile, enrolments, evidence, every decision about them) and every version;
 *     a tombstone per record (ids only) so staff devices drop their copies on the next pull and
 *     a late push is refused, not resurrected (server/sync/apply.ts, pull.ts);
 *   - their files, unless another learner holds the same bytes (content-addressed: the bytes stay
 *     for them and are no longer linked to this learner); the bytes go from disk after commit;
 *   - their device sessions, signing keys, caseload places, sync receipts, refused sign-ins;
 *   - the audit entries about them are redacted (migration 005 allows exactly that), and the
 *     erasure is audited with the opaque id, the admin's reason and counts: no name, no email;
 *   - the account itself.
 * Another learner's rows are never written: every statement is bound to this learner's id.
 */

export type EraseOutcome =
  | { kind: 'not-found' }
  | { kind: 'too-early'; facts: RetentionFacts }
  | { kind: 'erased'; result: ErasureResult; files: string[] };

export async function eraseLearner(
  db: Database,
  caller: Caller,
  learnerId: string,
  check: (facts: RetentionFacts) => void,
  reason: string,
  now: Date,
): Promise<EraseOutcome> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [CHANGE_LOCK]);
    const facts = await retentionFacts(tx, caller.centreId, learnerId);
    if (!facts) return { kind: 'not-found' } as const;
    if (now.getTime() < facts.erasableFrom.getTime()) return { kind: 'too-early', facts } as const;
    check(facts);
    await tx.query(`select set_config('ictp.erasure', 'on', true)`);

    const records = await tx.query<{ entity: string; id: string }>('select entity, id from records where learner_id = $1', [learnerId]);
    const files = await tx.query<{ sha256: string; shared: boolean }>(
      `select o.sha256,
              exists (select 1 from attachment_owners p join users u on u.id = p.learner_id
                       where p.sha256 = o.sha256 and p.learner_id <> $1 and u.role = 'learner')
              or exists (select 1 from records r where r.learner_id <> $1 and r.entity = 'evidence'
                          and r.data->'attachments' @> jsonb_build_array(jsonb_build_object('id', o.sha256))) as shared
         from attachment_owners o where o.learner_id = $1 order by o.sha256`,
      [learnerId],
    );
    const gone = files.filter((f) => !f.shared).map((f) => f.sha256);

    // Redacted first: the selector reads the records, sessions and keys about to go.
    const redacted = await tx.query<{ id: string }>(
      `update audit_log a
          set detail = '{"redacted": "erasure"}'::jsonb,
              device_id = case when a.user_id = $1::uuid then null else a.device_id end,
              -- An email used as a record id, and the hash of a file that is going (it would still
              -- confirm who held those bytes), go with the detail.
              record_id = case when a.entity = 'email' or (a.entity = 'attachment' and a.record_id = any($3::text[])) then null else a.record_id end
        where ${AUDIT_ABOUT_LEARNER} or (a.entity = 'attachment' and a.record_id = any($3::text[]))
        returning a.id::text as id`,
      [learnerId, facts.email, gone],
    );

    await tx.query('insert into erasures (learner_id, centre_id, erased_at, erased_by) values ($1, $2, $3, $4)', [learnerId, caller.centreId, now, caller.userId]);
    await tx.query(
      `insert into erased_records (entity, id, centre_id, learner_id, revision, seq, erased_at)
       select entity, id, centre_id, learner_id, revision + 1, nextval('change_seq'), $2 from records where learner_id = $1 order by seq`,
      [learnerId, now],
    );
    const ids = records.map((r) => r.id);
    await tx.query(`delete from applied_mutations where user_id = $1 or result->>'recordId' = any($2::text[])`, [learnerId, ids]);
    const [versions] = await tx.query<{ n: number }>(
      `with d as (delete from record_versions v using records r where r.learner_id = $1 and v.entity = r.entity and v.id = r.id returning 1) select count(*)::int as n from d`,
      [learnerId],
    );
    await tx.query('delete from records where learner_id = $1', [learnerId]);
    await tx.query('delete from attachment_owners where learner_id = $1', [learnerId]);
    // Bytes no other learner holds: an assessor's upload into this learner's portfolio goes with them.
    await tx.query('delete from attachment_owners where sha256 = any($1::text[])', [gone]);
    await tx.query('delete from attachments where sha256 = any($1::text[])', [gone]);
    await tx.query('delete from caseloads where learner_id = $1', [learnerId]);
    await tx.query('delete from scope_exits where learner_id = $1', [learnerId]);
    const [keys] = await tx.query<{ n: number }>(`with d as (delete from signing_keys where user_id = $1 returning 1) select count(*)::int as n from d`, [learnerId]);
    const [sessions] = await tx.query<{ n: number }>(`with d as (delete from device_sessions where user_id = $1 returning 1) select count(*)::int as n from d`, [learnerId]);
    await tx.query('delete from sign_in_failures where lower(email) = lower($1)', [facts.email]);
    await clearReferences(tx, learnerId);
    await tx.query('delete from users where id = $1', [learnerId]);

    const result: ErasureResult = {
      learnerId,
      erasedAt: now.toISOString(),
      records: records.length,
      versions: versions?.n ?? 0,
      filesDeleted: gone.length,
      filesKept: files.length - gone.length,
      sessions: sessions?.n ?? 0,
      signingKeys: keys?.n ?? 0,
      auditEntriesRedacted: redacted.length,
    };
    const { learnerId: _id, erasedAt: _at, ...counts } = result;
    await audit(tx, caller, 'learner-erased', { entity: 'erasure', recordId: learnerId }, {
      reason,
      retentionYears: facts.retentionYears,
      retentionFrom: facts.from.toISOString(),
      basis: facts.basis,
      ...counts,
    });
    return { kind: 'erased', result, files: gone } as const;
  });
}

/**
 * A learner writes only their own records and sessions, so nothing else should name them; these
 * clear any reference that would otherwise stop the account's deletion (a foreign key), rather
 * than fail the erasure with a server error.
 */
async function clearReferences(tx: Sql, learnerId: string): Promise<void> {
  await tx.query('update records set updated_by = null where updated_by = $1', [learnerId]);
  await tx.query('update record_versions set by_user = null where by_user = $1', [learnerId]);
  await tx.query('update device_sessions set revoked_by = null where revoked_by = $1', [learnerId]);
  await tx.query('update signing_keys set revoked_by = null where revoked_by = $1', [learnerId]);
  await tx.query('update qualification_specs set imported_by = null where imported_by = $1', [learnerId]);
}

/**
 * After the commit: the bytes of the erased files, and any upload the learner had not finished
 * (tus keeps it under uploads/ with its metadata in <id>.json). A failure here is logged with the
 * hash, never thrown: the database already says the file is gone, and the operator can remove it.
 */
export async function removeErasedFiles(store: ContentStore, filesDir: string, hashes: readonly string[], learnerId: string): Promise<number> {
  let problems = 0;
  for (const sha256 of hashes) {
    try {
      await store.remove(sha256);
    } catch (error) {
      problems++;
      console.error(`Erasure: could not delete file ${sha256} from the store`, error);
    }
  }
  const uploads = join(filesDir, 'uploads');
  let names: string[] = [];
  try {
    names = await readdir(uploads);
  } catch {
    return problems;
  }
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    try {
      const upload = JSON.parse(await readFile(join(uploads, name), 'utf8')) as { id?: unknown; metadata?: { uploader?: unknown } };
      if (upload.metadata?.uploader !== learnerId) continue;
      await rm(join(uploads, name.slice(0, -'.json'.length)), { force: true });
      await rm(join(uploads, name), { force: true });
    } catch (error) {
      problems++;
      console.error(`Erasure: could not check or remove unfinished upload ${name}`, error);
    }
  }
  return problems;
}
