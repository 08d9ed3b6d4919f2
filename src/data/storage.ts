export interface StorageStatus {
  persisted: boolean | null;
  usedBytes: number | null;
  quotaBytes: number | null;
}

/**
 * Asks the browser not to evict our data under storage pressure. Chromium grants it to installed
 * or engaged sites without a prompt; elsewhere it may be refused, which the settings screen shows.
 */
export async function requestPersistentStorage(): Promise<boolean | null> {
  if (!navigator.storage?.persist) return null;
  try {
    if (await navigator.storage.persisted()) return true;
    return await navigator.storage.persist();
  } catch (error) {
    console.warn('Persistent storage request failed', error);
    return null;
  }
}

export async function storageStatus(): Promise<StorageStatus> {
  const storage = navigator.storage;
  if (!storage?.estimate) return { persisted: null, usedBytes: null, quotaBytes: null };
  const [estimate, persisted] = await Promise.all([
    storage.estimate(),
    storage.persisted ? storage.persisted() : Promise.resolve(null),
  ]);
  return { persisted, usedBytes: estimate.usage ?? null, quotaBytes: estimate.quota ?? null };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
