import { afterEach, describe, expect, it, vi } from 'vitest';
import { SYNC_PROTOCOL_VERSION } from '../../src/domain/sync';
import { db } from '../../src/data/db';
import { createEvidence, updateEvidence } from '../../src/data/evidence';
import { deleteDatabase } from '../../src/data/db';
import { currentSignIn, databaseNameFor, forgetSignIn } from '../../src/data/session';
import { META, writeMeta } from '../../src/data/meta';
import { outboxSummary } from '../../src/data/sync-outbox';
import { createAccountService } from '../../src/sync/account';
import { CentreError } from '../../src/sync/api';
import { createSyncRuntime } from '../../src/sync/runtime';
import { startScheduler, SYNC_REQUESTED } from '../../src/sync/scheduler';
import { createSyncStatusStore } from '../../src/sync/status';
import { liveQuery } from 'dexie';
import { ASSESSOR, evidenceData } from '../assessment-fixture';
import { FakeCentre, LEARNER, sha256Hex } from '../fake-centre';
import { photoBytes, signedInDevice } from '../sync-fixture';

afterEach(async () => {
  await forgetSignIn();
});

const outbox = async () => (await db().outbox.orderBy('seq').toArray()).map(({ id, patch, baseRevision }) => ({ id, patch, baseRevision }));

describe('sync engine', () => {
  it('runs one sync at a time: calls during a sync share one more run after it', async () => {
    const device = await signedInDevice();
    const runs = await Promise.all([device.engine.sync(), device.engine.sync(), device.engine.sync()]);
    expect(runs.every((r) => r.state === 'idle')).toBe(true);
    expect(device.centre.requests('GET', '/api/sync/pull')).toHaveLength(2);
  });

  it('stops when the centre ends the session, keeping the outbox as it was', async () => {
    const device = await signedInDevice();
    const item = await createEvidence('enr-1', { title: 'Firewall rules' });
    await updateEvidence(item.id, { narrative: 'Reviewed with the network lead' });
    const before = await outbox();
    device.centre.revokeAll();

    const outcome = await device.engine.sync();
    expect(outcome).toEqual({ state: 'signed-out', problem: expect.stringContaining('Sign in again') });
    expect(device.onSessionEnded).toHaveBeenCalledWith(expect.any(CentreError));
    expect(device.status.get().state).toBe('signed-out');
    expect(await outbox()).toEqual(before);
    expect(await db().evidence.get(item.id)).toMatchObject({ dirty: 1, narrative: 'Reviewed with the network lead' });

    // Stopped: nothing more goes to the centre until the user signs in again.
    const requests = device.centre.log.length;
    await device.engine.sync();
    expect(device.centre.log.length).toBe(requests);
  });

  it('keeps the outbox and says so when the centre requires a newer app', async () => {
    const device = await signedInDevice();
    await createEvidence('enr-1', { title: 'VPN set-up' });
    const before = await outbox();
    device.centre.minimumProtocol = SYNC_PROTOCOL_VERSION + 1;

    const outcome = await device.engine.sync();
    expect(outcome.state).toBe('update-required');
    expect(device.status.get()).toMatchObject({ state: 'update-required', problem: expect.stringContaining('too old') });
    expect(await outbox()).toEqual(before);
    expect(device.centre.records.size).toBe(0);
  });

  it('reports offline with the outbox intact, and finishes the same changes once the connection is back', async () => {
    const device = await signedInDevice();
    const item = await createEvidence('enr-1', { title: 'Printer queue' });
    device.centre.offline = true;
    expect((await device.engine.sync()).state).toBe('offline');
    expect(device.status.get().problem).toMatch(/offline/);
    expect(await db().outbox.count()).toBe(1);

    device.centre.offline = false;
    expect((await device.engine.sync()).state).toBe('idle');
    expect(device.centre.record('evidence', item.id)?.revision).toBe(1);
    expect(device.status.get()).toMatchObject({ state: 'idle', problem: null, lastSuccessAt: expect.any(String) });
  });

  it('tries a request lost in flight again within the same sync, and the centre applies the change once', async () => {
    const device = await signedInDevice({ retryDelays: [1, 1] });
    const item = await createEvidence('enr-1', { title: 'Switch port audit' });
    device.centre.losePushResponses = 2;
    expect(await device.engine.sync()).toEqual({ state: 'idle', problem: null });
    expect(device.centre.requests('POST', '/api/sync/push')).toHaveLength(3);
    expect(device.centre.record('evidence', item.id)?.revision).toBe(1);
    expect(await db().outbox.count()).toBe(0);
  });

  it('gives up after the last retry and keeps the change for the next sync', async () => {
    const device = await signedInDevice({ retryDelays: [1, 1] });
    await createEvidence('enr-1', { title: 'Switch port audit' });
    device.centre.losePushResponses = 3;
    expect((await device.engine.sync()).state).toBe('offline');
    expect(device.centre.requests('POST', '/api/sync/push')).toHaveLength(3);
    expect(await db().outbox.count()).toBe(1);
    expect((await device.engine.sync()).state).toBe('idle');
    expect(await db().outbox.count()).toBe(0);
  });

  it('downloads every missing file after the pull when the whole portfolio is kept offline', async () => {
    const device = await signedInDevice({ keepAllOffline: true });
    const bytes = photoBytes(5000);
    const hash = sha256Hex(bytes);
    device.centre.files.set(hash, bytes);
    const now = new Date().toISOString();
    device.centre.write('evidence', '0190a1b2-0000-7000-8000-00000000e301', {
      title: 'From the tablet', narrative: '', activityDate: null, method: null, hours: 0, offTheJob: false,
      attachments: [{ id: hash, name: 'tablet.png', type: 'image/png', size: bytes.length }], criterionIds: [],
      enrolmentId: 'enr-1', status: 'draft', createdAt: now, updatedAt: now, deletedAt: null, conflicts: [],
    });
    await device.engine.sync();
    const stored = (await db().attachments.get(hash))!;
    expect(stored.blob?.size).toBe(bytes.length);
  });

  it('uses the cross-tab lock where the browser has one', async () => {
    const device = await signedInDevice();
    const request = vi.fn((_name: string, _options: LockOptions, work: () => Promise<unknown>) => work());
    const { createSyncEngine } = await import('../../src/sync/engine');
    const engine = createSyncEngine({
      fetch: device.centre.fetch,
      baseUrl: device.centre.origin,
      token: () => device.signIn.token,
      deviceId: device.deviceId,
      uploader: { upload: async () => {} },
      status: createSyncStatusStore(),
      onSessionEnded: async () => {},
      keepAllOffline: async () => false,
      locks: { request } as unknown as LockManager,
      lockName: 'portfolio-sync:test',
    });
    await engine.sync();
    expect(request).toHaveBeenCalledWith('portfolio-sync:test', expect.objectContaining({ signal: expect.any(AbortSignal) }), expect.any(Function));
  });
});

describe('sync scheduler', () => {
  function harness(overrides: { intervalMs?: number; online?: boolean } = {}) {
    const win = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
    const worker = new EventTarget();
    const sync = vi.fn(async () => {});
    const requestBackgroundSync = vi.fn(async () => {});
    const status = createSyncStatusStore({ state: 'idle' });
    const stop = startScheduler({
      sync,
      status,
      window: win,
      document: doc,
      serviceWorker: worker,
      requestBackgroundSync,
      isOnline: () => overrides.online ?? true,
      watchOutbox: (next, error) => {
        const subscription = liveQuery(outboxSummary).subscribe({ next, error });
        return () => subscription.unsubscribe();
      },
      debounceMs: 30,
      intervalMs: overrides.intervalMs ?? 60_000,
    });
    return { win, doc, worker, sync, requestBackgroundSync, status, stop };
  }

  it('syncs on start, after local writes (debounced), on online, on showing the app and on Background Sync', async () => {
    await signedInDevice();
    const h = harness();
    expect(h.sync).toHaveBeenCalledTimes(1);
    // Let the outbox watcher take its first reading (an empty outbox: nothing more to do).
    await new Promise((r) => setTimeout(r, 60));
    expect(h.sync).toHaveBeenCalledTimes(1);

    const item = await createEvidence('enr-1', { title: 'UPS test' });
    await vi.waitFor(() => expect(h.sync).toHaveBeenCalledTimes(2));
    expect(h.status.get().waiting).toBe(1);
    // The browser is asked to wake the worker once a connection is back (Chromium's Background Sync).
    expect(h.requestBackgroundSync).toHaveBeenCalledTimes(1);

    // Typing into the waiting change (coalesced: the count stays 1) still counts as a write.
    await updateEvidence(item.id, { title: 'UPS test (battery)' });
    await updateEvidence(item.id, { title: 'UPS test (battery swap)' });
    await vi.waitFor(() => expect(h.sync).toHaveBeenCalledTimes(3));
    await new Promise((r) => setTimeout(r, 80));
    expect(h.sync).toHaveBeenCalledTimes(3);

    h.win.dispatchEvent(new Event('online'));
    expect(h.sync).toHaveBeenCalledTimes(4);
    h.doc.dispatchEvent(new Event('visibilitychange'));
    expect(h.sync).toHaveBeenCalledTimes(5);
    h.worker.dispatchEvent(new MessageEvent('message', { data: { type: SYNC_REQUESTED } }));
    expect(h.sync).toHaveBeenCalledTimes(6);
    h.win.dispatchEvent(new Event('offline'));
    expect(h.status.get().state).toBe('offline');

    h.stop();
    h.win.dispatchEvent(new Event('online'));
    await createEvidence('enr-1', { title: 'After stop' });
    await new Promise((r) => setTimeout(r, 80));
    expect(h.sync).toHaveBeenCalledTimes(6);
  });

  it('syncs on a timer while online, and not while offline', async () => {
    await signedInDevice();
    const online = harness({ intervalMs: 25 });
    // The one on start, then the timer's, for as long as a loaded machine needs.
    await vi.waitFor(() => expect(online.sync.mock.calls.length).toBeGreaterThanOrEqual(3));
    online.stop();

    const offline = harness({ intervalMs: 25, online: false });
    await new Promise((r) => setTimeout(r, 120));
    offline.stop();
    expect(offline.sync).toHaveBeenCalledTimes(1);
  });
});

/** The app's sync runtime for a signed-in test device: events it never fires, always online, uploads accepted. */
function runtimeFor(device: Awaited<ReturnType<typeof signedInDevice>>, account: ReturnType<typeof createAccountService>, extra: Partial<Parameters<typeof createSyncRuntime>[0]> = {}) {
  return createSyncRuntime({
    account,
    fetch: device.centre.fetch,
    baseUrl: device.centre.origin,
    window: new EventTarget() as Window,
    document: Object.assign(new EventTarget(), { visibilityState: 'visible' }) as unknown as Document,
    isOnline: () => true,
    createUploader: () => ({ upload: async () => {} }),
    ...extra,
  });
}

describe('sync runtime', () => {
  it('never says "Synced" on start while a change made since the last sync waits', async () => {
    const device = await signedInDevice();
    await deleteDatabase(databaseNameFor(LEARNER.id));
    const account = createAccountService({ fetch: device.centre.fetch, baseUrl: device.centre.origin, isOnline: () => true });
    await account.restore();
    // This device synced yesterday, then its learner logged an item (the app was closed since).
    await writeMeta(META.lastSyncAt, new Date(Date.now() - 86_400_000).toISOString());
    await createEvidence('enr-1', { title: 'Rack cabled' });
    const runtime = runtimeFor(device, account);
    const seen: Array<{ state: string; waiting: number; synced: boolean }> = [];
    // What the header would render: Preact renders a microtask after a change, so a state replaced
    // within the same task is never shown; one that outlives an await is.
    runtime.status.subscribe(() =>
      queueMicrotask(() => {
        const s = runtime.status.get();
        seen.push({ state: s.state, waiting: s.waiting, synced: !!s.lastSuccessAt });
      }),
    );
    await runtime.start();
    await vi.waitFor(() => expect(device.centre.records.size).toBe(1));
    await vi.waitFor(() => expect(runtime.status.get()).toMatchObject({ state: 'idle', waiting: 0 }));
    // The header says "Synced" for idle, nothing waiting and a last sync: only after this sync.
    const firstSyncing = seen.findIndex((s) => s.state === 'syncing');
    expect(firstSyncing).toBeGreaterThanOrEqual(0);
    expect(seen.slice(0, firstSyncing).filter((s) => s.state === 'idle' && s.waiting === 0 && s.synced)).toEqual([]);
    await runtime.dispose();
  });

  it('syncs while the session is good, and stops (keeping the data) when the centre ends it', async () => {
    const device = await signedInDevice();
    // restore() opens the signed-in user's own database: start it empty.
    await deleteDatabase(databaseNameFor(LEARNER.id));
    const account = createAccountService({ fetch: device.centre.fetch, baseUrl: device.centre.origin, isOnline: () => true });
    await account.restore();
    const runtime = runtimeFor(device, account, { debounceMs: 20 });
    await runtime.start();
    await createEvidence('enr-1', { title: 'Laptop rebuild' });
    await vi.waitFor(() => expect(device.centre.records.size).toBe(1));
    await vi.waitFor(() => expect(runtime.status.get()).toMatchObject({ state: 'idle', waiting: 0 }));

    device.centre.revokeAll();
    await createEvidence('enr-1', { title: 'Made after the revoke' });
    await vi.waitFor(() => expect(runtime.status.get().state).toBe('signed-out'));
    expect((await currentSignIn())?.ended).toMatchObject({ code: 'session-revoked' });
    expect(account.get().signIn?.ended).toBeTruthy();
    // The same database, its change still waiting for the next sign-in.
    expect(db().name).toBe(account.get().databaseName);
    await vi.waitFor(() => expect(runtime.status.get().waiting).toBe(1));
    expect(await runtime.syncNow()).toBeNull();
    await runtime.dispose();
  });

  it('keeps every file of an assessor’s caseload on the device after one sync, without being asked', async () => {
    const device = await signedInDevice({ centre: new FakeCentre([LEARNER, ASSESSOR]), user: ASSESSOR });
    await deleteDatabase(databaseNameFor(ASSESSOR.id));
    const bytes = photoBytes(3000, 11);
    const hash = sha256Hex(bytes);
    device.centre.files.set(hash, bytes);
    device.centre.write('evidence', '0190a1b2-0000-7000-8000-00000000e401', {
      ...evidenceData('Cabinet photo'),
      attachments: [{ id: hash, name: 'cabinet.png', type: 'image/png', size: bytes.length }],
    });
    const account = createAccountService({ fetch: device.centre.fetch, baseUrl: device.centre.origin, isOnline: () => true });
    await account.restore();
    // Not the user's choice to make: a visit may have no connection.
    expect(await account.keepAllOffline()).toBe(true);
    await expect(account.setKeepAllOffline(false)).rejects.toThrow(/always keep their learners’ files available offline/);
    const runtime = runtimeFor(device, account);
    await runtime.start();
    await vi.waitFor(async () => expect((await db().attachments.get(hash))?.blob?.size).toBe(bytes.length));
    await runtime.dispose();
  });
});
