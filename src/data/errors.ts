import { trackWrite } from './pending-writes';

/** The device has no room left for what the user asked to save. What they typed must be kept. */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';
  constructor(override readonly cause: unknown) {
    super(
      'Your device is out of storage space, so this could not be saved. What you typed is still here: free some space (delete unused files or apps) and try again.',
    );
  }
}

/** The database was closed because a newer version of the app opened it in another tab. */
export class DatabaseBlockedError extends Error {
  override readonly name = 'DatabaseBlockedError';
  constructor() {
    super('ICT Portfolio was updated in another tab. Your work is saved: reload this tab to carry on.');
  }
}

/** QuotaExceededError arrives bare, wrapped by Dexie (`inner`), or inside an AbortError. */
export function isQuotaError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { name, inner, cause } = e as { name?: string; inner?: unknown; cause?: unknown };
    if (name === 'QuotaExceededError' || name === 'StorageFullError') return true;
    e = inner ?? cause;
  }
  return false;
}

/** Runs a write; a quota failure becomes a StorageFullError with a message the user can act on. */
export function guardWrite<T>(write: () => Promise<T>): Promise<T> {
  return trackWrite(
    (async () => {
      try {
        return await write();
      } catch (error) {
        if (isQuotaError(error)) throw new StorageFullError(error);
        throw error;
      }
    })(),
  );
}
