#!/usr/bin/env node
// Runs a command with TEST_DATABASE_URL pointing at a PostgreSQL server, so the server suite
// runs on real PostgreSQL as well as PGlite:
//
//   node scripts/with-postgres.mjs vitest run --project server
//
// With TEST_DATABASE_URL already set, that server is used. Otherwise a throwaway cluster is made
// in a fresh temporary directory (initdb, trust auth, 127.0.0.1 only, a free port), and stopped
// and removed afterwards, whether the command passed, failed or was interrupted. When running as
// root, PostgreSQL (which refuses to run as root) runs as the `postgres` user.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: node scripts/with-postgres.mjs <command> [args...]');
  process.exit(2);
}

// Commands such as `vitest` resolve from node_modules/.bin, as they do in npm scripts.
const env = { ...process.env, PATH: [resolve('node_modules/.bin'), process.env.PATH ?? ''].join(delimiter) };

let interrupted = null;
let child = null;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    // Pass it on (a terminal's Ctrl-C reaches the child anyway; a kill of this process alone does
    // not), then clean up once the child has gone.
    interrupted = signal;
    child?.kill(signal);
  });
}

if (process.env.TEST_DATABASE_URL) {
  process.exit(await run(command, env));
}

const bin = findPostgresBin();
if (!bin) {
  console.error(
    'PostgreSQL is not installed, and TEST_DATABASE_URL is not set.\n' +
      'Install it (Debian/Ubuntu: apt-get install -y postgresql) or set TEST_DATABASE_URL=postgres://user:password@host:port/database.',
  );
  process.exit(1);
}

const asRoot = process.getuid?.() === 0;
const runAs = asRoot ? ['runuser', '-u', 'postgres', '--'] : [];
const dir = mkdtempSync(join(tmpdir(), 'ictp-pg-'));
const dataDir = join(dir, 'data');
let started = false;
let code = 1;

function cleanUp() {
  if (started) {
    pg(['pg_ctl', '-D', dataDir, '-m', 'immediate', '-w', 'stop'], { quiet: true });
    started = false;
  }
  rmSync(dir, { recursive: true, force: true });
}


try {
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    if (!Number.isInteger(uid) || uid <= 0) throw new Error('Running as root, but there is no `postgres` user to run PostgreSQL as.');
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  pg(['initdb', '-D', dataDir, '-U', 'ictp', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  pg(['pg_ctl', '-D', dataDir, '-l', join(dir, 'postgres.log'), '-o', options, '-w', '-t', '60', 'start']);
  started = true;
  const url = `postgres://ictp@127.0.0.1:${port}/postgres`;
  console.log(`Throwaway PostgreSQL (${bin}) on 127.0.0.1:${port}`);
  if (interrupted) throw new Error(`Interrupted (${interrupted}) before the command started.`);
  code = await run(command, { ...env, TEST_DATABASE_URL: url });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  code = 1;
} finally {
  cleanUp();
}
process.exit(interrupted ? 130 : code);

/** The newest /usr/lib/postgresql/<version>/bin with initdb and pg_ctl (Debian's layout), or PG_BIN. */
function findPostgresBin() {
  const candidates = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const root = '/usr/lib/postgresql';
  if (existsSync(root))
    for (const version of readdirSync(root).sort((a, b) => Number(b) - Number(a))) candidates.push(join(root, version, 'bin'));
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) ?? null;
}

/** Runs a PostgreSQL tool synchronously (as `postgres` when we are root); throws with its output on failure. */
function pg([tool, ...args], { quiet = false } = {}) {
  const argv = [...runAs, join(bin, tool), ...args];
  const result = spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0 && !quiet) {
    const log = existsSync(join(dir, 'postgres.log')) ? readFileSync(join(dir, 'postgres.log'), 'utf8') : '';
    throw new Error(`${tool} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}${log}`);
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function run([cmd, ...args], childEnv) {
  return new Promise((resolveCode) => {
    child = spawn(cmd, args, { stdio: 'inherit', env: childEnv });
    child.on('error', (error) => {
      console.error(`Could not run ${cmd}: ${error.message}`);
      resolveCode(127);
    });
    child.on('exit', (exitCode, signal) => {
      child = null;
      resolveCode(exitCode ?? (signal ? 128 : 1));
    });
  });
}
