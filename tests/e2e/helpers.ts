import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type BrowserContext, type Page, type Request, type Route } from '@playwright/test';

const SCREENSHOT_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  tablet: { width: 1024, height: 768 },
} as const;

/**
 * Waits until a service worker controls the page AND the registration's active
 * worker is `activated` (ready can resolve while it is still `activating`).
 * Our worker does not call clients.claim(), so on a first visit the page is
 * not controlled until it is reloaded: this reloads once if needed.
 */
export async function waitForServiceWorkerControl(page: Page, timeout = 30_000): Promise<void> {
  // Polls inside page.evaluate, which awaits promises (waitForFunction would
  // treat an async predicate's Promise as truthy and return at once).
  const waitFor = (needController: boolean) =>
    page.evaluate(
      async ({ needController, timeout }) => {
        const deadline = Date.now() + timeout;
        let state = 'no registration';
        while (Date.now() < deadline) {
          if ('serviceWorker' in navigator) {
            const registration = await navigator.serviceWorker.getRegistration();
            state = registration?.active?.state ?? 'no active worker';
            const controlled = navigator.serviceWorker.controller !== null;
            if (state === 'activated' && (controlled || !needController)) return;
            if (state === 'activated') state = 'activated but not controlling';
          } else {
            state = 'service workers unsupported';
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error(`service worker not ready after ${timeout} ms: ${state}`);
      },
      { needController, timeout },
    );

  await waitFor(false);
  const controlled = await page.evaluate(() => navigator.serviceWorker.controller !== null);
  if (!controlled) await page.reload({ waitUntil: 'load' });
  await waitFor(true);
}

export interface OfflineHandle {
  /** Requests that tried to reach the network after going offline (all aborted), including the worker's own. */
  readonly blocked: Request[];
  /** Lifts the block and goes back online. */
  goOnline(): Promise<void>;
}

/**
 * Takes the whole context offline: setOffline(true) for pages, plus a route
 * that aborts everything, because setOffline does not stop requests the
 * service worker makes itself. Requests the worker answers from its cache
 * never reach the route, so `blocked` lists only real network attempts.
 */
export async function goOffline(context: BrowserContext): Promise<OfflineHandle> {
  const blocked: Request[] = [];
  const abort = async (route: Route) => {
    blocked.push(route.request());
    await route.abort('internetdisconnected');
  };
  await context.setOffline(true);
  await context.route('**/*', abort);
  return {
    blocked,
    async goOnline() {
      await context.unroute('**/*', abort);
      await context.setOffline(false);
    },
  };
}

/**
 * Full-page screenshots at phone (390x844) and tablet (1024x768) sizes to
 * tests/e2e/screenshots/<name>-phone.png and <name>-tablet.png. Restores the
 * page's viewport afterwards.
 */
export async function screenshot(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const original = page.viewportSize();
  const written: string[] = [];
  try {
    for (const [label, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      // Let layout settle after the resize before capturing.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      const path = `${SCREENSHOT_DIR}${name}-${label}.png`;
      await page.screenshot({ path, fullPage: true });
      written.push(path);
    }
  } finally {
    if (original) await page.setViewportSize(original);
  }
  return written;
}

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Runs axe-core (WCAG 2.0/2.1 A+AA and 2.2 AA) and fails with a readable list of violations. */
export async function expectNoAxeViolations(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const report = results.violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${n.target.join(' ')}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  [${v.impact ?? 'unknown'}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
  expect(results.violations.length, `axe found ${results.violations.length} violation(s) on "${label}":\n${report}`).toBe(0);
}
