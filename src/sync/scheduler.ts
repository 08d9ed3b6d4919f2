import type { OutboxSummary } from '../data/sync-outbox';
import type { SyncStatusStore } from './status';

/**
 * When to sync: on start; when the connection comes back; when the app is shown again; every
 * minute while online; about two seconds after the user's last local write; and when the service
 * worker relays a Background Sync event (Chromium only: elsewhere the other triggers cover it).
 */

export const BACKGROUND_SYNC_TAG = 'portfolio-sync';
export const SYNC_REQUESTED = 'SYNC_REQUESTED';

type Events = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

export interface SchedulerDeps {
  sync: () => Promise<unknown>;
  status: SyncStatusStore;
  /** Fires 'online' and 'offline'. */
  window: Events;
  /** Fires 'visibilitychange'. */
  document: Events & { visibilityState: DocumentVisibilityState };
  isOnline: () => boolean;
  /** Calls back with the outbox summary now and whenever the outbox changes; returns unsubscribe. */
  watchOutbox: (onChange: (summary: OutboxSummary) => void, onError: (error: unknown) => void) => () => void;
  /** navigator.serviceWorker: the worker posts {type: SYNC_REQUESTED} on a Background Sync event. */
  serviceWorker?: Events;
  /** Asks the browser for a Background Sync event when a connection is back (where it has them). */
  requestBackgroundSync?: () => Promise<void>;
  debounceMs?: number;
  intervalMs?: number;
}

export function startScheduler(deps: SchedulerDeps): () => void {
  const debounceMs = deps.debounceMs ?? 2000;
  const intervalMs = deps.intervalMs ?? 60_000;
  let debounce: ReturnType<typeof setTimeout> | null = null;
  let seenEdits = new Set<string>();
  let hadWaiting = false;

  const syncNow = () => {
    if (debounce) clearTimeout(debounce);
    debounce = null;
    // The engine reports its own outcome in the status store; a rejection here would be a bug.
    deps.sync().catch((error: unknown) => console.error('Sync could not start', error));
  };
  const syncSoon = () => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(syncNow, debounceMs);
  };

  const onOnline = () => syncNow();
  const onOffline = () => {
    const state = deps.status.get().state;
    if (state === 'idle' || state === 'syncing') deps.status.update({ state: 'offline' });
  };
  const onVisible = () => {
    if (deps.document.visibilityState === 'visible') syncNow();
  };
  const onWorkerMessage = (event: Event) => {
    if ((event as MessageEvent).data?.type === SYNC_REQUESTED) syncNow();
  };

  deps.window.addEventListener('online', onOnline);
  deps.window.addEventListener('offline', onOffline);
  deps.document.addEventListener('visibilitychange', onVisible);
  deps.serviceWorker?.addEventListener('message', onWorkerMessage);
  const timer = setInterval(() => {
    if (deps.isOnline()) syncNow();
  }, intervalMs);

  const unwatch = deps.watchOutbox(
    (summary) => {
      deps.status.update({ waiting: summary.waiting, failures: summary.failures });
      // Waiting changes on the first reading count too: one may have been written just after the
      // sync on start read the outbox (the engine folds the extra request into one more run).
      const fresh = summary.editKeys.some((key) => !seenEdits.has(key));
      seenEdits = new Set(summary.editKeys);
      if (fresh) syncSoon();
      if (summary.waiting > 0 && !hadWaiting && deps.requestBackgroundSync)
        deps.requestBackgroundSync().catch((error: unknown) => console.warn('Background Sync is not available; syncing while the app is open', error));
      hadWaiting = summary.waiting > 0;
    },
    (error) => {
      console.error('Could not read the outbox', error);
      deps.status.update({ problem: `Could not read the changes waiting on this device: ${error instanceof Error ? error.message : String(error)}` });
    },
  );

  syncNow();

  return () => {
    if (debounce) clearTimeout(debounce);
    clearInterval(timer);
    unwatch();
    deps.window.removeEventListener('online', onOnline);
    deps.window.removeEventListener('offline', onOffline);
    deps.document.removeEventListener('visibilitychange', onVisible);
    deps.serviceWorker?.removeEventListener('message', onWorkerMessage);
  };
}
