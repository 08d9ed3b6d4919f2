import { expect, test, type Page, type Response } from '@playwright/test';
import { goOffline, screenshot, waitForServiceWorkerControl } from './helpers';

// These tests rely only on the <main> landmark and the document title, so
// they hold whatever screen the app shows first.
const TITLE = /ICT Portfolio/;

async function expectShell(page: Page) {
  await expect(page).toHaveTitle(TITLE);
  await expect(page.locator('main').first()).toBeVisible();
}

test('the app shell opens offline after one online visit', async ({ page, context }) => {
  await page.goto('/');
  await expectShell(page);
  await waitForServiceWorkerControl(page);

  const offline = await goOffline(context);
  const responses: Response[] = [];
  page.on('response', (r) => responses.push(r));

  await page.reload({ waitUntil: 'load' });
  await expectShell(page);
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);

  // A deep link opened offline gets the cached shell too (navigation fallback).
  await page.goto('/offline-deep-link-check', { waitUntil: 'load' });
  await expectShell(page);

  await page.goto('/', { waitUntil: 'load' });
  await expectShell(page);
  await screenshot(page, 'offline-shell');

  // Nothing reached the network: every request was answered by the service worker.
  expect(offline.blocked.map((r) => r.url()), 'requests that tried the network while offline').toEqual([]);
  const fromNetwork = responses.filter((r) => !r.fromServiceWorker()).map((r) => r.url());
  expect(fromNetwork, 'responses not served by the service worker').toEqual([]);
  expect(responses.length).toBeGreaterThan(0);
});

interface ManifestIcon {
  src: string;
  sizes?: string;
  type?: string;
  purpose?: string;
}

test('the web manifest is linked, installable, and precached with its icons', async ({ page, context }) => {
  await page.goto('/');
  await waitForServiceWorkerControl(page);

  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href, 'index.html links a web manifest').toBeTruthy();
  const manifestUrl = new URL(href!, page.url()).href;
  const manifest = (await page.evaluate(async (url) => (await fetch(url)).json(), manifestUrl)) as {
    name?: string;
    short_name?: string;
    display?: string;
    start_url?: string;
    theme_color?: string;
    icons?: ManifestIcon[];
  };

  expect(manifest.name).toMatch(TITLE);
  expect(manifest.display).toBe('standalone');
  expect(manifest.start_url).toBeTruthy();
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  const metaThemeColor = await page.locator('meta[name="theme-color"]').getAttribute('content');
  expect(metaThemeColor?.toLowerCase()).toBe(manifest.theme_color!.toLowerCase());

  const icons = manifest.icons ?? [];
  const purposes = (i: ManifestIcon) => (i.purpose ?? 'any').split(/\s+/);
  const find = (size: string, purpose: string) =>
    icons.find((i) => i.sizes?.split(/\s+/).includes(size) && purposes(i).includes(purpose));
  const wanted = [find('192x192', 'any'), find('512x512', 'any'), find('512x512', 'maskable')];
  expect(wanted.every(Boolean), `192, 512 and maskable 512 icons in ${JSON.stringify(icons)}`).toBe(true);

  // Offline, the manifest and every icon still load (from the precache), at their declared sizes.
  const offline = await goOffline(context);
  const urls = [manifestUrl, ...icons.map((i) => new URL(i.src, manifestUrl).href)];
  const loaded = await page.evaluate(async (list) => {
    const out: Array<{ url: string; ok: boolean; inPrecache: boolean; size?: string }> = [];
    for (const url of list) {
      const inPrecache = Boolean(await caches.match(url, { ignoreSearch: true }));
      const response = await fetch(url).catch(() => undefined);
      let size: string | undefined;
      if (response?.ok && /\.png$/.test(new URL(url).pathname)) {
        const bitmap = await createImageBitmap(await response.blob());
        size = `${bitmap.width}x${bitmap.height}`;
      }
      out.push({ url, ok: Boolean(response?.ok), inPrecache, ...(size ? { size } : {}) });
    }
    return out;
  }, urls);

  for (const entry of loaded) {
    expect(entry.ok, `${entry.url} loads offline`).toBe(true);
    expect(entry.inPrecache, `${entry.url} is in the precache`).toBe(true);
  }
  for (const icon of icons) {
    const entry = loaded.find((l) => l.url === new URL(icon.src, manifestUrl).href);
    expect(icon.sizes?.split(/\s+/), `${icon.src} is ${entry?.size}`).toContain(entry?.size);
  }
  expect(offline.blocked.map((r) => r.url())).toEqual([]);
});
