import { isDeepStrictEqual } from 'node:util';
import { FieldConflict } from '../../src/domain/sync';

/**
 * Field-by-field merge of a device's change into the centre's record. Pure: no database, no
 * clock, no randomness of its own (ids and times come in), so every rule here is unit-tested.
 *
 * The rule that matters: nothing a person typed is ever silently dropped. Where two devices
 * changed the same field, one value stays in the field and the other is kept in the record's
 * `conflicts` for the user to resolve.
 */

export type Data = Record<string, unknown>;

/** Equality of JSON values regardless of key order (jsonb does not keep the order it was given). */
export function sameValue(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}

export function conflictsOf(data: Data | null | undefined): FieldConflict[] {
  const parsed = FieldConflict.array().safeParse(data?.conflicts ?? []);
  return parsed.success ? parsed.data : [];
}

export interface Version {
  revision: number;
  /** Device that wrote this revision; null for writes made on the centre itself (seeding, admin). */
  deviceId: string | null;
  data: Data;
}

/**
 * What the pushing device believed each field held when it made the change: the revision it
 * names as its base plus the device's own writes after it. A device keeps editing while an
 * earlier push of the same record is still unanswered, so its next change names an older base;
 * measured against that base, the device's own earlier edit would look like someone else's and
 * every keystroke after a slow sync would raise a false conflict.
 *
 * For each of its own later revisions, only the fields that revision actually changed count (a
 * merged revision also carries other devices' edits the device has never seen), and where that
 * write lost an overlapping text edit the device's view is its own text, kept in `conflicts`.
 *
 * `versions` must hold the base revision and, for each revision this device wrote after it, the
 * revision before that one; others may be left out. Returns null when the device knows nothing
 * of the record (base 0 and no writes of its own), so every field on which it disagrees with the
 * centre counts as an overlap.
 */
export function deviceView(versions: Version[], baseRevision: number, deviceId: string): Data | null {
  const byRevision = new Map(versions.map((v) => [v.revision, v]));
  const base = baseRevision > 0 ? byRevision.get(baseRevision) : undefined;
  let view: Data | null = base ? { ...base.data } : null;
  const own = versions.filter((v) => v.revision > baseRevision && v.deviceId === deviceId).sort((a, b) => a.revision - b.revision);
  for (const version of own) {
    // Without the revision before it we cannot tell what this write changed: leave it out, which
    // can only turn a clean merge into a kept conflict copy, never lose a value.
    const previous = version.revision === 1 ? {} : byRevision.get(version.revision - 1)?.data;
    if (!previous) continue;
    view ??= {};
    for (const [field, value] of Object.entries(version.data))
      if (field !== 'conflicts' && !sameValue(value, previous[field])) view[field] = value;
    // A text edit of this device that lost: the field kept the centre's value (unchanged by
    // this revision) and the device's text went to a new conflict copy in its name.
    const before = new Set(conflictsOf(previous).map((c) => c.id));
    for (const lost of conflictsOf(version.data))
      if (lost.deviceId === deviceId && !before.has(lost.id) && sameValue(version.data[lost.field], previous[lost.field]))
        view[lost.field] = lost.value;
  }
  return view;
}

export interface Writer {
  deviceId: string;
  /** When the value was written, as the writer's ISO timestamp. */
  at: string;
}

export interface MergeInput {
  /** What the device believed (deviceView); null when it knows nothing of the record. */
  view: Data | null;
  /** The centre's record now. */
  current: Data;
  /**
   * The device's changed fields, already authorised. A `conflicts` entry is the device's list of
   * conflict copies (see resolveConflicts).
   */
  patch: Data;
  /** Free text a person wrote: on overlap the centre's text stays and the device's becomes the copy. */
  textFields: ReadonlySet<string>;
  /** The device whose change this is. */
  incoming: Writer;
  /** Who wrote the centre's current values (the latest revision). */
  previous: Writer;
  newId: () => string;
}

export interface MergeResult {
  data: Data;
  /** Fields both sides changed to different values. */
  overlapping: string[];
  /** Conflict copies this merge added. */
  added: FieldConflict[];
}

export function mergePatch(input: MergeInput): MergeResult {
  const { view, current, patch, textFields } = input;
  const data: Data = { ...current };
  const overlapping: string[] = [];
  const added: FieldConflict[] = [];
  const keep = (field: string, value: unknown, writer: Writer) =>
    added.push({ id: input.newId(), field, value, deviceId: writer.deviceId, at: writer.at });

  for (const [field, value] of Object.entries(patch)) {
    if (field === 'conflicts') continue;
    const now = current[field];
    if (sameValue(now, value)) continue;
    const unchangedOnCentre = view !== null && sameValue(now, view[field]);
    if (unchangedOnCentre) {
      data[field] = value;
      continue;
    }
    overlapping.push(field);
    if (textFields.has(field)) {
      // Both edited the text: the centre's stands (other devices already show it) and the
      // device's text is kept beside it, so the user merges the two by hand.
      keep(field, value, input.incoming);
    } else {
      // Dates, numbers, lists: the later write wins, and the value it replaced is still kept.
      data[field] = value;
      if (now !== undefined) keep(field, now, input.previous);
    }
  }

  data.conflicts = [...resolveConflicts(view, current, patch, input.incoming.deviceId), ...added];
  return { data, overlapping, added };
}

/**
 * Conflict copies after a device's change. The device sends its whole list (`patch.conflicts`):
 *   - a copy it had seen (in its view) and no longer lists was resolved by the user: it goes;
 *   - a copy it has not seen yet (made since its base) stays;
 *   - a copy in this device's name that it sends with a new value keeps that value: the user
 *     went on writing the text that lost, on the device, in the copy;
 *   - a copy only the device has (made when it laid its unsent edits over newer centre text) is
 *     added, in this device's name whatever it says, unless the device had seen it resolved.
 */
export function resolveConflicts(view: Data | null, current: Data, patch: Data, deviceId: string): FieldConflict[] {
  const existing = conflictsOf(current);
  if (!('conflicts' in patch)) return existing;
  const sent = conflictsOf(patch);
  const sentById = new Map(sent.map((c) => [c.id, c]));
  const seen = new Set(conflictsOf(view).map((c) => c.id));
  const kept = existing
    .filter((c) => sentById.has(c.id) || !seen.has(c.id))
    .map((c) => {
      const mine = sentById.get(c.id);
      return mine && c.deviceId === deviceId ? { ...c, value: mine.value, at: mine.at } : c;
    });
  const known = new Set(existing.map((c) => c.id));
  const added = sent.filter((c) => !known.has(c.id) && !seen.has(c.id)).map((c) => ({ ...c, deviceId }));
  return [...kept, ...added];
}
