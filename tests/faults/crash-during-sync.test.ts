import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentre, type Centre } from '../e2e/centre';
import { reportSuite } from './collector';
import { FAULTS_SEED, rng, seedFor, sized } from './scale';
import { checkCentreStorage, checkConverged, newLedger, syncUntilQuiet, type Ledger } from './sync-check';
import { appendToNarrative, fileBytes, makeItem, startTrio, type Trio } from './workload';

/**
 * Suite 1, crash during sync. The real centre (server/main.ts, on-disk PGlite in a temporary
 * DATA_DIR) is SIGKILLed at random points (seeded) while a learner's phone and laptop and their
 * assessor's tablet sync 200 items with attachments, and restarted on the same data. Only kills
 * that land while a sync is under way count. Then everything syncs, and every device and the
 * centre must hold the same records and the same file bytes (SHA-256), none twice, none lost.
 */

// The full run is the 200 items and 50 kills; the quick one keeps `npm test` inside CI's budget.
const ITEMS = sized({ quick: 120, full: 200 });
const KILLS = sized({ quick: 5, full: 50 });
const seed = seedFor('crash-during-sync');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('suite 1: crash during sync', () => {
  let dataDir: string;
  let centre: Centre;
  let trio: Trio;
  let ledger: Ledger;
  const started = Date.now();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ictp-faults-crash-'));
    centre = await startCentre({ dataDir });
    trio = await startTrio(centre.url);
    ledger = newLedger(trio.preexisting);
  });

  afterAll(async () => {
    await trio?.close();
    await centre?.stop().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(`syncs ${ITEMS} items with files from three devices through ${KILLS} kills of the centre, and every copy agrees`, async () => {
    const random = rng(seed);
    const shared = fileBytes(150_000, seed);
    const made: Array<{ device: Trio['phone']; id: string }> = [];
    let killsDuringSync = 0;
    let killsAfterSync = 0;
    let restarts = 0;
    let restartMs = 0;
    let maxDelay = 1500;
    let syncs = 0;
    let failedSyncs = 0;
    const perRound = Math.ceil(ITEMS / KILLS);

    for (let round = 0; killsDuringSync < KILLS && round < KILLS * 3; round++) {
      // Work made on the devices since the last sync: new items (a few with the same photo), edits.
      for (let i = 0; i < perRound && made.length < ITEMS; i++) {
        const device = trio.all[made.length % 3]!;
        const id = await makeItem(device, trio, ledger, random, random() < 0.05 ? shared : null);
        made.push({ device, id });
      }
      for (let i = 0; i < 2 && made.length > 0; i++) {
        const pick = made[Math.floor(random() * made.length)]!;
        await appendToNarrative(pick.device, pick.id, ledger, random);
      }
      // All three sync; the centre is killed part-way.
      const running = new Set(trio.all.map((d) => d.name));
      const syncing = trio.all.map((d) =>
        d.call('sync').then((outcome) => {
          running.delete(d.name);
          syncs++;
          if (outcome.state !== 'idle' || outcome.problem) failedSyncs++;
          return outcome;
        }),
      );
      await sleep(Math.floor(random() * maxDelay));
      const during = running.size > 0;
      await centre.kill('SIGKILL');
      if (during) killsDuringSync++;
      else {
        killsAfterSync++;
        maxDelay = Math.max(50, Math.floor(maxDelay * 0.6));
      }
      await Promise.all(syncing);
      const restartAt = Date.now();
      await centre.restart();
      restartMs += Date.now() - restartAt;
      restarts++;
    }
    while (made.length < ITEMS) {
      const device = trio.all[made.length % 3]!;
      made.push({ device, id: await makeItem(device, trio, ledger, random, null) });
    }

    const settleAt = Date.now();
    const rounds = await syncUntilQuiet(trio.all, { maxRounds: 12 });
    const settleMs = Date.now() - settleAt;
    const result = await checkConverged(trio.all, ledger, { keepsAllFiles: new Set(['learner phone', 'assessor tablet']), allowHeld: false, allowKeptDrafts: false });
    const escapes = [...result.escapes];
    if (rounds === null) escapes.unshift('diverged: the devices did not settle in 12 rounds of sync after the last crash');
    if (killsDuringSync < KILLS) escapes.push(`only ${killsDuringSync} of ${KILLS} kills landed during a sync`);
    await centre.stop();
    const storage = await checkCentreStorage(dataDir, result.fileIds);
    escapes.push(...storage.escapes);

    reportSuite({
      suite: 'crash-during-sync',
      faultsInjected: killsDuringSync + killsAfterSync,
      inputsTried: ITEMS,
      escapes: escapes.length,
      dataLost: result.dataLost,
      durationMs: Date.now() - started,
      seed: FAULTS_SEED,
      details: {
        'Devices': trio.all.length,
        'Items made': ITEMS,
        'Kills (SIGKILL) during a sync': killsDuringSync,
        'Kills after every sync had ended': killsAfterSync,
        'Restarts on the same data': restarts,
        'Time the centre took to restart (mean)': `${(restartMs / Math.max(1, restarts) / 1000).toFixed(1)} s`,
        'Syncs run during the crashes': syncs,
        'Syncs cut short by a crash': failedSyncs,
        'Rounds of sync to settle afterwards': rounds ?? 'did not settle',
        'Time to settle': `${(settleMs / 1000).toFixed(1)} s`,
        'Records at the centre': result.figures.records,
        'Files checked by SHA-256 (centre)': result.figures.files,
        'Files stored on the centre disk': storage.storedFiles,
        'Record versions checked (no gap, none twice)': storage.versions,
        'Texts and files checked for loss': ledger.typed.length,
      },
      examples: escapes,
    });
    expect(escapes).toEqual([]);
    expect(result.dataLost).toBe(0);
  });
});
