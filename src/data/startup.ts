/**
 * The start-up path. User Timing marks ("portfolio:<step>", each once per page) split a slow start
 * on a learner's phone in DevTools' Performance panel; the cold-start benchmark reads the same
 * marks (bench/measures/cold-start.ts).
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
