import { useEffect, useRef, useState } from 'preact/hooks';
import { trackWrite } from '../data/pending-writes';

/** Quick saves never flash "Saving…": a screen reader would announce it on every keystroke. */
export const SHOW_SAVING_AFTER_MS = 400;

export interface WriteQueue {
  /** Runs jobs one after another, in the order asked, so writes never overtake each other. */
  serial: <T>(job: () => Promise<T>) => Promise<T>;
  /** Jobs queued or running. */
  pending: number;
  /** Some job has been waiting longer than SHOW_SAVING_AFTER_MS. */
  slow: boolean;
  /** Read at any time (effects, callbacks): whether writes are still queued. */
  busy: () => boolean;
}

/**
 * The save queue of a form that saves on every keystroke (the evidence editor, assessor records):
 * one write at a time, counted as pending writes so an app update waits for them before reloading.
 */
export function useWriteQueue(): WriteQueue {
  const [pending, setPending] = useState(0);
  const [slow, setSlow] = useState(false);
  const pendingRef = useRef(0);
  const chainRef = useRef<Promise<unknown>>(Promise.resolve());
  const slowTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => () => {
    if (slowTimer.current) clearTimeout(slowTimer.current);
  }, []);

  const serial = <T,>(job: () => Promise<T>): Promise<T> => {
    pendingRef.current++;
    setPending(pendingRef.current);
    if (!slowTimer.current)
      slowTimer.current = setTimeout(() => {
        slowTimer.current = null;
        if (pendingRef.current > 0) setSlow(true);
      }, SHOW_SAVING_AFTER_MS);
    const result = chainRef.current.then(job);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    const done = settled.then(() => {
      pendingRef.current--;
      setPending(pendingRef.current);
      if (pendingRef.current === 0) {
        setSlow(false);
        if (slowTimer.current) clearTimeout(slowTimer.current);
        slowTimer.current = null;
      }
    });
    // Queued keystrokes count as pending writes, so an app update waits for them before reloading.
    trackWrite(done);
    chainRef.current = settled;
    return result;
  };

  return { serial, pending, slow, busy: () => pendingRef.current > 0 };
}
