import type { Evidence } from '../domain/evidence';
import { FrameworkSpec } from '../domain/qualification';
import type { PullResponse, SyncRecord } from '../domain/sync';
import { knowAttachments } from './attachments';
import { db, type StoredFramework } from './db';
import { overlayWaitingDecisions } from './decisions';
import { guardWrite } from './errors';
import { noteReplacedByCentre } from './evidence';
import { META, readMeta, writeMeta } from './meta';
import { entriesOf, SYNC_TABLES } from './sync-outbox';
import { decisionFromRecord, enrolmentFromRecord, evidenceFromRecord, profileFromRecord, rebaseEvidence, rebaseRow, sameJson } from './sync-records';

/**
 * The pull side of sync in the database: where the device is in the centre's change sequence, and
 * applying one page of changes together with the cursor after it, in one transaction, so a crash
 * or a lost connection never leaves changes applied but the cursor behind (or the reverse).
 */

export async function pullCursor(): Promise<string> {
  if (await readMeta<boolean>(META.pullFromStart)) return '0';
  return (await readMeta<string>(META.pullCursor)) ?? '0';
}

export interface SpecVersion {
  id: string;
  version: number;
}

/** Spec versions that the page's enrolments started on and this device does not hold. */
export async function missingSpecs(changes: readonly SyncRecord[]): Promise<SpecVersion[]> {
  const wanted = new Map<string, SpecVersion>();
  for (const change of changes) {
    if (change.entity !== 'enrolment' || change.deleted) continue;
    const { qualificationId, qualificationVersion } = change.data;
    if (typeof qualificationId === 'string' && typeof qualificationVersion === 'number')
      wanted.set(`${qualificationId}@${qualificationVersion}`, { id: qualificationId, version: qualificationVersion });
  }
  if (wanted.size === 0) return [];
  const held = new Set(await db().frameworks.where('key').anyOf([...wanted.keys()]).primaryKeys());
  return [...wanted.entries()].filter(([key]) => !held.has(key)).map(([, v]) => v);
}

export interface PulledPage {
  applied: number;
  /** Records whose waiting local changes were laid again on top of the centre's copy. */
  rebased: number;
}

/** Applies a page of the centre's changes, the specs they need, and the cursor, in one transaction. */
export async function applyPullPage(page: PullResponse, specs: readonly FrameworkSpec[] = []): Promise<PulledPage> {
  // Validate before the transaction starts: a record this version cannot read stops the pull with
  // nothing written (UnreadableRecordError), rather than half a page.
  const parsedSpecs = specs.map((spec) => FrameworkSpec.parse(spec));
  return guardWrite(() =>
    db().transaction('rw', [...SYNC_TABLES(), db().frameworks], async () => {
      const effect: PulledPage = { applied: 0, rebased: 0 };
      const dropped = new Set<string>();
      for (const record of page.changes) {
        const outcome = await applyRecord(record, dropped);
        if (outcome !== 'skipped') effect.applied++;
        if (outcome === 'rebased') effect.rebased++;
      }
      await dropUnnamedFiles(dropped);
      if (parsedSpecs.length > 0) {
        const storedAt = new Date().toISOString();
        await db().frameworks.bulkPut(
          parsedSpecs.map((spec): StoredFramework => ({ key: `${spec.id}@${spec.version}`, id: spec.id, version: spec.version, kind: spec.kind, spec, storedAt })),
        );
      }
      await writeMeta(META.pullCursor, page.cursor);
      // A read from the start is under way once its first page is in: later pages follow the cursor.
      await db().meta.delete(META.pullFromStart);
      return effect;
    }),
  );
}

type Outcome = 'applied' | 'rebased' | 'removed' | 'skipped';

async function applyRecord(record: SyncRecord, dropped: Set<string>): Promise<Outcome> {
  const waiting = await entriesOf(record.entity, record.id);
  switch (record.entity) {
    case 'evidence':
      return applyEvidence(record, waiting, dropped);
    case 'enrolment': {
      if (record.deleted) return removeUnlessWaiting(db().enrolments, record.id, waiting.length);
      const local = await db().enrolments.get(record.id);
      if ((local?.serverRevision ?? 0) > record.revision) return 'skipped';
      await db().enrolments.put(rebaseRow(enrolmentFromRecord(record), waiting));
      return waiting.length > 0 ? 'rebased' : 'applied';
    }
    case 'profile': {
      if (record.deleted) return removeUnlessWaiting(db().profile, record.id, waiting.length);
      const local = await db().profile.get(record.id);
      if ((local?.serverRevision ?? 0) > record.revision) return 'skipped';
      await db().profile.put(rebaseRow(profileFromRecord(record), waiting));
      return waiting.length > 0 ? 'rebased' : 'applied';
    }
    case 'decision': {
      if (record.deleted) return removeUnlessWaiting(db().decisions, record.id, waiting.length);
      // Immutable: the centre's copy is the one signed here or on the signer's device. A copy of
      // ours still waiting (its answer was lost) stays in the outbox; the push settles it.
      await db().decisions.put(decisionFromRecord(record));
      return 'applied';
    }
  }
}

/** A record gone from the centre (or from this user's scope) goes here too, unless changes wait for it. */
async function removeUnlessWaiting(table: { delete(id: string): Promise<void> }, id: string, waiting: number): Promise<Outcome> {
  // Waiting changes are kept: the push reports what the centre says about them, and nothing typed is lost.
  if (waiting > 0) return 'skipped';
  await table.delete(id);
  return 'removed';
}

/**
 * An item the centre withdrew from this device (its learner erased, or off this assessor's
 * caseload) goes with its local history, and the files it named become candidates to drop.
 */
async function removeEvidence(id: string, waiting: number, dropped: Set<string>): Promise<Outcome> {
  if (waiting > 0) return 'skipped';
  const local = await db().evidence.get(id);
  for (const ref of local?.attachments ?? []) dropped.add(ref.id);
  await db().evidenceHistory.where('evidenceId').equals(id).delete();
  await db().evidence.delete(id);
  return 'removed';
}

/**
 * Drops the bytes of `candidates` that no item left on the device names, once the centre holds
 * them: nothing waiting to upload (work made here) is ever dropped. One pass over the items.
 */
async function dropUnnamedFiles(candidates: Set<string>): Promise<void> {
  if (candidates.size === 0) return;
  await db().evidence.each((item: Evidence) => {
    for (const ref of item.attachments) candidates.delete(ref.id);
  });
  const rows = await db().attachments.bulkGet([...candidates]);
  const gone = rows.filter((row) => row && row.uploadState === 'uploaded').map((row) => row!.id);
  if (gone.length > 0) await db().attachments.bulkDelete(gone);
}

async function applyEvidence(record: SyncRecord, waiting: Awaited<ReturnType<typeof entriesOf>>, dropped: Set<string>): Promise<Outcome> {
  if (record.deleted) return removeEvidence(record.id, waiting.length, dropped);
  const local = await db().evidence.get(record.id);
  if (local && local.serverRevision > record.revision) return 'skipped';
  const server = evidenceFromRecord(record);
  let next: Evidence;
  if (waiting.length > 0) {
    // The waiting changes keep their base revision: the centre must see them as made alongside
    // this copy, so it merges them and keeps any overlapping text as a conflict copy.
    const rebased = rebaseEvidence(server, waiting);
    next = { ...rebased.record, serverRevision: record.revision, dirty: 1 };
    for (const [i, entry] of waiting.entries())
      if (entry.sentAt === null && !sameJson(rebased.patches[i], entry.patch)) await db().outbox.update(entry.seq!, { patch: rebased.patches[i] });
  } else next = server;
  // Decisions made here and not yet at the centre keep showing their effect on the item.
  next = await overlayWaitingDecisions(next);
  await db().evidence.put(next);
  if (local && waiting.length === 0) await noteReplacedByCentre(local, next);
  await knowAttachments(next.attachments);
  return waiting.length > 0 ? 'rebased' : 'applied';
}
