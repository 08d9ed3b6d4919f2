/**
 * The start-up path. User Timing marks ("portfolio:<step>", each once per page) split a slow start
 * on a learner's phone in DevTools' Performance panel; the cold-start benchmark reads the same
 * marks (bench/measures/cold-start.ts). And the first screen's first read, which sync waits for.
 */
const marked = new Set<string>();

export function markStartup(step: string): void {
  if (marked.has(step) || typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
  marked.add(step);
  performance.mark(`portfolio:${step}`);
}

/** Marks `step` when the promise settles the first time; returns it unchanged. */
export function markWhenDone<T>(step: string, work: Promise<T>): Promise<T> {
  return work.finally(() => markStartup(step));
}

let screenHasRead: () => void = () => undefined;
const firstRead = new Promise<void>((resolve) => (screenHasRead = resolve));

/** The first live query of the page has answered: the first screen has what it shows. */
export function noteScreenRead(): void {
  markStartup('first-read');
  screenHasRead();
}

/** Resolves at the first screen's first read, or after `atMostMs` for a screen that reads nothing. */
export function firstScreenRead(atMostMs: number): Promise<void> {
  return Promise.race([firstRead, new Promise<void>((resolve) => setTimeout(resolve, atMostMs))]);
}
