import { isQuotaError } from '../data/errors';
import { META, writeMeta } from '../data/meta';
import { UnreadableRecordError } from '../data/sync-records';
import { centreClient, CentreError, type CentreClient, type FetchLike } from './api';
import { downloadMissingAttachments } from './attachments-download';
import { syncSigningKeys } from './keys';
import { pullChanges } from './pull';
import { pushOutbox } from './push';
import { retryingFetch } from './retry';
import type { SyncState, SyncStatusStore } from './status';
import type { AttachmentUploader } from './tus-uploader';
import { uploadAttachments, type UploadProblem } from './uploads';

/**
 * One sync, start to end, one at a time: files up, then changes up, then the centre's changes
 * down (and, if the user asked, every missing file down). Everything the network can throw ends
 * as a state and words in the status store; nothing is swallowed and nothing local is dropped.
 */

export interface SyncEngineDeps {
  /** Raw fetch; the engine wraps it so stop() can abort what is in flight. */
  fetch: FetchLike;
  baseUrl?: string;
  token: () => string | null;
  deviceId: string;
  uploader: AttachmentUploader;
  status: SyncStatusStore;
  /** The centre ended the session (401): remember it, so the user is asked to sign in again. */
  onSessionEnded: (error: CentreError) => Promise<void>;
  /**
   * The user's "Keep my whole portfolio available offline" choice; always on for assessors and
   * IQAs, whose visits need every file of their learners' evidence (runtime.ts).
   */
  keepAllOffline: () => Promise<boolean>;
  isOnline?: () => boolean;
  /** navigator.locks where the browser has it, so two tabs never sync the same database at once. */
  locks?: Pick<LockManager, 'request'>;
  lockName?: string;
  now?: () => Date;
  /** Waits before retrying a request lost in flight (retry.ts SYNC_RETRY_DELAYS unless given). */
  retryDelays?: readonly number[];
}

export interface SyncOutcome {
  state: SyncState;
  problem: string | null;
}

export interface SyncEngine {
  /**
   * Runs a sync, or, if one is running, one more right after it (so changes made meanwhile go
   * too); calls while that one waits share it. Never rejects: the outcome is also in the status.
   */
  sync(): Promise<SyncOutcome>;
  /** Aborts what is in flight and waits until nothing runs; later sync() calls do nothing. */
  stop(): Promise<void>;
}

/** What a sync stopped by a full disk says. */
export const SYNC_STORAGE_FULL =
  'This device is out of storage space. Nothing already on it was lost, but some of the latest changes from your centre are not here yet: free some space (delete unused files or apps), then sync again.';

class SyncStopped extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('Sync was stopped on this device.');
  }
}

export function createSyncEngine(deps: SyncEngineDeps): SyncEngine {
  let running: Promise<SyncOutcome> | null = null;
  let queued: Promise<SyncOutcome> | null = null;
  let stopped = false;
  let controller = new AbortController();
  const now = deps.now ?? (() => new Date());
  const status = deps.status;

  const fetchWithRetry = retryingFetch(deps.fetch, { ...(deps.retryDelays ? { delays: deps.retryDelays } : {}), ...(deps.isOnline ? { isOnline: deps.isOnline } : {}) });

  function client(signal: AbortSignal): CentreClient {
    return centreClient(deps.token, deps.baseUrl ?? '', (input, init) => fetchWithRetry(input, { ...init, signal }));
  }

  async function withLock<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    if (!deps.locks) return work();
    return deps.locks.request(deps.lockName ?? 'portfolio-sync', { signal }, work) as Promise<T>;
  }

  async function steps(signal: AbortSignal): Promise<{ fileProblems: UploadProblem[]; problem: string | null }> {
    const centre = client(signal);
    // Keys first: the centre checks each decision in the push against a key it has registered.
    const keys = await syncSigningKeys({ client: centre });
    const upload = () => uploadAttachments({ client: centre, uploader: deps.uploader, status, signal });
    let uploads = await upload();
    const pushed = await pushOutbox({ client: centre, deviceId: deps.deviceId, filesNotAtCentre: uploads.notAtCentre });
    if (pushed.waitingForFiles > 0) {
      // The centre lacked a file it was thought to hold: send it, then the changes that name it.
      uploads = await upload();
      await pushOutbox({ client: centre, deviceId: deps.deviceId, filesNotAtCentre: uploads.notAtCentre });
    }
    // A decision refused for a revoked key retired that key: the new one is made and registered
    // now, so the user can sign again straight away.
    const keysAfter = await syncSigningKeys({ client: centre });
    signal.throwIfAborted();
    await pullChanges({ client: centre });
    const problems = [...uploads.problems];
    if (await deps.keepAllOffline()) problems.push(...(await downloadMissingAttachments({ client: centre, signal })).problems);
    return { fileProblems: problems, problem: keysAfter.problem ?? keys.problem };
  }

  async function fail(error: unknown): Promise<SyncOutcome> {
    if (stopped || (error as { name?: string } | null)?.name === 'AbortError') return { state: status.get().state, problem: null };
    let outcome: SyncOutcome;
    if (error instanceof CentreError) {
      switch (error.reason) {
        case 'offline':
          outcome = { state: 'offline', problem: error.message };
          break;
        case 'signed-out':
          stopped = true;
          try {
            await deps.onSessionEnded(error);
          } catch (failure) {
            // Sync has stopped either way; the status below still tells the user to sign in again.
            console.error('Could not record that the centre ended the session', failure);
          }
          outcome = { state: 'signed-out', problem: error.message };
          break;
        case 'update-required':
          outcome = { state: 'update-required', problem: error.message };
          break;
        default:
          outcome = { state: 'idle', problem: error.message };
      }
    } else if (error instanceof UnreadableRecordError) {
      outcome = { state: 'idle', problem: error.message };
    } else if (isQuotaError(error)) {
      // A full disk part-way through a sync: some writes (lastSyncAt, upload states) are not
      // guardWrite's, so Dexie's own "QuotaExceededError: The quota has been exceeded." reached the
      // user, and guardWrite's words speak of typing, not of a sync. What was stored stays whole
      // (each pull page and file is one transaction) and the next sync carries on from there.
      console.error('Sync failed: this device is out of storage space', error);
      outcome = { state: 'idle', problem: SYNC_STORAGE_FULL };
    } else {
      // A fault on this device (storage full, a bug): say so in words and keep the details for support.
      console.error('Sync failed', error);
      outcome = { state: 'idle', problem: `Sync stopped: ${error instanceof Error ? error.message : String(error)}` };
    }
    status.update({ state: outcome.state, problem: outcome.problem, uploading: null });
    return outcome;
  }

  async function run(): Promise<SyncOutcome> {
    if (stopped) return { state: status.get().state, problem: null };
    if (deps.isOnline && !deps.isOnline()) {
      const outcome: SyncOutcome = { state: 'offline', problem: null };
      status.update(outcome);
      return outcome;
    }
    const signal = controller.signal;
    status.update({ state: 'syncing' });
    try {
      const { fileProblems, problem } = await withLock(signal, () => steps(signal));
      if (stopped) throw new SyncStopped();
      const at = now().toISOString();
      await writeMeta(META.lastSyncAt, at);
      status.update({ state: 'idle', problem, lastSuccessAt: at, fileProblems });
      return { state: 'idle', problem };
    } catch (error) {
      return fail(error);
    }
  }

  function sync(): Promise<SyncOutcome> {
    if (!running) {
      running = run().finally(() => {
        running = null;
      });
      return running;
    }
    queued ??= running.then(() => {
      queued = null;
      return sync();
    });
    return queued;
  }

  async function stop(): Promise<void> {
    stopped = true;
    controller.abort(new SyncStopped());
    controller = new AbortController();
    await Promise.allSettled([running, queued]);
  }

  return { sync, stop };
}
