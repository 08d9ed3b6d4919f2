import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { enrolThroughUi, saveEnrolment } from './flows';
import { goOffline, waitForServiceWorkerControl } from './helpers';
import { killHard, launch, type Launched } from './killable-browser';

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
