import { z } from 'zod';
import { Enrolment, LearnerProfile } from '../domain/enrolment';
import { Evidence } from '../domain/evidence';
import { uuidv7 } from '../domain/ids';
import { Decision } from '../domain/signoff';
import type { FieldConflict, SyncEntity, SyncRecord } from '../domain/sync';
import type { OutboxEntry, StoredDecision, Synced } from './db';

/**
 * How records travel between the centre's shape (SyncRecord: id, revision, data) and the rows this
 * device stores, and how waiting local changes are laid again on top of newer centre data. Pure:
 * no IndexedDB here, so the rules can be read and tested on their own.
 */

const ENTITY_WORDS: Record<SyncEntity, string> = { profile: 'your profile', enrolment: 'an enrolment', evidence: 'an evidence item', decision: 'a signed decision' };

/** The centre sent a record this app version cannot read: stop, keep everything, ask for an update. */
export class UnreadableRecordError extends Error {
  override readonly name = 'UnreadableRecordError';
  constructor(
    readonly record: Pick<SyncRecord, 'entity' | 'id'>,
    detail: string,
  ) {
    super(
      `Your centre sent ${ENTITY_WORDS[record.entity]} that this version of the app cannot read (${detail}). Update the app; nothing on this device was changed.`,
    );
  }
}

function issuesOf(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'record'}: ${i.message}`)
    .join('; ');
}

export function evidenceFromRecord(record: SyncRecord): Evidence {
  const parsed = Evidence.safeParse({ conflicts: [], ...record.data, id: record.id, serverRevision: record.revision, dirty: 0 });
  if (!parsed.success) throw new UnreadableRecordError(record, issuesOf(parsed.error));
  return parsed.data;
}

/** A signed decision as the centre holds it (immutable); its signature is checked by the centre, not here. */
export function decisionFromRecord(record: SyncRecord): StoredDecision {
  const parsed = Decision.safeParse({ ...record.data, id: record.id });
  if (!parsed.success) throw new UnreadableRecordError(record, issuesOf(parsed.error));
  return { ...parsed.data, serverRevision: record.revision, evidenceIds: parsed.data.evidence.map((e) => e.id) };
}

export function enrolmentFromRecord(record: SyncRecord): Enrolment & Synced {
  const parsed = Enrolment.safeParse({ ...record.data, id: record.id });
  if (!parsed.success) throw new UnreadableRecordError(record, issuesOf(parsed.error));
  return { ...parsed.data, serverRevision: record.revision };
}

/**
 * A profile as the centre holds it: the centre makes one per learner from their name alone, so the
 * employer may still be empty (the learner adds it). The form's rules apply to what is typed here.
 */
const CentreProfile = LearnerProfile.extend({ name: z.string().max(200), employer: z.string().max(200) });

/** The centre's profile is the user's: its id is the user id, which enrolments name as learnerId. */
export function profileFromRecord(record: SyncRecord): LearnerProfile & Synced {
  const parsed = CentreProfile.safeParse({ ...record.data, id: record.id, updatedAt: record.updatedAt });
  if (!parsed.success) throw new UnreadableRecordError(record, issuesOf(parsed.error));
  return { ...parsed.data, serverRevision: record.revision };
}

/** Equality of JSON values regardless of key order (the centre's jsonb does not keep the order it was given). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => sameJson(v, (b as unknown[])[i]));
  const ak = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bk = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Fields a patch may set on a stored row; the key and sync bookkeeping are never patched. */
const NOT_PATCHABLE = new Set(['id', 'serverRevision', 'dirty']);

/** Applies a patch's fields on top of a row (shallow: each field is replaced whole). */
export function applyPatch<T extends object>(row: T, patch: Record<string, unknown>): T {
  const next = { ...row } as Record<string, unknown>;
  for (const [field, value] of Object.entries(patch)) if (!NOT_PATCHABLE.has(field)) next[field] = value;
  return next as unknown as T;
}

/**
 * Conflict copies are a set, not a value: the device may have resolved some (their ids are on the
 * entry) while the centre added others. Keep the centre's unless this device resolved them; take
 * the device's version of a copy it rewrote; add copies only the device knows.
 */
export function mergeConflicts(server: FieldConflict[], local: FieldConflict[] | undefined, resolvedIds: readonly string[] = []): FieldConflict[] {
  const resolved = new Set(resolvedIds);
  const localById = new Map((local ?? []).map((c) => [c.id, c]));
  const merged = server.filter((c) => !resolved.has(c.id)).map((c) => localById.get(c.id) ?? c);
  const known = new Set(merged.map((c) => c.id));
  for (const c of local ?? []) if (!known.has(c.id) && !resolved.has(c.id)) merged.push(c);
  return merged;
}

export interface Rebased<T> {
  record: T;
  /** The waiting entries' patches as they must now be sent (same order as given). */
  patches: Array<Record<string, unknown>>;
}

/**
 * Lays waiting local changes again on top of a newer centre copy of an evidence item (after a pull
 * or a conflict answer), so nothing typed on this device is lost.
 *
 * `lostFields` are fields where the centre just kept its own text and stored ours as a conflict
 * copy. A later local change of such a field continued the text that lost, so it updates that
 * conflict copy instead of overwriting the centre's text: otherwise the other device's words would
 * be replaced without a trace the moment this device pushed. (The centre merges a copy in this
 * device's name with a new value the same way: server/sync/merge.ts, resolveConflicts.)
 */
export function rebaseEvidence(
  server: Evidence,
  waiting: ReadonlyArray<Pick<OutboxEntry, 'patch' | 'resolvedConflictIds'>>,
  options: { lostFields?: readonly string[]; deviceId?: string; now?: string } = {},
): Rebased<Evidence> {
  const lostFields = new Set(options.lostFields ?? []);
  let record: Evidence = { ...server };
  const patches: Array<Record<string, unknown>> = [];
  for (const entry of waiting) {
    const patch: Record<string, unknown> = { ...entry.patch };
    let conflicts = mergeConflicts(record.conflicts, patch.conflicts as FieldConflict[] | undefined, entry.resolvedConflictIds ?? []);
    for (const field of Object.keys(patch)) {
      if (!lostFields.has(field)) continue;
      const value = patch[field];
      delete patch[field];
      if (sameJson(value, (record as unknown as Record<string, unknown>)[field])) continue;
      conflicts = keepAsConflictCopy(conflicts, field, value, options.deviceId ?? 'this-device', options.now ?? new Date().toISOString());
    }
    if ('conflicts' in patch || !sameJson(conflicts, record.conflicts)) patch.conflicts = conflicts;
    record = applyPatch(record, patch);
    patches.push(patch);
  }
  return { record, patches };
}

/** Puts text that lost into this device's conflict copy of that field (a new copy if there is none). */
function keepAsConflictCopy(conflicts: FieldConflict[], field: string, value: unknown, deviceId: string, at: string): FieldConflict[] {
  const mine = conflicts.findLastIndex((c) => c.field === field && c.deviceId === deviceId);
  if (mine >= 0) return conflicts.map((c, i) => (i === mine ? { ...c, value, at } : c));
  return [...conflicts, { id: uuidv7(), field, value, deviceId, at }];
}

/** Lays waiting patches on a centre copy of a profile or enrolment (the centre merges on push). */
export function rebaseRow<T extends object>(server: T, waiting: ReadonlyArray<Pick<OutboxEntry, 'patch'>>): T {
  return waiting.reduce<T>((row, entry) => applyPatch(row, entry.patch), server);
}
