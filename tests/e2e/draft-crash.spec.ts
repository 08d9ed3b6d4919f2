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
    // No waiting for "Saved": the browser dies right after the last keystroke. Just before, what
    // IndexedDB has committed is read (raw, not through the app): that much must survive the kill.
    const committed = await first.page.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const open = indexedDB.open('ict-portfolio');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const all = open.result.transaction('evidence').objectStore('evidence').getAll();
            all.onerror = () => reject(all.error);
            all.onsuccess = () => resolve(String((all.result as Array<{ narrative?: string }>)[0]?.narrative ?? ''));
          };
        }),
    );
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
    const missing = NARRATIVE.length - found.length;
    test.info().annotations.push({ type: 'draft after crash', description: missing === 0 ? 'complete' : `missing the last ${missing} keystrokes` });
    // Whole keystrokes, in order: what is there is the start of what was typed.
    expect(NARRATIVE.startsWith(found), `the draft's narrative after the crash: ${JSON.stringify(found)}`).toBe(true);
    // What was committed before the kill survived it.
    expect(found.length, `committed before the kill: ${JSON.stringify(committed)}`).toBeGreaterThanOrEqual(committed.length);
    // Every keystroke is saved as it lands: only those typed while the last save was in flight may
    // be lost. One keystroke at 30 ms apart when a save is quick; this machine under load has taken
    // 60-90 ms a save (2-3 keystrokes), so the bound is 10 (300 ms): a debounced save would miss it.
    expect(missing, `the draft's narrative after the crash: ${JSON.stringify(found)}`).toBeLessThanOrEqual(10);
    expect(offline.blocked.map((r) => r.url())).toEqual([]);
  } finally {
    for (const launched of [first, second]) if (launched) await killHard(launched).catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  }
});
