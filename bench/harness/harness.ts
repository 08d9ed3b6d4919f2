/**
 * The app's own modules in a page of the app's origin, for the benchmark runner (bench/run.ts) to
 * drive through page.evaluate: seeding goes through the app's repositories (src/data), timings
 * call the same functions the screens and the sync engine call. Nothing here is app code.
 */
import { addAttachments, createEvidence, evidenceOf, updateEvidence } from '../../src/data/evidence';
import { db, type PortfolioDb } from '../../src/data/db';
import { competenceStandard, latestQualifications, qualificationVersion, seedShippedFrameworks } from '../../src/data/frameworks';
import { sha256OfBlob } from '../../src/data/hash';
import { currentEnrolment, currentProfile, saveEnrolment } from '../../src/data/learner';
import { openDatabaseFor } from '../../src/data/session';
import { deviceId } from '../../src/data/settings';
import { outboxSummary } from '../../src/data/sync-outbox';
import { todayIso } from '../../src/domain/dates';
import { emptyEvidenceContent, type Evidence } from '../../src/domain/evidence';
import { uuidv7 } from '../../src/domain/ids';
import { competenceCoverage, computeProgress, offTheJobHours } from '../../src/domain/progress';
import { enrolledUnitIds, mappingTargets } from '../../src/domain/specs';
import { createSyncEngine, type SyncEngine } from '../../src/sync/engine';
import { createSyncStatusStore } from '../../src/sync/status';
import { tusUploader } from '../../src/sync/tus-uploader';
import { itemContent, randomBytes, statusFor } from './data';

const now = () => performance.now();

// ---------------------------------------------------------------------------------------------
// A portfolio on this device ("this device only" database), made with the app's repositories.

export interface SeedOptions {
  qualificationId: string;
  optionalUnitIds: string[];
  startDate: string;
  plannedEndDate: string;
  items: number;
  mappingsPerItem: number;
  /** Also map to ICTTech competences (they count as mappings too). */
  withCompetences: boolean;
  seed: number;
  /**
   * repository: createEvidence per item (record, history and outbox in one transaction each, as
   * the editor does); bulk: the same rows, written in a few bulkAdd calls, as a pull would leave them.
   */
  via: 'repository' | 'bulk';
}

async function mappingPool(qualificationId: string, optionalUnitIds: string[], withCompetences: boolean): Promise<string[]> {
  const spec = (await latestQualifications()).find((q) => q.id === qualificationId);
  if (!spec) throw new Error(`No shipped spec ${qualificationId}`);
  const ids = mappingTargets(spec, enrolledUnitIds(spec, optionalUnitIds)).map((t) => t.id);
  if (withCompetences) {
    const std = await competenceStandard();
    for (const heading of std?.headings ?? []) for (const c of heading.competences) ids.push(c.id);
  }
  return ids;
}

async function seedPortfolio(o: SeedOptions) {
  const t0 = now();
  await seedShippedFrameworks();
  const spec = (await latestQualifications()).find((q) => q.id === o.qualificationId)!;
  const enrolment = await saveEnrolment({
    name: 'Bench Learner',
    employer: 'Loopback Ltd',
    qualificationId: spec.id,
    qualificationVersion: spec.version,
    optionalUnitIds: o.optionalUnitIds,
    startDate: o.startDate,
    plannedEndDate: o.plannedEndDate,
    plannedOffTheJobHoursPerWeek: 6,
  });
  const pool = await mappingPool(o.qualificationId, o.optionalUnitIds, o.withCompetences);
  let mappings = 0;
  if (o.via === 'repository') {
    for (let i = 0; i < o.items; i++) {
      const content = itemContent(i, o.seed, pool, o.mappingsPerItem);
      mappings += content.criterionIds.length;
      await createEvidence(enrolment.id, content);
    }
  } else {
    const stamp = new Date().toISOString();
    const rows: Evidence[] = [];
    for (let i = 0; i < o.items; i++) {
      const content = itemContent(i, o.seed, pool, o.mappingsPerItem);
      mappings += content.criterionIds.length;
      rows.push({
        ...emptyEvidenceContent(),
        ...content,
        id: uuidv7(),
        enrolmentId: enrolment.id,
        status: statusFor(i),
        createdAt: stamp,
        updatedAt: stamp,
        deletedAt: null,
        serverRevision: 1,
        dirty: 0,
        conflicts: [],
      });
    }
    for (let i = 0; i < rows.length; i += 1000) await db().evidence.bulkAdd(rows.slice(i, i + 1000));
  }
  return { enrolmentId: enrolment.id, items: o.items, mappings, pool: pool.length, ms: now() - t0 };
}

/** What the progress screen works out from the stored portfolio, timed apart from reading it. */
async function progressTimes() {
  const t0 = now();
  const [profile, enrolment, icttech] = await Promise.all([currentProfile(), currentEnrolment(), competenceStandard()]);
  if (!profile || !enrolment) throw new Error('No portfolio on this device');
  const spec = (await qualificationVersion(enrolment.qualificationId, enrolment.qualificationVersion))!;
  const evidence = await evidenceOf(enrolment.id);
  const t1 = now();
  // Exactly what Progress.tsx computes on render.
  const progress = computeProgress(spec, enrolment.optionalUnitIds, evidence);
  offTheJobHours(enrolment.plannedOffTheJobHoursPerWeek, enrolment.startDate, enrolment.plannedEndDate, todayIso(), evidence);
  const coverage = icttech ? competenceCoverage(icttech, evidence) : null;
  new Map(evidence.map((e) => [e.id, e.title]));
  const t2 = now();
  // The floor: one pass over every mapping, grouping live item ids by target.
  const byTarget = new Map<string, string[]>();
  for (const item of evidence) {
    if (item.deletedAt) continue;
    for (const id of item.criterionIds) {
      let list = byTarget.get(id);
      if (!list) byTarget.set(id, (list = []));
      list.push(item.id);
    }
  }
  const t3 = now();
  const mappings = evidence.reduce((n, e) => n + e.criterionIds.length, 0);
  return {
    loadMs: t1 - t0,
    computeMs: t2 - t1,
    floorMs: t3 - t2,
    items: evidence.length,
    mappings,
    criteriaEvidenced: progress.qualification.criteriaEvidenced,
    competencesWithEvidence: coverage ? [...coverage.values()].filter((ids) => ids.length > 0).length : 0,
  };
}

/** The floor for reading the portfolio: one raw IndexedDB getAll of the evidence store. */
async function rawGetAllMs(dbName = 'ict-portfolio'): Promise<{ ms: number; rows: number }> {
  const t0 = now();
  const rows = await new Promise<number>((resolve, reject) => {
    const open = indexedDB.open(dbName);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const idb = open.result;
      const req = idb.transaction('evidence', 'readonly').objectStore('evidence').getAll();
      req.onsuccess = () => {
        resolve(req.result.length);
        idb.close();
      };
      req.onerror = () => reject(req.error);
    };
  });
  return { ms: now() - t0, rows };
}

// ---------------------------------------------------------------------------------------------
// Saving a photo: the editor's addAttachments against a raw put of the same Blob.

function pickedFile(): File {
  const file = (document.getElementById('file') as HTMLInputElement).files?.[0];
  if (!file) throw new Error('No file picked (setInputFiles on #file first)');
  return file;
}

async function prepareItem(): Promise<string> {
  const enrolment = await currentEnrolment();
  if (!enrolment) throw new Error('No enrolment on this device');
  const item = await createEvidence(enrolment.id, { title: 'Photo of the new comms cabinet' });
  return item.id;
}

/** From the editor's save action (addAttachments) to its transaction committed; hashing included. */
async function saveAttachment(evidenceId: string) {
  const file = pickedFile();
  const t0 = now();
  const stored = await addAttachments(evidenceId, [file]);
  const ms = now() - t0;
  return { ms, attachments: stored.attachments.length, size: file.size };
}

/** The app's hash step alone on the same file (to split the save time: profiling, not the figure). */
async function hashOnly() {
  const file = pickedFile();
  const t0 = now();
  await sha256OfBlob(file);
  return now() - t0;
}

function rawDb(name: string, stores: string[]): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => {
      for (const store of stores) open.result.createObjectStore(store);
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

function putAll(idb: IDBDatabase, store: string, entries: Array<[IDBValidKey, unknown]>): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = idb.transaction(store, 'readwrite');
    for (const [key, value] of entries) tx.objectStore(store).put(value, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** The reference: one raw IndexedDB put of the same Blob, to its transaction complete. */
async function rawPut(key: string) {
  const file = pickedFile();
  const idb = await rawDb('bench-raw', ['blobs']);
  const t0 = now();
  await putAll(idb, 'blobs', [[key, file]]);
  const ms = now() - t0;
  idb.close();
  return { ms };
}

// ---------------------------------------------------------------------------------------------
// Sync: the app's engine (src/sync/engine.ts) with its real tus uploader, as the runtime makes it.

let engine: SyncEngine | null = null;
let syncedDb: PortfolioDb | null = null;

/** Every request the engine makes, by kind: where a sync's time goes (requests are made one at a time). */
const requests: Array<{ kind: string; ms: number; bytesOut: number; start: number; end: number }> = [];

function kindOf(method: string, url: string): string {
  const path = new URL(url, location.origin).pathname;
  if (path.startsWith('/api/files/sha256/')) return `${method} /api/files/sha256/:hash`;
  if (path.startsWith('/api/files/uploads/')) return `${method} /api/files/uploads/:id (tus)`;
  if (path === '/api/files/uploads') return `${method} /api/files/uploads (tus)`;
  return `${method} ${path}`;
}

/** tus requests of the last syncs: where each PATCH started, and what the centre said it held after. */
const tusLog: Array<{ method: string; url: string; offsetSent: number | null; offsetAnswered: number | null; bytesOut: number; failed: boolean }> = [];

const timedFetch = async (input: string, init?: RequestInit) => {
  const t0 = now();
  const method = (init?.method ?? 'GET').toUpperCase();
  const body = init?.body;
  const bytesOut = body instanceof Blob ? body.size : typeof body === 'string' ? body.length : 0;
  const isTus = input.includes('/api/files/uploads/');
  const sentOffset = (init?.headers as Record<string, string> | undefined)?.['Upload-Offset'];
  const offsetSent = sentOffset !== undefined ? Number(sentOffset) : null;
  try {
    const response = await fetch(input, init).catch((error: unknown) => {
      if (isTus) tusLog.push({ method, url: input, offsetSent, offsetAnswered: null, bytesOut, failed: true });
      throw error;
    });
    if (isTus) {
      const answered = response.headers.get('Upload-Offset');
      tusLog.push({ method, url: input, offsetSent, offsetAnswered: answered !== null ? Number(answered) : null, bytesOut, failed: false });
    }
    // Timed to the end of the body (read from a clone; the engine reads its own copy).
    const copy = response.clone();
    await copy.arrayBuffer();
    requests.push({ kind: kindOf(method, input), ms: now() - t0, bytesOut, start: t0, end: now() });
    return response;
  } catch (error) {
    requests.push({ kind: `${kindOf(method, input)} (failed)`, ms: now() - t0, bytesOut, start: t0, end: now() });
    throw error;
  }
};

/**
 * Time in requests by kind, and the device's own time between requests, charged to the request
 * it follows (what the engine did with that answer: IndexedDB bookkeeping, applying results).
 */
function requestSummary(from: number, t0: number, t1: number) {
  const byKind: Record<string, { count: number; ms: number; bytesOut: number; deviceMsAfter: number }> = {};
  const list = requests.slice(from);
  list.forEach((r, i) => {
    const k = (byKind[r.kind] ??= { count: 0, ms: 0, bytesOut: 0, deviceMsAfter: 0 });
    k.count++;
    k.ms += r.ms;
    k.bytesOut += r.bytesOut;
    k.deviceMsAfter += Math.max(0, (list[i + 1]?.start ?? t1) - r.end);
  });
  for (const k of Object.values(byKind)) {
    k.ms = Math.round(k.ms);
    k.deviceMsAfter = Math.round(k.deviceMsAfter);
  }
  return { byKind, deviceMsBeforeFirstRequest: Math.round((list[0]?.start ?? t1) - t0) };
}

async function syncOpen(o: { userId: string; token: string; chunkSize?: number }) {
  syncedDb = openDatabaseFor(o.userId);
  await syncedDb.open();
  await seedShippedFrameworks();
  const status = createSyncStatusStore();
  const fetchImpl = timedFetch;
  engine = createSyncEngine({
    fetch: fetchImpl,
    token: () => o.token,
    deviceId: await deviceId(),
    uploader: tusUploader({ endpoint: new URL('/api/files/uploads', location.origin).href, token: () => o.token, fetch: fetchImpl, ...(o.chunkSize ? { chunkSize: o.chunkSize } : {}) }),
    status,
    onSessionEnded: async (error) => {
      throw error;
    },
    keepAllOffline: async () => false,
    isOnline: () => true,
  });
  // Signing in pulls the profile and enrolment: done here, before anything is timed.
  const first = await engine.sync();
  const enrolment = await currentEnrolment();
  return { first, enrolmentId: enrolment?.id ?? null };
}

async function syncOnce() {
  if (!engine) throw new Error('syncOpen first');
  const from = requests.length;
  const t0 = now();
  const outcome = await engine.sync();
  const t1 = now();
  const summary = requestSummary(from, t0, t1);
  const inRequests = Object.values(summary.byKind).reduce((n, k) => n + k.ms, 0);
  return { ms: t1 - t0, ...outcome, requests: summary.byKind, deviceMsBeforeFirstRequest: summary.deviceMsBeforeFirstRequest, outsideRequestsMs: Math.round(t1 - t0 - inRequests) };
}

export interface DeviceSeed {
  items: number;
  attachments: number;
  attachmentBytes: number;
  mappingsPerItem: number;
  seed: number;
}

/** A device's own work before its first sync: items through createEvidence, files through addAttachments. */
async function seedDevice(o: DeviceSeed) {
  const t0 = now();
  const enrolment = await currentEnrolment();
  if (!enrolment) throw new Error('The centre has not sent an enrolment to this device');
  const spec = (await qualificationVersion(enrolment.qualificationId, enrolment.qualificationVersion))!;
  const pool = mappingTargets(spec, enrolledUnitIds(spec, enrolment.optionalUnitIds)).map((t) => t.id);
  for (let i = 0; i < o.items; i++) {
    const item = await createEvidence(enrolment.id, itemContent(i, o.seed, pool, o.mappingsPerItem));
    if (i < o.attachments) {
      const blob = new Blob([randomBytes(o.attachmentBytes, o.seed * 100_003 + i)], { type: 'image/jpeg' });
      await addAttachments(item.id, [Object.assign(blob, { name: `photo-${i + 1}.jpg` })]);
    }
  }
  return { ms: now() - t0, outbox: await db().outbox.count() };
}

/** n items edited as a learner would (one typed change each), for the incremental sync. */
async function changeItems(n: number, tag: string) {
  const items = (await db().evidence.orderBy('id').limit(n).toArray()) as Evidence[];
  for (const item of items) await updateEvidence(item.id, { narrative: `${item.narrative.slice(0, 300)} (revised ${tag})` });
  return { changed: items.length, outbox: await db().outbox.count() };
}

/** The tus log since the last call (and clears it). */
function takeTusLog() {
  return tusLog.splice(0, tusLog.length);
}

async function deviceState() {
  const waiting = await db().outbox.count();
  const notUploaded = await db().attachments.where('uploadState').notEqual('uploaded').count();
  return { waiting, notUploaded };
}

// ---------------------------------------------------------------------------------------------
// The raw floor: the same items and bytes in a plain IndexedDB, sent with fetch to a minimal server.

const FLOOR_DB = 'bench-floor';

async function floorSeed(o: DeviceSeed & { pool: string[] }) {
  const idb = await rawDb(FLOOR_DB, ['items', 'blobs']);
  const items: Array<[IDBValidKey, unknown]> = [];
  for (let i = 0; i < o.items; i++) items.push([i, { id: crypto.randomUUID(), ...itemContent(i, o.seed, o.pool, o.mappingsPerItem) }]);
  await putAll(idb, 'items', items);
  for (let i = 0; i < o.attachments; i++)
    await putAll(idb, 'blobs', [[i, new Blob([randomBytes(o.attachmentBytes, o.seed * 100_003 + i)], { type: 'image/jpeg' })]]);
  idb.close();
  return { items: o.items, blobs: o.attachments };
}

function getAll(idb: IDBDatabase, store: string, keys?: IDBKeyRange): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const req = idb.transaction(store, 'readonly').objectStore(store).getAll(keys);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function check(response: Response) {
  if (!response.ok) throw new Error(`floor server answered ${response.status}`);
  await response.arrayBuffer();
}

/** Reads the items (or the first `only`) and every blob from IndexedDB and sends them, one request after another. */
async function floorUpload(o: { only?: number; blobs: boolean; run: string }) {
  const t0 = now();
  const idb = await rawDb(FLOOR_DB, ['items', 'blobs']);
  if (o.blobs) {
    const blobs = (await getAll(idb, 'blobs')) as Blob[];
    for (let i = 0; i < blobs.length; i++) await check(await fetch(`/floor/${o.run}/blobs/${i}`, { method: 'PUT', body: blobs[i]! }));
  }
  const items = (await getAll(idb, 'items', o.only !== undefined ? IDBKeyRange.upperBound(o.only, true) : undefined)) as unknown[];
  for (let i = 0; i < items.length; i += 200)
    await check(await fetch(`/floor/${o.run}/items`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(items.slice(i, i + 200)) }));
  idb.close();
  return { ms: now() - t0, items: items.length };
}

async function floorChange(n: number, tag: string) {
  const idb = await rawDb(FLOOR_DB, ['items', 'blobs']);
  const items = (await getAll(idb, 'items', IDBKeyRange.upperBound(n, true))) as Array<{ narrative: string }>;
  await putAll(
    idb,
    'items',
    items.map((item, i) => [i, { ...item, narrative: `${item.narrative.slice(0, 300)} (revised ${tag})` }]),
  );
  idb.close();
}

/**
 * The reads the home and the sync start make, each alone (ms, one run each in order): what the
 * cold start's reads cost without contending with one another.
 */
async function startupReads(runs: number) {
  const times: Record<string, number[]> = { outboxSummary: [], evidenceOf: [], portfolio: [] };
  const enrolment = await currentEnrolment();
  for (let i = 0; i < runs; i++) {
    let t = now();
    await outboxSummary();
    times.outboxSummary!.push(now() - t);
    t = now();
    await evidenceOf(enrolment!.id);
    times.evidenceOf!.push(now() - t);
    t = now();
    await Promise.all([currentProfile(), currentEnrolment(), competenceStandard(), qualificationVersion(enrolment!.qualificationId, enrolment!.qualificationVersion)]);
    times.portfolio!.push(now() - t);
  }
  return times;
}

/** Criterion ids of a shipped spec, so the floor and PouchDB map items like the app does. */
async function poolFor(qualificationId: string, optionalUnitIds: string[]) {
  await seedShippedFrameworks();
  return mappingPool(qualificationId, optionalUnitIds, false);
}

const api = {
  seedPortfolio,
  progressTimes,
  rawGetAllMs,
  prepareItem,
  saveAttachment,
  hashOnly,
  rawPut,
  syncOpen,
  syncOnce,
  seedDevice,
  changeItems,
  deviceState,
  takeTusLog,
  floorSeed,
  floorUpload,
  floorChange,
  poolFor,
  startupReads,
};
export type BenchApi = typeof api;
(window as unknown as { bench: BenchApi }).bench = api;
document.documentElement.dataset.benchReady = '1';
