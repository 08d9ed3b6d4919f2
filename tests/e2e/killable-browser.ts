import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Browser, type Page } from '@playwright/test';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export interface Launched {
  proc: ChildProcess;
  browser: Browser;
  page: Page;
}

/**
 * Starts Chromium ourselves (not through Playwright) on a persistent profile, in its own process
 * group, so the test can kill it the way a crash or an out-of-memory kill would: SIGKILL, no
 * unload handlers, no clean shutdown of storage.
 */
export async function launch(userDataDir: string): Promise<Launched> {
  const proc = spawn(
    CHROMIUM,
    [
      '--headless',
      '--remote-debugging-port=0',
      `--user-data-dir=${userDataDir}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--window-size=390,844',
      'about:blank',
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const wsEndpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${output}`)), 30_000);
    proc.on('exit', (code) => reject(new Error(`Chromium exited (${code}) before it listened:\n${output}`)));
    proc.stderr!.on('data', (data: Buffer) => {
      output += data.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  const browser = await chromium.connectOverCDP(wsEndpoint);
  const context = browser.contexts()[0]!;
  const page = context.pages()[0] ?? (await context.newPage());
  return { proc, browser, page };
}

/** SIGKILL to Chromium's whole process group (every process of this one browser, and nothing else). */
export async function killHard(launched: Launched): Promise<void> {
  const { proc } = launched;
  const exited = new Promise<void>((resolve) => (proc.exitCode !== null || proc.signalCode !== null ? resolve() : proc.once('exit', () => resolve())));
  process.kill(-proc.pid!, 'SIGKILL');
  await exited;
  // Let the group's other processes go too before the profile is reopened.
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    try {
      process.kill(-proc.pid!, 0);
    } catch {
      break; // no process left in the group
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
