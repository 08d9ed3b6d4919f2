import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real centre server for end-to-end tests: `node --import tsx server/main.ts` (what
 * `npm start` runs after building), serving the built PWA from dist/ and the API from one origin,
 * with its PGlite database and files in a fresh temporary DATA_DIR.
 *
 * - As a program (`node --import tsx tests/e2e/centre.ts`) it is Playwright's webServer: it makes
 *   the data directory, runs the server on E2E_PORT, and removes the directory when it stops.
 * - `startCentre()` starts a SEPARATE centre for a test that must kill or restart it: the pid it
 *   holds is the server's own (spawned with node directly, not through npm or a shell).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_E2E_PORT = 4319;

export interface Centre {
  url: string;
  port: number;
  dataDir: string;
  /** The server's pid (changes on restart). */
  readonly pid: number;
  /** Sends a signal to the server process and waits until it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and data directory (after kill). */
  restart(): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL) and removes the data directory if startCentre made it. */
  stop(): Promise<void>;
  /** Everything the server printed, for failure messages. */
  output(): string;
}

function spawnServer(port: number, dataDir: string, log: (text: string) => void, stdio: 'pipe' | 'inherit' = 'pipe'): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, STATIC_DIR: join(ROOT, 'dist'), DATABASE_URL: '' },
    stdio: ['ignore', stdio, stdio],
  });
  child.stdout?.on('data', (chunk: Buffer) => log(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => log(chunk.toString()));
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Polls GET /api/health until the centre answers ok (the database is open and migrated). */
export async function waitForHealth(url: string, child: ChildProcess | null, timeoutMs = 60_000, output = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null))
      throw new Error(`The centre exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${output()}`);
    try {
      const response = await fetch(`${url}/api/health`);
      const body = (await response.json().catch(() => null)) as { ok?: boolean } | null;
      if (response.ok && body?.ok) return;
      last = `${response.status} ${JSON.stringify(body)}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`The centre at ${url} was not healthy after ${timeoutMs} ms (${last}):\n${output()}`);
}

/** A port nothing listens on now (the OS picks it); the centre keeps it across restarts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startCentre(options: { port?: number; dataDir?: string } = {}): Promise<Centre> {
  const port = options.port ?? (await freePort());
  const ownsDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ict-centre-e2e-'));
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const append = (text: string) => {
    log += text;
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  let child: ChildProcess;

  const start = async () => {
    child = spawnServer(port, dataDir, append);
    try {
      await waitForHealth(url, child, 60_000, () => log);
    } catch (error) {
      child.kill('SIGKILL');
      await exited(child);
      throw error;
    }
  };
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited(child);
  };
  try {
    await start();
  } catch (error) {
    if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  return {
    url,
    port,
    dataDir,
    get pid() {
      return child.pid!;
    },
    kill,
    restart: start,
    async stop() {
      // A centre that does not close within 5 s is killed.
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await kill('SIGTERM');
      clearTimeout(timer);
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    },
    output: () => log,
  };
}

// ---------------------------------------------------------------------------------------------
// Playwright's webServer: one centre for the whole run, in a temporary data directory.

function isMain(): boolean {
  return !!process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
}

if (isMain()) {
  const port = Number(process.env.E2E_PORT ?? DEFAULT_E2E_PORT);
  const dataDir = mkdtempSync(join(tmpdir(), 'ict-centre-e2e-'));
  const child = spawnServer(port, dataDir, () => undefined, 'inherit');
  let removed = false;
  const removeDir = () => {
    if (removed) return;
    removed = true;
    rmSync(dataDir, { recursive: true, force: true });
  };
  // Playwright stops its webServer with SIGTERM to the whole process group (gracefulShutdown):
  // the server closes its database, then the directory goes.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      force.unref();
    });
  child.on('exit', (code, signal) => {
    removeDir();
    process.exit(code ?? (signal ? 0 : 1));
  });
  process.on('exit', removeDir);
}
