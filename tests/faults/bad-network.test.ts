import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentre, type Centre } from '../e2e/centre';
import { FAULT_RATES, startBadNetwork, type BadNetwork } from './bad-network-proxy';
import { reportSuite } from './collector';
import { FAULTS_SEED, rng, seedFor, sized } from './scale';
import { checkCentreStorage, checkConverged, newLedger, syncRound, syncUntilQuiet, type Ledger } from './sync-check';
import { appendToNarrative, fileBytes, makeItem, startTrio, type Trio } from './workload';

/**
 * Suite 2, bad network. The three devices reach the real centre only through a loopback proxy
 * (tests/faults/bad-network-proxy.ts) that, seeded, delays requests, drops them before or after the
 * centre handled them, sends them twice, and cuts them part-way through the body or the answer.
 * They make 200 items with files and sync through it, all together, until the sync settles with
 * the faults still on; then every device must agree with the centre, nothing lost, nothing twice.
 */

const ITEMS = sized({ quick: 120, full: 200 });
const ROUNDS = sized({ quick: 3, full: 12 });
const MAX_SETTLE_ROUNDS = sized({ quick: 40, full: 80 });
const seed = seedFor('bad-network');

describe('suite 2: bad network', () => {
  let dataDir: string;
  let centre: Centre;
  let network: BadNetwork;
  let trio: Trio;
  let ledger: Ledger;
  const started = Date.now();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ictp-faults-network-'));
    centre = await startCentre({ dataDir });
    network = await startBadNetwork(centre.port);
    // Sign-in is not what this suite tests: the devices sign in on a good link, then it turns bad.
    trio = await startTrio(network.url, centre.url);
    ledger = newLedger(trio.preexisting);
  });

  afterAll(async () => {
    await trio?.close();
    await network?.close();
    await centre?.stop().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(`syncs ${ITEMS} items with files from three devices over a link that delays, drops, repeats and cuts requests`, async () => {
    const random = rng(seed);
    const shared = fileBytes(120_000, seed);
    const made: Array<{ device: Trio['phone']; id: string }> = [];
    network.arm(seed);
    let syncs = 0;
    let failedSyncs = 0;
    const perRound = Math.ceil(ITEMS / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < perRound && made.length < ITEMS; i++) {
        const device = trio.all[made.length % 3]!;
        made.push({ device, id: await makeItem(device, trio, ledger, random, random() < 0.05 ? shared : null) });
      }
      for (let i = 0; i < 6; i++) {
        const pick = made[Math.floor(random() * made.length)]!;
        await appendToNarrative(pick.device, pick.id, ledger, random);
      }
      const outcomes = await syncRound(trio.all, true);
      syncs += outcomes.length;
      failedSyncs += outcomes.filter((o) => o.state !== 'idle' || o.problem !== null || o.fileProblems.length > 0).length;
    }
    const settleStarted = Date.now();
    const rounds = await syncUntilQuiet(trio.all, { maxRounds: MAX_SETTLE_ROUNDS, together: true });
    const settleMs = Date.now() - settleStarted;
    const faults = network.counts();
    network.disarm();

    const result = await checkConverged(trio.all, ledger, { keepsAllFiles: new Set(['learner phone', 'assessor tablet']), allowHeld: false, allowKeptDrafts: false });
    const escapes = [...result.escapes];
    if (rounds === null) escapes.unshift(`diverged: the devices did not settle in ${MAX_SETTLE_ROUNDS} rounds of sync on the bad link`);
    await centre.stop();
    const storage = await checkCentreStorage(dataDir, result.fileIds);
    escapes.push(...storage.escapes);
    const injected = faults.requests - faults.pass;

    reportSuite({
      suite: 'bad-network',
      faultsInjected: injected,
      inputsTried: faults.requests,
      escapes: escapes.length,
      dataLost: result.dataLost,
      durationMs: Date.now() - started,
      seed: FAULTS_SEED,
      details: {
        'Devices': trio.all.length,
        'Items made': ITEMS,
        'Requests through the proxy': faults.requests,
        'Delayed (50-500 ms)': faults.delay,
        'Dropped before the centre saw them': faults['drop-before'],
        'Dropped after the centre answered': faults['drop-after'],
        'Sent to the centre twice': faults.duplicate,
        'Cut part-way through the request body': faults['cut-request'],
        'Cut part-way through the answer': faults['cut-answer'],
        'Fault rate (per request)': `${Math.round(Object.values(FAULT_RATES).reduce((a, b) => a + b, 0) * 100)} %`,
        'Syncs while making the items': syncs,
        'Of which stopped by the link': failedSyncs,
        'Rounds of sync to settle (faults on)': rounds ?? 'did not settle',
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
