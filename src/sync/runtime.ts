import { liveQuery } from 'dexie';
import { META, readMeta } from '../data/meta';
import { deviceId } from '../data/settings';
import { discardChange, outboxSummary, retryChange, type OutboxSummary } from '../data/sync-outbox';
import type { AttachmentRef } from '../domain/evidence';
import { alwaysKeepsAllOffline, type AccountService, type AccountState } from './account';
import type { FetchLike } from './api';
import { downloadAttachment } from './attachments-download';
import { createSyncEngine, type SyncEngine, type SyncOutcome } from './engine';
import { BACKGROUND_SYNC_TAG, startScheduler } from './scheduler';
import { createSyncStatusStore, type SyncStatusStore } from './status';
import type { AttachmentUploader, TusUploaderOptions } from './tus-uploader';

/**
 * The app's sync, alive for the whole page: it follows the account (which database is open and
 * whether its session is good), runs one engine and scheduler while a user is signed in, and
 * keeps the status store telling the truth in every state, including "this device only".
 */

export interface SyncRuntime {
  readonly status: SyncStatusStore;
  /** Starts following the account. Call once, after account.restore(). */
  start(): Promise<void>;
  dispose(): Promise<void>;
  /** "Sync now": null when there is nothing to sync with (no account, or the session ended). */
  syncNow(): Promise<SyncOutcome | null>;
  retryChange(seq: number): Promise<void>;
  discardChange(seq: number): Promise<void>;
  /** Whether files missing here can be fetched (signed in with a good session). */
  canDownload(): boolean;
  downloadAttachment(ref: AttachmentRef): Promise<void>;
}

export interface RuntimeDeps {
  account: AccountService;
  fetch?: FetchLike;
  baseUrl?: string;
  window?: Window;
  document?: Document;
  isOnline?: () => boolean;
  serviceWorker?: ServiceWorkerContainer;
  locks?: Pick<LockManager, 'request'>;
  createUploader?: (options: { endpoint: string; token: () => string | null; fetch: FetchLike }) => AttachmentUploader;
  debounceMs?: number;
  intervalMs?: number;
  /** Waits before retrying a request lost in flight (the engine's default unless given). */
  retryDelays?: readonly number[];
}

/** tus-js-client loads with the first upload, not with the app's first screen. */
function lazyTusUploader(options: TusUploaderOptions): AttachmentUploader {
  let uploader: Promise<AttachmentUploader> | null = null;
  return {
    async upload(file, upload) {
      uploader ??= import('./tus-uploader').then(({ tusUploader }) => tusUploader(options));
      return (await uploader).upload(file, upload);
    },
  };
}

export const TUS_ENDPOINT = '/api/files/uploads';

type BackgroundSyncRegistration = ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } };

function watchOutbox(onChange: (summary: OutboxSummary) => void, onError: (error: unknown) => void): () => void {
  const subscription = liveQuery(outboxSummary).subscribe({ next: onChange, error: onError });
  return () => subscription.unsubscribe();
}

export function createSyncRuntime(deps: RuntimeDeps): SyncRuntime {
  const status = createSyncStatusStore();
  const fetchImpl: FetchLike = deps.fetch ?? ((input, init) => fetch(input, init));
  const isOnline = deps.isOnline ?? (() => navigator.onLine);
  const win = deps.window ?? window;
  const doc = deps.document ?? document;
  let engine: SyncEngine | null = null;
  let stopScheduling: (() => void) | null = null;
  let stopWatching: (() => void) | null = null;
  let following: (() => void) | null = null;
  let unhook: (() => void) | null = null;
  let applying: Promise<void> = Promise.resolve();

  async function halt(): Promise<void> {
    stopScheduling?.();
    stopScheduling = null;
    stopWatching?.();
    stopWatching = null;
    const stopping = engine?.stop();
    engine = null;
    await stopping;
  }

  /** Outside a good session nothing syncs, but the header still counts what waits here. */
  function watchOnly(): void {
    stopWatching = watchOutbox(
      (summary) => status.update({ waiting: summary.waiting, failures: summary.failures }),
      (error) => console.error('Could not read the outbox', error),
    );
  }

  async function follow(state: AccountState): Promise<void> {
    await halt();
    // Nothing of the previous database's status may show against this one (the watcher refills it).
    status.update({ waiting: 0, failures: [], fileProblems: [], uploading: null });
    const signIn = state.signIn;
    const lastSuccessAt = (await readMeta<string>(META.lastSyncAt)) ?? null;
    if (!signIn) {
      status.update({ state: 'local-only', problem: null, uploading: null, lastSuccessAt, fileProblems: [] });
      return watchOnly();
    }
    if (signIn.ended) {
      status.update({ state: 'signed-out', problem: signIn.ended.message, uploading: null, lastSuccessAt });
      return watchOnly();
    }
    // Read before the state is shown: between "idle" (with the last sync's time) and the
    // scheduler's first sync the header said "Synced", though changes were waiting here.
    const device = await deviceId();
    status.update({ state: isOnline() ? 'idle' : 'offline', problem: null, lastSuccessAt });
    const token = () => deps.account.get().signIn?.token ?? null;
    const base = deps.baseUrl || (typeof location !== 'undefined' ? location.origin : '');
    // The centre's tus endpoint (server/files/uploads.ts); tus resolves upload URLs against it, so it is absolute.
    const endpoint = new URL(TUS_ENDPOINT, base).href;
    const uploader = (deps.createUploader ?? lazyTusUploader)({ endpoint, token, fetch: fetchImpl });
    const current = createSyncEngine({
      fetch: fetchImpl,
      baseUrl: deps.baseUrl ?? '',
      token,
      deviceId: device,
      uploader,
      status,
      onSessionEnded: (error) => deps.account.sessionEnded(error),
      // An assessor's or IQA's device holds every file of its caseload after one sync, for visits
      // without a connection: the same download as the learner's "keep offline" choice, always on.
      keepAllOffline: async () => alwaysKeepsAllOffline(signIn.user.role) || (await deps.account.keepAllOffline()),
      isOnline,
      ...(deps.retryDelays ? { retryDelays: deps.retryDelays } : {}),
      ...(deps.locks ? { locks: deps.locks, lockName: `portfolio-sync:${state.databaseName}` } : {}),
    });
    engine = current;
    const worker = deps.serviceWorker;
    stopScheduling = startScheduler({
      sync: () => current.sync(),
      status,
      window: win,
      document: doc,
      isOnline,
      watchOutbox,
      ...(worker ? { serviceWorker: worker, requestBackgroundSync: () => registerBackgroundSync(worker) } : {}),
      ...(deps.debounceMs !== undefined ? { debounceMs: deps.debounceMs } : {}),
      ...(deps.intervalMs !== undefined ? { intervalMs: deps.intervalMs } : {}),
    });
    // Messages from the worker queue until the page says it listens (the scheduler now does).
    worker?.startMessages?.();
  }

  /** Account changes apply one after another, so two quick switches never run two engines. */
  function onAccount(state: AccountState): void {
    applying = applying.then(() => follow(state)).catch((error: unknown) => {
      console.error('Sync could not follow the account change', error);
      status.update({ problem: `Sync could not start: ${error instanceof Error ? error.message : String(error)}` });
    });
  }

  async function syncNow(): Promise<SyncOutcome | null> {
    await applying;
    return engine ? engine.sync() : null;
  }

  return {
    status,
    async start() {
      following = deps.account.subscribe(onAccount);
      // A database switch waits until sync has let go of the old one.
      unhook = deps.account.beforeSwitch(async () => {
        await applying;
        await halt();
      });
      onAccount(deps.account.get());
      await applying;
    },
    async dispose() {
      following?.();
      unhook?.();
      await applying;
      await halt();
    },
    syncNow,
    // The engine reports each outcome in the status store, which is what the user watches.
    async retryChange(seq) {
      await retryChange(seq);
      void syncNow();
    },
    async discardChange(seq) {
      await discardChange(seq);
      void syncNow();
    },
    canDownload: () => !!engine,
    async downloadAttachment(ref) {
      await deps.account.endOn401(downloadAttachment(deps.account.client(), ref));
    },
  };
}

async function registerBackgroundSync(container: ServiceWorkerContainer): Promise<void> {
  const registration = (await container.getRegistration()) as BackgroundSyncRegistration | undefined;
  if (registration?.sync) await registration.sync.register(BACKGROUND_SYNC_TAG);
}
