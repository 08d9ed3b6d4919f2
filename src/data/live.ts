import { liveQuery } from 'dexie';
import { useEffect, useState } from 'preact/hooks';

export type Live<T> = { status: 'loading' } | { status: 'ready'; value: T } | { status: 'error'; error: Error };

/**
 * Re-runs a read whenever the tables it touched change (in this tab or another), so screens
 * always show what is stored. Errors are surfaced, never swallowed.
 */
export function useLive<T>(query: () => Promise<T>, deps: unknown[]): Live<T> {
  const [state, setState] = useState<Live<T>>({ status: 'loading' });
  useEffect(() => {
    const subscription = liveQuery(query).subscribe({
      next: (value) => setState({ status: 'ready', value }),
      error: (error: unknown) => {
        console.error(error);
        setState({ status: 'error', error: error instanceof Error ? error : new Error(String(error)) });
      },
    });
    return () => subscription.unsubscribe();
  }, deps);
  return state;
}
