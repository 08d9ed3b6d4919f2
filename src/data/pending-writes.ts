const pending = new Set<Promise<unknown>>();

/**
 * Registers work that will write to the device (a write under way, or one queued behind others),
 * so that an app update can wait for it before reloading the page.
 */
export function trackWrite<T>(work: Promise<T>): Promise<T> {
  pending.add(work);
  const forget = () => pending.delete(work);
  work.then(forget, forget);
  return work;
}

/** Waits until no tracked write is under way or queued, including ones added while waiting. */
export async function settleWrites(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
