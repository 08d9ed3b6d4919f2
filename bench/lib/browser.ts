import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { onCleanup } from './cleanup';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Profile {
  dir: string;
  context: BrowserContext;
  page: Page;
  /** Closes the browser and launches it again on the same on-disk profile (a cold start). */
  relaunch(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A Chromium with its own fresh on-disk profile (a persistent context: an incognito context keeps
 * IndexedDB in memory and flatters it). close() removes the profile directory.
 */
export async function launchProfile(name: string, options: { viewport?: { width: number; height: number } } = {}): Promise<Profile> {
  const dir = mkdtempSync(join(tmpdir(), `ictp-bench-${name}-`));
  const launch = () =>
    chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      serviceWorkers: 'allow',
      viewport: options.viewport ?? { width: 390, height: 844 },
    });
  let context = await launch();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await context.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    remove();
  };
  const remove = onCleanup(`close Chromium (${name})`, close);
  const profile: Profile = {
    dir,
    context,
    page: context.pages()[0] ?? (await context.newPage()),
    async relaunch() {
      await context.close();
      context = await launch();
      profile.context = context;
      profile.page = context.pages()[0] ?? (await context.newPage());
    },
    close,
  };
  return profile;
}

/** Waits until the registration's worker is activated and controls the page (reloads once if needed). */
export async function waitForWorkerControl(page: Page, timeout = 30_000): Promise<void> {
  const wait = (needController: boolean) =>
    page.evaluate(
      async ({ needController, timeout }) => {
        const deadline = Date.now() + timeout;
        while (Date.now() < deadline) {
          const registration = await navigator.serviceWorker.getRegistration();
          if (registration?.active?.state === 'activated' && (!needController || navigator.serviceWorker.controller)) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error('service worker not activated and controlling in time');
      },
      { needController, timeout },
    );
  await wait(false);
  if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) await page.reload({ waitUntil: 'load' });
  await wait(true);
}

/** Opens a /__bench/ page and waits for its module to have loaded. */
export async function openBenchPage(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => document.documentElement.dataset.benchReady === '1', null, { timeout: 30_000 });
}
