import type { Sql } from './db/database';
import { readRecord, writeRecord } from './records';

/**
 * A learner's profile is a synced record (id = user id), so their device pulls their name with
 * everything else and can add their employer offline. Only learners have one.
 */
export async function writeLearnerProfile(
  tx: Sql,
  input: { learnerId: string; centreId: string; name: string; byUser: string | null; deviceId?: string | null },
): Promise<void> {
  const existing = await readRecord(tx, 'profile', input.learnerId);
  if (existing && !existing.deleted && existing.data.name === input.name) return;
  // Keep what the learner wrote (employer); the centre owns the name.
  const data = { employer: '', ...(existing?.data ?? {}), name: input.name };
  await writeRecord(tx, {
    entity: 'profile',
    id: input.learnerId,
    centreId: input.centreId,
    learnerId: input.learnerId,
    data,
    byUser: input.byUser,
    deviceId: input.deviceId ?? null,
  });
}

/** When someone stops being a learner their devices drop the profile; the history stays. */
export async function retireLearnerProfile(tx: Sql, input: { learnerId: string; byUser: string | null }): Promise<void> {
  const existing = await readRecord(tx, 'profile', input.learnerId);
  if (!existing || existing.deleted) return;
  await writeRecord(tx, {
    entity: 'profile',
    id: existing.id,
    centreId: existing.centreId,
    learnerId: existing.learnerId,
    data: existing.data,
    deleted: true,
    byUser: input.byUser,
    deviceId: null,
  });
}
