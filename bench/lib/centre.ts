import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup';
import { freePort, startProcess, waitForUrl, type Proc } from './procs';
import { ENROL_4520_03 } from './app-pages';

export const ADMIN = { email: 'priya.shah@demo-college.example.org', password: 'demo-priya-4520' };

export interface Centre {
  url: string;
  port: number;
  proc: Proc;
  /** A new learner with a 4520-03 enrolment (made by the demo admin, as the admin screens do), signed in on a new device. */
  newLearner(label: string): Promise<{ userId: string; token: string; email: string }>;
  stop(): Promise<void>;
}

async function json<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => null)) as T;
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

async function signIn(url: string, email: string, password: string): Promise<{ token: string; user: { id: string } }> {
  return json(
    await fetch(`${url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password, deviceId: randomUUID(), deviceLabel: 'bench' }),
    }),
  );
}

/**
 * The real centre (server/main.ts, what `npm start` runs) in a fresh temporary DATA_DIR with its
 * default embedded database (PGlite), serving `staticDir` (the bench build, with /__bench/ pages).
 */
export async function startCentre(staticDir: string, env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<Centre> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'ictp-bench-centre-'));
  const removeDir = onCleanup('centre data directory', () => rmSync(dataDir, { recursive: true, force: true }));
  const proc = startProcess('centre', process.execPath, [...nodeArgs, '--import', 'tsx', 'server/main.ts'], {
    env: { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, STATIC_DIR: staticDir, DATABASE_URL: '', ...env },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForUrl(`${url}/api/health`, proc, 90_000);
  const admin = await signIn(url, ADMIN.email, ADMIN.password);
  const version = 1;
  return {
    url,
    port,
    proc,
    async newLearner(label) {
      const email = `bench.${label}.${Date.now()}@demo-college.example.org`;
      const password = 'bench-learner-4520';
      const auth = { Authorization: `Bearer ${admin.token}`, 'Content-Type': 'application/json' };
      const created = await json<{ id?: string; user?: { id: string } }>(
        await fetch(`${url}/api/admin/users`, { method: 'POST', headers: auth, body: JSON.stringify({ name: `Bench ${label}`, email, role: 'learner', password }) }),
      );
      const learnerId = created.user?.id ?? created.id!;
      await json(
        await fetch(`${url}/api/admin/enrolments`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({
            learnerId,
            qualificationId: ENROL_4520_03.qualificationId,
            qualificationVersion: version,
            optionalUnitIds: ENROL_4520_03.optionalUnitIds,
            startDate: ENROL_4520_03.startDate,
            plannedEndDate: ENROL_4520_03.plannedEndDate,
            plannedOffTheJobHoursPerWeek: 6,
          }),
        }),
      );
      const session = await signIn(url, email, password);
      return { userId: session.user.id, token: session.token, email };
    },
    async stop() {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
      removeDir();
    },
  };
}
