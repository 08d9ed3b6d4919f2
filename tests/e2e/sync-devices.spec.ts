import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page, type Request, type Response } from '@playwright/test';
import { startCentre, type Centre } from './centre';
import {
  ANDROID_CHROME,
  DEMO,
  deviceToken,
  nav,
  openDevice,
  outboxCount,
  revokeOtherSessions,
  signIn,
  storedBlob,
  storedEvidence,
  summary,
  syncNow,
  waitUntilSynced,
  WINDOWS_CHROME,
  type Device,
} from './devices';
import { attachFile, fillEvidence, sha256, waitForSaved, writeTempPng, type EvidenceInput, type TempFile } from './flows';
import { goOffline, screenshot } from './helpers';

/**
 * Two or three browser contexts as separate devices (each with its own IndexedDB), against the
 * real centre server: files and changes made offline reach the learner's other device and the
 * assessor byte for byte; an upload survives the centre being killed; edits of the same text on
 * two devices both survive; and a signed-out or revoked device gets nothing.
 */

const PHOTO_SIZE = { width: 1600, height: 1240 };
const FIVE_MB = 5_000_000;

const EVIDENCE: EvidenceInput = {
  title: 'Replaced the failed core switch',
  narrative: 'Validated the fault with the users, read the switch logs, swapped the unit and tested every port. Photo of the new switch attached.',
  activityDate: '2026-03-10',
  method: 'practical-demonstration',
  hours: '2',
  offTheJob: false,
};

/**
 * Tests share the run's centre (and test (b) has its own), so a repeat (--repeat-each, a retry)
 * meets the data of the earlier pass: the titles and photo bytes of each pass are its own.
 */
function pass(): number {
  return test.info().repeatEachIndex * 10 + test.info().retry;
}
function unique(title: string): string {
  return pass() === 0 ? title : `${title} (pass ${pass() + 1})`;
}

/** Matches a link whose name contains `title` (an item's row also shows its status and details). */
function named(title: string): RegExp {
  return new RegExp(title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

/** A ~5 MB photo: noisy pixels, so it does not compress to nothing; new bytes on every pass. */
function bigPhoto(name: string, seed: number): TempFile {
  const photo = writeTempPng(name, seed + 1000 * pass(), PHOTO_SIZE);
  expect(photo.bytes.length, 'a photo of about 5 MB').toBeGreaterThan(FIVE_MB);
  return photo;
}

/** Opens the item from the evidence list, as the learner would. */
async function openFromList(page: Page, title: string): Promise<void> {
  await nav(page, 'Evidence');
  const row = page.getByTestId('evidence-list').getByRole('link', { name: named(title) });
  await expect(row).toBeVisible();
  await row.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Edit evidence' })).toBeVisible();
}

/** SHA-256 and size of the bytes the centre serves for `hash`, fetched in the page with the device's token. */
async function fetchFromCentre(page: Page, hash: string): Promise<{ status: number; sha256: string; size: number }> {
  const token = await deviceToken(page);
  return page.evaluate(
    async ({ hash, token }) => {
      const response = await fetch(`/api/files/sha256/${hash}`, { headers: { Authorization: `Bearer ${token}` } });
      const bytes = new Uint8Array(await response.arrayBuffer());
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      return { status: response.status, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''), size: bytes.length };
    },
    { hash, token },
  );
}

async function closeAll(devices: Array<Device | undefined>): Promise<void> {
  for (const device of devices) await device?.context.close().catch(() => undefined);
}

test('a photo logged offline reaches the learner’s second device and the assessor, byte for byte', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const photo = bigPhoto('new-core-switch.png', 4520);
  const item = { ...EVIDENCE, title: unique(EVIDENCE.title) };
  let a: Device | undefined, b: Device | undefined, assessor: Device | undefined;
  try {
    // Sam Patel is on Tom Okafor's caseload (server/seed.ts).
    a = await openDevice(browser, baseURL!, 'Sam’s phone');
    await a.page.goto('/sign-in');
    await screenshot(a.page, '20-sign-in');
    await signIn(a.page, DEMO.sam);
    b = await openDevice(browser, baseURL!, 'Sam’s laptop');
    await signIn(b.page, DEMO.sam);
    assessor = await openDevice(browser, baseURL!, 'Tom’s tablet');
    await signIn(assessor.page, DEMO.tom);

    // --- Device A, offline: log the evidence with the photo --------------------------------
    const offline = await goOffline(a.context);
    await expect(summary(a.page)).toContainText('Offline');
    await nav(a.page, 'Evidence');
    await a.page.getByRole('link', { name: 'Log new evidence' }).click();
    await fillEvidence(a.page, item);
    const id = new URL(a.page.url()).pathname.split('/').pop()!;
    await attachFile(a.page, photo);
    await waitForSaved(a.page);
    await expect(summary(a.page)).toContainText(/Offline: \d+ changes? waiting/);
    expect(await storedBlob(a.page, photo.sha256)).toMatchObject({ sha256: photo.sha256, size: photo.bytes.length, uploadState: 'pending' });
    await nav(a.page, 'Device');
    await expect(a.page.getByTestId('waiting-count')).not.toHaveText('Nothing');
    await screenshot(a.page, '21-sync-status-offline');

    // --- Online again: the file goes up, then the item -------------------------------------
    await offline.goOnline();
    await waitUntilSynced(a.page, 45_000);
    expect(await storedBlob(a.page, photo.sha256)).toMatchObject({ sha256: photo.sha256, uploadState: 'uploaded' });
    await expect(a.page.getByTestId('waiting-count')).toHaveText('Nothing');
    await expect(a.page.getByTestId('last-sync')).toContainText('just now');
    await screenshot(a.page, '21-sync-status-synced');

    // --- Device B: the item arrives; the photo downloads when opened, and is the same bytes -
    await b.page.reload();
    await expect.poll(() => storedEvidence(b!.page, id).then((e) => e?.title), { message: 'the item reached device B' }).toBe(item.title);
    await openFromList(b.page, item.title);
    await expect(b.page.getByLabel('What you did and what you learned')).toHaveValue(EVIDENCE.narrative);
    const img = b.page.getByRole('img', { name: photo.name });
    await expect(img).toBeVisible({ timeout: 20_000 });
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(PHOTO_SIZE.width);
    expect(await storedBlob(b.page, photo.sha256)).toMatchObject({ sha256: photo.sha256, size: photo.bytes.length });

    // --- The assessor's device: the item is in their database, and so are the same bytes.
    // The record is read from IndexedDB. An assessor's tablet keeps every file of the caseload
    // offline for visits (src/sync/account.ts alwaysKeepsAllOffline), so the sync itself downloads
    // the photo, checked against its SHA-256 before it is stored, without being asked.
    await assessor.page.reload();
    await expect.poll(() => storedEvidence(assessor!.page, id).then((e) => e?.title), { message: 'the item reached the assessor' }).toBe(item.title);
    const seen = (await storedEvidence(assessor.page, id))!;
    expect(seen.narrative).toBe(EVIDENCE.narrative);
    expect(seen.attachments).toEqual([expect.objectContaining({ id: photo.sha256, name: photo.name, size: photo.bytes.length, type: 'image/png' })]);
    await expect
      .poll(() => storedBlob(assessor!.page, photo.sha256), { timeout: 20_000, message: 'the photo downloaded to the assessor’s device' })
      .toMatchObject({ sha256: photo.sha256, size: photo.bytes.length });
    // And the centre serves those bytes to the assessor's session directly too.
    expect(await fetchFromCentre(assessor.page, photo.sha256)).toEqual({ status: 200, sha256: photo.sha256, size: photo.bytes.length });
  } finally {
    await closeAll([a, b, assessor]);
  }
});

/** Every file under `dir` (recursively), with its size; [] when the directory does not exist. */
function filesUnder(dir: string): Array<{ path: string; size: number }> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return [];
    return stat.isDirectory() ? filesUnder(path) : [{ path, size: stat.size }];
  });
}

/** The app uploads in chunks of this size (UPLOAD_CHUNK_BYTES in src/sync/tus-uploader.ts). */
const CHUNK_BYTES = 256 * 1024;

/**
 * The tus traffic of one page: each PATCH with the offset it starts at and the bytes it carries,
 * and each HEAD's answer. A PATCH's size is its Content-Length as sent; the one cut off by the
 * kill has no headers reported back, so it counts as the whole chunk it was carrying.
 */
function watchUploads(page: Page, fileSize: number) {
  const creates: Request[] = [];
  const patches: Array<{ offset: number; bytes: Promise<number> }> = [];
  const heads: Array<{ status: number; offset: number | null }> = [];
  page.on('request', (request) => {
    if (!/\/api\/files\/uploads(\/|$)/.test(request.url())) return;
    if (request.method() === 'POST') creates.push(request);
    if (request.method() === 'PATCH') {
      const offset = Number(request.headers()['upload-offset']);
      const bytes = request.allHeaders().then((h) => (h['content-length'] !== undefined ? Number(h['content-length']) : Math.min(CHUNK_BYTES, fileSize - offset)));
      patches.push({ offset, bytes });
    }
  });
  page.on('response', (response: Response) => {
    if (response.request().method() !== 'HEAD' || !/\/api\/files\/uploads\/[0-9a-f]+$/.test(response.url())) return;
    const offset = response.headers()['upload-offset'];
    heads.push({ status: response.status(), offset: offset === undefined ? null : Number(offset) });
  });
  return { creates, patches, heads };
}

test('the centre is killed in the middle of the photo’s upload: the upload resumes and the centre keeps one copy', async ({ browser }) => {
  test.setTimeout(150_000);
  const photo = bigPhoto('server-room-rack.png', 4521);
  let centre: Centre | undefined;
  let a: Device | undefined;
  try {
    // A centre of its own, so it can be killed without touching the other tests'.
    centre = await startCentre();
    const uploadsDir = join(centre.dataDir, 'files', 'uploads');
    const storeDir = join(centre.dataDir, 'files', 'sha256');
    a = await openDevice(browser, centre.url, 'Sam’s phone');
    await signIn(a.page, DEMO.sam);
    const traffic = watchUploads(a.page, photo.bytes.length);

    // Offline (Chromium's own network emulation, so the upload speed can be limited afterwards).
    const cdp = await a.context.newCDPSession(a.page);
    await cdp.send('Network.enable');
    const network = (offline: boolean, uploadBytesPerSecond = -1) =>
      cdp.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput: uploadBytesPerSecond });
    await network(true);
    await expect(summary(a.page)).toContainText('Offline');
    await nav(a.page, 'Evidence');
    await a.page.getByRole('link', { name: 'Log new evidence' }).click();
    await fillEvidence(a.page, { ...EVIDENCE, title: unique('Racked the new server') });
    const id = new URL(a.page.url()).pathname.split('/').pop()!;
    await attachFile(a.page, photo);
    await waitForSaved(a.page);
    await nav(a.page, 'Device');

    // Online on a slow uplink (about 2 MB/s): kill the centre once it holds more than 1.5 MiB of the file.
    await network(false, 2_000_000);
    const partialBytes = () => Math.max(0, ...filesUnder(uploadsDir).filter((f) => !f.path.endsWith('.json')).map((f) => f.size));
    await expect.poll(partialBytes, { intervals: [20], timeout: 30_000, message: 'a partial upload on the centre' }).toBeGreaterThan(1.5 * 1024 * 1024);
    await expect(a.page.getByTestId('upload-progress')).toBeVisible();
    await screenshot(a.page, '21-sync-status-uploading');
    await centre.kill('SIGKILL');
    const stoppedAt = partialBytes();
    expect(stoppedAt, 'the upload stopped part-way').toBeLessThan(photo.bytes.length);
    const patchesBeforeRestart = traffic.patches.length;
    const headsBeforeRestart = traffic.heads.length;

    // Back on the same port and data directory. Meanwhile (the centre takes a few seconds to
    // start), what the learner sees while it is down.
    const restarting = centre.restart();
    await screenshot(a.page, '21-sync-status-centre-down');
    await restarting;
    // The device carries on by itself: the upload retries for about 19 s after the connection
    // broke; on a slow machine where the centre took longer than that, the next sync (every
    // minute) resumes it from the upload address kept in IndexedDB.
    await waitUntilSynced(a.page, 90_000);

    // Resumed where it stopped: the centre said how far it had got, and the next bytes started there.
    const resumedAt = traffic.heads.slice(headsBeforeRestart).find((h) => h.status === 200 && h.offset !== null);
    expect(resumedAt?.offset, `HEAD answers after the restart: ${JSON.stringify(traffic.heads)}`).toBe(stoppedAt);
    const patches = await Promise.all(traffic.patches.map(async (p) => ({ offset: p.offset, bytes: await p.bytes })));
    const afterRestart = patches.slice(patchesBeforeRestart);
    expect(afterRestart[0]?.offset, `PATCHes: ${JSON.stringify(patches)}`).toBe(resumedAt!.offset);
    expect(traffic.creates, 'one upload, resumed rather than started again').toHaveLength(1);
    const sent = patches.reduce((sum, p) => sum + p.bytes, 0);
    expect(sent, `bytes PATCHed across the run: ${JSON.stringify(patches)}`).toBeLessThan(1.5 * photo.bytes.length);
    expect(sent).toBeGreaterThanOrEqual(photo.bytes.length);

    // Exactly one copy at the centre: one file in the content store, under its hash, and no partial left.
    expect(filesUnder(storeDir)).toEqual([{ path: join(storeDir, photo.sha256.slice(0, 2), photo.sha256), size: photo.bytes.length }]);
    expect(filesUnder(uploadsDir), 'nothing left of the upload').toEqual([]);
    expect(sha256(readFileSync(join(storeDir, photo.sha256.slice(0, 2), photo.sha256)))).toBe(photo.sha256);
    expect(await fetchFromCentre(a.page, photo.sha256)).toEqual({ status: 200, sha256: photo.sha256, size: photo.bytes.length });
    expect(await storedBlob(a.page, photo.sha256)).toMatchObject({ uploadState: 'uploaded' });
    expect((await storedEvidence(a.page, id))?.serverRevision).toBeGreaterThan(0);
  } finally {
    await closeAll([a]);
    await centre?.stop();
  }
});

test('two devices edit the same narrative offline: after both sync, both texts are kept and the conflict is shown', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const original = 'Moved the finance team to the new floor: first notes.';
  const fromA = 'Planned the move with the project manager, kept the risk register and tested every desk on the new floor (written on the phone).';
  const fromB = 'Moved twelve desks over the weekend, re-patched the floor switch and checked each PC with its user on Monday (written on the laptop).';
  const title = unique('Office move for the finance team');
  let a: Device | undefined, b: Device | undefined;
  try {
    a = await openDevice(browser, baseURL!, 'Chloe’s phone');
    await signIn(a.page, DEMO.chloe);
    b = await openDevice(browser, baseURL!, 'Chloe’s laptop');
    await signIn(b.page, DEMO.chloe);

    // The item exists on both devices first.
    await nav(a.page, 'Evidence');
    await a.page.getByRole('link', { name: 'Log new evidence' }).click();
    await a.page.getByLabel('Title', { exact: true }).fill(title);
    await expect(a.page).toHaveURL(/\/evidence\/[0-9a-f-]{36}$/);
    const id = new URL(a.page.url()).pathname.split('/').pop()!;
    await a.page.getByLabel('What you did and what you learned').fill(original);
    await waitForSaved(a.page);
    await waitUntilSynced(a.page);
    await b.page.reload();
    await expect.poll(() => storedEvidence(b!.page, id).then((e) => e?.narrative), { message: 'the item reached device B' }).toBe(original);
    await openFromList(b.page, title);

    // Both offline; each rewrites the narrative.
    const offlineA = await goOffline(a.context);
    const offlineB = await goOffline(b.context);
    const narrativeA = a.page.getByLabel('What you did and what you learned');
    const narrativeB = b.page.getByLabel('What you did and what you learned');
    await narrativeA.fill(fromA);
    await waitForSaved(a.page);
    await narrativeB.fill(fromB);
    await waitForSaved(b.page);
    await expect(summary(a.page)).toContainText('Offline: 1 change waiting');
    await expect(summary(b.page)).toContainText('Offline: 1 change waiting');

    // A syncs first, then B: B's edit meets A's at the centre.
    await offlineA.goOnline();
    await waitUntilSynced(a.page);
    await offlineB.goOnline();
    await waitUntilSynced(b.page);
    // A hears of it on its next sync.
    await syncNow(a.page);
    await expect.poll(() => storedEvidence(a!.page, id).then((e) => e?.conflicts.length), { message: 'the conflict copy reached A' }).toBe(1);

    // On both devices: one text in the field, the other as a conflict copy, and the user is told.
    for (const device of [b, a]) {
      const { page } = device;
      const stored = (await storedEvidence(page, id))!;
      expect(stored.conflicts).toHaveLength(1);
      expect(stored.conflicts[0]!.field).toBe('narrative');
      expect([stored.narrative, stored.conflicts[0]!.value].sort()).toEqual([fromA, fromB].sort());

      await openFromList(page, title);
      const notice = page.getByTestId('conflict-notice');
      await expect(notice).toBeVisible();
      await expect(notice.getByRole('heading', { name: 'Two versions of this evidence' })).toBeVisible();
      await expect(page.getByLabel('What you did and what you learned')).toHaveValue(stored.narrative);
      await expect(notice.getByTestId('conflict-current')).toHaveText(stored.narrative);
      await expect(notice.getByTestId('conflict-other')).toHaveText(String(stored.conflicts[0]!.value));
      await expect(notice.getByRole('button', { name: /Keep this version instead/ })).toBeVisible();
      // B's own text lost (A was first): B is told the copy is its own version.
      if (device === b) await expect(notice).toContainText(stored.conflicts[0]!.value === fromB ? 'Your version from this device' : 'The version from another device');
      if (device === b) await screenshot(page, '22-conflict');

      await nav(page, 'Evidence');
      const row = page.getByTestId('evidence-list').getByRole('link', { name: named(title) });
      await expect(row.locator('.tag.conflict')).toHaveText('Conflict');
      if (device === a) await screenshot(page, '23-conflict-in-list');
    }
  } finally {
    await closeAll([a, b]);
  }
});

/** A pull as a device would make it, from the page, with or without a token. */
async function pullStatus(page: Page, token: string | null): Promise<number> {
  return page.evaluate(async (token) => {
    const response = await fetch('/api/sync/pull?since=0&limit=10', token ? { headers: { Authorization: `Bearer ${token}` } } : {});
    return response.status;
  }, token);
}

test('a signed-out device cannot pull, and a revoked device is refused but keeps its data', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  let c: Device | undefined, a: Device | undefined, b: Device | undefined;
  try {
    // --- A device that signed out: no token, and its old token no longer works --------------
    c = await openDevice(browser, baseURL!, 'Jordan’s shared tablet');
    expect(await pullStatus(c.page, null), 'a pull with no token').toBe(401);
    await signIn(c.page, DEMO.jordan);
    const oldToken = await deviceToken(c.page);
    expect(await pullStatus(c.page, oldToken), 'a pull while signed in').toBe(200);
    await nav(c.page, 'Device');
    await c.page.getByTestId('account-panel').getByRole('button', { name: 'Sign out', exact: true }).click();
    await c.page.getByRole('button', { name: 'Yes, sign out' }).click();
    await expect(c.page.getByRole('heading', { level: 1, name: 'Your ICT portfolio' })).toBeVisible();
    await expect(summary(c.page)).toContainText('All changes saved on this device');
    expect(await pullStatus(c.page, null), 'a pull with no token after signing out').toBe(401);
    expect(await pullStatus(c.page, oldToken), 'a pull with the token of the ended session').toBe(401);

    // --- A revoked device ------------------------------------------------------------------
    a = await openDevice(browser, baseURL!, 'Ryan’s phone', { userAgent: ANDROID_CHROME });
    await signIn(a.page, DEMO.ryan);
    // Only a repeated pass finds Ryan's earlier devices still signed in: end them, so the list is this pass's two.
    if (pass() > 0) await revokeOtherSessions(a.page);
    b = await openDevice(browser, baseURL!, 'Ryan’s laptop', { userAgent: WINDOWS_CHROME });
    await signIn(b.page, DEMO.ryan);
    const tokenB = await deviceToken(b.page);

    // B, offline, logs something that has not reached the centre yet.
    const offlineB = await goOffline(b.context);
    await nav(b.page, 'Evidence');
    await b.page.getByRole('link', { name: 'Log new evidence' }).click();
    const title = unique('Patch night notes, written on the train');
    await b.page.getByLabel('Title', { exact: true }).fill(title);
    await expect(b.page).toHaveURL(/\/evidence\/[0-9a-f-]{36}$/);
    const id = new URL(b.page.url()).pathname.split('/').pop()!;
    await b.page.getByLabel('What you did and what you learned').fill('Applied the monthly patches to the file servers and checked the backups first.');
    await waitForSaved(b.page);
    await expect(summary(b.page)).toContainText('Offline: 1 change waiting');

    // A signs B out: Device screen, the other session, "Sign out that device".
    await nav(a.page, 'Device');
    const sessions = a.page.getByTestId('device-sessions');
    await expect(sessions.getByRole('listitem')).toHaveCount(2);
    await expect(sessions.getByRole('listitem').filter({ hasText: 'This device' })).toContainText('Chrome on Android');
    const laptop = sessions.getByRole('listitem').filter({ hasNotText: 'This device' });
    await expect(laptop).toContainText('Chrome on Windows');
    await screenshot(a.page, '24-device-sessions');
    await laptop.getByRole('button', { name: /Sign out that device/ }).click();
    await expect(sessions.getByRole('status')).toContainText('Chrome on Windows is signed out.');
    await expect(sessions.getByRole('listitem')).toHaveCount(1);

    // B comes back online: its next sync is refused and it says so; nothing of B's is lost.
    await offlineB.goOnline();
    await expect(summary(b.page)).toContainText('Signed out by your centre: 1 change kept here');
    await expect(b.page.getByRole('link', { name: 'Sign in again' }).first()).toBeVisible();
    expect(await outboxCount(b.page), 'the waiting change is kept').toBe(1);
    expect((await storedEvidence(b.page, id))?.title).toBe(title);
    expect(await pullStatus(b.page, tokenB), 'a pull with the revoked token').toBe(401);
    await nav(b.page, 'Device');
    await expect(b.page.getByTestId('account-panel')).toContainText('Your centre ended this device’s session.');
    await expect(b.page.getByTestId('sync-state')).toContainText('Your centre ended this device’s session');
    await screenshot(b.page, '25-revoked-device');
    await nav(b.page, 'Evidence');
    await expect(b.page.getByTestId('evidence-list').getByRole('link', { name: named(title) })).toBeVisible();

    // Signing in again brings the same portfolio back, and what waited is sent.
    await b.page.getByRole('link', { name: 'Sign in again' }).first().click();
    await expect(b.page.getByLabel('Email')).toHaveValue(DEMO.ryan.email);
    await screenshot(b.page, '26-sign-in-again');
    await signIn(b.page, DEMO.ryan);
    await waitUntilSynced(b.page);
    await syncNow(a.page);
    await expect.poll(() => storedEvidence(a!.page, id).then((e) => e?.title), { message: 'B’s kept change reached A' }).toBe(title);
  } finally {
    await closeAll([c, a, b]);
  }
});
