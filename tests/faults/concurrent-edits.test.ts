import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRAWN } from '../assessment-fixture';
import { startCentre, type Centre } from '../e2e/centre';
import { reportSuite } from './collector';
import { DeviceOpError, type SimDevice } from './devices';
import { FAULTS_SEED, rng, seedFor, sized } from './scale';
import { checkCentreStorage, checkConverged, newLedger, syncUntilQuiet, type Ledger } from './sync-check';
import { fileBytes, startTrio, word, type Trio } from './workload';

/**
 * Suite 4, concurrent edits. Jordan's phone and laptop and Tom's tablet work on the same portfolio
 * offline, in an order fast-check draws (seeded): they make items, add to titles and narratives,
 * map criteria, attach photos, submit, sign off and refer, and each now and then comes online and
 * syncs. After each sequence everything syncs; every device must agree with the centre and every
 * word typed anywhere must be at the centre: in the field, in a conflict copy the product keeps,
 * in a decision, or in a refused change the device keeps for its user.
 */

const RUNS = sized({ quick: 6, full: 40 });
const STEPS = sized({ quick: 40, full: 60 });
const seed = seedFor('concurrent-edits');

const ACTIONS = ['create', 'append-narrative', 'append-title', 'map', 'attach', 'submit', 'decide', 'sync'] as const;
type Action = (typeof ACTIONS)[number];
interface Step {
  device: 0 | 1 | 2;
  action: Action;
  /** Which of the device's items (modulo how many it holds). */
  pick: number;
}

/** What the app refuses in words to the person at the screen: an outcome, not an escape. */
const REFUSALS = new Set(['EvidenceLockedError', 'EvidenceIncompleteError', 'DecisionNotPossibleError', 'NotAnAssessorError']);

const stepArb: fc.Arbitrary<Step> = fc.record({
  device: fc.constantFrom(0 as const, 1 as const, 2 as const),
  // Edits weigh most: they are what collides.
  action: fc.oneof(
    { weight: 3, arbitrary: fc.constant('create' as const) },
    { weight: 5, arbitrary: fc.constantFrom('append-narrative' as const, 'append-title' as const) },
    { weight: 2, arbitrary: fc.constantFrom('map' as const, 'attach' as const) },
    { weight: 2, arbitrary: fc.constantFrom('submit' as const, 'decide' as const) },
    { weight: 2, arbitrary: fc.constant('sync' as const) },
  ),
  pick: fc.nat({ max: 1_000_000 }),
});

describe('suite 4: concurrent edits', () => {
  let dataDir: string;
  let centre: Centre;
  let trio: Trio;
  let ledger: Ledger;
  const started = Date.now();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ictp-faults-concurrent-'));
    centre = await startCentre({ dataDir });
    trio = await startTrio(centre.url);
    ledger = newLedger(trio.preexisting);
  });

  afterAll(async () => {
    await trio?.close();
    await centre?.stop().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(`keeps every word typed on three devices editing one portfolio offline (${RUNS} seeded sequences of ${STEPS} steps)`, async () => {
    const random = rng(seed);
    const counts: Record<Action | 'refused' | 'conflict copies' | 'held' | 'kept drafts', number> = {
      create: 0,
      'append-narrative': 0,
      'append-title': 0,
      map: 0,
      attach: 0,
      submit: 0,
      decide: 0,
      sync: 0,
      refused: 0,
      'conflict copies': 0,
      held: 0,
      'kept drafts': 0,
    };
    const escapes: string[] = [];
    let dataLost = 0;
    let sequences = 0;
    let settleRounds = 0;
    let fileIds = new Set<string>();
    let heldFileIds = new Set<string>();

    /** Does the step on the device; false if there was nothing for it to act on. */
    const perform = async (device: SimDevice, step: Step): Promise<boolean> => {
      const isTablet = device === trio.tablet;
      if (step.action === 'sync') {
        await device.call('setOffline', false);
        await device.call('sync');
        await device.call('setOffline', true);
        return true;
      }
      if (step.action === 'create') {
        const title = word('t', random);
        const narrative = word('n', random);
        const criterion = trio.enrolment.criteria[step.pick % trio.enrolment.criteria.length]!;
        const content = { title: `Evidence ${title}`, narrative: `I did ${narrative}.`, activityDate: '2026-03-02', hours: 1 + (step.pick % 6), criterionIds: [criterion] };
        const id = isTablet
          ? await device.call('recordAssessorEvidence', trio.enrolment.id, 'observation', content)
          : await device.call('createEvidence', trio.enrolment.id, { ...content, method: 'portfolio-product' });
        ledger.created.set(id, device.name);
        ledger.typed.push({ device: device.name, itemId: id, value: title, kind: 'text' }, { device: device.name, itemId: id, value: narrative, kind: 'text' });
        return true;
      }
      const items = await device.call('items');
      const mine = items.filter((i) => i.kind === (isTablet ? 'observation' : 'learner') || step.action === 'decide');
      const candidates = step.action === 'decide' ? items.filter((i) => i.status === 'submitted') : mine;
      const item = candidates[step.pick % Math.max(1, candidates.length)];
      if (!item) return false;
      switch (step.action) {
        case 'append-narrative':
        case 'append-title': {
          const field = step.action === 'append-title' ? 'title' : 'narrative';
          const current = (await device.call('getEvidence', item.id))!;
          const more = word('e', random);
          await device.call('updateEvidence', item.id, { [field]: `${current[field]} ${field === 'title' ? more : `Then ${more}.`}` });
          ledger.typed.push({ device: device.name, itemId: item.id, value: more, kind: 'text' });
          return true;
        }
        case 'map': {
          const criterion = trio.enrolment.criteria[(step.pick >> 4) % trio.enrolment.criteria.length]!;
          if (item.criterionIds.includes(criterion)) return false;
          await device.call('updateEvidence', item.id, { criterionIds: [...item.criterionIds, criterion] });
          return true;
        }
        case 'attach': {
          const bytes = fileBytes(2_000 + (step.pick % 30_000), step.pick);
          await device.call('addAttachment', item.id, { name: `photo-${step.pick}.jpg`, type: 'image/jpeg', bytes });
          ledger.typed.push({ device: device.name, itemId: item.id, value: createHash('sha256').update(bytes).digest('hex'), kind: 'attachment' });
          return true;
        }
        case 'submit':
          if (isTablet) return false;
          await device.call('submitEvidence', item.id);
          return true;
        case 'decide': {
          if (!isTablet) return false;
          const feedback = word('f', random);
          const outcome = step.pick % 3 === 0 ? 'referred' : 'accepted';
          await device.call('decide', item.id, outcome, outcome === 'accepted' ? item.criterionIds : [], `Feedback ${feedback}.`, DRAWN);
          ledger.typed.push({ device: device.name, itemId: item.id, value: feedback, kind: 'feedback' });
          return true;
        }
      }
    };

    const property = fc.asyncProperty(fc.array(stepArb, { minLength: STEPS, maxLength: STEPS }), async (steps) => {
      sequences++;
      const before = escapes.length;
      await Promise.all(trio.all.map((d) => d.call('setOffline', true)));
      for (const step of steps) {
        const device = trio.all[step.device]!;
        try {
          if (await perform(device, step)) counts[step.action]++;
        } catch (error) {
          if (error instanceof DeviceOpError && REFUSALS.has(error.errorName)) counts.refused++;
          else escapes.push(`step ${step.action} on ${device.name} failed: ${(error as Error).message}`);
        }
      }
      await Promise.all(trio.all.map((d) => d.call('setOffline', false)));
      const rounds = await syncUntilQuiet(trio.all, { maxRounds: 12 });
      if (rounds === null) escapes.push(`diverged: sequence ${sequences} did not settle in 12 rounds of sync`);
      else settleRounds = Math.max(settleRounds, rounds);
      const result = await checkConverged(trio.all, ledger, { keepsAllFiles: new Set(['learner phone', 'assessor tablet']), allowHeld: true, allowKeptDrafts: true });
      escapes.push(...result.escapes);
      dataLost = result.dataLost;
      counts['conflict copies'] = result.figures.conflictCopies;
      counts.held = result.figures.heldChanges;
      counts['kept drafts'] = result.figures.keptDrafts;
      fileIds = result.fileIds;
      heldFileIds = result.heldFileIds;
      return escapes.length === before;
    });
    const run = await fc.check(property, { seed, numRuns: RUNS, endOnFailure: true });
    if (run.failed && run.counterexample) escapes.push(`counterexample (seed ${seed}): ${fc.stringify(run.counterexample[0]).slice(0, 600)}`);
    // A property that returned false has its escapes listed already; one that threw has not.
    if (run.failed && run.errorInstance && !String(run.errorInstance).includes('returning false')) escapes.push(`the property threw: ${String(run.errorInstance)}`);

    await centre.stop();
    const storage = await checkCentreStorage(dataDir, fileIds, heldFileIds);
    escapes.push(...storage.escapes);

    reportSuite({
      suite: 'concurrent-edits',
      faultsInjected: counts.sync,
      inputsTried: sequences * STEPS,
      escapes: escapes.length,
      dataLost,
      durationMs: Date.now() - started,
      seed: FAULTS_SEED,
      details: {
        Devices: trio.all.length,
        'Sequences (fast-check runs)': sequences,
        'Steps per sequence': STEPS,
        'Items made': counts.create,
        'Text added to a title or narrative': counts['append-narrative'] + counts['append-title'],
        'Criteria mapped': counts.map,
        'Photos attached': counts.attach,
        'Submitted / decided': `${counts.submit} / ${counts.decide}`,
        'Syncs mid-sequence': counts.sync,
        'Edits the app refused at the screen (locked, incomplete)': counts.refused,
        'Conflict copies kept at the centre': counts['conflict copies'],
        'Drafts kept from edits of signed-off items': counts['kept drafts'],
        'Changes the centre refused, kept for the user': counts.held,
        'Most rounds of sync to settle': settleRounds,
        'Words and files checked for loss': ledger.typed.length,
        'Record versions checked (no gap, none twice)': storage.versions,
      },
      examples: escapes,
    });
    expect(escapes).toEqual([]);
    expect(dataLost).toBe(0);
  });
});
