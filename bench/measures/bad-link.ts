import { launchProfile, openBenchPage } from '../lib/browser';
import { startCentre } from '../lib/centre';
import { startBadLinkProxy, type ProxyStats } from '../lib/proxy';
import type { Context, Figure } from '../lib/types';
import { call, MIB } from './sync';

interface Outcome {
  ms: number;
  syncs: number;
  complete: boolean;
  stats: ProxyStats;
  requests: Record<string, { count: number }>;
  /** Cut PATCH requests as the page saw them, and what the centre had kept of them (its next HEAD). */
  cutPatches: { count: number; bytesInCutRequests: number; bytesKeptByCentre: number };
}

type TusEntry = { method: string; url: string; offsetSent: number | null; offsetAnswered: number | null; bytesOut: number; failed: boolean };

/** For each PATCH the page saw fail: how many of its bytes the centre kept (the next HEAD's offset minus where it started). */
function cutPatches(log: TusEntry[]) {
  let count = 0;
  let sent = 0;
  let kept = 0;
  log.forEach((entry, i) => {
    if (entry.method !== 'PATCH' || !entry.failed || entry.offsetSent === null) return;
    const head = log.slice(i + 1).find((e) => e.url === entry.url && e.method === 'HEAD' && e.offsetAnswered !== null);
    count++;
    sent += entry.bytesOut;
    if (head) kept += Math.max(0, head.offsetAnswered! - entry.offsetSent);
  });
  return { count, bytesInCutRequests: sent, bytesKeptByCentre: kept };
}

/**
 * 6. Upload over a bad link. A device holds 100 items, each with a 1 MiB photo (100 MiB), and syncs
 * through a loopback TCP proxy in front of the centre that, armed, resets every connection after a
 * random 0–4 MiB sent (seeded, so each run sees the same cuts). The app syncs as its scheduler
 * would: when a sync ends offline it runs again, until nothing is waiting. Reference: the same
 * through the same proxy unarmed (a clean link). Figures: bytes the browser sent (the target) and
 * the time to complete.
 */
export async function measureBadLink(ctx: Context): Promise<Figure[]> {
  const files = ctx.quick ? 20 : 100;
  const centre = await startCentre(ctx.appDir);
  const proxy = await startBadLinkProxy(centre.port);
  const bytes = { bad: [] as number[], clean: [] as number[] };
  const time = { bad: [] as number[], clean: [] as number[] };
  const outcomes: Array<Outcome & { run: number; link: string }> = [];
  try {
    for (let run = 0; run < ctx.runs; run++) {
      for (const link of run % 2 === 0 ? ['clean', 'bad'] : ['bad', 'clean']) {
        const learner = await centre.newLearner(`link${run}${link}`);
        const profile = await launchProfile(`badlink-${link}`);
        try {
          const page = profile.page;
          proxy.disarm();
          await openBenchPage(page, `${proxy.url}/__bench/harness.html`);
          // BENCH_TUS_CHUNK (bytes) tries another tus chunk size than the app's (an experiment, not the figure).
          const chunkSize = Number(process.env.BENCH_TUS_CHUNK) || undefined;
          await call(page, 'bench', 'syncOpen', { userId: learner.userId, token: learner.token, ...(chunkSize ? { chunkSize } : {}) });
          await call(page, 'bench', 'seedDevice', { items: files, attachments: files, attachmentBytes: MIB, mappingsPerItem: 3, seed: 700 + run * 2 + (link === 'bad' ? 1 : 0) });
          await call(page, 'bench', 'takeTusLog');
          proxy.reset();
          if (link === 'bad') proxy.arm(4520 + run, 4 * MIB);
          const outcome = await syncUntilDone(page, 240_000);
          proxy.disarm();
          const tus = await call<TusEntry[]>(page, 'bench', 'takeTusLog');
          outcomes.push({ run, link, ...outcome, stats: proxy.stats(), cutPatches: cutPatches(tus) });
          bytes[link as 'bad' | 'clean'].push(proxy.stats().bytesUp / MIB);
          time[link as 'bad' | 'clean'].push(outcome.ms);
          ctx.log(
            `  run ${run + 1}/${ctx.runs} ${link}: ${(proxy.stats().bytesUp / MIB).toFixed(1)} MiB sent in ${(outcome.ms / 1000).toFixed(1)} s, ` +
              `${outcome.syncs} sync(s), ${proxy.stats().connections} connections, ${proxy.stats().cuts} cut, ${outcomes.at(-1)!.cutPatches.count} PATCH failures seen by the page` +
              `${outcome.complete ? '' : ' — NOT COMPLETE'}`,
          );
        } finally {
          await profile.close();
        }
      }
    }
  } finally {
    await proxy.close();
    await centre.stop();
  }
  const incomplete = outcomes.filter((o) => !o.complete).length;
  const note = `cut after uniform 0–4 MiB per connection (seeded); ${incomplete === 0 ? 'every upload completed' : `${incomplete} upload(s) did NOT complete within 240 s`}`;
  return [
    {
      name: `Bad link: bytes sent for ${files} MiB of photos`,
      unit: 'MiB',
      ours: bytes.bad,
      reference: bytes.clean,
      referenceName: 'same upload, clean link',
      target: { ratioMax: 1.25, text: '≤ 1.25× clean bytes' },
      note,
      detail: { outcomes },
    },
    {
      name: `Bad link: time to complete ${files} MiB of photos`,
      unit: 'ms',
      ours: time.bad,
      reference: time.clean,
      referenceName: 'same upload, clean link',
      target: null,
      note: 'includes tus retry delays (0, 1, 3, 5, 10 s while no progress) and re-runs of sync after it gave up',
    },
  ];
}

async function syncUntilDone(page: import('playwright-core').Page, deadlineMs: number): Promise<Omit<Outcome, 'stats' | 'cutPatches'>> {
  const t0 = Date.now();
  let syncs = 0;
  const requests: Record<string, { count: number }> = {};
  while (Date.now() - t0 < deadlineMs) {
    syncs++;
    const result = await call<{ state: string; requests: Record<string, { count: number }> }>(page, 'bench', 'syncOnce');
    for (const [kind, r] of Object.entries(result.requests)) (requests[kind] ??= { count: 0 }).count += r.count;
    const state = await call<{ waiting: number; notUploaded: number }>(page, 'bench', 'deviceState');
    if (state.waiting === 0 && state.notUploaded === 0) return { ms: Date.now() - t0, syncs, complete: true, requests };
  }
  return { ms: Date.now() - t0, syncs, complete: false, requests };
}
