import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { enrolThroughUi, saveEnrolment } from './flows';
import { goOffline, waitForServiceWorkerControl } from './helpers';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

interface Launched {
  proc: ChildProcess;
  browser: Browser;
  page: Page;
}

/**
 * Starts Chromium ourselves (not through Playwright) on a persistent profile, in its own process
 * group, so the test can kill it the way a crash or an out-of-memory kill would: SIGKILL, no
 * unload handlers, no clean shutdown of storage.
 */
async function launch(userDataDir: string): Promise<Launched> {
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
async function killHard(launched: Launched): Promise<void> {
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

const NARRATIVE = 'Reset the VPN token for a remote user, checked the audit log, and wrote up the steps for the service desk wiki.';

test('kills the page in the middle of typing a draft and finds the draft on reopening', async ({ baseURL }) => {
  test.setTimeout(90_000);
  const profile = mkdtempSync(join(tmpdir(), 'e2e-crash-profile-'));
  let first: Launched | null = null;
  let second: Launched | null = null;
  try {
    // First run: install the app (service worker), enrol, and start a draft.
    first = await launch(profile);
    await first.page.goto(`${baseURL}/`);
    await waitForServiceWorkerControl(first.page);
    await enrolThroughUi(first.page);
    await saveEnrolment(first.page);
    await first.page.getByRole('link', { name: 'Log new evidence' }).click();
    await expect(first.page).toHaveURL(/\/evidence\/new$/);
    const narrative = first.page.getByLabel('What you did and what you learned');
    await narrative.click();
    await first.page.keyboard.type(NARRATIVE, { delay: 30 });
    // No waiting for "Saved": the browser dies right after the last keystroke.
    await killHard(first);
    first = null;

    // Second run on the same profile, with no network.
    second = await launch(profile);
    const offline = await goOffline(second.browser.contexts()[0]!);
    const page = second.page;
    await page.goto(`${baseURL}/evidence`);
    await expect(page.getByRole('heading', { level: 1, name: 'Your evidence' })).toBeVisible();
    const rows = page.getByTestId('evidence-list').getByRole('link');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('Untitled draft');
    await expect(rows.first()).toContainText('Draft');
    await rows.first().click();
    await expect(page.getByRole('heading', { level: 1, name: 'Edit evidence' })).toBeVisible();
    const found = await page.getByLabel('What you did and what you learned').inputValue();
    test.info().annotations.push({ type: 'draft after crash', description: found === NARRATIVE ? 'complete' : 'missing the last keystroke' });
    // Every keystroke is saved as it lands; at most the very last one may not have reached the disk.
    expect([NARRATIVE, NARRATIVE.slice(0, -1)], `the draft's narrative after the crash: ${JSON.stringify(found)}`).toContain(found);
    expect(offline.blocked.map((r) => r.url())).toEqual([]);
  } finally {
    for (const launched of [first, second]) if (launched) await killHard(launched).catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  }
});
