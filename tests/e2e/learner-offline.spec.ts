import { expect, test } from '@playwright/test';
import { HS_1_1, LEARNER, TFD_L3_1_1, attachFile, enrolThroughUi, fillEvidence, mapCriterion, saveEnrolment, sha256, waitForSaved, writeTempPng } from './flows';
import { goOffline, waitForServiceWorkerControl } from './helpers';

const EVIDENCE = {
  title: 'Replaced a failed network switch in the server room',
  narrative:
    'The second-floor switch stopped passing traffic. I followed the site health and safety procedure for working in the server room, ' +
    'validated the fault, gathered information from the users and the switch logs, and swapped the unit.\n\nNext time I would label the patch leads first.',
  activityDate: '2026-11-10',
  method: 'practical-demonstration',
  methodLabel: 'Practical demonstration / assignment',
  hours: '2.5',
  offTheJob: true,
};

test('a learner enrols, logs evidence with a photo and sees progress, all offline', async ({ page, context }) => {
  test.setTimeout(90_000);
  const photo = writeTempPng('switch-replaced.png');
  expect(photo.bytes.length, 'a photo of a few hundred KB').toBeGreaterThan(200_000);

  // One online visit installs the app; from then on it runs with no network at all.
  await page.goto('/');
  await waitForServiceWorkerControl(page);
  const offline = await goOffline(context);
  await page.reload({ waitUntil: 'load' });
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  await expect(page.locator('.pill.offline')).toHaveText('Offline');

  // --- Enrol on 4520-03 ----------------------------------------------------------------------
  await enrolThroughUi(page);
  const rules = page.getByTestId('rules-summary');
  await expect(rules.getByRole('heading')).toHaveText('Your units meet the rules of combination');
  await expect(rules).not.toContainText('more to choose');
  await saveEnrolment(page);
  await expect(page.getByText(`(4520-03) · ${LEARNER.employer}`)).toBeVisible();

  // --- Log one piece of evidence ---------------------------------------------------------------
  await page.getByRole('link', { name: 'Log new evidence' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Log new evidence' })).toBeVisible();
  await fillEvidence(page, EVIDENCE);
  const evidenceUrl = page.url();
  await attachFile(page, photo);
  await mapCriterion(page, 'health safety procedures', HS_1_1.id);
  await mapCriterion(page, 'fault diagnosis L3 diagnostic process', TFD_L3_1_1.id);
  await expect(page.getByRole('heading', { name: 'Mapped (2)' })).toBeVisible();
  await page.getByRole('button', { name: 'Submit for assessment' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Submitted for assessment.' })).toBeVisible();
  await expect(page.locator('.tag.submitted')).toHaveText('Submitted');
  await waitForSaved(page);

  // --- Reload, still offline: everything comes back from the device ---------------------------
  await page.reload({ waitUntil: 'load' });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Evidence' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your evidence' })).toBeVisible();
  const row = page.getByTestId('evidence-list').getByRole('link', { name: new RegExp(EVIDENCE.title) });
  await expect(row).toContainText('Submitted');
  await expect(row).toContainText('10 Nov 2026');
  await expect(row).toContainText('2 criteria');
  await expect(row).toContainText('1 file');
  await expect(row).toContainText('2.5 h off-the-job');
  await row.click();
  await expect(page).toHaveURL(evidenceUrl);

  // The fields.
  await expect(page.getByRole('heading', { level: 1, name: 'Edit evidence' })).toBeVisible();
  await expect(page.getByLabel('Title', { exact: true })).toHaveValue(EVIDENCE.title);
  await expect(page.getByLabel('What you did and what you learned')).toHaveValue(EVIDENCE.narrative);
  await expect(page.getByLabel('Date of the activity')).toHaveValue(EVIDENCE.activityDate);
  await expect(page.getByLabel('Assessment method')).toHaveValue(EVIDENCE.method);
  await expect(page.getByLabel('Assessment method').locator('option:checked')).toHaveText(EVIDENCE.methodLabel);
  await expect(page.getByLabel('Hours', { exact: true })).toHaveValue(EVIDENCE.hours);
  await expect(page.getByLabel('These were off-the-job hours')).toBeChecked();
  await expect(page.locator('.tag.submitted')).toHaveText('Submitted');

  // The photo: shown, and byte for byte the file that was picked.
  const img = page.getByRole('img', { name: photo.name });
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(480);
  expect(await img.evaluate((el: HTMLImageElement) => el.naturalHeight)).toBe(360);
  const shown = await img.evaluate(async (el: HTMLImageElement) => {
    const bytes = new Uint8Array(await (await fetch(el.src)).arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { src: el.src, base64: btoa(binary) };
  });
  expect(shown.src).toMatch(/^blob:/);
  const shownBytes = Buffer.from(shown.base64, 'base64');
  expect(shownBytes.length).toBe(photo.bytes.length);
  expect(sha256(shownBytes)).toBe(photo.sha256);
  // The stored Blob is keyed by its SHA-256, computed in the page: it agrees with node:crypto.
  const stored = await page.evaluate(async (id) => {
    // The learner's database (named per signed-in user; "ict-portfolio" on a device nobody signed in to).
    const names = (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith('ict-portfolio'));
    for (const name of names) {
      const blob = await new Promise<Blob | undefined>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const database = open.result;
          if (!database.objectStoreNames.contains('attachments')) return database.close(), resolve(undefined);
          const get = database.transaction('attachments').objectStore('attachments').get(id);
          get.onerror = () => reject(get.error);
          get.onsuccess = () => {
            database.close();
            resolve((get.result as { blob?: Blob | null } | undefined)?.blob ?? undefined);
          };
        };
      });
      if (!blob) continue;
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
      return { found: true, sha: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''), size: blob.size };
    }
    return { found: false, sha: '', size: 0 };
  }, photo.sha256);
  expect(stored).toEqual({ found: true, sha: photo.sha256, size: photo.bytes.length });
  await expect(page.getByText(/PNG image · \d/)).toBeVisible();

  // The two mappings.
  await expect(page.getByRole('heading', { name: 'Mapped (2)' })).toBeVisible();
  await expect(page.getByRole('button', { name: `Remove ${HS_1_1.label}` })).toBeVisible();
  await expect(page.getByRole('button', { name: `Remove ${TFD_L3_1_1.label}` })).toBeVisible();
  await expect(page.locator(`#criteria-search-results input[value="${HS_1_1.id}"]`)).toBeChecked();
  await expect(page.locator(`#criteria-search-results input[value="${TFD_L3_1_1.id}"]`)).toBeChecked();
  // Not the Level 4 unit of the same title (not enrolled, so not offered at all).
  await expect(page.locator('#criteria-search-results input[value^="L/500/7391"]')).toHaveCount(0);

  // --- Progress: linked under both criteria, neither in the gaps -----------------------------
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Progress' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your progress' })).toBeVisible();
  for (const criterion of [HS_1_1, TFD_L3_1_1]) {
    const unit = page.locator(`details[data-unit-id="${criterion.unitId}"]`);
    await unit.locator('summary').click();
    const item = unit.getByRole('listitem').filter({ hasText: criterion.text });
    await expect(item).toHaveCount(1);
    await expect(item.getByRole('link', { name: EVIDENCE.title })).toHaveAttribute('href', new URL(evidenceUrl).pathname);
    await expect(unit.locator('summary')).toContainText('1 of 3 criteria evidenced');
  }
  const gaps = page.getByTestId('gap-list');
  await expect(gaps).not.toContainText(HS_1_1.text);
  await expect(gaps).not.toContainText(TFD_L3_1_1.text);
  // The neighbours of those criteria are still gaps.
  await expect(gaps).toContainText('Identify available sources of health and safety information');
  await expect(gaps).toContainText('Describe the types of diagnostic information that are commonly needed');
  await expect(page.locator('#hours-heading + p')).toContainText('2.5 hours logged');

  // --- Home: two criteria evidenced and the off-the-job hours --------------------------------
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
  const criteria = page.locator('section[aria-labelledby="criteria-heading"]');
  await expect(criteria.locator('p').first()).toHaveText(/^2 of \d+ assessment criteria/);
  const hours = page.locator('section[aria-labelledby="hours-heading"]');
  await expect(hours.locator('strong')).toHaveText('2.5');
  await expect(hours).toContainText('2.5 hours logged');
  await expect(page.getByRole('region', { name: 'Recent evidence' }).getByRole('link', { name: new RegExp(EVIDENCE.title) })).toBeVisible();

  // Nothing tried the network while offline.
  expect(offline.blocked.map((r) => r.url()), 'requests that tried the network while offline').toEqual([]);
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
});
