import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { formatDate, todayIso } from '../../domain/dates';

export type CentreRead<T> =
  | { status: 'loading' }
  | { status: 'ready'; value: T }
  | { status: 'error'; error: unknown };

/**
 * A read from the centre: loading, the value, or the error. `update` changes the value in place
 * after a successful write, so the screen shows the centre's answer without a second round trip.
 */
export function useCentre<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<CentreRead<T>>({ status: 'loading' });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState({ status: 'loading' });
    load().then(
      (value) => mine === generation.current && setState({ status: 'ready', value }),
      (error: unknown) => mine === generation.current && setState({ status: 'error', error }),
    );
  }, deps);
  useEffect(() => {
    run();
    return () => {
      generation.current++;
    };
  }, [run]);
  const update = useCallback((change: (value: T) => T) => setState((s) => (s.status === 'ready' ? { status: 'ready', value: change(s.value) } : s)), []);
  return { state, reload: run, update };
}

/** "3 Mar 2026, 14:05" in the viewer's time zone, for timestamps from the centre. */
export function formatWhen(timestamp: string): string {
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return timestamp;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${formatDate(todayIso(date))}, ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
