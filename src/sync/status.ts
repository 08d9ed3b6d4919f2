import { useEffect, useState } from 'preact/hooks';
import type { SyncFailure } from '../data/sync-outbox';
import type { UploadProblem } from './uploads';

/**
 * What the user is told about sync, in one observable store: the engine and the outbox watcher
 * write it, the header and the Device screen read it through useSyncStatus().
 *
 * - local-only: no centre account on this device (everything stays here, as before sign-in);
 * - idle: signed in, nothing running (see waiting / lastSuccessAt / problem);
 * - syncing: a sync is running;
 * - offline: the last attempt could not reach the centre (it retries when the connection is back);
 * - signed-out: the centre ended this device's session: data kept, sign in again to carry on;
 * - update-required: the centre no longer accepts this app version: data kept, update the app.
 */
export type SyncState = 'local-only' | 'idle' | 'syncing' | 'offline' | 'signed-out' | 'update-required';

export interface UploadProgress {
  name: string;
  /** Bytes the centre has confirmed (tus chunk answers), not merely handed to the network. */
  bytesSent: number;
  bytesTotal: number;
}

export interface SyncStatus {
  state: SyncState;
  /** Changes saved on this device that the centre has not confirmed yet. */
  waiting: number;
  uploading: UploadProgress | null;
  /** ISO time of the last sync that finished without an error. */
  lastSuccessAt: string | null;
  /** Changes the centre refused, each with its reason. */
  failures: SyncFailure[];
  /** Files that could not be sent in the last sync, each with its reason. */
  fileProblems: UploadProblem[];
  /** Why the last sync stopped, in words, when it did not finish (null after a clean sync). */
  problem: string | null;
}

export interface SyncStatusStore {
  get(): SyncStatus;
  update(change: Partial<SyncStatus>): void;
  subscribe(listener: (status: SyncStatus) => void): () => void;
}

export const INITIAL_STATUS: SyncStatus = { state: 'local-only', waiting: 0, uploading: null, lastSuccessAt: null, failures: [], fileProblems: [], problem: null };

export function createSyncStatusStore(initial: Partial<SyncStatus> = {}): SyncStatusStore {
  let status: SyncStatus = { ...INITIAL_STATUS, ...initial };
  const listeners = new Set<(status: SyncStatus) => void>();
  return {
    get: () => status,
    update(change) {
      const next = { ...status, ...change };
      if ((Object.keys(change) as Array<keyof SyncStatus>).every((k) => next[k] === status[k])) return;
      status = next;
      for (const listener of [...listeners]) listener(status);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

/** The current status, re-rendering on every change. */
export function useSyncStatus(store: SyncStatusStore): SyncStatus {
  const [status, setStatus] = useState(store.get());
  useEffect(() => {
    setStatus(store.get());
    return store.subscribe(setStatus);
  }, [store]);
  return status;
}
