import { createStore, get, set, type UseStore } from 'idb-keyval';
import { uuidv7 } from '../domain/ids';

// Created lazily: createStore captures the IndexedDB factory at call time (matters for tests).
let store: UseStore | null = null;
function settingsStore(): UseStore {
  store ??= createStore('ict-portfolio-settings', 'settings');
  return store;
}

export async function getSetting<T>(key: string): Promise<T | undefined> {
  return get<T>(key, settingsStore());
}

export async function setSetting<T>(key: string, value: T): Promise<void> {
  await set(key, value, settingsStore());
}

let deviceIdPromise: Promise<string> | null = null;

/** A stable id for this browser profile, recorded on every history entry and mutation. */
export function deviceId(): Promise<string> {
  deviceIdPromise ??= (async () => {
    const existing = await getSetting<string>('deviceId');
    if (existing) return existing;
    const made = uuidv7();
    await setSetting('deviceId', made);
    return made;
  })();
  return deviceIdPromise;
}

/** Tests reset module state between databases. */
export function resetSettingsForTests(): void {
  store = null;
  deviceIdPromise = null;
}
