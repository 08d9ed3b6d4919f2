import { expect, test } from '@playwright/test';
import { enrolThroughUi, saveEnrolment, waitForSaved } from './flows';

declare global {
  interface Window {
    __diskFull?: boolean;
  }
}

test('a full disk while typing: the user is told, keeps the text, and saves it once there is room', async ({ page }) => {
  // While window.__diskFull is true, every IndexedDB write fails the way a full device does.
  await page.addInitScript(() => {
    for (const method of ['put', 'add'] as const) {
      const original = IDBObjectStore.prototype[method];
      IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args: Parameters<typeof original>) {
        if (window.__diskFull === true) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return original.apply(this, args);
      } as typeof original;
    }
  });

  await page.goto('/');
  await enrolThroughUi(page);
  await saveEnrolment(page);

  // An existing item.
  await page.getByRole('link', { name: 'Log new evidence' }).click();
  await page.getByLabel('Title', { exact: true }).fill('Patched the print server');
  await expect(page).toHaveURL(/\/evidence\/[0-9a-f-]{36}$/);
  const narrative = page.getByLabel('What you did and what you learned');
  await narrative.fill('Applied the monthly updates.');
  await waitForSaved(page);
  const itemUrl = page.url();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Edit evidence' })).toBeVisible();
  await expect(narrative).toHaveValue('Applied the monthly updates.');

  // The disk fills up while the learner types.
  await page.evaluate(() => (window.__diskFull = true));
  const more = ' Then I rebooted it out of hours and checked every queue.';
  await narrative.press('End');
  await narrative.pressSequentially(more, { delay: 5 });

  const alert = page.getByRole('alert').filter({ hasText: 'Not saved.' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText(
    'Your device is out of storage space, so this could not be saved. What you typed is still here: free some space (delete unused files or apps) and try again.',
  );
  await expect(alert).toContainText('A copy of your text is also kept in this browser');
  await expect(page.getByTestId('save-status')).toHaveText('Not saved: this device is out of storage space.');
  await expect(narrative).toHaveValue(`Applied the monthly updates.${more}`);

  // Space is freed; the learner tries again.
  await page.evaluate(() => (window.__diskFull = false));
  await alert.getByRole('button', { name: 'Try saving again' }).click();
  await waitForSaved(page);
  await expect(alert).toBeHidden();
  await expect(narrative).toHaveValue(`Applied the monthly updates.${more}`);

  // It is really stored: a fresh load reads it back from IndexedDB, with no rescue offer left over.
  await page.reload();
  expect(page.url()).toBe(itemUrl);
  await expect(page.getByLabel('What you did and what you learned')).toHaveValue(`Applied the monthly updates.${more}`);
  await expect(page.getByRole('heading', { name: 'Unsaved changes were kept' })).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
});
