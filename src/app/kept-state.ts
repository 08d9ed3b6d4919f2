import { useEffect, useState } from 'preact/hooks';

const PREFIX = 'ict-portfolio:kept:';

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Some browsers throw on access when site data is blocked.
    return null;
  }
}

function read<T>(key: string): T | undefined {
  const raw = storage()?.getItem(PREFIX + key);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    storage()?.removeItem(PREFIX + key);
    return undefined;
  }
}

/**
 * State that survives a reload, for typing that is not a record yet (an assessor's feedback before
 * it is signed). Kept in localStorage under `key`; `forget` drops it once it has become a record.
 * If storage is full or blocked, the state still works for as long as the page is open.
 */
export function useKeptState<T>(key: string, initial: () => T): [T, (next: T) => void, () => void] {
  const [value, setValue] = useState<T>(() => read<T>(key) ?? initial());
  useEffect(() => {
    setValue(read<T>(key) ?? initial());
  }, [key]);
  const set = (next: T) => {
    setValue(next);
    try {
      storage()?.setItem(PREFIX + key, JSON.stringify(next));
    } catch (error) {
      console.warn('Could not keep a copy of the typing in this browser', error);
    }
  };
  const forget = () => storage()?.removeItem(PREFIX + key);
  return [value, set, forget];
}
