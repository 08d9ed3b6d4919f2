import { uuidv7 } from '../domain/ids';
import type { SyncEntity } from '../domain/sync';
import { db, type OutboxEntry } from './db';

/**
 * Queues a change for the centre. Must be called inside the same Dexie transaction as the write
 * it describes, so a crash leaves both or neither. Consecutive edits of one record coalesce into
 * the waiting mutation (typing does not queue one mutation per keystroke), but never into one
 * already handed to the network.
 */
export async function enqueue(
  entity: SyncEntity,
  recordId: string,
  op: 'upsert' | 'delete',
  baseRevision: number,
  patch: Record<string, unknown>,
): Promise<void> {
  const outbox = db().outbox;
  const waiting = await outbox
    .where('[entity+recordId]')
    .equals([entity, recordId])
    .filter((m) => m.sentAt === null)
    .last();
  if (waiting && waiting.op === op) {
    // A new edit of a change the centre refused is the user's answer to the refusal: send it again.
    await outbox.update(waiting.seq!, { patch: { ...waiting.patch, ...patch }, reason: null, lastError: null });
    return;
  }
  const entry: OutboxEntry = {
    id: uuidv7(),
    entity,
    recordId,
    op,
    baseRevision,
    patch,
    createdAt: new Date().toISOString(),
    attempts: 0,
    lastError: null,
    sentAt: null,
    reason: null,
    serverRecord: null,
  };
  await outbox.add(entry);
}

export async function pendingCount(): Promise<number> {
  return db().outbox.count();
}
