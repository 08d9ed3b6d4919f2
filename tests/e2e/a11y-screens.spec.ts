import { expect, test, type Page } from '@playwright/test';
import { HS_1_1, TFD_L3_1_1, attachFile, enrolThroughUi, fillEvidence, mapCriterion, saveEnrolment, smallTouchTargets, waitForSaved, writeTempPng } from './flows';
import { VIEWPORTS, expectNoAxeViolations, screenshot } from './helpers';

// A UK learner's browser: native date inputs show dd/mm/yyyy in the screenshots.
test.use({ locale: 'en-GB', timezoneId: 'Europe/London' });

/**
 * Every screen, in the states a learner meets them, at phone and tablet widths: no axe
 * violations (WCAG 2.x A/AA), every touch target at least 44x44 CSS px, and a screenshot.
 * Problems from all screens are collected and reported together.
 */
test('every screen passes axe and has 44px touch targets at phone and tablet widths', async ({ page }) => {
  test.setTimeout(120_000);
  const problems: string[] = [];

  const check = async (name: string, heading: string) => {
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await expect(page.getByText(/^Loading /)).toHaveCount(0);
    for (const [label, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      try {
        await expectNoAxeViolations(page, `${name} (${label})`);
      } catch (error) {
        problems.push((error as Error).message.replace(/\u001b\[[0-9;]*m/g, '').replace(/\n+expect\(received\)[\s\S]*$/, ''));
      }
      const small = await smallTouchTargets(page);
      if (small.length > 0)
        problems.push(
          `touch targets smaller than 44x44 CSS px on "${name}" (${label}):\n` + small.map((s) => `  - ${s.kind} "${s.name}": ${s.width}x${s.height}`).join('\n'),
        );
    }
    await screenshot(page, name);
  };

  const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

  // 01 Welcome: a fresh device.
  await page.goto('/');
  await check('01-welcome', 'Your ICT portfolio');

  // 02 Enrol, saved too early: the error summary.
  await page.getByRole('link', { name: 'Set up my portfolio' }).click();
  await page.getByRole('button', { name: 'Save and start my portfolio' }).click();
  await expect(page.getByRole('alert').getByRole('heading', { name: 'Check these before saving' })).toBeVisible();
  await check('02-enrol-errors', 'Your enrolment');

  // 03 Enrol, with the qualification and units chosen.
  await enrolThroughUi(page, { fromWelcome: false });
  await expect(page.getByTestId('rules-summary').getByRole('heading')).toHaveText('Your units meet the rules of combination');
  await check('03-enrol', 'Your enrolment');
  await saveEnrolment(page);

  // 04 Home, enrolled, nothing logged yet.
  await check('04-home-enrolled', 'Hello, Priya Shah');

  // 05 The editor, new and empty.
  await page.getByRole('link', { name: 'Log new evidence' }).click();
  await check('05-evidence-new', 'Log new evidence');

  // 06 The editor after submitting too early: what is missing, linked to the fields.
  await page.getByRole('button', { name: 'Submit for assessment' }).click();
  await expect(page.getByTestId('submit-problems')).toBeVisible();
  await check('06-evidence-new-problems', 'Log new evidence');

  // 07 The editor with an item: a photo, two mappings, submitted, history open.
  await fillEvidence(page, {
    title: 'Replaced a failed network switch',
    narrative: 'Followed the server room safety procedure, validated the fault with the users, then swapped the switch and tested every port.',
    activityDate: '2026-11-10',
    method: 'practical-demonstration',
    hours: '2.5',
    offTheJob: true,
  });
  await attachFile(page, writeTempPng('switch-replaced.png'));
  await mapCriterion(page, 'health safety procedures', HS_1_1.id);
  await mapCriterion(page, 'fault diagnosis L3', TFD_L3_1_1.id);
  await page.locator('#criteria-search').fill('');
  await page.getByRole('button', { name: 'Submit for assessment' }).click();
  await expect(page.locator('.tag.submitted')).toHaveText('Submitted');
  await waitForSaved(page);
  const itemUrl = page.url();
  await page.reload();
  await expect(page.getByRole('img', { name: 'switch-replaced.png' })).toBeVisible();
  const history = page.getByRole('region', { name: 'History' });
  await history.locator('summary').first().click();
  await expect(history.getByRole('button', { name: /Restore this version/ }).first()).toBeVisible();
  await check('07-evidence-item', 'Edit evidence');

  // A second item (a draft), and a third that is deleted.
  await nav(page, 'Evidence');
  await page.getByRole('link', { name: 'Log new evidence' }).click();
  await fillEvidence(page, {
    title: 'Shadowed the network engineer',
    narrative: 'Watched how the VLANs are planned.',
    activityDate: '2026-11-12',
    method: 'witness-testimony',
    hours: '3',
    offTheJob: true,
  });
  await waitForSaved(page);
  await nav(page, 'Evidence');
  await page.getByRole('link', { name: 'Log new evidence' }).click();
  await page.getByLabel('Title', { exact: true }).fill('Notes I no longer need');
  await expect(page).toHaveURL(/\/evidence\/[0-9a-f-]{36}$/);
  await waitForSaved(page);
  const deletedUrl = page.url();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('button', { name: 'Yes, delete it' }).click();

  // 08 The evidence list with items and a deleted item (its section open).
  await expect(page.getByRole('heading', { level: 1, name: 'Your evidence' })).toBeVisible();
  await expect(page.getByTestId('evidence-list').getByRole('link')).toHaveCount(2);
  await page.locator('summary', { hasText: 'Deleted evidence (1)' }).click();
  await expect(page.getByRole('button', { name: /Restore Notes I no longer need/ })).toBeVisible();
  await check('08-evidence-list', 'Your evidence');

  // 09 A deleted item opened: read-only, with a Restore button and its history.
  await page.goto(deletedUrl);
  await expect(page.getByText('This evidence was deleted')).toBeVisible();
  await check('09-evidence-deleted', 'Evidence');

  // 10 Progress, with a unit open.
  await nav(page, 'Progress');
  await expect(page.getByRole('heading', { level: 1, name: 'Your progress' })).toBeVisible();
  await page.locator(`details[data-unit-id="${HS_1_1.unitId}"] > summary`).click();
  await check('10-progress', 'Your progress');

  // 11 Device.
  await nav(page, 'Device');
  await expect(page.getByTestId('storage-facts').or(page.getByText('This browser does not say how much space is used.'))).toBeVisible();
  await check('11-device', 'This device');

  // 12 Home with evidence.
  await nav(page, 'Home');
  await check('12-home-with-evidence', 'Hello, Priya Shah');

  expect(problems, `\n${problems.join('\n\n')}\n`).toEqual([]);
});
