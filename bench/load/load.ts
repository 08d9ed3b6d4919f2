/**
 * Measure 7's load generator, run by bench/measures/load.ts inside scripts/with-postgres.mjs (a
 * throwaway PostgreSQL cluster, TEST_DATABASE_URL). It starts the real centre on that database,
 * gives it `devices` learners (each with an enrolment and a device session, written with the
 * server's own functions, with 10 items already at the centre), then steps the number of devices
 * syncing at once: each device loops "push CHANGED changed items, pull since its cursor" as fast
 * as the answers come. At every step the same number of clients then loop GET /api/health.
 * Prints one line "BENCH_LOAD_RESULT {json}" and stops everything it started.
 *   BENCH_LOAD = {"devices":500,"steps":[1,10,...],"stepMs":6000,"repeatTop":3}
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../server/auth/passwords';
import { createDeviceSession } from '../../server/auth/sessions';
import { openDatabase } from '../../server/db/database';
import { writeEnrolment } from '../../server/enrolments';
import { writeRecord } from '../../server/records';
import { insertUser } from '../../server/users';
import { uuidv7 } from '../../src/domain/ids';
import { itemContent } from '../harness/data';

const config = JSON.parse(process.env.BENCH_LOAD ?? '{}') as { devices: number; steps: number[]; stepMs: number; repeatTop: number; cpuProfDir?: string };
const databaseUrl = process.env.TEST_DATABASE_URL!;
const ROOT = new URL('../../', import.meta.url).pathname;
const ENROLMENT = {
  qualificationId: '4520-03',
  qualificationVersion: 1,
  optionalUnitIds: ['J/601/3507', 'A/601/3293', 'D/500/7332', 'M/500/7383', 'L/502/1114', 'J/601/3247'],
  startDate: '2025-10-06',
  plannedEndDate: '2027-07-30',
  plannedOffTheJobHoursPerWeek: 6,
};
const POOL = ['health-and-safety-in-ict:1.1', 'health-and-safety-in-ict:1.2', 'A/601/3293:1.1', 'L/502/1114:2.1'];

let centre: ChildProcess | null = null;
const dataDir = mkdtempSync(join(tmpdir(), 'ictp-bench-load-'));

async function stopCentre() {
  if (centre && centre.exitCode === null && centre.signalCode === null) {
    const done = new Promise((resolve) => centre!.once('exit', resolve));
    centre.kill('SIGTERM');
    const timer = setTimeout(() => centre?.kill('SIGKILL'), 8000);
    await done;
    clearTimeout(timer);
  }
  rmSync(dataDir, { recursive: true, force: true });
}
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
  process.on(signal, () => {
    void stopCentre().finally(() => process.exit(143));
  });

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
let port = 0;

function send(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; json: unknown; ms: number }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - t0;
          let json: unknown = null;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            // Not JSON.
          }
          resolve({ status: res.statusCode ?? 0, json, ms });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

interface Device {
  deviceId: string;
  token: string;
  enrolmentId: string;
  items: Array<{ id: string; revision: number }>;
  cursor: string;
  edits: number;
}

async function seedDevices(n: number): Promise<Device[]> {
  const db = await openDatabase({ databaseUrl, dataDir });
  try {
    const [centreRow] = await db.query<{ id: string }>(`select id from centres where name = 'Demo College'`);
    const passwordHash = await hashPassword('bench-learner-4520');
    const now = new Date();
    const devices: Device[] = [];
    for (let start = 0; start < n; start += 50)
      await db.transaction(async (tx) => {
        for (let i = start; i < Math.min(n, start + 50); i++) {
          const learnerId = await insertUser(tx, { centreId: centreRow!.id, name: `Load Learner ${i}`, email: `load.${i}.${Date.now()}@demo-college.example.org`, role: 'learner', passwordHash, byUser: null });
          const enrolmentId = uuidv7();
          await writeEnrolment(tx, { id: enrolmentId, centreId: centreRow!.id, request: { learnerId, ...ENROLMENT }, byUser: null, deviceId: null, now });
          const deviceId = randomUUID();
          const { token } = await createDeviceSession(tx, learnerId, deviceId, 'load', now);
          // The device's earlier work, already at the centre (as its first sync would have left it).
          const at = now.toISOString();
          const items: Device['items'] = [];
          for (let k = 0; k < ITEMS; k++) {
            const id = uuidv7();
            const data = { ...itemContent(i * ITEMS + k, 7, POOL, 2), attachments: [], enrolmentId, status: 'draft', createdAt: at, updatedAt: at, deletedAt: null, conflicts: [] };
            const { revision } = await writeRecord(tx, { entity: 'evidence', id, centreId: centreRow!.id, learnerId, data, byUser: learnerId, deviceId });
            items.push({ id, revision });
          }
          devices.push({ deviceId, token, enrolmentId, items, cursor: '0', edits: 0 });
        }
      });
    return devices;
  } finally {
    await db.close();
  }
}

const ITEMS = 10;
/** Items changed in each incremental sync: a few edits since the device last synced. */
const CHANGED = Number(process.env.BENCH_LOAD_CHANGED ?? 3);

function mutation(recordId: string, baseRevision: number, patch: Record<string, unknown>) {
  return { id: uuidv7(), entity: 'evidence', recordId, op: 'upsert', baseRevision, patch, createdAt: new Date().toISOString() };
}

async function push(d: Device, mutations: ReturnType<typeof mutation>[], latencies?: number[]) {
  const r = await send('POST', '/api/sync/push', d.token, { protocol: 1, deviceId: d.deviceId, mutations });
  latencies?.push(r.ms);
  if (r.status !== 200) throw new Error(`push answered ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
  const results = (r.json as { results: Array<{ status: string; recordId: string; revision?: number }> }).results;
  for (const result of results) {
    if (result.status !== 'applied') throw new Error(`push result ${JSON.stringify(result).slice(0, 300)}`);
    const item = d.items.find((i) => i.id === result.recordId);
    if (item) item.revision = result.revision!;
    else d.items.push({ id: result.recordId, revision: result.revision! });
  }
}

async function pull(d: Device, latencies?: number[]) {
  const r = await send('GET', `/api/sync/pull?since=${d.cursor}&limit=500`, d.token);
  latencies?.push(r.ms);
  if (r.status !== 200) throw new Error(`pull answered ${r.status}`);
  d.cursor = (r.json as { cursor: string }).cursor;
}


/** Push and pull latencies of the step running now, apart. */
let split = { push: [] as number[], pull: [] as number[] };

/** One incremental sync: 10 changed items up, then the changes since the cursor down. */
async function incremental(d: Device, latencies: number[]) {
  d.edits++;
  const at = new Date().toISOString();
  const before = latencies.length;
  await push(
    d,
    d.items.slice(0, CHANGED).map((item) => mutation(item.id, item.revision, { narrative: `Edit ${d.edits} on the bench: ${'more detail '.repeat(8)}`, updatedAt: at })),
    latencies,
  );
  if (latencies.length > before) split.push.push(latencies.at(-1)!);
  await pull(d, latencies);
  split.pull.push(latencies.at(-1)!);
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/**
 * What the database's sessions wait on while a step runs (pg_stat_activity, sampled every 100 ms):
 * "Lock/advisory" is a transaction queued behind another's pg_advisory_xact_lock.
 */
async function sampleWaits(untilMs: number) {
  const db = await openDatabase({ databaseUrl, dataDir });
  const counts: Record<string, number> = {};
  let samples = 0;
  try {
    while (performance.now() < untilMs) {
      const rows = await db.query<{ wait: string; n: string }>(
        `select coalesce(wait_event_type || '/' || wait_event, 'running (no wait)') as wait, count(*)::text as n
           from pg_stat_activity where state = 'active' and pid <> pg_backend_pid() and backend_type = 'client backend' group by 1`,
      );
      samples++;
      for (const r of rows) counts[r.wait] = (counts[r.wait] ?? 0) + Number(r.n);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await db.close();
  }
  return { samples, averageSessions: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Math.round((v / Math.max(1, samples)) * 100) / 100])) };
}

async function closedLoop(workers: number, ms: number, one: (worker: number, latencies: number[]) => Promise<void>) {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const deadline = performance.now() + ms;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < deadline) {
        try {
          await one(w, latencies);
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  const elapsed = performance.now() - t0;
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  return { workers, requests: latencies.length, reqPerSec: (latencies.length / elapsed) * 1000, p50: pct(50), p99: pct(99), max: sorted.at(-1) ?? NaN, errors, firstError, elapsedMs: elapsed };
}

async function main() {
  port = await freePort();
  const profiling = config.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', config.cpuProfDir] : [];
  centre = spawn(process.execPath, [...profiling, '--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: databaseUrl, STATIC_DIR: join(dataDir, 'no-static'), PG_POOL_SIZE: process.env.PG_POOL_SIZE ?? '10' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const ok = await send('GET', '/api/health', null).then((r) => r.status === 200, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const t0 = Date.now();
  const devices = await seedDevices(config.devices);
  console.error(`seeded ${devices.length} learners with enrolments and device sessions in ${Date.now() - t0} ms`);
  const t1 = Date.now();
  // Each device pulls once (to its cursor), 25 at a time: the state after its first sync.
  for (let i = 0; i < devices.length; i += 25) await Promise.all(devices.slice(i, i + 25).map((d) => pull(d)));
  console.error(`first pulls of ${devices.length} devices in ${Date.now() - t1} ms`);

  const steps: Array<{ devices: number; sync: Awaited<ReturnType<typeof closedLoop>> & { pushP50: number; pushP99: number; pullP50: number; pullP99: number }; health: Awaited<ReturnType<typeof closedLoop>> }> = [];
  let waits: Awaited<ReturnType<typeof sampleWaits>> | null = null;
  for (const c of config.steps) {
    split = { push: [], pull: [] };
    const sampling = c === config.steps.at(-1) ? sampleWaits(performance.now() + config.stepMs) : null;
    const sync = await closedLoop(c, config.stepMs, (w, lat) => incremental(devices[w % devices.length]!, lat));
    if (sampling) waits = await sampling;
    const pushPull = { pushP50: pct(split.push, 50), pushP99: pct(split.push, 99), pullP50: pct(split.pull, 50), pullP99: pct(split.pull, 99) };
    const health = await closedLoop(c, config.stepMs, async (_w, lat) => {
      const r = await send('GET', '/api/health', null);
      lat.push(r.ms);
      if (r.status !== 200) throw new Error(`health ${r.status}`);
    });
    steps.push({ devices: c, sync: { ...sync, ...pushPull }, health });
    console.error(
      `${String(c).padStart(4)} devices: sync ${sync.reqPerSec.toFixed(0)} req/s p50 ${sync.p50.toFixed(1)} ms p99 ${sync.p99.toFixed(1)} ms (errors ${sync.errors}); ` +
        `health ${health.reqPerSec.toFixed(0)} req/s p50 ${health.p50.toFixed(1)} ms p99 ${health.p99.toFixed(1)} ms`,
    );
  }
  // The top step again, so its figures have several runs (alternating which goes first).
  const top = config.steps.at(-1)!;
  const repeats: Array<{ sync: Awaited<ReturnType<typeof closedLoop>>; health: Awaited<ReturnType<typeof closedLoop>> }> = [];
  for (let r = 1; r < config.repeatTop; r++) {
    const runSync = () => closedLoop(top, config.stepMs, (w, lat) => incremental(devices[w % devices.length]!, lat));
    const runHealth = () =>
      closedLoop(top, config.stepMs, async (_w, lat) => {
        const res = await send('GET', '/api/health', null);
        lat.push(res.ms);
      });
    if (r % 2) {
      const health = await runHealth();
      const sync = await runSync();
      repeats.push({ sync, health });
    } else {
      const sync = await runSync();
      const health = await runHealth();
      repeats.push({ sync, health });
    }
  }
  console.log(`BENCH_LOAD_RESULT ${JSON.stringify({ steps, repeats, devices: devices.length, stepMs: config.stepMs, changed: CHANGED, waitsAtTopStep: waits })}`);
}

main()
  .then(
    () => stopCentre().then(() => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      return stopCentre().then(() => process.exit(1));
    },
  );
