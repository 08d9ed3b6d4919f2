import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPglite } from '../../server/db/pglite';
import type { Evidence } from '../../src/domain/evidence';
import type { DeviceOps } from './device-worker';
import type { SimDevice } from './devices';

/**
 * What the sync fault suites (1, 2, 4) check once the faults stop: every device agrees with the
 * centre, every file is whole everywhere, nothing is there twice and nothing typed is lost.
 * Problems are collected as escapes (one line each) and lost data is counted, so a run reports all
 * of them; the suite fails at the end if there is any.
 */

export type Snapshot = Awaited<ReturnType<DeviceOps['snapshot']>>;
export type CentreView = Awaited<ReturnType<DeviceOps['centreView']>>;

/** One thing a person typed or added on a device, which must be at the centre after sync. */
export interface Typed {
  device: string;
  /** The item it was typed into (for a decision's feedback: the item decided on). */
  itemId: string;
  /** A unique word in a title, narrative or feedback; an attachment's SHA-256; a criterion id. */
  value: string;
  kind: 'text' | 'feedback' | 'attachment' | 'criterion';
}

export interface Ledger {
  /** Items created on each device, by id. */
  created: Map<string, string>;
  typed: Typed[];
  /** Evidence ids the centre held before the suite began (the demo centre's items). */
  preexisting: Set<string>;
}

export const newLedger = (preexisting: Iterable<string> = []): Ledger => ({ created: new Map(), typed: [], preexisting: new Set(preexisting) });

export interface CheckOptions {
  /** Devices that keep every file of their evidence (assessors always do; a learner who chose to). */
  keepsAllFiles: ReadonlySet<string>;
  /**
   * Refused changes waiting for the user (Retry or Discard) are allowed: the product tells the user
   * and keeps them. Suites without concurrent edits allow none.
   */
  allowHeld: boolean;
  /** Records the product may make from others: drafts kept when an edit reached a signed-off item. */
  allowKeptDrafts: boolean;
}

export interface CheckResult {
  escapes: string[];
  dataLost: number;
  figures: { records: number; files: number; conflictCopies: number; keptDrafts: number; heldChanges: number };
  /**
   * Every file the centre's items name, or a conflict copy of an item's attachment list: the
   * centre must hold each.
   */
  fileIds: Set<string>;
  /** Files named by refused changes a device keeps for its user: the centre may hold them. */
  heldFileIds: Set<string>;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The parts of an item sync carries, in a comparable form (conflict copies as a set). */
function comparable(e: Evidence): string {
  return JSON.stringify({
    title: e.title,
    narrative: e.narrative,
    activityDate: e.activityDate,
    method: e.method,
    hours: e.hours,
    offTheJob: e.offTheJob,
    attachments: e.attachments,
    criterionIds: e.criterionIds,
    kind: e.kind,
    questions: e.questions,
    witness: e.witness,
    status: e.status,
    deletedAt: e.deletedAt,
    recordedBy: e.recordedBy,
    iqaLock: e.iqaLock,
    enrolmentId: e.enrolmentId,
    serverRevision: e.serverRevision,
    conflicts: [...e.conflicts].sort((a, b) => a.id.localeCompare(b.id)),
  });
}

/** Syncs each device once (together, or one after another in the given order); returns the outcomes. */
export async function syncRound(devices: readonly SimDevice[], together = true) {
  if (together) return Promise.all(devices.map((d) => d.call('sync')));
  const outcomes = [];
  for (const d of devices) outcomes.push(await d.call('sync'));
  return outcomes;
}

/**
 * Syncs every device, round after round, until it has settled: no outbox holds a change still to
 * send, and every device has finished a clean sync (no problem, no file problem) in a round that
 * started after the last round in which anything changed on any device. On a bad link not every
 * sync succeeds, so this asks for one clean sync per device since the last change, not a clean
 * round. Returns the rounds it took, or null if it did not settle in `maxRounds`.
 */
export async function syncUntilQuiet(
  devices: readonly SimDevice[],
  options: { maxRounds: number; together?: boolean; order?: (round: number) => SimDevice[] },
): Promise<number | null> {
  let previous = '';
  let lastChange = 0;
  const lastClean = new Map<string, number>();
  for (let round = 1; round <= options.maxRounds; round++) {
    const order = options.order?.(round) ?? [...devices];
    const outcomes = await syncRound(order, options.together ?? false);
    order.forEach((d, i) => {
      const o = outcomes[i]!;
      if (o.state === 'idle' && o.problem === null && o.fileProblems.length === 0) lastClean.set(d.name, round);
    });
    const snapshots = await Promise.all(devices.map((d) => d.call('snapshot')));
    const waiting = snapshots.some((s) => s.outbox.some((e) => e.reason === null));
    const now = JSON.stringify(snapshots.map((s) => [s.evidence.map(comparable).sort(), s.decisions.map((d) => d.id).sort(), s.outbox.map((e) => e.id)]));
    if (now !== previous) lastChange = round;
    previous = now;
    if (!waiting && lastChange < round && devices.every((d) => (lastClean.get(d.name) ?? 0) > lastChange)) return round;
  }
  return null;
}

/** Checks every device against the centre and the ledger. */
export async function checkConverged(devices: readonly SimDevice[], ledger: Ledger, options: CheckOptions): Promise<CheckResult> {
  const escapes: string[] = [];
  let dataLost = 0;
  const lost = (line: string) => {
    dataLost++;
    escapes.push(`lost: ${line}`);
  };
  const snapshots = new Map<string, Snapshot>();
  const views = new Map<string, CentreView>();
  for (const d of devices) {
    snapshots.set(d.name, await d.call('snapshot'));
    views.set(d.name, await d.call('centreView'));
  }
  // The centre's portfolio: the union of what each device's session may see (they overlap).
  const centre = new Map<string, Evidence>();
  const centreDecisions = new Map<string, unknown>();
  for (const view of views.values()) {
    if (view.pulledRecords !== view.distinctRecords) escapes.push(`twice: the centre's pull from 0 returned ${view.pulledRecords} changes for ${view.distinctRecords} records`);
    for (const e of view.evidence) centre.set(e.id, e);
    for (const d of view.decisions) centreDecisions.set(d.id, d.data);
  }
  let heldChanges = 0;
  const heldPatches = new Map<string, string>();

  for (const d of devices) {
    const snap = snapshots.get(d.name)!;
    const view = views.get(d.name)!;
    const held = snap.outbox.filter((e) => e.reason !== null);
    heldChanges += held.length;
    heldPatches.set(d.name, JSON.stringify(held.map((e) => e.patch)));
    for (const e of snap.outbox)
      if (e.reason === null) escapes.push(`diverged: ${d.name} still has a change of ${e.entity} ${e.recordId} to send (${e.attempts} attempts, last error ${e.lastError ?? 'none'})`);
      else if (!options.allowHeld) escapes.push(`held: ${d.name} holds a change of ${e.entity} ${e.recordId} the centre refused (${e.reason}): ${e.lastError ?? ''}`);
    const heldIds = new Set(held.map((e) => e.recordId));
    const mine = new Map(snap.evidence.map((e) => [e.id, e]));
    const theirs = new Map(view.evidence.map((e) => [e.id, e]));
    for (const [id, e] of theirs) {
      const local = mine.get(id);
      if (!local) escapes.push(`diverged: ${d.name} lacks item ${id} ("${e.title.slice(0, 40)}") the centre holds`);
      else if (!heldIds.has(id) && comparable(local) !== comparable(e))
        escapes.push(`diverged: ${d.name}'s copy of item ${id} differs from the centre's: ${firstDifference(local, e)}`);
      else if (!heldIds.has(id) && local.dirty !== 0) escapes.push(`diverged: ${d.name} marks item ${id} as changed here though nothing waits to be sent`);
    }
    for (const [id, e] of mine)
      if (!theirs.has(id) && !e.deletedAt && !heldIds.has(id)) escapes.push(`diverged: ${d.name} holds item ${id} ("${e.title.slice(0, 40)}") the centre does not`);
    // Decisions: immutable, so the same set.
    const localDecisions = new Set(snap.decisions.map((x) => x.id));
    for (const x of view.decisions) if (!localDecisions.has(x.id)) escapes.push(`diverged: ${d.name} lacks decision ${x.id}`);
    for (const x of snap.decisions) if (!view.decisions.some((c) => c.id === x.id) && !heldIds.has(x.id)) escapes.push(`diverged: ${d.name} holds decision ${x.id} the centre does not`);
    // Files on the device: whole, and held wherever the device keeps them all.
    const files = new Map(snap.files.map((f) => [f.id, f]));
    for (const f of snap.files) if (f.sha256 !== null && f.sha256 !== f.id) escapes.push(`damaged: ${d.name} holds file ${f.id.slice(0, 12)} with bytes hashing to ${f.sha256.slice(0, 12)}`);
    for (const e of view.evidence) {
      for (const ref of e.attachments) {
        const f = files.get(ref.id);
        if (options.keepsAllFiles.has(d.name) && !e.deletedAt && !f?.sha256) escapes.push(`diverged: ${d.name} keeps every file but lacks ${ref.name} (${ref.id.slice(0, 12)}) of item ${e.id}`);
      }
    }
    // History: one "created" entry for an item made here, none for one pulled.
    const created = new Map<string, number>();
    for (const h of snap.history) if (h.action === 'created') created.set(h.evidenceId, (created.get(h.evidenceId) ?? 0) + 1);
    for (const [id, n] of created) if (n > 1) escapes.push(`twice: ${d.name} has ${n} "created" history entries for item ${id}`);
  }

  // Every file every item names: at the centre, whole (fetched and hashed), and named once per item.
  let files = 0;
  const fileHashes = new Map<string, string | null>();
  const reader = devices[devices.length - 1]!;
  for (const e of centre.values()) {
    const ids = e.attachments.map((a) => a.id);
    if (new Set(ids).size !== ids.length) escapes.push(`twice: item ${e.id} names the same file twice`);
    for (const ref of e.attachments) {
      if (fileHashes.has(ref.id)) continue;
      // Any device whose scope holds the item can read the file; the assessor's (last) sees the whole caseload.
      const readers = [reader, ...devices.filter((d) => views.get(d.name)!.evidence.some((x) => x.id === e.id))];
      let answer: { status: number; sha256: string | null } = { status: 0, sha256: null };
      for (const r of readers) {
        answer = await r.call('centreFileHash', ref.id);
        if (answer.status === 200) break;
      }
      fileHashes.set(ref.id, answer.sha256);
      files++;
      if (answer.sha256 !== ref.id) lost(`the centre ${answer.status === 200 ? `holds damaged bytes of ${ref.name}` : `answers ${answer.status} for ${ref.name}`} (${ref.id.slice(0, 12)}) of item ${e.id}`);
    }
  }

  // Records: each item made on a device is at the centre; nothing else appeared except kept drafts.
  const tokensOfCreated = new Map<string, string>();
  for (const t of ledger.typed) if (t.kind === 'text' && ledger.created.has(t.itemId) && !tokensOfCreated.has(t.itemId)) tokensOfCreated.set(t.itemId, t.value);
  for (const [id, device] of ledger.created) if (!centre.has(id)) lost(`item ${id} made on ${device} is not at the centre`);
  let keptDrafts = 0;
  for (const e of centre.values()) {
    if (ledger.created.has(e.id) || ledger.preexisting.has(e.id)) continue;
    keptDrafts++;
    if (!options.allowKeptDrafts) escapes.push(`twice: the centre holds item ${e.id} ("${e.title.slice(0, 40)}") that no device made`);
  }

  // Nothing typed is lost: each word is in its item (the field or a kept conflict copy), in a draft
  // kept from it, in a decision, or in a refused change the device keeps for the user.
  const related = (itemId: string): string => {
    const item = centre.get(itemId);
    // A kept draft carries its item's title: the suite's unique word for items made here, the
    // whole title for the demo centre's own items.
    const first = tokensOfCreated.get(itemId) ?? item?.title;
    const copies = [...centre.values()].filter((e) => e.id !== itemId && !ledger.created.has(e.id) && first !== undefined && e.title.includes(first));
    return JSON.stringify([item ?? null, ...copies]);
  };
  const decisionsText = JSON.stringify([...centreDecisions.values()]);
  for (const t of ledger.typed) {
    const where = t.kind === 'feedback' ? decisionsText : related(t.itemId);
    if (where.includes(t.value)) continue;
    if (heldPatches.get(t.device)?.includes(t.value)) continue;
    lost(`${t.kind} "${t.value.slice(0, 24)}" typed on ${t.device} for item ${t.itemId} is nowhere at the centre`);
  }

  const conflictCopies = [...centre.values()].reduce((n, e) => n + e.conflicts.length, 0);
  const fileIds = new Set(fileHashes.keys());
  const refsIn = (value: unknown) => (Array.isArray(value) ? value.flatMap((ref) => (typeof (ref as { id?: unknown })?.id === 'string' ? [(ref as { id: string }).id] : [])) : []);
  for (const e of centre.values()) for (const c of e.conflicts) if (c.field === 'attachments') for (const id of refsIn(c.value)) fileIds.add(id);
  // A refused change may name a file uploaded before the refusal (kept for a retry) or not uploaded at all.
  const heldFileIds = new Set<string>();
  for (const snap of snapshots.values()) for (const entry of snap.outbox) if (entry.reason !== null) for (const id of refsIn(entry.patch.attachments)) heldFileIds.add(id);
  return { escapes, dataLost, figures: { records: centre.size, files, conflictCopies, keptDrafts, heldChanges }, fileIds, heldFileIds };
}

function firstDifference(a: Evidence, b: Evidence): string {
  const x = JSON.parse(comparable(a)) as Record<string, unknown>;
  const y = JSON.parse(comparable(b)) as Record<string, unknown>;
  for (const k of Object.keys(x)) if (JSON.stringify(x[k]) !== JSON.stringify(y[k])) return `${k}: device ${JSON.stringify(x[k]).slice(0, 80)} / centre ${JSON.stringify(y[k]).slice(0, 80)}`;
  return 'no field differs';
}

/**
 * The centre's own storage, read after it stopped: each record's versions are 1..revision with no
 * gap or repeat, and every stored file's bytes match its name. Returns escapes.
 */
export async function checkCentreStorage(
  dataDir: string,
  referenced: ReadonlySet<string>,
  /** Files the centre may hold though nothing at the centre names them (see CheckResult.heldFileIds). */
  allowed: ReadonlySet<string> = new Set(),
): Promise<{ escapes: string[]; storedFiles: number; versions: number }> {
  const escapes: string[] = [];
  const db = await openPglite(dataDir);
  let versions = 0;
  try {
    const rows = await db.query<{ entity: string; id: string; revision: number; n: string; lo: number; hi: number }>(
      `select r.entity, r.id, r.revision, count(v.revision)::text as n, min(v.revision) as lo, max(v.revision) as hi
         from records r left join record_versions v on v.entity = r.entity and v.id = r.id
        group by r.entity, r.id, r.revision`,
    );
    for (const r of rows) {
      versions += Number(r.n);
      if (Number(r.n) !== r.revision || r.lo !== 1 || r.hi !== r.revision)
        escapes.push(`twice: ${r.entity} ${r.id} is at revision ${r.revision} with ${r.n} stored versions (${r.lo}..${r.hi})`);
    }
  } finally {
    await db.close();
  }
  let storedFiles = 0;
  const root = join(dataDir, 'files', 'sha256');
  if (existsSync(root))
    for (const fan of readdirSync(root)) {
      if (!/^[0-9a-f]{2}$/.test(fan)) continue;
      for (const name of readdirSync(join(root, fan))) {
        if (!/^[0-9a-f]{64}$/.test(name)) continue;
        storedFiles++;
        const hash = sha256(readFileSync(join(root, fan, name)));
        if (!referenced.has(name) && !allowed.has(name)) escapes.push(`stray: the centre stores file ${name.slice(0, 12)} that no item names`);
        if (hash !== name) escapes.push(`damaged: the centre's file ${name.slice(0, 12)} holds bytes hashing to ${hash.slice(0, 12)}`);
      }
    }
  for (const id of referenced) if (!existsSync(join(root, id.slice(0, 2), id))) escapes.push(`lost: the centre's disk lacks file ${id.slice(0, 12)}`);
  return { escapes, storedFiles, versions };
}
