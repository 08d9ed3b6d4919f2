import { devices, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { waitForServiceWorkerControl } from './helpers';

/**
 * Devices for sync tests: each is its own browser context, so it has its own IndexedDB, service
 * worker and session, as two phones would. Helpers read the device's own storage the way the app
 * stores it (src/data/db.ts, src/data/settings.ts), so a test can check what is really on it.
 */

export interface Person {
  email: string;
  password: string;
  name: string;
}

/** Demo sign-ins seeded on a centre's first start (server/seed.ts). */
export const DEMO = {
  // On Tom Okafor's caseload (with Jordan Ellis), enrolled on 4520-03.
  sam: { email: 'sam.patel@demo-college.example.org', password: 'demo-sam-4520', name: 'Sam Patel' },
  jordan: { email: 'jordan.ellis@demo-college.example.org', password: 'demo-jordan-4520', name: 'Jordan Ellis' },
  chloe: { email: 'chloe.wright@demo-college.example.org', password: 'demo-chloe-4520', name: 'Chloe Wright' },
  ryan: { email: 'ryan.murphy@demo-college.example.org', password: 'demo-ryan-4520', name: 'Ryan Murphy' },
  tom: { email: 'tom.okafor@demo-college.example.org', password: 'demo-tom-4520', name: 'Tom Okafor' },
  // The centre's internal quality assurer (IQA).
  grace: { email: 'grace.mensah@demo-college.example.org', password: 'demo-grace-4520', name: 'Grace Mensah' },
  // The centre's administrator.
  priya: { email: 'priya.shah@demo-college.example.org', password: 'demo-priya-4520', name: 'Priya Shah' },
} satisfies Record<string, Person>;

export interface Device {
  name: string;
  context: BrowserContext;
  page: Page;
}

/** An Android phone's Chrome, so the centre lists the device as "Chrome on Android" (the others are desktop Chrome). */
export const ANDROID_CHROME = devices['Pixel 7'].userAgent;
/** Chrome on a Windows laptop: "Chrome on Windows". */
export const WINDOWS_CHROME = devices['Desktop Chrome'].userAgent;

/** A new device with the app installed (its service worker active and controlling the page). */
export async function openDevice(browser: Browser, baseURL: string, name: string, options: { userAgent?: string } = {}): Promise<Device> {
  const context = await browser.newContext({
    baseURL,
    serviceWorkers: 'allow',
    viewport: { width: 1024, height: 768 },
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
  });
  const page = await context.newPage();
  await page.goto('/');
  await waitForServiceWorkerControl(page);
  return { name, context, page };
}

export const summary = (page: Page) => page.getByTestId('sync-summary');

/** Signs in through the sign-in screen and waits for the first sync to finish. */
export async function signIn(page: Page, person: Person): Promise<void> {
  if (!/\/sign-in$/.test(new URL(page.url()).pathname)) await page.goto('/sign-in');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in to your centre' })).toBeVisible();
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('link', { name: `Signed in as ${person.name}` })).toBeVisible();
  await expect(summary(page)).toContainText('Synced');
}

export const nav = (page: Page, name: 'Home' | 'Evidence' | 'Progress' | 'Device') =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

/** "Sync now" on the Device screen, as a user would after being told something is waiting. */
export async function syncNow(page: Page): Promise<void> {
  await nav(page, 'Device');
  const button = page.getByTestId('sync-panel').getByRole('button', { name: 'Sync now' });
  await expect(button).toBeEnabled();
  await button.click();
}

// ---------------------------------------------------------------------------------------------
// What is stored on the device (read straight from IndexedDB, not through the app).

interface StoreQuery {
  store: string;
  key?: string;
  count?: boolean;
}

/** Reads one record (or the count) of a store in the signed-in user's database. */
async function readUserDb<T>(page: Page, query: StoreQuery): Promise<T | undefined> {
  return page.evaluate(async ({ store, key, count }) => {
    const names = (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith('ict-portfolio-user-'));
    if (names.length !== 1) throw new Error(`expected one user database on this device, found ${JSON.stringify(names)}`);
    return new Promise<unknown>((resolve, reject) => {
      const open = indexedDB.open(names[0]!);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const database = open.result;
        const objects = database.transaction(store).objectStore(store);
        const request = count ? objects.count() : objects.get(key!);
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          database.close();
          resolve(request.result);
        };
      };
    });
  }, query) as Promise<T | undefined>;
}

export interface StoredEvidence {
  id: string;
  title: string;
  narrative: string;
  attachments: Array<{ id: string; name: string; type: string; size: number }>;
  conflicts: Array<{ id: string; field: string; value: unknown; deviceId: string }>;
  serverRevision?: number;
}

export const storedEvidence = (page: Page, id: string) => readUserDb<StoredEvidence>(page, { store: 'evidence', key: id });
export const outboxCount = (page: Page) => readUserDb<number>(page, { store: 'outbox', count: true });

/** The SHA-256 and size of the attachment's Blob as stored on the device; null when only its name is known here. */
export async function storedBlob(page: Page, attachmentId: string): Promise<{ sha256: string; size: number; uploadState: string } | null> {
  return page.evaluate(async (id) => {
    const names = (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith('ict-portfolio-user-'));
    const row = await new Promise<{ blob: Blob | null; uploadState: string } | undefined>((resolve, reject) => {
      const open = indexedDB.open(names[0]!);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const database = open.result;
        const get = database.transaction('attachments').objectStore('attachments').get(id);
        get.onerror = () => reject(get.error);
        get.onsuccess = () => {
          database.close();
          resolve(get.result);
        };
      };
    });
    if (!row?.blob) return null;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await row.blob.arrayBuffer()));
    return { sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''), size: row.blob.size, uploadState: row.uploadState };
  }, attachmentId);
}

/** The device session token the app keeps (idb-keyval store "ict-portfolio-settings", key "signIn"). */
export async function deviceToken(page: Page): Promise<string> {
  const token = await page.evaluate(
    () =>
      new Promise<string | null>((resolve, reject) => {
        const open = indexedDB.open('ict-portfolio-settings');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const database = open.result;
          const get = database.transaction('settings').objectStore('settings').get('signIn');
          get.onerror = () => reject(get.error);
          get.onsuccess = () => {
            database.close();
            resolve((get.result as { token?: string } | null | undefined)?.token ?? null);
          };
        };
      }),
  );
  if (!token) throw new Error('this device holds no sign-in');
  return token;
}

/** Waits until the device has sent everything (its outbox is empty) and the header says Synced. */
export async function waitUntilSynced(page: Page, timeout = 30_000): Promise<void> {
  await expect.poll(() => outboxCount(page), { timeout, message: 'changes still waiting in the outbox' }).toBe(0);
  await expect(summary(page)).toContainText('Synced', { timeout });
}

/**
 * Revokes every other session of the signed-in user through the centre's API (for a repeated
 * pass on the same centre, whose earlier devices are still signed in). Returns how many it ended.
 */
export async function revokeOtherSessions(page: Page): Promise<number> {
  const token = await deviceToken(page);
  return page.evaluate(async (token) => {
    const headers = { Authorization: `Bearer ${token}` };
    const { sessions } = (await (await fetch('/api/auth/sessions', { headers })).json()) as { sessions: Array<{ id: string; current: boolean; revokedAt: string | null }> };
    const others = sessions.filter((s) => !s.current && !s.revokedAt);
    for (const s of others) {
      const response = await fetch(`/api/auth/sessions/${encodeURIComponent(s.id)}/revoke`, { method: 'POST', headers });
      if (!response.ok) throw new Error(`revoking session ${s.id}: ${response.status}`);
    }
    return others.length;
  }, token);
}
