import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ENROL_4520_03 } from '../lib/app-pages';
import { launchProfile, openBenchPage } from '../lib/browser';
import { startCentre } from '../lib/centre';
import { onCleanup } from '../lib/cleanup';
import { profileIn, summariseCpuProfiles } from '../lib/profile';
import { freePort, startProcess, waitForUrl } from '../lib/procs';
import type { Context, Figure } from '../lib/types';

interface Sizes {
  items: number;
  attachments: number;
  attachmentBytes: number;
  mappingsPerItem: number;
  changed: number;
}

export const MIB = 1024 * 1024;

/** In-page call of the harness (window.bench) or the PouchDB page (window.benchPouch), by method name. */
export function call<R>(page: Page, target: 'bench' | 'benchPouch', method: string, ...args: unknown[]): Promise<R> {
  return page.evaluate(`window.${target}.${method}(...${JSON.stringify(args)})`) as Promise<R>;
}

/** A server program of the bench (TypeScript, run with tsx) in its own temporary data directory. */
export async function startBenchServer(name: string, script: string, pages: string) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `ictp-bench-${name}-`));
  const removeDir = onCleanup(`${name} data directory`, () => rmSync(dataDir, { recursive: true, force: true }));
  const proc = startProcess(name, process.execPath, ['--import', 'tsx', script], { env: { PORT: String(port), DATA_DIR: dataDir, BENCH_PAGES: pages } });
  const url = `http://127.0.0.1:${port}`;
  await waitForUrl(`${url}/__bench/harness.html`, proc, 60_000);
  return {
    url,
    proc,
    async stop() {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
      removeDir();
    },
  };
}

/**
 * 5. Sync. A new device of a learner holds 1,000 items (made with createEvidence) and 100 photos
 * of 1 MiB (addAttachments) and syncs for the first time; then 10 items change and it syncs
 * again (incremental). Each run uses a new learner and a new Chromium profile, side by side with:
 *   - PouchDB (pouchdb-browser) in the same Chromium, the same items as documents and the same
 *     photos as attachments, one-shot two-way sync with express-pouchdb (leveldb) on loopback;
 *   - the raw floor: the same items and bytes in a plain IndexedDB, read and sent with fetch (one
 *     request per photo, items in batches of 200) to a minimal Node server that writes them to disk.
 * Ours is the app's engine (src/sync/engine.ts) with its tus uploader against the real centre
 * (PGlite, as `npm start`): one sync() = files up (HEAD, then tus), changes up, changes down.
 */
export async function measureSync(ctx: Context): Promise<Figure[]> {
  const sizes: Sizes = ctx.quick
    ? { items: 200, attachments: 20, attachmentBytes: MIB, mappingsPerItem: 3, changed: 10 }
    : { items: 1000, attachments: 100, attachmentBytes: MIB, mappingsPerItem: 3, changed: 10 };
  const pages = join(ctx.appDir, '__bench');
  const centre = await startCentre(ctx.appDir);
  const pouch = await startBenchServer('pouch-server', 'bench/pouch-server.ts', pages);
  const floor = await startBenchServer('floor-server', 'bench/floor-server.ts', pages);
  const fresh = { ours: [] as number[], pouch: [] as number[], floor: [] as number[] };
  const incremental = { ours: [] as number[], pouch: [] as number[], floor: [] as number[] };
  const checks: Array<Record<string, unknown>> = [];
  let pool: string[] = [];
  try {
    for (let run = 0; run < ctx.runs; run++) {
      const seed = 500 + run;
      const order = [['ours', 'pouch', 'floor'], ['pouch', 'floor', 'ours'], ['floor', 'ours', 'pouch']][run % 3]!;
      for (const which of order) {
        const profile = await launchProfile(`sync-${which}`);
        const page = profile.page;
        try {
          if (which === 'ours') {
            const learner = await centre.newLearner(`sync${run}`);
            await openBenchPage(page, `${centre.url}/__bench/harness.html`);
            const opened = await call<{ enrolmentId: string | null; first: { state: string } }>(page, 'bench', 'syncOpen', { userId: learner.userId, token: learner.token });
            if (!opened.enrolmentId) throw new Error(`The first sync brought no enrolment (${JSON.stringify(opened.first)})`);
            const seeded = await call<{ ms: number; outbox: number }>(page, 'bench', 'seedDevice', { ...sizes, seed });
            const first = await call<{ ms: number; state: string; problem: string | null; requests: unknown; outsideRequestsMs: number }>(page, 'bench', 'syncOnce');
            const after = await call<{ waiting: number; notUploaded: number }>(page, 'bench', 'deviceState');
            if (first.state !== 'idle' || first.problem || after.waiting > 0 || after.notUploaded > 0)
              throw new Error(`Our first sync did not finish cleanly: ${JSON.stringify({ first, after })}`);
            fresh.ours.push(first.ms);
            await call(page, 'bench', 'changeItems', sizes.changed, `run${run}`);
            const inc = await call<{ ms: number; state: string; problem: string | null; requests: unknown; outsideRequestsMs: number }>(page, 'bench', 'syncOnce');
            const afterInc = await call<{ waiting: number }>(page, 'bench', 'deviceState');
            if (inc.state !== 'idle' || afterInc.waiting > 0) throw new Error(`Our incremental sync did not finish: ${JSON.stringify({ inc, afterInc })}`);
            incremental.ours.push(inc.ms);
            checks.push({ run, seedMs: Math.round(seeded.ms), outboxBefore: seeded.outbox, first: { ms: Math.round(first.ms), requests: first.requests, outsideRequestsMs: first.outsideRequestsMs }, incremental: { ms: Math.round(inc.ms), requests: inc.requests, outsideRequestsMs: inc.outsideRequestsMs } });
          } else if (which === 'pouch') {
            if (pool.length === 0) {
              await openBenchPage(page, `${floor.url}/__bench/harness.html`);
              pool = await call<string[]>(page, 'bench', 'poolFor', ENROL_4520_03.qualificationId, ENROL_4520_03.optionalUnitIds);
            }
            await openBenchPage(page, `${pouch.url}/__bench/pouch.html`);
            const remote = `${pouch.url}/db/bench-${run}`;
            await call(page, 'benchPouch', 'seed', { name: 'device', ...sizes, seed, pool });
            const first = await call<{ ms: number; pushed: number }>(page, 'benchPouch', 'sync', { name: 'device', remote });
            const counts = await call<{ docs: number; attachments: number }>(page, 'benchPouch', 'remoteCounts', remote);
            if (counts.docs !== sizes.items || counts.attachments !== sizes.attachments) throw new Error(`PouchDB's server holds ${JSON.stringify(counts)} after the sync`);
            fresh.pouch.push(first.ms);
            await call(page, 'benchPouch', 'change', { name: 'device', n: sizes.changed, tag: `run${run}` });
            const inc = await call<{ ms: number; pushed: number }>(page, 'benchPouch', 'sync', { name: 'device', remote });
            if (inc.pushed !== sizes.changed) throw new Error(`PouchDB pushed ${inc.pushed} of ${sizes.changed} changes`);
            incremental.pouch.push(inc.ms);
          } else {
            if (pool.length === 0) {
              await openBenchPage(page, `${floor.url}/__bench/harness.html`);
              pool = await call<string[]>(page, 'bench', 'poolFor', ENROL_4520_03.qualificationId, ENROL_4520_03.optionalUnitIds);
            }
            await openBenchPage(page, `${floor.url}/__bench/harness.html`);
            await call(page, 'bench', 'floorSeed', { ...sizes, seed, pool });
            const first = await call<{ ms: number; items: number }>(page, 'bench', 'floorUpload', { blobs: true, run: `r${run}` });
            fresh.floor.push(first.ms);
            await call(page, 'bench', 'floorChange', sizes.changed, `run${run}`);
            const inc = await call<{ ms: number; items: number }>(page, 'bench', 'floorUpload', { blobs: false, only: sizes.changed, run: `r${run}` });
            incremental.floor.push(inc.ms);
          }
        } finally {
          await profile.close();
        }
      }
      ctx.log(
        `  run ${run + 1}/${ctx.runs}: new device ours ${Math.round(fresh.ours.at(-1)!)} ms, PouchDB ${Math.round(fresh.pouch.at(-1)!)} ms, floor ${Math.round(fresh.floor.at(-1)!)} ms; ` +
          `incremental ours ${Math.round(incremental.ours.at(-1)!)} ms, PouchDB ${Math.round(incremental.pouch.at(-1)!)} ms, floor ${Math.round(incremental.floor.at(-1)!)} ms`,
      );
    }
  } finally {
    await floor.stop();
    await pouch.stop();
    await centre.stop();
  }
  // Where our first sync's time goes: one more run (not counted; 300 items and 30 photos, to keep
  // the whole bench within its time), the page under the JS profiler and the centre under node --cpu-prof.
  const profiling = ctx.quick ? null : await profileOurSync(ctx, { ...sizes, items: 300, attachments: 30 });
  const what = `${sizes.items} items + ${sizes.attachments} × ${sizes.attachmentBytes / MIB} MiB`;
  const faster = { ratioMax: 0.5, text: '≤ 0.5× PouchDB (2× faster)' };
  const nearFloor = { ratioMax: 1.5, text: '≤ 1.5× floor' };
  return [
    { name: `Sync new device (${what}) vs PouchDB`, unit: 'ms', ours: fresh.ours, reference: fresh.pouch, referenceName: 'PouchDB → express-pouchdb', target: faster, detail: { breakdownOfOurSyncs: checks, profiling } },
    { name: `Sync new device (${what}) vs raw floor`, unit: 'ms', ours: fresh.ours, reference: fresh.floor, referenceName: 'raw fetch to minimal server', target: nearFloor },
    { name: `Sync incremental (${sizes.changed} changed items) vs PouchDB`, unit: 'ms', ours: incremental.ours, reference: incremental.pouch, referenceName: 'PouchDB → express-pouchdb', target: faster },
    { name: `Sync incremental (${sizes.changed} changed items) vs raw floor`, unit: 'ms', ours: incremental.ours, reference: incremental.floor, referenceName: 'raw fetch to minimal server', target: nearFloor },
  ];
}

async function profileOurSync(ctx: Context, sizes: Sizes) {
  const dir = mkdtempSync(join(ctx.out, 'cpuprof-centre-'));
  const centre = await startCentre(ctx.appDir, {}, ['--cpu-prof', '--cpu-prof-dir', dir]);
  const profile = await launchProfile('sync-profile');
  try {
    const learner = await centre.newLearner('profile');
    const page = profile.page;
    await openBenchPage(page, `${centre.url}/__bench/harness.html`);
    await call(page, 'bench', 'syncOpen', { userId: learner.userId, token: learner.token });
    await call(page, 'bench', 'seedDevice', { ...sizes, seed: 900 });
    let first: unknown = null;
    const device = await profileIn(page, async () => (first = await call(page, 'bench', 'syncOnce')), { limit: 15, appDir: ctx.appDir });
    await profile.close();
    await centre.stop();
    const server = summariseCpuProfiles(dir);
    ctx.log(`  profiled one more first sync: device main thread ${JSON.stringify(device.byModule.slice(0, 5))}`);
    if (server) ctx.log(`  centre CPU by module: ${JSON.stringify(server.byModule.slice(0, 6))}`);
    return { sync: first, deviceMainThread: device, centreCpu: server };
  } finally {
    await profile.close();
    await centre.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
