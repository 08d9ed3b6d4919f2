import type { Mutation } from '../../src/domain/sync';
import type { Sql } from '../db/database';
import type { Refused } from '../sync/authorise';

/**
 * A pushed change that touches an erased learner (server/personal-data/erase.ts): the record
 * itself, or the enrolment, learner (their profile's id) or evidence it refers to. Refused with
 * words a person can read, never applied: a device that held the learner's records offline cannot
 * bring them back. The check reads ids only, compared as text, so no patch can make it fail.
 */
export async function erasedTarget(tx: Sql, m: Mutation): Promise<Refused | null> {
  const refs: Array<[string, string]> = [[m.entity, m.recordId]];
  const p = m.patch;
  if (typeof p.enrolmentId === 'string') refs.push(['enrolment', p.enrolmentId]);
  if (typeof p.learnerId === 'string') refs.push(['profile', p.learnerId]);
  if (Array.isArray(p.evidence)) for (const e of p.evidence as unknown[]) if (typeof (e as { id?: unknown })?.id === 'string') refs.push(['evidence', (e as { id: string }).id]);
  const [row] = await tx.query<{ erased_at: Date }>(
    `select erased_at from erased_records where (entity, id) in (select x->>0, x->>1 from jsonb_array_elements($1::jsonb) x) limit 1`,
    [JSON.stringify(refs)],
  );
  if (!row) return null;
  const when = new Date(row.erased_at).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  return {
    reason: 'not-found',
    message: `This change is about a learner whose records the centre erased on ${when}, at the end of its retention period. It was not applied, and the centre keeps nothing of it.`,
  };
}
