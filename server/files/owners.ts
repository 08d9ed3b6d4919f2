import type { Caller } from '../context';
import type { Sql } from '../db/database';
import { learnerScopeSql } from '../scope';

/**
 * Who may read which attachment. Bytes are shared by hash (two learners may hold the same
 * file), so access follows `attachment_owners`: a caller reads a file only if it is held for a
 * learner in their scope, within their own centre.
 */

export interface AttachmentInfo {
  sha256: string;
  size: number;
  type: string;
}

export async function readableAttachment(db: Sql, caller: Caller, sha256: string): Promise<AttachmentInfo | null> {
  const scope = learnerScopeSql(caller, 'o.learner_id', 4);
  // Also the caller's own uploads not yet in any portfolio (an assessor's recording before it syncs).
  const rows = await db.query<{ sha256: string; size: string | number; type: string }>(
    `select a.sha256, a.size, a.type
       from attachments a
      where a.sha256 = $1
        and exists (select 1 from attachment_owners o join users u on u.id = o.learner_id
                     where o.sha256 = a.sha256 and u.centre_id = $2 and (o.learner_id = $3 or ${scope.sql}))`,
    [sha256, caller.centreId, caller.userId, ...scope.params],
  );
  const row = rows[0];
  return row ? { sha256: row.sha256, size: Number(row.size), type: row.type } : null;
}

/** Hashes from the list that the centre does not hold for this learner (the device must upload them first). */
export async function missingAttachments(db: Sql, learnerId: string, hashes: string[]): Promise<string[]> {
  const wanted = [...new Set(hashes)];
  if (wanted.length === 0) return [];
  const rows = await db.query<{ sha256: string }>(
    `select sha256 from attachment_owners where learner_id = $1 and sha256 = any($2::text[])`,
    [learnerId, wanted],
  );
  const held = new Set(rows.map((r) => r.sha256));
  return wanted.filter((h) => !held.has(h));
}

/** Holds files (already at the centre) for a learner too: an assessor's upload added to the learner's portfolio. */
export async function adoptAttachments(tx: Sql, learnerId: string, hashes: string[]): Promise<void> {
  if (hashes.length === 0) return;
  await tx.query(`insert into attachment_owners (sha256, learner_id) select unnest($1::text[]), $2 on conflict do nothing`, [hashes, learnerId]);
}

/** Records that the centre holds these bytes for this learner (or the assessor who uploaded them); a repeat is a no-op. */
export async function recordAttachment(tx: Sql, input: AttachmentInfo & { learnerId: string }): Promise<void> {
  await tx.query(`insert into attachments (sha256, size, type) values ($1, $2, $3) on conflict (sha256) do nothing`, [
    input.sha256,
    input.size,
    input.type,
  ]);
  await tx.query(`insert into attachment_owners (sha256, learner_id) values ($1, $2) on conflict do nothing`, [input.sha256, input.learnerId]);
}
