import type { Evidence } from '../domain/evidence';
import { uuidv7 } from '../domain/ids';
import type { Mutation, PushResult, RejectReason, SyncEntity, SyncRecord } from '../domain/sync';
import { attachmentIdsOf, markForUpload } from './attachments';
import { db, type OutboxEntry } from './db';
import { guardWrite } from './errors';
import { decisionTitle, evidenceIdsOfEntry, redoDecision, undoRefusedDecision } from './decisions';
import { contentOf, keepAsNewDraft, noteReplacedByCentre } from './evidence';
import { markRevoked, unregisteredKeys } from './keys';
import { META, writeMeta } from './meta';
import { decisionFromRecord, enrolmentFromRecord, evidenceFromRecord, profileFromRecord, rebaseEvidence, rebaseRow, sameJson } from './sync-records';

/**
 * The outbox as sync sees it: which changes go in the next push, and what each answer from the
 * centre does to the outbox and the records, one Dexie transaction per push answer.
 */

/**
 * Refusals that wait for the user (Retry or Discard): sending the same change again would fail
 * again. ('locked' evidence never waits: it becomes a new draft. A missing file is uploaded first.)
 */
const HELD: ReadonlySet<RejectReason> = new Set(['forbidden', 'invalid', 'not-found', 'locked', 'signing-key']);

export function isHeld(entry: Pick<OutboxEntry, 'reason'>): boolean {
  return !!entry.reason && HELD.has(entry.reason);
}

const recordKey = (e: Pick<OutboxEntry, 'entity' | 'recordId'>) => `${e.entity}:${e.recordId}`;

/**
 * Which entries may be sent now, in order. One change per record per push: the centre bases each
 * change on a revision, and the next change of a record can only name the revision the previous
 * one produced once its answer is in. A refused change holds back the later changes of its record
 * (they were made on top of it); a change naming a file the centre does not hold yet waits too.
 */
export function pushableEntries(
  entries: readonly OutboxEntry[],
  filesNotAtCentre: ReadonlySet<string> = new Set(),
  /** Signing keys the centre has not registered yet: decisions signed with them would be refused. */
  keysNotAtCentre: ReadonlySet<string> = new Set(),
  /** Entries (by seq) already refused in this sync, so one sync never sends a change twice. */
  notNow: ReadonlySet<number> = new Set(),
): OutboxEntry[] {
  const taken = new Set<string>();
  // Items with a change that stays behind: a decision made after it signed content the centre
  // does not hold yet, so it waits (the centre checks what was signed against what it holds).
  const behind = new Set<string>();
  const result: OutboxEntry[] = [];
  for (const entry of [...entries].sort((a, b) => a.seq! - b.seq!)) {
    const key = recordKey(entry);
    const waits =
      taken.has(key) ||
      isHeld(entry) ||
      notNow.has(entry.seq!) ||
      attachmentIdsOf(entry).some((id) => filesNotAtCentre.has(id)) ||
      (entry.entity === 'decision' && (keysNotAtCentre.has(String(entry.patch.keyId)) || evidenceIdsOfEntry(entry).some((id) => behind.has(id))));
    taken.add(key);
    if (waits) {
      if (entry.entity === 'evidence') behind.add(entry.recordId);
      continue;
    }
    result.push(entry);
  }
  return result;
}

export async function nextPushBatch(limit: number, filesNotAtCentre: ReadonlySet<string>, notNow: ReadonlySet<number> = new Set()): Promise<OutboxEntry[]> {
  const entries = await db().outbox.orderBy('seq').toArray();
  const keysNotAtCentre = new Set((await unregisteredKeys()).map((k) => k.id));
  return pushableEntries(entries, filesNotAtCentre, keysNotAtCentre, notNow).slice(0, limit);
}

export function mutationOf(entry: OutboxEntry): Mutation {
  const { id, entity, recordId, op, baseRevision, patch, createdAt } = entry;
  return { id, entity, recordId, op, baseRevision, patch, createdAt };
}

/**
 * Freezes the entries before they go on the network: from now on a later edit makes a new entry,
 * because the centre may apply this one and answers a resend of its id without reading it again.
 */
export async function markSent(entries: OutboxEntry[]): Promise<Mutation[]> {
  const now = new Date().toISOString();
  return guardWrite(() =>
    db().transaction('rw', db().outbox, async () => {
      // Read and written in bulk: one request each way instead of two per entry (bench measure 5).
      const currents = await db().outbox.bulkGet(entries.map((e) => e.seq!));
      // Discarded, or answered by another tab, since the batch was read.
      const still = currents.filter((current, i): current is OutboxEntry => !!current && current.id === entries[i]!.id);
      await db().outbox.bulkPut(still.map((current) => ({ ...current, sentAt: current.sentAt ?? now, attempts: current.attempts + 1 })));
      return still.map(mutationOf);
    }),
  );
}

/**
 * The request failed on the way (offline, timeout, centre down). The entries stay frozen and are
 * sent again as they are: if the centre did apply them, it recognises their ids.
 */
export async function noteSendFailure(mutationIds: string[], message: string): Promise<void> {
  await db().outbox.where('id').anyOf(mutationIds).modify({ lastError: message });
}

/** Holds a change this device itself finds it cannot send, with the reason, like a refusal. */
export async function holdChange(seq: number, reason: RejectReason, message: string): Promise<void> {
  await db().outbox.update(seq, { reason, lastError: message, sentAt: null, id: uuidv7() });
}

export type PushEffect = 'applied' | 'merged' | 'kept-as-copy' | 'dropped' | 'waiting-for-files' | 'held' | 'unknown';

/** The title of the copy kept when an item was signed off while this device was changing it. */
export const LOCKED_COPY_NOTE = '(copy: edited after sign-off)';

/** A record's waiting changes, oldest first. */
export async function entriesOf(entity: SyncEntity, recordId: string): Promise<OutboxEntry[]> {
  return (await db().outbox.where('[entity+recordId]').equals([entity, recordId]).toArray()).sort((a, b) => a.seq! - b.seq!);
}

export const SYNC_TABLES = () => [
  db().outbox,
  db().evidence,
  db().evidenceHistory,
  db().profile,
  db().enrolments,
  db().attachments,
  db().meta,
  db().decisions,
  db().signingKeys,
];

/**
 * Applies a push's answers in one transaction with the outbox changes they settle: one commit per
 * push instead of one per change (a first sync of 1,000 items spent 8 s committing them one by
 * one: bench measure 5). If any answer cannot be applied, none is, and the changes go again: the
 * centre answers a resent mutation id with what it already did.
 */
export async function applyPushResults(results: readonly PushResult[], deviceId: string): Promise<PushEffect[]> {
  if (results.length === 0) return [];
  return guardWrite(() =>
    db().transaction('rw', SYNC_TABLES(), async () => {
      // The settled entries and their records' other waiting changes, read in two requests. A push
      // carries one change per record (pushableEntries), so settling one never touches another's.
      const settled = new Map((await db().outbox.where('id').anyOf(results.map((r) => r.mutationId)).toArray()).map((e) => [e.id, e]));
      const waiting = new Map<string, OutboxEntry[]>();
      const keys = [...settled.values()].map((e): [string, string] => [e.entity, e.recordId]);
      for (const e of await db().outbox.where('[entity+recordId]').anyOf(keys).toArray()) waiting.set(recordKey(e), [...(waiting.get(recordKey(e)) ?? []), e]);
      const effects: PushEffect[] = [];
      for (const result of results) {
        const entry = settled.get(result.mutationId);
        const later = entry ? (waiting.get(recordKey(entry)) ?? []).filter((e) => e.seq! > entry.seq!).sort((a, b) => a.seq! - b.seq!) : [];
        effects.push(await settleResult(result, entry, later, deviceId));
      }
      return effects;
    }),
  );
}

/** One answer, inside the caller's transaction. */
async function settleResult(result: PushResult, entry: OutboxEntry | undefined, later: OutboxEntry[], deviceId: string): Promise<PushEffect> {
  // Already settled (an answer to a resend, or another tab got there first).
  if (!entry) return 'unknown';
  switch (result.status) {
    case 'applied':
      await db().outbox.delete(entry.seq!);
      await settleApplied(entry, later, result.revision);
      return 'applied';
    case 'conflict':
      await db().outbox.delete(entry.seq!);
      await settleConflict(entry, later, result.record, result.fields, deviceId);
      return 'merged';
    case 'rejected':
      return settleRejected(entry, later, result.reason, result.message, result.record ?? null, deviceId);
  }
}

/** Later changes of the record were made on top of this one, so they are now based on its revision. */
async function rebaseLater(later: OutboxEntry[], revision: number, patches?: Array<Record<string, unknown>>): Promise<void> {
  for (const [i, e] of later.entries()) {
    // A frozen entry (already handed to the network) is resent exactly as it went: the centre may
    // hold it under its id, and it reads an older base as "this device's own earlier edits"
    // (server/sync/merge.ts, deviceView), which keeps its merge right.
    if (e.sentAt !== null) continue;
    const patch = patches?.[i];
    await db().outbox.update(e.seq!, patch ? { baseRevision: revision, patch } : { baseRevision: revision });
  }
}

async function settleApplied(entry: OutboxEntry, later: OutboxEntry[], revision: number): Promise<void> {
  await rebaseLater(later, revision);
  const confirmed = (row: { serverRevision?: number }) => Math.max(row.serverRevision ?? 0, revision);
  if (entry.entity === 'evidence') {
    const row = await db().evidence.get(entry.recordId);
    // Clean only when nothing else waits for the record. A put of the row just read (update would read it again).
    if (row) await db().evidence.put({ ...row, serverRevision: confirmed(row), dirty: later.length > 0 ? 1 : 0 });
  } else if (entry.entity === 'enrolment') {
    const row = await db().enrolments.get(entry.recordId);
    if (row) await db().enrolments.update(row.id, { serverRevision: confirmed(row) });
  } else if (entry.entity === 'decision') {
    // The centre applied its effect on the items too; the pull brings them.
    const row = await db().decisions.get(entry.recordId);
    if (row) await db().decisions.update(row.id, { serverRevision: confirmed(row) });
  } else {
    const row = await db().profile.get(entry.recordId);
    if (row) await db().profile.update(row.id, { serverRevision: confirmed(row) });
  }
}

/**
 * The centre merged our change with another device's: take its merged record, then lay the later
 * waiting changes on top again, so the screen shows what the centre will hold after they go.
 */
async function settleConflict(entry: OutboxEntry, later: OutboxEntry[], record: SyncRecord, fields: string[], deviceId: string): Promise<void> {
  if (entry.entity === 'evidence') {
    const local = await db().evidence.get(entry.recordId);
    // Of the overlapping fields, ours lost where the merged record does not hold what we sent
    // (text: the centre's stands); where ours won (dates, lists: the later write), later edits apply.
    const lostFields = fields.filter((f) => f in entry.patch && !sameJson(record.data[f], entry.patch[f]));
    const rebased = rebaseEvidence(evidenceFromRecord(record), later, { lostFields, deviceId });
    const next: Evidence = { ...rebased.record, serverRevision: record.revision, dirty: later.length > 0 ? 1 : 0 };
    await db().evidence.put(next);
    if (local) await noteReplacedByCentre(local, next);
    await rebaseLater(later, record.revision, rebased.patches);
    return;
  }
  if (entry.entity === 'decision') {
    // Decisions never change, so the centre has no merge to offer: it holds this one already.
    await db().decisions.put({ ...decisionFromRecord(record), serverRevision: record.revision });
    return;
  }
  if (entry.entity === 'enrolment') await db().enrolments.put(rebaseRow(enrolmentFromRecord(record), later));
  else await db().profile.put(rebaseRow(profileFromRecord(record), later));
  await rebaseLater(later, record.revision);
}

async function settleRejected(
  entry: OutboxEntry,
  later: OutboxEntry[],
  reason: RejectReason,
  message: string,
  record: SyncRecord | null,
  deviceId: string,
): Promise<PushEffect> {
  if (reason === 'locked' && entry.entity === 'evidence') return keepLockedEditAsCopy(entry, record, deviceId);
  if (reason === 'missing-attachment') await markForUpload([entry, ...later].flatMap(attachmentIdsOf));
  if (entry.entity === 'decision') {
    await undoRefusedDecision(entry, record);
    if (reason === 'signing-key' && typeof entry.patch.keyId === 'string') {
      // The centre does not accept the key for this user (revoked, unknown or someone else's):
      // sync makes a new one, and the user signs again (a signature cannot be moved to another key).
      await markRevoked(entry.patch.keyId);
      message = `${message.trim()} This device is making a new signing key: make this decision again to sign it with the new key, then discard this one.`;
    }
  }
  // Refused, so certainly not applied: a fresh id, and open to later edits again (which retry it).
  await db().outbox.update(entry.seq!, {
    id: uuidv7(),
    sentAt: null,
    reason,
    lastError: message,
    serverRecord: record,
  });
  return reason === 'missing-attachment' ? 'waiting-for-files' : 'held';
}

/**
 * The item was signed off (frozen) at the centre while this device was changing it. The device's
 * text becomes a new draft, so the learner can use it as new evidence; the item itself goes back
 * to the centre's signed-off copy, and the refused changes are dropped.
 */
async function keepLockedEditAsCopy(entry: OutboxEntry, record: SyncRecord | null, deviceId: string): Promise<PushEffect> {
  const local = await db().evidence.get(entry.recordId);
  const all = await entriesOf('evidence', entry.recordId);
  await db().outbox.bulkDelete(all.map((e) => e.seq!));
  const server = record ? evidenceFromRecord(record) : null;
  let effect: PushEffect = 'dropped';
  // Nothing to keep when the device's change was deleting it, or matches the centre's copy anyway.
  if (local && !local.deletedAt && (!server || !sameJson(contentOf(local), contentOf(server)))) {
    await keepAsNewDraft(local, LOCKED_COPY_NOTE, deviceId);
    effect = 'kept-as-copy';
  }
  if (server) await db().evidence.put({ ...server, dirty: 0 });
  // Without the centre's copy, the next pull brings it (its sign-off is newer than our cursor).
  else if (local) await db().evidence.update(local.id, { dirty: 0 });
  return effect;
}

// --- What the user sees and does about refused changes ------------------------------------------

export interface SyncFailure {
  /** The outbox entry (for Retry and Discard). */
  seq: number;
  entity: SyncEntity;
  recordId: string;
  /** Words the user recognises the record by. */
  title: string;
  reason: RejectReason;
  message: string;
  /** Discard restores the centre's copy, so it is offered only for records the centre holds. */
  canDiscard: boolean;
}

export interface OutboxSummary {
  /** Changes saved here that the centre has not confirmed. */
  waiting: number;
  /** Of those, how many the next push may send now. */
  pushable: number;
  /**
   * One key per unsent, sendable change, which changes whenever the user's edit lands in it. A
   * key not seen before means a new local write (sync's own bookkeeping never makes one).
   */
  editKeys: string[];
  failures: SyncFailure[];
}

/** FNV-1a: a cheap fingerprint of a patch, to notice that the user typed into a waiting change. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

async function titleOf(entity: SyncEntity, recordId: string): Promise<string> {
  if (entity === 'profile') return 'Your name and employer';
  if (entity === 'enrolment') return 'Your enrolment';
  if (entity === 'decision') return decisionTitle(recordId);
  const item = await db().evidence.get(recordId);
  return item?.title.trim() || 'Untitled draft';
}

export async function outboxSummary(): Promise<OutboxSummary> {
  const entries = await db().outbox.orderBy('seq').toArray();
  const failures: SyncFailure[] = [];
  for (const entry of entries) {
    if (!entry.reason) continue;
    failures.push({
      seq: entry.seq!,
      entity: entry.entity,
      recordId: entry.recordId,
      title: await titleOf(entry.entity, entry.recordId),
      reason: entry.reason,
      message: entry.lastError ?? 'Your centre refused this change.',
      // A refused decision is only ever this device's: discarding it drops it (its items are already back).
      canDiscard: entry.entity === 'decision' || !!entry.serverRecord || entry.baseRevision > 0,
    });
  }
  const pushable = pushableEntries(entries);
  const editKeys = pushable.filter((e) => e.sentAt === null).map((e) => `${e.seq}:${e.id}:${fingerprint(JSON.stringify(e.patch))}`);
  return { waiting: entries.length, pushable: pushable.length, editKeys, failures };
}

export class ChangeNotFoundError extends Error {
  override readonly name = 'ChangeNotFoundError';
  constructor() {
    super('That change is no longer waiting: it may have been sent or discarded in another tab.');
  }
}

/** The user asks to send a refused change again (after fixing what the centre said, or to try anyway). */
export async function retryChange(seq: number): Promise<void> {
  await guardWrite(() =>
    db().transaction('rw', SYNC_TABLES(), async () => {
      const entry = await db().outbox.get(seq);
      if (!entry) throw new ChangeNotFoundError();
      await db().outbox.update(seq, { reason: null, lastError: null });
      if (entry.entity === 'decision' && entry.reason) await redoDecision({ ...entry, reason: null });
    }),
  );
}

/**
 * The user gives up a refused change: its record goes back to the centre's copy. The text that is
 * dropped stays in the item's history, so even this can be undone.
 */
export async function discardChange(seq: number): Promise<void> {
  await guardWrite(() =>
    db().transaction('rw', SYNC_TABLES(), async () => {
      const entry = await db().outbox.get(seq);
      if (!entry) throw new ChangeNotFoundError();
      if (entry.entity === 'decision') {
        // Never in effect at the centre: the decision goes, and its items were put back when it was refused.
        if (!entry.reason) throw new Error('This decision has not been refused: it is still waiting to go to your centre.');
        await db().outbox.delete(seq);
        await db().decisions.delete(entry.recordId);
        return;
      }
      if (!entry.serverRecord && entry.baseRevision === 0)
        throw new Error('Your centre has never had this record, so there is no centre copy to go back to. Change it and try again instead.');
      const all = await entriesOf(entry.entity, entry.recordId);
      await db().outbox.bulkDelete(all.map((e) => e.seq!));
      const record = entry.serverRecord;
      if (entry.entity === 'evidence') {
        const local = await db().evidence.get(entry.recordId);
        if (record) {
          const server = evidenceFromRecord(record);
          await db().evidence.put(server);
          if (local) await noteReplacedByCentre(local, server);
        } else if (local) await db().evidence.update(local.id, { dirty: 0 });
      } else if (record) {
        if (entry.entity === 'enrolment') await db().enrolments.put(enrolmentFromRecord(record));
        else await db().profile.put(profileFromRecord(record));
      }
      // Without the centre's copy at hand, read everything again: the pull then overwrites the
      // record, because nothing waits for it any more.
      if (!record) await writeMeta(META.pullFromStart, true);
    }),
  );
}

export interface WaitingChange {
  seq: number;
  entity: SyncEntity;
  recordId: string;
  title: string;
  /** When the change was first saved here. */
  since: string;
  attempts: number;
  /** Why the last attempt did not go through (connection, centre), if it did not. */
  lastError: string | null;
}

/** Everything saved here that the centre has not confirmed, oldest first, for the Device screen. */
export async function waitingChanges(): Promise<WaitingChange[]> {
  const entries = await db().outbox.orderBy('seq').toArray();
  const titles = new Map<string, string>();
  const changes: WaitingChange[] = [];
  for (const e of entries) {
    const key = recordKey(e);
    if (!titles.has(key)) titles.set(key, await titleOf(e.entity, e.recordId));
    changes.push({ seq: e.seq!, entity: e.entity, recordId: e.recordId, title: titles.get(key)!, since: e.createdAt, attempts: e.attempts, lastError: e.reason ? null : e.lastError });
  }
  return changes;
}
