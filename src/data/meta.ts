import { db } from './db';

/**
 * Sync facts kept in the user's own database (not idb-keyval), so they are written in the same
 * Dexie transaction as the records they describe and vanish with the database on sign-out.
 */
export const META = {
  /** The centre's change sequence this device has applied up to (opaque string). */
  pullCursor: 'pullCursor',
  /** Set when the device must read everything again from the start (after a discarded change). */
  pullFromStart: 'pullFromStart',
  /** ISO time of the last sync that finished without an error. */
  lastSyncAt: 'lastSyncAt',
} as const;

export type MetaKey = (typeof META)[keyof typeof META];

/** Works inside or outside a transaction that includes the `meta` table. */
export async function readMeta<T>(key: MetaKey): Promise<T | undefined> {
  return (await db().meta.get(key))?.value as T | undefined;
}

export async function writeMeta(key: MetaKey, value: unknown): Promise<void> {
  await db().meta.put({ key, value });
}
