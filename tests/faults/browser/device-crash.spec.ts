import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { DEMO, type Person } from '../../e2e/devices';
import { enrolThroughUi, saveEnrolment, writeTempPng } from '../../e2e/flows';
import { waitForServiceWorkerControl } from '../../e2e/helpers';
import { killHard, launch, type Launched } from '../../e2e/killable-browser';
import { reportSuite } from '../collector';
import { startDevice } from '../devices';
import { FAULTS_SEED, rng, seedFor, sized } from '../scale';
import { fileBytes } from '../workload';

/**
 * Suite 3, crash on the device. Chromium, on a real profile with the installed PWA, is killed
 * (SIGKILL to its process group: no unload, no clean close of storage) at seeded moments:
 *   - while evidence with a photo of several MB is being saved,
 *   - while a tablet's first sync is pulling a caseload and its files,
 *   - while the app upgrades a database written by the previous schema (Dexie v3 -> v4).
 * It is opened again on the same profile: what was stored must be whole (every file an item names
 * is there with its bytes, no record half-written, the upgrade all or nothing), the app must open,
 * and sync must carry on to the same state as the centre.
 */

// Per scenario: one in the quick run keeps `npm test` inside CI's budget; the full run spreads them.
const KILLS = sized({ quick: 1, full: 6 });
const seed = seedFor('device-crash');
const random = rng(seed);

interface Figures {
  kills: number;
  tried: number;
  escapes: string[];
  dataLost: number;
  details: Record<string, number | string>;
}
const figures: Figures = { kills: 0, tried: 0, escapes: [], dataLost: 0, details: {} };
const started = Date.now();
const bump = (key: string, by = 1) => (figures.details[key] = Number(figures.details[key] ?? 0) + by);

test.describe.configure({ mode: 'serial' });

test.afterAll(() => {
  reportSuite({
    suite: 'device-crash',
    faultsInjected: figures.kills,
    inputsTried: figures.tried,
    escapes: figures.escapes.length,
    dataLost: figures.dataLost,
    durationMs: Date.now() - started,
    seed: FAULTS_SEED,
    details: figures.details,
    examples: figures.escapes,
  });
});

/** Everything in one of the app's databases, read raw (not through the app), with each stored file hashed. */
async function readDatabase(page: Page, name: string | 'user') {
  return page.evaluate(async (wanted) => {
    const dbName = wanted === 'user' ? (await indexedDB.databases()).map((d) => d.name ?? '').find((n) => n.startsWith('ict-portfolio-user-')) : wanted;
    if (!dbName) return null;
    const database = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(dbName);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => resolve(open.result);
    });
    const all = (store: string) =>
      database.objectStoreNames.contains(store)
        ? new Promise<unknown[]>((resolve, reject) => {
            const request = database.transaction(store).objectStore(store).getAll();
            request.onerror = () => reject(request.error);
            request.onsuccess = () => resolve(request.result);
          })
        : Promise.resolve([]);
    const evidence = (await all('evidence')) as Array<Record<string, unknown> & { id: string; attachments: Array<{ id: string; size: number }> }>;
    const attachments = (await all('attachments')) as Array<{ id: string; size: number; blob: Blob | null }>;
    const outbox = (await all('outbox')) as Array<{ recordId: string; entity: string }>;
    const meta = (await all('meta')) as Array<{ key: string; value: unknown }>;
    const files = [];
    for (const a of attachments) {
      let sha256: string | null = null;
      if (a.blob) {
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await a.blob.arrayBuffer()));
        sha256 = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
      }
      files.push({ id: a.id, size: a.size, blobSize: a.blob?.size ?? null, sha256 });
    }
    const version = database.version;
    database.close();
    return { name: dbName, version, evidence, files, outbox, meta };
  }, name);
}
type Stored = NonNullable<Awaited<ReturnType<typeof readDatabase>>>;

/** The rules a database must keep after any crash. Returns escapes; counts lost data. */
function checkWhole(stored: Stored, where: string): string[] {
  const escapes: string[] = [];
  const files = new Map(stored.files.map((f) => [f.id, f]));
  for (const f of stored.files)
    if (f.sha256 !== null && (f.sha256 !== f.id || f.blobSize !== f.size)) escapes.push(`damaged: ${where}: file ${f.id.slice(0, 12)} holds ${f.blobSize} bytes hashing to ${f.sha256.slice(0, 12)}`);
  for (const e of stored.evidence) {
    if (typeof e.title !== 'string' || !Array.isArray(e.attachments)) escapes.push(`half-written: ${where}: item ${e.id} lacks its title or attachment list`);
    for (const ref of e.attachments ?? []) if (!files.has(ref.id)) escapes.push(`half-written: ${where}: item ${e.id} names file ${ref.id.slice(0, 12)} the device has no record of`);
  }
  const ids = new Set(stored.evidence.map((e) => e.id));
  for (const o of stored.outbox) if (o.entity === 'evidence' && !ids.has(o.recordId)) escapes.push(`half-written: ${where}: a change waits to be sent for item ${o.recordId}, which is not on the device`);
  return escapes;
}

async function signInThroughUi(page: Page, baseURL: string, person: Person): Promise<void> {
  await page.goto(`${baseURL}/sign-in`);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: `Signed in as ${person.name}` })).toBeVisible();
}

const summary = (page: Page) => page.getByTestId('sync-summary');

async function withProfile(work: (profile: string, runs: { open(): Promise<Launched>; kill(l: Launched): Promise<void> }) => Promise<void>): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'faults-device-crash-'));
  const open: Launched[] = [];
  try {
    await work(profile, {
      open: async () => {
        const launched = await launch(profile);
        open.push(launched);
        return launched;
      },
      kill: async (l) => {
        await killHard(l);
        open.splice(open.indexOf(l), 1);
      },
    });
  } finally {
    for (const l of open) await killHard(l).catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  }
}

test('killed while saving evidence with a large photo: nothing half-written, and it syncs on reopening', async ({ baseURL }) => {
  test.setTimeout(60_000 + KILLS * 60_000);
  for (let run = 0; run < KILLS; run++) {
    await withProfile(async (_profile, browser) => {
      const first = await browser.open();
      const page = first.page;
      await page.goto(`${baseURL}/`);
      await waitForServiceWorkerControl(page);
      await signInThroughUi(page, baseURL!, DEMO.jordan);
      await expect(summary(page)).toContainText('Synced', { timeout: 30_000 });
      const title = `Crash-write ${seed.toString(36)}-${run}`;
      await page.goto(`${baseURL}/evidence/new`);
      await page.getByLabel('Title', { exact: true }).fill(title);
      await expect(page).toHaveURL(/\/evidence\/[0-9a-f-]{36}$/);
      await expect(page.getByTestId('save-status')).toHaveText('Saved on this device');
      const photo = writeTempPng(`crash-${run}.png`, seed + run, { width: 1600, height: 1240 });
      await page.locator('#attach-files').setInputFiles(photo.path);
      // The photo is hashed and stored in one transaction: the kill lands somewhere in or around it.
      const delay = Math.floor(random() * 300);
      await page.waitForTimeout(delay);
      figures.tried++;
      await browser.kill(first);
      figures.kills++;

      const second = await browser.open();
      const again = second.page;
      await again.goto(`${baseURL}/api/health`);
      const stored = await readDatabase(again, 'user');
      if (!stored) {
        figures.escapes.push(`lost: run ${run}: the user's database is gone after the crash`);
        figures.dataLost++;
        return;
      }
      figures.escapes.push(...checkWhole(stored, `write run ${run} (killed ${delay} ms after choosing the photo)`));
      const item = stored.evidence.find((e) => e.title === title);
      if (!item) {
        figures.escapes.push(`lost: run ${run}: the item titled "${title}", saved before the crash, is gone`);
        figures.dataLost++;
        return;
      }
      bump(item.attachments.length > 0 ? 'Writes: photo stored whole before the kill' : 'Writes: killed before the photo was stored (item kept without it)');
      // Reopen the app: it starts, signed in, and sends what was stored.
      await again.goto(`${baseURL}/`);
      await expect(again.getByRole('link', { name: `Signed in as ${DEMO.jordan.name}` })).toBeVisible();
      await expect(summary(again)).toContainText('Synced', { timeout: 30_000 });
      const atCentre = await again.evaluate(
        async ({ id, files }) => {
          const token = await new Promise<string>((resolve, reject) => {
            const open = indexedDB.open('ict-portfolio-settings');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const get = open.result.transaction('settings').objectStore('settings').get('signIn');
              get.onsuccess = () => resolve((get.result as { token: string }).token);
              get.onerror = () => reject(get.error);
            };
          });
          const headers = { Authorization: `Bearer ${token}` };
          let since = '0';
          type Change = { id: string; data: { title: string; attachments: Array<{ id: string }> } };
          const found: Change[] = [];
          for (;;) {
            const page = (await (await fetch(`/api/sync/pull?since=${since}`, { headers })).json()) as { changes: Change[]; cursor: string; more: boolean };
            found.push(...page.changes.filter((c) => c.id === id));
            since = page.cursor;
            if (!page.more) break;
          }
          const statuses = [];
          for (const f of files) statuses.push((await fetch(`/api/files/sha256/${f}`, { method: 'HEAD', headers })).status);
          const record = found.at(-1);
          return { title: record?.data.title ?? null, attachments: record?.data.attachments.map((a) => a.id) ?? [], statuses };
        },
        { id: item.id, files: item.attachments.map((a) => a.id) },
      );
      if (atCentre.title !== title) figures.escapes.push(`diverged: run ${run}: the centre holds ${JSON.stringify(atCentre.title)} for the item, not "${title}"`);
      if (JSON.stringify(atCentre.attachments) !== JSON.stringify(item.attachments.map((a) => a.id))) figures.escapes.push(`diverged: run ${run}: the centre's item names other files than the device's`);
      if (atCentre.statuses.some((s) => s !== 200)) figures.escapes.push(`lost: run ${run}: the centre lacks a file the device stored (${atCentre.statuses.join(', ')})`);
    });
  }
  expect(figures.escapes).toEqual([]);
});

test('killed while a tablet pulls a caseload: what was stored is whole, and the next sync completes it', async ({ baseURL }) => {
  test.setTimeout(120_000 + KILLS * 60_000);
  // Jordan's laptop (the app's own data layer and sync, in a worker) puts items with photos at the centre.
  const laptop = await startDevice('jordan laptop (crash suite)', baseURL!);
  const made: string[] = [];
  try {
    await laptop.call('signIn', DEMO.jordan.email, DEMO.jordan.password, false);
    // The first sync brings Jordan's enrolment to the laptop.
    for (let i = 0; i < 5; i++) if ((await laptop.call('sync')).state === 'idle') break;
    const enrolment = await laptop.call('enrolment');
    for (let i = 0; i < sized({ quick: 60, full: 200 }); i++) {
      const id = await laptop.call('createEvidence', enrolment.id, { title: `Pulled item ${seed.toString(36)}-${i}`, narrative: 'Patched and rebooted the switch stack.', method: 'portfolio-product', criterionIds: [enrolment.criteria[i % enrolment.criteria.length]!] });
      await laptop.call('addAttachment', id, { name: `rack-${i}.jpg`, type: 'image/jpeg', bytes: fileBytes(20_000 + (i % 7) * 9_000, seed + i) });
      made.push(id);
    }
    for (let i = 0; i < 5; i++) if ((await laptop.call('sync')).state === 'idle') break;
    const centreView = await laptop.call('centreView');
    const missing = made.filter((id) => !centreView.evidence.some((e) => e.id === id));
    expect(missing, 'the laptop did not get its items to the centre').toEqual([]);
  } finally {
    await laptop.close();
  }
  figures.details['Items with photos at the centre for the pull'] = made.length;

  for (let run = 0; run < KILLS; run++) {
    await withProfile(async (_profile, browser) => {
      const first = await browser.open();
      const page = first.page;
      await page.goto(`${baseURL}/`);
      await waitForServiceWorkerControl(page);
      let pulled = 0;
      page.on('response', (r) => {
        if (r.url().includes('/api/sync/pull') || r.url().includes('/api/files/sha256/')) pulled++;
      });
      const pullStarted = page.waitForRequest((r) => r.url().includes('/api/sync/pull'), { timeout: 30_000 });
      await signInThroughUi(page, baseURL!, DEMO.tom);
      // Kill at a seeded point after the pull was asked for: while the answer arrives, while it is
      // stored, or during the file downloads after it.
      await pullStarted;
      await page.waitForTimeout(Math.floor(random() * 1200));
      figures.tried++;
      const answersBeforeKill = pulled;
      await browser.kill(first);
      figures.kills++;

      const second = await browser.open();
      const again = second.page;
      await again.goto(`${baseURL}/api/health`);
      const stored = await readDatabase(again, 'user');
      if (!stored) {
        bump('Pulls: killed before the database was made');
      } else {
        figures.escapes.push(...checkWhole(stored, `pull run ${run} (killed after ${answersBeforeKill} answers)`));
        const kept = stored.evidence.filter((e) => made.includes(e.id));
        const withFiles = kept.filter((e) => e.attachments.every((a) => stored.files.some((f) => f.id === a.id && f.sha256 === a.id))).length;
        bump(kept.length === 0 ? 'Pulls: killed before the first page was stored' : withFiles < kept.length ? 'Pulls: killed during the file downloads' : 'Pulls: killed after every item and file was stored');
      }
      await again.goto(`${baseURL}/`);
      await expect(again.getByRole('link', { name: `Signed in as ${DEMO.tom.name}` })).toBeVisible();
      await expect(summary(again)).toContainText('Synced', { timeout: 60_000 });
      // The tablet keeps every file of its caseload: the downloads after the pull finish too.
      await expect
        .poll(async () => {
          const s = await readDatabase(again, 'user');
          return s ? made.filter((id) => !s.evidence.some((e) => e.id === id && e.attachments.every((a) => s.files.some((f) => f.id === a.id && f.sha256 === a.id)))).length : made.length;
        }, { timeout: 60_000, message: 'items or files of the caseload still missing on the tablet after it reopened' })
        .toBe(0);
      const after2 = (await readDatabase(again, 'user'))!;
      figures.escapes.push(...checkWhole(after2, `pull run ${run} after the next sync`));
      bump('Pulls: completed after reopening');
    });
  }
  expect(figures.escapes).toEqual([]);
});

/** The stores of schema version 3 (src/data/db.ts), as Dexie declared them: IndexedDB version 30. */
const V3_STORES: Record<string, { keyPath: string; autoIncrement?: boolean; indexes: Array<{ name: string; keyPath: string | string[]; unique?: boolean }> }> = {
  frameworks: { keyPath: 'key', indexes: [{ name: 'id', keyPath: 'id' }, { name: 'kind', keyPath: 'kind' }] },
  profile: { keyPath: 'id', indexes: [] },
  enrolments: { keyPath: 'id', indexes: [{ name: 'learnerId', keyPath: 'learnerId' }] },
  evidence: { keyPath: 'id', indexes: ['enrolmentId', 'updatedAt', 'status', 'dirty'].map((k) => ({ name: k, keyPath: k })) },
  evidenceHistory: { keyPath: 'id', indexes: [{ name: 'evidenceId', keyPath: 'evidenceId' }, { name: '[evidenceId+at]', keyPath: ['evidenceId', 'at'] }] },
  attachments: { keyPath: 'id', indexes: [{ name: 'uploadState', keyPath: 'uploadState' }] },
  outbox: { keyPath: 'seq', autoIncrement: true, indexes: [{ name: 'id', keyPath: 'id', unique: true }, { name: '[entity+recordId]', keyPath: ['entity', 'recordId'] }] },
  meta: { keyPath: 'key', indexes: [] },
};
const V4_FIELDS = ['kind', 'questions', 'witness', 'recordedBy', 'iqaLock'];

/** Logged by the page when an upgrade of an existing database begins (UPGRADE_WATCH). */
const UPGRADE_STARTED = 'faults:upgrade-started';
// A string, not a function: the page must not see tsx's __name() helper.
const UPGRADE_WATCH = `(() => {
  const open = IDBFactory.prototype.open;
  IDBFactory.prototype.open = function (...args) {
    const request = open.apply(this, args);
    request.addEventListener('upgradeneeded', (event) => {
      if (event.oldVersion > 0) console.log('${UPGRADE_STARTED} ' + event.oldVersion + ' -> ' + event.newVersion);
    });
    return request;
  };
})();`;

test('killed while the app upgrades a database of the previous version: all or nothing, and it opens', async ({ baseURL }) => {
  const ITEMS = sized({ quick: 3000, full: 6000 });
  test.setTimeout(60_000 + KILLS * 60_000);
  for (let run = 0; run < KILLS; run++) {
    await withProfile(async (_profile, browser) => {
      const first = await browser.open();
      const page = first.page;
      // The app makes its database (this device only, no account) and one real item to copy.
      await page.goto(`${baseURL}/`);
      await waitForServiceWorkerControl(page);
      await enrolThroughUi(page);
      await saveEnrolment(page);
      await page.getByRole('link', { name: 'Log new evidence' }).click();
      await page.getByLabel('Title', { exact: true }).fill('Model item');
      await expect(page.getByTestId('save-status')).toHaveText('Saved on this device');
      // Away from the app, rewrite its database as version 3 of the app left it, with many items.
      await page.goto(`${baseURL}/api/health`);
      await page.evaluate(
        async ({ stores, v4Fields, items }) => {
          const req = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))));
          const current = await req(indexedDB.open('ict-portfolio'));
          const data: Record<string, unknown[]> = {};
          for (const store of Object.keys(stores)) data[store] = current.objectStoreNames.contains(store) ? await req(current.transaction(store).objectStore(store).getAll()) : [];
          current.close();
          await req(indexedDB.deleteDatabase('ict-portfolio'));
          const open = indexedDB.open('ict-portfolio', 30);
          open.onupgradeneeded = () => {
            for (const [name, s] of Object.entries(stores)) {
              const store = open.result.createObjectStore(name, { keyPath: s.keyPath, autoIncrement: s.autoIncrement ?? false });
              for (const index of s.indexes) store.createIndex(index.name, index.keyPath, { unique: index.unique ?? false });
            }
          };
          const old = await req(open);
          const model = data.evidence![0] as Record<string, unknown>;
          const tx = old.transaction(Object.keys(stores), 'readwrite');
          for (const [name, rows] of Object.entries(data)) if (name !== 'evidence' && name !== 'outbox') for (const row of rows) tx.objectStore(name).put(row);
          for (let i = 0; i < items; i++) {
            const item: Record<string, unknown> = { ...model, id: `10000000-0000-7000-8000-${String(i).padStart(12, '0')}`, title: `Upgraded item ${i}`, dirty: 1 };
            for (const f of v4Fields) delete item[f];
            tx.objectStore('evidence').put(item);
            const mutationId = `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
            tx.objectStore('outbox').add({ id: mutationId, entity: 'evidence', recordId: item.id, op: 'upsert', baseRevision: 0, patch: { title: item.title }, createdAt: new Date().toISOString(), attempts: 0, lastError: null, sentAt: null, reason: null, serverRecord: null });
          }
          await new Promise<void>((resolve, reject) => ((tx.oncomplete = () => resolve()), (tx.onerror = () => reject(tx.error))));
          old.close();
        },
        { stores: V3_STORES, v4Fields: V4_FIELDS, items: ITEMS },
      );
      // Open the app: Dexie upgrades v3 -> v4 (every item gains its v4 fields). Kill during it: the
      // page says when the upgrade starts; even runs kill within 50 ms of that (inside the upgrade
      // transaction), odd ones up to 3 s later (often after it committed), so both outcomes are met.
      await page.addInitScript(UPGRADE_WATCH);
      const upgradeStarted = page.waitForEvent('console', { predicate: (m) => m.text().startsWith(UPGRADE_STARTED), timeout: 30_000 });
      void page.goto(`${baseURL}/`).catch(() => undefined);
      await upgradeStarted;
      const delay = run % 2 === 0 ? Math.floor(random() * 50) : Math.floor(random() * 3000);
      await new Promise((r) => setTimeout(r, delay));
      figures.tried++;
      await browser.kill(first);
      figures.kills++;

      const second = await browser.open();
      const again = second.page;
      await again.goto(`${baseURL}/api/health`);
      const stored = await readDatabase(again, 'ict-portfolio');
      if (!stored || stored.evidence.length !== ITEMS) {
        figures.escapes.push(`lost: upgrade run ${run}: ${stored?.evidence.length ?? 'no'} items after the kill, ${ITEMS} before`);
        figures.dataLost++;
        return;
      }
      const upgraded = stored.evidence.filter((e) => e.kind === 'learner').length;
      if (stored.version === 30 && upgraded === 0) bump('Upgrades: killed before it committed (still version 3, whole)');
      else if (stored.version === 40 && upgraded === ITEMS) bump('Upgrades: committed before the kill (version 4, whole)');
      else figures.escapes.push(`half-upgraded: run ${run}: database version ${stored.version / 10} with ${upgraded} of ${ITEMS} items upgraded`);
      if (stored.outbox.length !== ITEMS) {
        figures.escapes.push(`lost: upgrade run ${run}: ${stored.outbox.length} changes waiting, ${ITEMS} before`);
        figures.dataLost++;
      }
      // The app opens on it (upgrading now if the kill came first) and shows the items.
      await again.goto(`${baseURL}/evidence`);
      await expect(again.getByRole('heading', { level: 1, name: 'Your evidence' })).toBeVisible({ timeout: 30_000 });
      await expect(again.getByTestId('evidence-list').getByRole('link').first()).toBeVisible();
      await again.goto(`${baseURL}/api/health`);
      const after = (await readDatabase(again, 'ict-portfolio'))!;
      if (after.version !== 40 || after.evidence.some((e) => e.kind !== 'learner' || !Array.isArray(e.questions)))
        figures.escapes.push(`half-upgraded: run ${run}: after reopening, version ${after.version / 10}, not every item upgraded`);
      figures.escapes.push(...checkWhole(after, `upgrade run ${run}`));
    });
  }
  figures.details['Items in the database upgraded'] = ITEMS;
  expect(figures.escapes).toEqual([]);
});
