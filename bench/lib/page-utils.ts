import type { Page } from 'playwright-core';

/**
 * In-page helpers for the app's own pages (which do not load the harness), installed as an init
 * script. Kept as a string: tsx would wrap functions passed to the page in a __name() helper the
 * page does not have.
 */
const SOURCE = `(() => {
  const frameAfter = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  window.__bench = {
    /** Clicks a link as the user would and times until 'ready' is in the DOM, then until its frame is produced. */
    clickAndWait(clickSelector, readySelector, timeoutMs = 30000) {
      return new Promise((resolve, reject) => {
        const target = document.querySelector(clickSelector);
        if (!target) return reject(new Error('nothing matches ' + clickSelector));
        let done = false;
        const t0 = performance.now();
        const finish = () => {
          if (done) return;
          done = true;
          observer.disconnect();
          clearTimeout(timer);
          const inDom = performance.now() - t0;
          frameAfter().then(() => resolve({ inDomMs: inDom, frameMs: performance.now() - t0 }));
        };
        const observer = new MutationObserver(() => { if (document.querySelector(readySelector)) finish(); });
        observer.observe(document, { childList: true, subtree: true, attributes: false });
        const timer = setTimeout(() => { observer.disconnect(); reject(new Error(readySelector + ' did not appear')); }, timeoutMs);
        target.click();
        if (document.querySelector(readySelector)) finish();
      });
    },
    /**
     * Scrolls the page to the end, 'step' pixels per frame, pressing "Show N more" whenever the
     * bottom is reached (as a user must to see every item). Returns every frame interval
     * (requestAnimationFrame deltas), from the first scrolled frame to the last.
     */
    scrollToEnd(step = 800, rowSelector = 'ul.list li', maxRows = Infinity) {
      window.scrollTo(0, 0);
      const deltas = [];
      let last = null;
      let clicks = 0;
      // Index (in deltas) of the frame that follows each press of "Show N more".
      const clickFrames = [];
      const t0 = performance.now();
      return new Promise((resolve) => {
        const frame = (ts) => {
          if (last !== null) deltas.push(ts - last);
          last = ts;
          const root = document.scrollingElement || document.documentElement;
          const atEnd = window.innerHeight + window.scrollY >= root.scrollHeight - 2;
          if (atEnd) {
            const more = [...document.querySelectorAll('button')].find((b) => /^Show \\d+ more/.test(b.textContent.trim()));
            if (!more || document.querySelectorAll(rowSelector).length >= maxRows) {
              resolve({ deltas, clicks, clickFrames, ms: performance.now() - t0, rows: document.querySelectorAll(rowSelector).length });
              return;
            }
            more.click();
            clicks++;
            clickFrames.push(deltas.length);
          } else window.scrollBy(0, step);
          requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      });
    },
  };
})();`;

export async function installPageUtils(page: Page): Promise<void> {
  await page.addInitScript(SOURCE);
}

export interface ScrollResult {
  deltas: number[];
  clicks: number;
  clickFrames: number[];
  ms: number;
  rows: number;
}

export function clickAndWait(page: Page, clickSelector: string, readySelector: string): Promise<{ inDomMs: number; frameMs: number }> {
  return page.evaluate(
    ([c, r]) => (window as unknown as { __bench: { clickAndWait(c: string, r: string): Promise<{ inDomMs: number; frameMs: number }> } }).__bench.clickAndWait(c!, r!),
    [clickSelector, readySelector],
  );
}

/** Scrolls to the end (or, with maxRows, to the end of the first page that shows at least that many rows). */
export function scrollToEnd(page: Page, step: number, rowSelector = 'ul.list li', maxRows?: number): Promise<ScrollResult> {
  return page.evaluate(
    ([s, r, m]) =>
      (window as unknown as { __bench: { scrollToEnd(s: number, r: string, m: number): Promise<ScrollResult> } }).__bench.scrollToEnd(s as number, r as string, (m as number | null) ?? Infinity),
    [step, rowSelector, maxRows ?? null] as const,
  );
}
