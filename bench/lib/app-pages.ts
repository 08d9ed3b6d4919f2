import type { Page } from 'playwright-core';

/** The enrolment every measure seeds on a "this device only" portfolio (a valid 4520-03 choice, as the e2e tests use). */
export const ENROL_4520_03 = {
  qualificationId: '4520-03',
  optionalUnitIds: ['J/601/3507', 'A/601/3293', 'D/500/7332', 'M/500/7383', 'L/502/1114', 'J/601/3247'],
  startDate: '2025-10-06',
  plannedEndDate: '2027-07-30',
};

/** The 4520-04 enrolment of the demo centre (the one 4520-04 choice whose content is known). */
export const ENROL_4520_04 = {
  qualificationId: '4520-04',
  optionalUnitIds: ['L/500/7391'],
  startDate: '2023-09-04',
  plannedEndDate: '2026-12-18',
};

/** The learner home's recent-evidence list, once it shows items: the dashboard is rendered. */
export const DASHBOARD_READY = 'section[aria-labelledby="recent-heading"] ul.list li';

/**
 * Installs, before any page script runs, an observer that notes when `selector` first matches
 * and then when the frame showing it has been produced (rAF, then a task after it): that second
 * time, from the navigation's start, is the figure. Read it with readyTime().
 */
export async function watchFor(page: Page, selector: string): Promise<void> {
  // A string, not a function: tsx (esbuild keepNames) would wrap inner functions in a __name()
  // helper that does not exist in the page.
  await page.addInitScript(`(() => {
    const selector = ${JSON.stringify(selector)};
    let seen = false;
    const observer = new MutationObserver(() => {
      if (seen || !document.querySelector(selector)) return;
      seen = true;
      observer.disconnect();
      window.__benchSeenAt = performance.now();
      requestAnimationFrame(() => setTimeout(() => { window.__benchReadyAt = performance.now(); }, 0));
    });
    observer.observe(document, { childList: true, subtree: true });
  })();`);
}

export async function readyTime(page: Page, timeout = 30_000): Promise<{ readyMs: number; seenMs: number }> {
  await page.waitForFunction(() => (window as unknown as { __benchReadyAt?: number }).__benchReadyAt !== undefined, null, { timeout, polling: 50 });
  return page.evaluate(() => {
    const w = window as unknown as { __benchSeenAt: number; __benchReadyAt: number };
    return { readyMs: w.__benchReadyAt, seenMs: w.__benchSeenAt };
  });
}

/** Navigation timing of the current document (where the time went before the app's own code). */
export async function navigationBreakdown(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const paint = Object.fromEntries(performance.getEntriesByType('paint').map((p) => [p.name, p.startTime]));
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const scripts = resources.filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'));
    // The app's own start-up marks (src/data/startup.ts): where the time after the scripts goes.
    const marks = Object.fromEntries(
      performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('portfolio:'))
        .map((m) => [`mark:${m.name.slice('portfolio:'.length)}`, m.startTime]),
    );
    return {
      ...marks,
      workerStart: nav?.workerStart ?? NaN,
      responseEnd: nav?.responseEnd ?? NaN,
      domInteractive: nav?.domInteractive ?? NaN,
      domContentLoaded: nav?.domContentLoadedEventEnd ?? NaN,
      firstContentfulPaint: paint['first-contentful-paint'] ?? NaN,
      lastScriptResponseEnd: scripts.reduce((m, r) => Math.max(m, r.responseEnd), 0),
      resources: resources.length,
    };
  });
}
