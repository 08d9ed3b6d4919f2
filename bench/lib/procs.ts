import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { onCleanup } from './cleanup';

export const ROOT = new URL('../../', import.meta.url).pathname;

export interface Proc {
  name: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM (to the process, which passes it on), then SIGKILL to its whole group after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts a program in its own process group (so its children can be killed with it) with node
 * itself as the parent: the pid held is the program's, never npm's or a shell's.
 */
export function startProcess(name: string, command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; echo?: boolean } = {}): Proc {
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  const append = (chunk: Buffer) => {
    log += chunk.toString();
    if (log.length > 400_000) log = log.slice(-200_000);
    if (options.echo) process.stderr.write(chunk);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let stopping: Promise<void> | null = null;
  const stop = (graceMs = 8_000) => {
    stopping ??= (async () => {
      const done = exited(child);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }, graceMs);
        await done;
        clearTimeout(timer);
      }
      // Anything it left behind in its group (it should have stopped its own children).
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Nothing left.
      }
      remove();
    })();
    return stopping;
  };
  const remove = onCleanup(`stop ${name} (pid ${child.pid})`, () => stop());
  return { name, child, output: () => log, stop };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForUrl(url: string, proc: Proc | null, timeoutMs = 60_000, ok: (r: Response) => Promise<boolean> = async (r) => r.ok): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null))
      throw new Error(`${proc.name} exited (${proc.child.exitCode ?? proc.child.signalCode}) before ${url} answered:\n${proc.output().slice(-4000)}`);
    try {
      const response = await fetch(url);
      if (await ok(response)) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})${proc ? `:\n${proc.output().slice(-4000)}` : ''}`);
}

/** Runs a program to its end (builds), failing with its output. */
export async function runToEnd(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const proc = startProcess(name, command, args, { env });
  await exited(proc.child);
  await proc.stop();
  if (proc.child.exitCode !== 0) throw new Error(`${name} failed (exit ${proc.child.exitCode ?? proc.child.signalCode}):\n${proc.output().slice(-6000)}`);
  return proc.output();
}
