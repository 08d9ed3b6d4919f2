import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { summariseCpuProfiles } from '../lib/profile';
import { startProcess } from '../lib/procs';
import type { Context, Figure } from '../lib/types';

interface Loop {
  pushP50?: number;
  pushP99?: number;
  pullP50?: number;
  pullP99?: number;
  workers: number;
  requests: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  firstError: string | null;
}

interface LoadResult {
  steps: Array<{ devices: number; sync: Loop; health: Loop }>;
  repeats: Array<{ sync: Loop; health: Loop }>;
  devices: number;
  stepMs: number;
  changed: number;
  waitsAtTopStep: { samples: number; averageSessions: Record<string, number> } | null;
}

/**
 * 7. The centre under load, on PostgreSQL: bench/load/load.ts inside scripts/with-postgres.mjs (a
 * throwaway cluster made from the installed PostgreSQL, removed afterwards). Devices are closed
 * loops of incremental syncs (push 3 changed items, pull since the cursor); the reference is the
 * same number of clients looping GET /api/health on the same server in the same run.
 */
export async function measureLoad(ctx: Context): Promise<Figure[]> {
  const config = ctx.quick
    ? { devices: 100, steps: [10, 100], stepMs: 2500, repeatTop: 2 }
    : { devices: 500, steps: [1, 10, 50, 100, 500], stepMs: 4000, repeatTop: 3 };
  // The centre runs under node --cpu-prof: where its own time goes under load (summarised below).
  const cpuProfDir = mkdtempSync(join(ctx.out, 'cpuprof-load-'));
  const proc = startProcess('load (with-postgres)', process.execPath, ['scripts/with-postgres.mjs', process.execPath, '--import', 'tsx', 'bench/load/load.ts'], {
    env: { BENCH_LOAD: JSON.stringify({ ...config, cpuProfDir }), TEST_DATABASE_URL: '' },
  });
  let printed = 0;
  const echo = setInterval(() => {
    const lines = proc.output().split('\n');
    for (const line of lines.slice(printed, -1)) if (/devices|seeded|first syncs|Throwaway/.test(line)) ctx.log(`  ${line.trim()}`);
    printed = Math.max(printed, lines.length - 1);
  }, 500);
  try {
    await new Promise<void>((resolve) => {
      if (proc.child.exitCode !== null) resolve();
      proc.child.once('exit', () => resolve());
    });
  } finally {
    clearInterval(echo);
    await proc.stop();
  }
  const line = proc.output().split('\n').find((l) => l.startsWith('BENCH_LOAD_RESULT '));
  if (proc.child.exitCode !== 0 || !line) throw new Error(`the load run failed (exit ${proc.child.exitCode}):\n${proc.output().slice(-3000)}`);
  const result = JSON.parse(line.slice('BENCH_LOAD_RESULT '.length)) as LoadResult;
  const profile = summariseCpuProfiles(cpuProfDir, 12);
  const centreCpu = profile && { totalMs: profile.totalMs, byModule: profile.byModule, top: profile.top };
  rmSync(cpuProfDir, { recursive: true, force: true });
  if (result.waitsAtTopStep) ctx.log(`  PostgreSQL sessions at ${config.steps.at(-1)} devices, on average: ${JSON.stringify(result.waitsAtTopStep.averageSessions)}`);
  if (centreCpu) ctx.log(`  centre CPU by module: ${JSON.stringify(centreCpu.byModule.slice(0, 6))}`);
  const top = result.steps.at(-1)!;
  const topRuns = [top, ...result.repeats];
  const passes = (pick: (s: LoadResult['steps'][number]) => Loop) => result.steps.find((s) => pick(s).p99 > 100)?.devices ?? NaN;
  const n = top.devices;
  const errors = result.steps.reduce((e, s) => e + s.sync.errors, 0) + result.repeats.reduce((e, s) => e + s.sync.errors, 0);
  const stepTable = result.steps.map((s) => ({
    devices: s.devices,
    sync: {
      reqPerSec: Math.round(s.sync.reqPerSec),
      p50: round(s.sync.p50),
      p99: round(s.sync.p99),
      pushP50: round(s.sync.pushP50 ?? NaN),
      pushP99: round(s.sync.pushP99 ?? NaN),
      pullP50: round(s.sync.pullP50 ?? NaN),
      pullP99: round(s.sync.pullP99 ?? NaN),
      errors: s.sync.errors,
    },
    health: { reqPerSec: Math.round(s.health.reqPerSec), p50: round(s.health.p50), p99: round(s.health.p99) },
  }));
  const firstPass = passes((s) => s.sync);
  const note = `closed loops of push (${result.changed} changed items) + pull, ${result.stepMs / 1000} s per step; steps ${result.steps.map((s) => s.devices).join(', ')}; sync p99 first passes 100 ms at ${Number.isNaN(firstPass) ? `none of the steps (up to ${n})` : `${firstPass} devices`}; ${errors} sync errors`;
  return [
    {
      name: `Centre load: requests/s, ${n} devices syncing`,
      unit: 'req/s',
      ours: topRuns.map((s) => s.sync.reqPerSec),
      reference: topRuns.map((s) => s.health.reqPerSec),
      referenceName: '/api/health, same clients',
      target: null,
      note,
      detail: { steps: stepTable, config, waitsAtTopStep: result.waitsAtTopStep, centreCpu },
    },
    {
      name: `Centre load: p50 latency, ${n} devices`,
      unit: 'ms',
      ours: topRuns.map((s) => s.sync.p50),
      reference: topRuns.map((s) => s.health.p50),
      referenceName: '/api/health, same clients',
      target: null,
    },
    {
      name: `Centre load: p99 latency, ${n} devices`,
      unit: 'ms',
      ours: topRuns.map((s) => s.sync.p99),
      reference: topRuns.map((s) => s.health.p99),
      referenceName: '/api/health, same clients',
      target: null,
    },
    {
      name: 'Centre load: devices at which p99 passes 100 ms',
      unit: 'devices',
      ours: [firstPass],
      reference: [passes((s) => s.health)],
      referenceName: '/api/health, same clients',
      target: null,
      note: 'one stepping per run (NaN: not passed at any step)',
      detail: { steps: stepTable },
    },
  ];
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
