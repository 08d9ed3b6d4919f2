import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { DEMO, deviceToken, nav, summary, type Device, type Person } from '../../e2e/devices';
import { writeTempPng, type TempFile } from '../../e2e/flows';
import { goOffline, waitForServiceWorkerControl, type OfflineHandle } from '../../e2e/helpers';
import { reportSuite } from '../collector';
import { startDevice } from '../devices';
import { FAULTS_SEED, rng, seedFor, sized } from '../scale';
import { fileBytes } from '../workload';

/**
 * Suite 5, full disk. The built PWA (service worker on) in Chromium, with IndexedDB's put, add and
 * cursor update refusing with QuotaExceededError from a seeded point on, as a full device does:
 *   - while a learner types a new item, edits one that is already at the centre, and adds a photo;
 *   - while an assessor's tablet (Tom Okafor) makes its first sync, pulling the caseload's records
 *     and then every file of it (another device, Jordan's laptop, put them at the centre first).
 * The rules: the user is told in words (no crash), what they typed stays in the form (and in the
 * rescue copy across a reload), nothing is half-written, the pull cursor never passes a record
 * the device did not store, and once space is freed the save goes through and sync completes with
 * exactly what the centre holds (text by value, files by SHA-256). Every broken rule is an escape.
 */

const SAVE_ROUNDS = sized({ quick: 2, full: 5 });
const PULL_ROUNDS = sized({ quick: 2, full: 8 });
const PULLED_ITEMS = sized({ quick: 30, full: 80 });
const seed = seedFor('full-disk');
const random = rng(seed);
const pick = <T,>(options: readonly T[]): T => options[Math.floor(random() * options.length)]!;
const tag = seed.toString(36);

const figures = {
  fills: 0,
  savesTried: 0,
  pullsTried: 0,
  escapes: [] as string[],
  dataLost: 0,
  details: {} as Record<string, number | string>,
};
const started = Date.now();
const bump = (key: string, by = 1) => (figures.details[key] = Number(figures.details[key] ?? 0) + by);
const escape = (line: string) => figures.escapes.push(line);

test.describe.configure({ mode: 'serial' });

test.afterAll(() => {
  reportSuite({
    suite: 'full-disk',
    faultsInjected: figures.fills,
    inputsTried: figures.savesTried + figures.pullsTried,
    escapes: figures.escapes.length,
    dataLost: figures.dataLost,
    durationMs: Date.now() - started,
    seed: FAULTS_SEED,
    details: { 'Saves tried': figures.savesTried, 'Pulls tried': figures.pullsTried, ...figures.details },
    examples: figures.escapes,
  });
});

// ---------------------------------------------------------------------------------------------
// The full disk, in the page.

interface DiskState {
  /** Every write to IndexedDB fails while true. */
  full: boolean;
  /** The disk fills after this many more writes (null: not armed). */
  fullAfter: number | null;
  /** Armed on the page's first pull request: the disk fills that many writes later. */
  armOnPull: number | null;
  /** Times the disk filled. */
  fills: number;
  /** Writes refused. */
  refused: number;
  /** Writes that went through. */
  writes: number;
  /** The store of the first write refused since the disk last filled. */
  firstRefusedStore: string | null;
  /** File downloads answered before the disk filled. */
  filesFetched: number;
  filesFetchedAtFill: number | null;
  /** Writes made before the page's first pull request. */
  writesAtPull: number | null;
  /**
   * When set, only writes in a transaction over all these stores count toward `fullAfter` (and
   * `scopedWrites`): the photo's own transaction, not a sync's upload-state or cursor writes.
   */
  scope: string[] | null;
  scopedWrites: number;
}

declare global {
  interface Window {
    __disk: DiskState;
  }
}

const DISK_KEY = 'full-disk-suite:disk';

/**
 * Runs in every page of a device before the app: the switch the suite fills and frees the disk
 * with. Its state is kept in sessionStorage, so a reload meets the same disk (still full, or not).
 */
function installFullDisk() {
  const KEY = 'full-disk-suite:disk';
  const fresh: DiskState = { full: false, fullAfter: null, armOnPull: null, fills: 0, refused: 0, writes: 0, firstRefusedStore: null, filesFetched: 0, filesFetchedAtFill: null, writesAtPull: null, scope: null, scopedWrites: 0 };
  let kept: Partial<DiskState> = {};
  try {
    kept = JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Partial<DiskState>;
  } catch {
    kept = {};
  }
  const disk: DiskState = { ...fresh, ...kept };
  const save = () => sessionStorage.setItem(KEY, JSON.stringify(disk));
  window.__disk = disk;
  const gate = (store: IDBObjectStore) => {
    if (!store.transaction.db.name.startsWith('ict-portfolio')) return;
    const inScope = !disk.scope || disk.scope.every((name) => store.transaction.objectStoreNames.contains(name));
    if (!disk.full && disk.fullAfter !== null && inScope) {
      if (disk.fullAfter <= 0) {
        disk.full = true;
        disk.fullAfter = null;
        disk.fills++;
        disk.firstRefusedStore = null;
        disk.filesFetchedAtFill = disk.filesFetched;
      } else disk.fullAfter--;
    }
    if (disk.full) {
      disk.refused++;
      disk.firstRefusedStore ??= store.name;
      save();
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    disk.writes++;
    if (inScope) disk.scopedWrites++;
    save();
  };
  for (const method of ['put', 'add'] as const) {
    const original = IDBObjectStore.prototype[method];
    IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args: Parameters<typeof original>) {
      gate(this);
      return original.apply(this, args);
    } as typeof original;
  }
  const update = IDBCursor.prototype.update;
  IDBCursor.prototype.update = function (this: IDBCursor, value: unknown) {
    const source = this.source;
    gate(source instanceof IDBIndex ? source.objectStore : (source as IDBObjectStore));
    return update.call(this, value);
  };
  const fetch = window.fetch.bind(window);
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (disk.writesAtPull === null && url.includes('/api/sync/pull')) {
      disk.writesAtPull = disk.writes;
      save();
    }
    if (disk.armOnPull !== null && url.includes('/api/sync/pull')) {
      disk.fullAfter = disk.armOnPull;
      disk.armOnPull = null;
      save();
    }
    const response = await fetch(input, init);
    if (url.includes('/api/files/sha256/')) {
      disk.filesFetched++;
      save();
    }
    return response;
  };
}

/** The stores of the transaction that adds a photo to an item (data/evidence.ts addAttachments). */
const PHOTO_SCOPE = ['attachments', 'evidence', 'evidenceHistory', 'outbox'];

/**
 * Offline, once the sync running now (if any) has finished: from then on nothing but the user's
 * own action writes to the device's database.
 */
async function quiet(page: Page): Promise<OfflineHandle> {
  const offline = await goOffline(page.context());
  await expect(summary(page)).not.toContainText('Syncing', { timeout: 30_000 });
  return offline;
}

/** Changes the page's disk (and keeps the change across reloads). */
const setDisk = (page: Page, change: Partial<DiskState>) =>
  page.evaluate(
    ({ change, key }) => {
      Object.assign(window.__disk, change);
      sessionStorage.setItem(key, JSON.stringify(window.__disk));
    },
    { change, key: DISK_KEY },
  );

const disk = {
  state: (page: Page) => page.evaluate(() => ({ ...window.__disk })),
  /** The disk fills after `writes` more writes. */
  fillAfter: (page: Page, writes: number) => setDisk(page, { fullAfter: writes }),
  fillOnPull: (page: Page, writes: number) => setDisk(page, { armOnPull: writes }),
  fillNow: async (page: Page) => {
    const { full, fills } = await disk.state(page);
    if (!full) await setDisk(page, { full: true, fills: fills + 1, firstRefusedStore: null });
  },
  free: (page: Page) => setDisk(page, { full: false, fullAfter: null, armOnPull: null }),
};

/** A device (its own context: own IndexedDB, service worker, session) with the full-disk switch. */
async function openDevice(browser: Browser, baseURL: string, name: string): Promise<Device> {
  const context = await browser.newContext({ baseURL, serviceWorkers: 'allow', viewport: { width: 1024, height: 768 }, locale: 'en-GB', timezoneId: 'Europe/London' });
  await context.addInitScript(installFullDisk);
  const page = await context.newPage();
  watchErrors(page, name);
  await page.goto('/');
  await waitForServiceWorkerControl(page);
  return { name, context, page };
}

/** A handled fault is logged by the app (console.error) with the words it shows; anything else is an escape. */
const EXPECTED_CONSOLE = /out of storage space|QuotaExceeded|StorageFullError|Sync failed|Failed to load resource/;
function watchErrors(page: Page, where: string) {
  page.on('pageerror', (error) => escape(`unhandled: ${where}: ${error.name}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (EXPECTED_CONSOLE.test(message.text())) bump('Console errors logged by the app for a refused write');
    else escape(`console error: ${where}: ${message.text().slice(0, 200)}`);
  });
  // Leaving a form whose typing is not saved asks first; the suite says yes, as a user freeing space would.
  page.on('dialog', (dialog) => {
    if (dialog.type() === 'beforeunload') bump('Reloads the browser warned about (unsaved typing)');
    void dialog.accept();
  });
}

async function signIn(page: Page, person: Person, beforeSubmit?: () => Promise<void>): Promise<void> {
  await page.goto('/sign-in');
  await beforeSubmit?.();
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: `Signed in as ${person.name}` })).toBeVisible();
}

// ---------------------------------------------------------------------------------------------
// What the device and the centre hold, read raw.

async function readDatabase(page: Page) {
  return page.evaluate(async () => {
    const name = (await indexedDB.databases()).map((d) => d.name ?? '').find((n) => n.startsWith('ict-portfolio-user-'));
    if (!name) return null;
    const database = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => resolve(open.result);
    });
    const all = <T,>(store: string) =>
      database.objectStoreNames.contains(store)
        ? new Promise<T[]>((resolve, reject) => {
            const request = database.transaction(store).objectStore(store).getAll();
            request.onerror = () => reject(request.error);
            request.onsuccess = () => resolve(request.result as T[]);
          })
        : Promise.resolve([] as T[]);
    type Item = { id: string; title: string; narrative: string; serverRevision: number; deletedAt: string | null; attachments: Array<{ id: string; size: number }> };
    const evidence = await all<Item>('evidence');
    const history = await all<{ id: string; evidenceId: string }>('evidenceHistory');
    const outbox = await all<{ recordId: string; entity: string; patch: Record<string, unknown> }>('outbox');
    const meta = await all<{ key: string; value: unknown }>('meta');
    const enrolments = await all<{ id: string; serverRevision?: number }>('enrolments');
    const profile = await all<{ id: string; serverRevision?: number }>('profile');
    const decisions = await all<{ id: string }>('decisions');
    const rows = await all<{ id: string; size: number; blob: Blob | null }>('attachments');
    const files = [];
    for (const row of rows) {
      let sha256: string | null = null;
      if (row.blob) {
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await row.blob.arrayBuffer()));
        sha256 = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
      }
      files.push({ id: row.id, size: row.size, blobSize: row.blob?.size ?? null, sha256 });
    }
    database.close();
    const cursor = meta.find((m) => m.key === 'pullCursor')?.value;
    return { evidence, history, outbox, enrolments, profile, decisions, files, cursor: typeof cursor === 'string' ? cursor : null };
  });
}
type Stored = NonNullable<Awaited<ReturnType<typeof readDatabase>>>;

/** Whatever the disk did, a database must be whole. Returns the rules it breaks. */
function brokenRules(stored: Stored, where: string): string[] {
  const broken: string[] = [];
  const files = new Map(stored.files.map((f) => [f.id, f]));
  const items = new Set(stored.evidence.map((e) => e.id));
  for (const f of stored.files)
    if (f.sha256 !== null && (f.sha256 !== f.id || f.blobSize !== f.size)) broken.push(`damaged: ${where}: file ${f.id.slice(0, 12)} holds ${f.blobSize} bytes hashing to ${f.sha256.slice(0, 12)}`);
  for (const e of stored.evidence) {
    if (typeof e.title !== 'string' || typeof e.narrative !== 'string' || !Array.isArray(e.attachments)) broken.push(`half-written: ${where}: item ${e.id} lacks its text or file list`);
    for (const ref of e.attachments ?? []) if (!files.has(ref.id)) broken.push(`half-written: ${where}: item ${e.id} names file ${ref.id.slice(0, 12)} the device has no record of`);
    // Never at the centre and nothing waiting to send it: it would never leave this device.
    if (!e.serverRevision && !stored.outbox.some((o) => o.entity === 'evidence' && o.recordId === e.id)) broken.push(`half-written: ${where}: item ${e.id} is neither at the centre nor waiting to be sent`);
  }
  for (const o of stored.outbox) if (o.entity === 'evidence' && !items.has(o.recordId)) broken.push(`half-written: ${where}: a change waits for item ${o.recordId}, which is not on the device`);
  for (const h of stored.history) if (!items.has(h.evidenceId)) broken.push(`half-written: ${where}: history entry ${h.id} belongs to no item`);
  return broken;
}

interface CentreRecord {
  entity: 'evidence' | 'enrolment' | 'profile' | 'decision';
  id: string;
  revision: number;
  deleted: boolean;
  data: Record<string, unknown>;
}

/** The centre's records in this device's scope after `since` (latest revision of each), read with its session. */
async function centreRecords(page: Page, since = '0'): Promise<{ records: CentreRecord[]; cursor: string }> {
  const token = await deviceToken(page);
  return page.evaluate(
    async ({ token, since }) => {
      const headers = { Authorization: `Bearer ${token}` };
      const latest = new Map<string, CentreRecord>();
      let cursor = since;
      for (;;) {
        const response = await fetch(`/api/sync/pull?since=${cursor}`, { headers });
        if (!response.ok) throw new Error(`pull from the centre: ${response.status}`);
        const page = (await response.json()) as { changes: CentreRecord[]; cursor: string; more: boolean };
        for (const c of page.changes) latest.set(`${c.entity}:${c.id}`, c);
        cursor = page.cursor;
        if (!page.more) break;
      }
      return { records: [...latest.values()], cursor };
    },
    { token, since },
  );
}

/** SHA-256 of the bytes the centre serves for each file id. */
async function centreFileHashes(page: Page, ids: string[]): Promise<Record<string, string | null>> {
  const token = await deviceToken(page);
  return page.evaluate(
    async ({ token, ids }) => {
      const out: Record<string, string | null> = {};
      for (const id of ids) {
        const response = await fetch(`/api/files/sha256/${id}`, { headers: { Authorization: `Bearer ${token}` } });
        if (!response.ok) {
          out[id] = null;
          continue;
        }
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await response.arrayBuffer()));
        out[id] = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
      }
      return out;
    },
    { token, ids },
  );
}

/** Whether the device holds `record` at (at least) the centre's revision. */
function holds(stored: Stored, record: CentreRecord): boolean {
  const revisionOf = (rows: Array<{ id: string; serverRevision?: number }>) => rows.find((r) => r.id === record.id)?.serverRevision ?? null;
  switch (record.entity) {
    case 'evidence':
      return (revisionOf(stored.evidence) ?? 0) >= record.revision;
    case 'enrolment':
      return (revisionOf(stored.enrolments) ?? 0) >= record.revision;
    case 'profile':
      return (revisionOf(stored.profile) ?? 0) >= record.revision;
    case 'decision':
      return stored.decisions.some((d) => d.id === record.id);
  }
}

/** Stored evidence at the centre's revision must carry the centre's text. */
function textMismatches(stored: Stored, records: CentreRecord[], where: string): string[] {
  const out: string[] = [];
  for (const r of records) {
    if (r.entity !== 'evidence' || r.deleted) continue;
    const e = stored.evidence.find((x) => x.id === r.id);
    if (!e || e.serverRevision !== r.revision) continue;
    if (e.title !== r.data.title || e.narrative !== r.data.narrative) out.push(`damaged: ${where}: item ${r.id} at revision ${r.revision} reads ${JSON.stringify(e.title)} here, ${JSON.stringify(r.data.title)} at the centre`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Saving.

const narrativeOf = (page: Page) => page.getByLabel('What you did and what you learned');
const titleOf = (page: Page) => page.getByLabel('Title', { exact: true });
const notSaved = (page: Page) => page.getByRole('alert').filter({ hasText: 'Not saved.' });
const STORAGE_WORDS = 'Your device is out of storage space, so this could not be saved. What you typed is still here: free some space (delete unused files or apps) and try again.';

const WORDS = ['patched', 'the', 'file', 'server', 'after', 'hours', 'and', 'checked', 'every', 'backup', 'first', 'with', 'my', 'supervisor', 'logged', 'ticket', 'rebooted', 'switch', 'stack', 'tested', 'printers', 'on', 'floor', 'two'];
function sentence(min: number): string {
  const words: string[] = [];
  while (words.join(' ').length < min) words.push(pick(WORDS));
  const text = words.join(' ');
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

async function waitForSaved(page: Page): Promise<void> {
  const status = page.getByTestId('save-status');
  await expect(status).toHaveText('Saved on this device');
  await expect(status).not.toHaveAttribute('aria-busy', 'true');
}

/**
 * Types `parts` into their fields one key at a time; before the key at `fillAt` (counted over all
 * parts) the disk is set to fill `afterWrites` writes later. If the typing ended before that many
 * writes, the disk fills now and one more key goes in, so every round meets a full disk.
 */
async function typeWhileDiskFills(page: Page, parts: Array<{ field: Locator; text: string }>, fillAt: number, afterWrites: number): Promise<void> {
  let at = 0;
  for (const part of parts) {
    await part.field.click();
    await part.field.press('End');
    const split = fillAt - at;
    if (split >= 0 && split < part.text.length) {
      if (split > 0) await part.field.pressSequentially(part.text.slice(0, split), { delay: 8 });
      await disk.fillAfter(page, afterWrites);
      await part.field.pressSequentially(part.text.slice(split), { delay: 8 });
    } else await part.field.pressSequentially(part.text, { delay: 8 });
    at += part.text.length;
  }
  // Let the queued saves run before deciding whether the disk filled.
  await expect.poll(async () => (await page.getByTestId('save-status').getAttribute('aria-busy')) ?? 'false').toBe('false');
  if (!(await disk.state(page)).full) {
    bump('Saves: disk filled after the typing (then one more key)');
    await disk.fillNow(page);
    const last = parts.at(-1)!;
    await last.field.press('End');
    await last.field.pressSequentially('!', { delay: 8 });
    last.text += '!';
  }
}

const RESCUE_PREFIX = 'ict-portfolio:draft-rescue:';
const rescueCopies = (page: Page) =>
  page.evaluate((prefix) => {
    const out: Record<string, { title: string; narrative: string }> = {};
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)!;
      if (key.startsWith(prefix)) out[key.slice(prefix.length)] = (JSON.parse(localStorage.getItem(key)!) as { content: { title: string; narrative: string } }).content;
    }
    return out;
  }, RESCUE_PREFIX);

type Recovery = 'try again' | 'reload while full' | 'reload after freeing';

interface TextRound {
  kind: 'new item' | 'edit';
  title: string;
  narrative: string;
  /** What the form held before this round's typing. */
  before: { title: string; narrative: string };
  /** The item edited, or (a new item) the items there before it. */
  id: string | null;
  idsBefore: Set<string>;
}

/** The checks of a text save refused by a full disk, while it is full. */
async function checkRefusedSave(page: Page, round: TextRound, where: string, screenshotTo?: string): Promise<void> {
  const alert = notSaved(page);
  try {
    await expect(alert).toBeVisible();
    await expect(alert).toContainText(STORAGE_WORDS);
    await expect(page.getByTestId('save-status')).toHaveText('Not saved: this device is out of storage space.');
  } catch {
    escape(`no message: ${where}: the refused save was not reported as a full disk (alert: ${JSON.stringify(await alert.allTextContents())})`);
  }
  if (screenshotTo) await page.screenshot({ path: screenshotTo, fullPage: false });
  const shown = { title: await titleOf(page).inputValue(), narrative: await narrativeOf(page).inputValue() };
  if (shown.title !== round.title || shown.narrative !== round.narrative) {
    escape(`lost text: ${where}: the form shows ${JSON.stringify(shown)} after the refused save, not what was typed`);
    figures.dataLost++;
  }
  const copies = Object.values(await rescueCopies(page));
  if (!copies.some((c) => c.title === round.title && c.narrative === round.narrative)) escape(`no rescue copy: ${where}: no copy of the typed text in this browser (${copies.length} copies)`);
  else if (!(await alert.textContent())?.includes('A copy of your text is also kept in this browser')) escape(`no message: ${where}: a rescue copy was kept but the user was not told`);
  const stored = await readDatabase(page);
  if (stored) {
    for (const line of brokenRules(stored, where)) escape(line);
    // What is stored is an earlier state of the typing, whole: its title and text both prefixes of what was typed.
    const mine = stored.evidence.filter((x) => (round.id ? x.id === round.id : !round.idsBefore.has(x.id)));
    if (!round.id && mine.length > 1) escape(`duplicated: ${where}: ${mine.length} items were made for one new item`);
    for (const e of mine) {
      const typed = round.title.startsWith(e.title) && round.narrative.startsWith(e.narrative) && e.narrative.startsWith(round.before.narrative);
      if (!typed) escape(`half-written: ${where}: item ${e.id} stores ${JSON.stringify({ title: e.title, narrative: e.narrative })}, which is no state the user typed`);
    }
  }
}

async function recover(page: Page, round: TextRound, how: Recovery, where: string): Promise<void> {
  const restore = async () => {
    const offer = page.getByRole('heading', { name: 'Unsaved changes were kept' });
    try {
      await expect(offer).toBeVisible();
    } catch {
      escape(`lost text: ${where}: after a reload the rescue copy was not offered`);
      figures.dataLost++;
      return;
    }
    await page.getByRole('button', { name: 'Restore my unsaved changes' }).click();
    bump('Saves: rescue copy restored after a reload');
  };
  if (how === 'try again') {
    await disk.free(page);
    await notSaved(page).getByRole('button', { name: 'Try saving again' }).click();
  } else if (how === 'reload while full') {
    await page.reload();
    await restore();
    // Still full: refused again, and the form (restored from the copy) still holds the typing.
    figures.savesTried++;
    await checkRefusedSave(page, round, `${where}, restored while still full`);
    await disk.free(page);
    await notSaved(page).getByRole('button', { name: 'Try saving again' }).click();
  } else {
    await disk.free(page);
    await page.reload();
    await restore();
  }
  await waitForSaved(page);
  await expect(notSaved(page)).toBeHidden();
}

/** After the save went through: in the form, in the database across a reload, with no copy left, then at the centre. */
async function checkSavedAndSynced(page: Page, round: TextRound, where: string): Promise<string | null> {
  const id = /\/evidence\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? null;
  if (!id) {
    escape(`lost text: ${where}: the saved item has no address (${page.url()})`);
    figures.dataLost++;
    return null;
  }
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Edit evidence' })).toBeVisible();
  const shown = { title: await titleOf(page).inputValue(), narrative: await narrativeOf(page).inputValue() };
  if (shown.title !== round.title || shown.narrative !== round.narrative) {
    escape(`lost text: ${where}: read back after the save, the item holds ${JSON.stringify(shown)}`);
    figures.dataLost++;
  }
  if ((await page.getByRole('heading', { name: 'Unsaved changes were kept' }).count()) > 0) escape(`stale copy: ${where}: the rescue offer is still shown after the save`);
  if ((await page.getByRole('alert').count()) > 0) escape(`stale message: ${where}: an alert is still shown after the save: ${JSON.stringify(await page.getByRole('alert').allTextContents())}`);
  if (Object.keys(await rescueCopies(page)).length > 0) escape(`stale copy: ${where}: a rescue copy is left in the browser after the save`);
  const stored = await readDatabase(page);
  for (const line of brokenRules(stored!, `${where} after the save`)) escape(line);
  // Sync: the scheduler sends it about two seconds after the save.
  await expect.poll(async () => (await readDatabase(page))!.outbox.length, { timeout: 30_000, message: `${where}: changes still waiting after the save` }).toBe(0);
  const atCentre = (await centreRecords(page)).records.find((r) => r.entity === 'evidence' && r.id === id);
  if (atCentre?.data.title !== round.title || atCentre?.data.narrative !== round.narrative) {
    escape(`not at the centre: ${where}: the centre holds ${JSON.stringify({ title: atCentre?.data.title, narrative: atCentre?.data.narrative })}`);
    figures.dataLost++;
  }
  return id;
}

test('full disk while saving: a new item, an edit and a photo are refused in words, the typing is kept, and it saves and syncs once space is freed', async ({ browser, baseURL }) => {
  test.setTimeout(150_000);
  const learner = await openDevice(browser, baseURL!, 'Sam’s tablet');
  const { page } = learner;
  try {
    await signIn(page, DEMO.sam);
    await expect(summary(page)).toContainText('Synced', { timeout: 30_000 });

    // An item already at the centre, to edit and to add photos to.
    await nav(page, 'Evidence');
    await page.getByRole('link', { name: 'Log new evidence' }).click();
    const existing = { title: `Full-disk edit ${tag}`, narrative: 'Replaced the UPS batteries in the comms room.' };
    await titleOf(page).fill(existing.title);
    await expect(page).toHaveURL(/\/evidence\/[0-9a-f-]{36}$/);
    await narrativeOf(page).fill(existing.narrative);
    await waitForSaved(page);
    const existingUrl = page.url();
    const existingId = existingUrl.split('/').pop()!;
    // A photo added on a roomy disk: how many writes adding one takes. Offline, so that no sync
    // (the one the text's save asked for) writes at the same time and inflates the count.
    const firstPhoto = writeTempPng(`full-disk-${tag}-0.png`, seed);
    const offline = await quiet(page);
  await setDisk(page, { scope: PHOTO_SCOPE });
    await setDisk(page, { scope: PHOTO_SCOPE });
    const writesBefore = (await disk.state(page)).scopedWrites;
    await page.locator('#attach-files').setInputFiles(firstPhoto.path);
    await expect(page.getByRole('status').filter({ hasText: `Added ${firstPhoto.name}.` })).toBeVisible();
    const photoWrites = (await disk.state(page)).scopedWrites - writesBefore;
    await setDisk(page, { scope: null });
    figures.details['Writes one photo takes'] = photoWrites;
    await offline.goOnline();
    await expect.poll(async () => (await readDatabase(page))!.outbox.length, { timeout: 30_000 }).toBe(0);

    for (let r = 0; r < SAVE_ROUNDS; r++) {
      for (const kind of ['new item', 'edit', 'photo'] as const) {
        const where = `save round ${r} (${kind})`;
        const fillsBefore = (await disk.state(page)).fills;
        figures.savesTried++;
        if (kind === 'photo') {
          await photoRound(page, existingUrl, existingId, r, photoWrites, where);
        } else {
          let round: TextRound;
          if (kind === 'new item') {
            await nav(page, 'Evidence');
            await page.getByRole('link', { name: 'Log new evidence' }).click();
            await expect(page.getByRole('heading', { level: 1, name: 'Log new evidence' })).toBeVisible();
            const idsBefore = new Set((await readDatabase(page))!.evidence.map((e) => e.id));
            round = { kind, title: `Full-disk new ${tag}-${r} ${sentence(10)}`, narrative: sentence(40 + Math.floor(random() * 60)), before: { title: '', narrative: '' }, id: null, idsBefore };
          } else {
            await page.goto(existingUrl);
            await expect(page.getByRole('heading', { level: 1, name: 'Edit evidence' })).toBeVisible();
            await waitForSaved(page).catch(() => undefined);
            const before = { title: await titleOf(page).inputValue(), narrative: await narrativeOf(page).inputValue() };
            round = { kind, title: before.title, narrative: `${before.narrative} ${sentence(30 + Math.floor(random() * 50))}`, before, id: existingId, idsBefore: new Set() };
          }
          const parts =
            round.kind === 'new item'
              ? [
                  { field: titleOf(page), text: round.title },
                  { field: narrativeOf(page), text: round.narrative },
                ]
              : [{ field: narrativeOf(page), text: round.narrative.slice(round.before.narrative.length) }];
          const total = parts.reduce((n, p) => n + p.text.length, 0);
          const fillAt = Math.floor(random() * (total - 8));
          const afterWrites = Math.floor(random() * 4);
          await typeWhileDiskFills(page, parts, fillAt, afterWrites);
          // The fallback key may have gone on the end.
          if (round.kind === 'new item') {
            round.title = parts[0]!.text;
            round.narrative = parts[1]!.text;
          } else round.narrative = round.before.narrative + parts[0]!.text;
          const shot = r === 0 && kind === 'edit' ? '/tmp/full-disk-save-tablet.png' : undefined;
          await checkRefusedSave(page, round, where, shot);
          const how = pick<Recovery>(['try again', 'reload while full', 'reload after freeing']);
          bump(`Saves: recovered by ${how}`);
          await recover(page, round, how, where);
          await checkSavedAndSynced(page, round, where);
        }
        const fills = (await disk.state(page)).fills - fillsBefore;
        figures.fills += fills;
        await disk.free(page);
      }
    }
    figures.details['Writes refused while saving'] = (await disk.state(page)).refused;
    await realQuotaRound(learner, baseURL!, existingUrl, existingId);
  } finally {
    figures.details['Writes refused while saving'] ??= await disk.state(page).then((s) => s.refused).catch(() => 0);
    await learner.context.close();
  }
  expect(figures.escapes, `escapes with FAULTS_SEED=${FAULTS_SEED}`).toEqual([]);
});

/** A photo added while the disk fills part-way through its write: not added, nothing half-stored, added once there is room. */
async function photoRound(page: Page, url: string, id: string, r: number, photoWrites: number, where: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('heading', { level: 1, name: 'Edit evidence' })).toBeVisible();
  await waitForSaved(page).catch(() => undefined);
  // The disk is armed to fill part-way through the photo's own writes: a sync writing at the same
  // time would take the fill instead (and the photo would go in whole), so none runs meanwhile.
  const offline = await quiet(page);
  await setDisk(page, { scope: PHOTO_SCOPE });
  const textBefore = { title: await titleOf(page).inputValue(), narrative: await narrativeOf(page).inputValue() };
  const photo: TempFile = writeTempPng(`full-disk-${tag}-${r + 1}.png`, seed + r + 1);
  const refsBefore = (await readDatabase(page))!.evidence.find((e) => e.id === id)!.attachments.map((a) => a.id);
  const before = await disk.state(page);
  const fillAfter = Math.floor(random() * photoWrites);
  await disk.fillAfter(page, fillAfter);
  await page.locator('#attach-files').setInputFiles(photo.path);
  const refused = page.getByRole('alert').filter({ hasText: 'The files were not added.' });
  try {
    await expect(refused).toBeVisible();
    await expect(refused).toContainText('Your device is out of storage space');
  } catch {
    escape(`no message: ${where}: the refused photo was not reported as a full disk (alerts: ${JSON.stringify(await page.getByRole('alert').allTextContents())})`);
  }
  const after = await disk.state(page);
  if (after.fills === before.fills)
    escape(`no fault: ${where}: the disk did not fill within the photo's ${photoWrites} writes (armed for ${fillAfter}; ${after.scopedWrites - before.scopedWrites} of its writes went through, ${after.fullAfter} left)`);
  const stored = (await readDatabase(page))!;
  for (const line of brokenRules(stored, where)) escape(line);
  const item = stored.evidence.find((e) => e.id === id)!;
  if (item.attachments.some((a) => a.id === photo.sha256) || stored.files.some((f) => f.id === photo.sha256) || stored.outbox.some((o) => JSON.stringify(o.patch).includes(photo.sha256)))
    escape(`half-written: ${where}: part of the refused photo's write is stored`);
  if (JSON.stringify(item.attachments.map((a) => a.id)) !== JSON.stringify(refsBefore)) escape(`damaged: ${where}: the item's files changed after a refused photo`);
  const shown = { title: await titleOf(page).inputValue(), narrative: await narrativeOf(page).inputValue() };
  if (JSON.stringify(shown) !== JSON.stringify(textBefore)) {
    escape(`lost text: ${where}: the form's text changed after the refused photo`);
    figures.dataLost++;
  }
  // Room again: the user picks the photo again, then the connection comes back.
  await disk.free(page);
  await setDisk(page, { scope: null });
  await page.locator('#attach-files').setInputFiles(photo.path);
  await expect(page.getByRole('status').filter({ hasText: `Added ${photo.name}.` })).toBeVisible();
  const img = page.getByRole('img', { name: photo.name });
  // Thumbnails load lazily: scroll to it, as the user would to see it.
  await img.scrollIntoViewIfNeeded();
  await expect(img).toBeVisible();
  await expect(refused).toBeHidden();
  await offline.goOnline();
  await expect.poll(async () => (await readDatabase(page))!.outbox.length, { timeout: 30_000, message: `${where}: changes still waiting` }).toBe(0);
  const atCentre = (await centreRecords(page)).records.find((x) => x.entity === 'evidence' && x.id === id);
  const refs = ((atCentre?.data.attachments ?? []) as Array<{ id: string }>).map((a) => a.id);
  const hashes = await centreFileHashes(page, [photo.sha256]);
  if (!refs.includes(photo.sha256) || hashes[photo.sha256] !== photo.sha256) {
    escape(`not at the centre: ${where}: the photo (${refs.includes(photo.sha256) ? 'named' : 'not named'}, bytes ${hashes[photo.sha256] === photo.sha256 ? 'match' : 'missing or different'})`);
    figures.dataLost++;
  }
}

/**
 * The same photo refusal from Chromium's own quota (DevTools Storage.overrideQuotaForOrigin set just
 * above what the origin uses): the error takes the browser's real path (a transaction aborted with
 * QuotaExceededError, wrapped by Dexie), not the suite's switch.
 */
async function realQuotaRound(device: Device, baseURL: string, url: string, id: string): Promise<void> {
  const { page } = device;
  const where = 'save with Chromium’s own quota (photo of 5 MB)';
  const cdp = await device.context.newCDPSession(page);
  const origin = new URL(baseURL).origin;
  await page.goto(url);
  await expect(page.getByRole('heading', { level: 1, name: 'Edit evidence' })).toBeVisible();
  const usage = (await page.evaluate(() => navigator.storage.estimate())).usage ?? 0;
  try {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage });
  } catch (error) {
    figures.details['Real quota round'] = `not run: ${(error as Error).message.slice(0, 100)}`;
    return;
  }
  const photo = writeTempPng(`full-disk-${tag}-big.png`, seed + 99, { width: 1600, height: 1240 });
  const refused = page.getByRole('alert').filter({ hasText: 'The files were not added.' });
  const added = page.getByRole('status').filter({ hasText: `Added ${photo.name}.` });
  try {
    await page.locator('#attach-files').setInputFiles(photo.path);
    await expect(refused.or(added)).toBeVisible({ timeout: 20_000 });
    if ((await added.count()) > 0) {
      // This Chromium did not enforce the override: no fault was injected, so nothing to judge.
      figures.details['Real quota round'] = `not run: Chromium stored ${Math.round(photo.bytes.length / 1e6)} MB over a quota of ${usage} bytes (override not enforced)`;
      return;
    }
    figures.savesTried++;
    figures.fills++;
    if (!(await refused.textContent())?.includes('Your device is out of storage space'))
      escape(`no message: ${where}: ${JSON.stringify(await page.getByRole('alert').allTextContents())}`);
    else bump('Real quota: photo refused in words');
    const stored = (await readDatabase(page))!;
    for (const line of brokenRules(stored, where)) escape(line);
    if (stored.files.some((f) => f.id === photo.sha256) || stored.evidence.find((e) => e.id === id)?.attachments.some((a) => a.id === photo.sha256)) escape(`half-written: ${where}: part of the refused photo is stored`);
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  }
  await page.locator('#attach-files').setInputFiles(photo.path);
  await expect(page.getByRole('status').filter({ hasText: `Added ${photo.name}.` })).toBeVisible({ timeout: 20_000 });
  await expect.poll(async () => (await readDatabase(page))!.outbox.length, { timeout: 45_000, message: `${where}: changes still waiting` }).toBe(0);
  const hashes = await centreFileHashes(page, [photo.sha256]);
  if (hashes[photo.sha256] !== photo.sha256) {
    escape(`not at the centre: ${where}: the photo's bytes`);
    figures.dataLost++;
  }
}

// ---------------------------------------------------------------------------------------------
// Pulling.

test('full disk while a tablet pulls its caseload: told in words, nothing stored is damaged, the cursor stays behind, and the next sync completes', async ({ browser, baseURL }) => {
  test.setTimeout(170_000);
  // Jordan's laptop (the app's own data layer and sync, in a worker) puts items with files at the centre.
  const laptop = await startDevice('jordan laptop (full-disk suite)', baseURL!);
  const made: string[] = [];
  try {
    await laptop.call('signIn', DEMO.jordan.email, DEMO.jordan.password, false);
    await laptop.call('sync');
    const enrolment = await laptop.call('enrolment');
    for (let i = 0; i < PULLED_ITEMS; i++) {
      const id = await laptop.call('createEvidence', enrolment.id, {
        title: `Full-disk pulled ${tag}-${i}`,
        narrative: `${sentence(40)} (${i})`,
        method: 'portfolio-product',
        criterionIds: [enrolment.criteria[i % enrolment.criteria.length]!],
      });
      await laptop.call('addAttachment', id, { name: `cabinet-${i}.jpg`, type: 'image/jpeg', bytes: fileBytes(15_000 + Math.floor(random() * 40_000), seed + i) });
      made.push(id);
    }
    for (let i = 0; i < 5; i++) if ((await laptop.call('sync')).state === 'idle') break;
    const view = await laptop.call('centreView');
    expect(made.filter((id) => !view.evidence.some((e) => e.id === id)), 'the laptop did not get its items to the centre').toEqual([]);
  } finally {
    await laptop.close();
  }
  figures.details['Items with files made at the centre for the pulls'] = made.length;

  // Round -1 is a tablet on a roomy disk: how many writes a whole first sync takes.
  let firstSyncWrites = 0;
  for (let r = -1; r < PULL_ROUNDS; r++) {
    const where = r < 0 ? 'pull on a roomy disk' : `pull round ${r}`;
    const tablet = await openDevice(browser, baseURL!, `Tom’s tablet ${r + 2}`);
    const { page } = tablet;
    try {
      const fillAfter = r < 0 ? null : Math.floor(random() * firstSyncWrites);
      if (r >= 0) figures.pullsTried++;
      // Counted from the sign-in screen's load; armed there, so the disk fills that many writes into the pull.
      await signIn(page, DEMO.tom, async () => {
        if (fillAfter !== null) await disk.fillOnPull(page, fillAfter);
      });
      if (fillAfter === null) {
        await expect(summary(page)).toContainText('Synced', { timeout: 60_000 });
        await expect.poll(async () => missingHere(page), { timeout: 60_000, message: `${where}: records or files of the caseload missing` }).toEqual([]);
        const state = await disk.state(page);
        firstSyncWrites = state.writes - (state.writesAtPull ?? 0);
        figures.details['Writes of a whole first sync on the tablet'] = firstSyncWrites;
        continue;
      }
      await expect.poll(async () => (await disk.state(page)).fills, { timeout: 60_000, message: `${where}: the disk never filled (after ${fillAfter} writes)` }).toBe(1);
      // The sync ends (the header stops saying "Syncing…"), and the Device screen says why in words.
      await expect(summary(page)).not.toContainText('Syncing', { timeout: 60_000 });
      const state = await disk.state(page);
      figures.fills++;
      const phase = state.filesFetchedAtFill ? 'storing downloaded files' : 'storing records';
      bump(`Pulls: disk filled while ${phase} (first write refused: ${state.firstRefusedStore ?? 'none'})`);
      const headline = (await summary(page).textContent()) ?? '';
      if (/\bSynced\b/.test(headline)) escape(`no message: ${where}: the header says "${headline.trim()}" after a sync the full disk stopped`);
      // Whatever screen the assessor is on, the header points to why.
      const pointer = page.getByRole('link', { name: 'Last sync did not finish' });
      try {
        await expect(pointer).toBeVisible();
      } catch {
        escape(`no message: ${where}: the header says only "${headline.trim()}" after a sync the full disk stopped`);
      }
      if (r === 0) await page.screenshot({ path: '/tmp/full-disk-pull-header-tablet.png', fullPage: false });
      await (r % 2 === 0 && (await pointer.count()) > 0 ? pointer.click() : nav(page, 'Device'));
      const problem = page.getByTestId('sync-panel').getByRole('status').filter({ hasText: 'The last sync did not finish.' });
      try {
        await expect(problem).toBeVisible();
        await expect(problem).toContainText('out of storage space');
      } catch {
        escape(`no message: ${where}: the sync panel does not say the device is out of space (${JSON.stringify(await page.getByTestId('sync-panel').textContent())})`);
      }
      const words = ((await problem.textContent().catch(() => '')) ?? '').replace(/\s+/g, ' ').trim();
      // An error's own name, or words about typing on a screen where nothing was typed, is no explanation.
      if (/QuotaExceededError|DOMException|What you typed/.test(words)) escape(`unclear message: ${where}: "${words.slice(0, 200)}"`);
      if (r === 0) {
        await problem.scrollIntoViewIfNeeded();
        await page.screenshot({ path: '/tmp/full-disk-pull-tablet.png', fullPage: false });
        figures.details['Sync problem shown'] = words.slice(0, 240);
      }

      // While full: what is stored is whole, matches the centre, and the cursor is not past anything missing.
      const during = await readDatabase(page);
      if (during) {
        for (const line of brokenRules(during, `${where} (full)`)) escape(line);
        const all = await centreRecords(page);
        for (const line of textMismatches(during, all.records, `${where} (full)`)) escape(line);
        if (during.cursor !== null) {
          const after = new Set((await centreRecords(page, during.cursor)).records.map((x) => `${x.entity}:${x.id}`));
          const behind = all.records.filter((x) => !x.deleted && !after.has(`${x.entity}:${x.id}`) && !holds(during, x));
          for (const x of behind.slice(0, 3)) escape(`cursor past unstored data: ${where}: the cursor ${during.cursor} is past ${x.entity} ${x.id} (revision ${x.revision}), which is not on the device`);
        }
        bump('Pulls: records on the tablet when the disk filled', during.evidence.length);
        bump('Pulls: files on the tablet when the disk filled', during.files.filter((f) => f.sha256).length);
      } else bump('Pulls: disk filled before the database was made');

      // Space is freed: Sync now, and the sync completes with everything.
      await disk.free(page);
      const button = page.getByTestId('sync-panel').getByRole('button', { name: 'Sync now' });
      await expect(button).toBeEnabled({ timeout: 30_000 });
      await button.click();
      await expect(summary(page)).toContainText('Synced', { timeout: 60_000 });
      await expect(page.getByTestId('sync-panel').getByText('The last sync did not finish.')).toHaveCount(0);
      const missing = await missingHere(page).catch((error: Error) => [error.message]);
      if (missing.length > 0) {
        // The tablet downloads files inside the sync, so "Synced" means all of them are here.
        escape(`incomplete: ${where}: after space was freed and the sync finished, still missing: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`);
      }
      const final = (await readDatabase(page))!;
      for (const line of brokenRules(final, `${where} (after the next sync)`)) escape(line);
      for (const line of textMismatches(final, (await centreRecords(page)).records, `${where} (after the next sync)`)) escape(line);
      if (during) {
        const lost = during.evidence.filter((e) => !final.evidence.some((f) => f.id === e.id && f.serverRevision >= e.serverRevision)).length + during.files.filter((f) => f.sha256 && !final.files.some((g) => g.id === f.id && g.sha256 === f.sha256)).length;
        if (lost > 0) escape(`lost: ${where}: ${lost} records or files stored before the disk filled are gone after the next sync`);
        figures.dataLost += lost;
      }
      bump('Pulls: completed after space was freed');
    } finally {
      await tablet.context.close();
    }
  }
  expect(figures.escapes, `escapes with FAULTS_SEED=${FAULTS_SEED}`).toEqual([]);
});

/** Everything the centre holds for this device that it does not hold (record revisions, and every file by SHA-256). */
async function missingHere(page: Page): Promise<string[]> {
  const stored = await readDatabase(page);
  if (!stored) return ['the database'];
  const { records, cursor } = await centreRecords(page);
  const missing = records.filter((r) => !r.deleted && !holds(stored, r)).map((r) => `${r.entity} ${r.id}`);
  const fileIds = new Set(records.filter((r) => r.entity === 'evidence' && !r.deleted).flatMap((r) => ((r.data.attachments ?? []) as Array<{ id: string }>).map((a) => a.id)));
  for (const id of fileIds) if (!stored.files.some((f) => f.id === id && f.sha256 === id)) missing.push(`file ${id.slice(0, 12)}`);
  if (missing.length === 0 && stored.cursor !== cursor) missing.push(`the cursor (${stored.cursor}, the centre is at ${cursor})`);
  if (missing.length === 0) {
    // And the centre serves each of those files with those bytes.
    const hashes = await centreFileHashes(page, [...fileIds]);
    for (const id of fileIds) if (hashes[id] !== id) missing.push(`file ${id.slice(0, 12)} at the centre`);
  }
  return missing;
}
