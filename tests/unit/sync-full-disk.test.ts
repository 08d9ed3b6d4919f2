import { afterEach, describe, expect, it, vi } from 'vitest';
import { db } from '../../src/data/db';
import { createEvidence } from '../../src/data/evidence';
import { forgetSignIn } from '../../src/data/session';
import { SYNC_STORAGE_FULL } from '../../src/sync/engine';
import { evidenceData } from '../assessment-fixture';
import { signedInDevice } from '../sync-fixture';

afterEach(async () => {
  vi.restoreAllMocks();
  await forgetSignIn();
});

const quotaError = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

describe('sync on a full disk', () => {
  // Found by fault suite 5 (tests/faults/browser/full-disk.spec.ts): the write of lastSyncAt after
  // the last downloaded file is not a guarded write, so Dexie's own error text reached the user.
  it('says the device is out of space in words when a write outside the guarded ones is refused', async () => {
    const device = await signedInDevice();
    await createEvidence('enr-1', { title: 'Backup rota' });
    const put = db().meta.put.bind(db().meta);
    const spy = vi.spyOn(db().meta, 'put').mockImplementation(((row: { key: string; value: unknown }) =>
      row.key === 'lastSyncAt' ? Promise.reject(quotaError()) : put(row)) as typeof db.prototype.meta.put);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);

    const outcome = await device.engine.sync();
    expect(outcome).toEqual({ state: 'idle', problem: SYNC_STORAGE_FULL });
    expect(device.status.get()).toMatchObject({ state: 'idle', problem: SYNC_STORAGE_FULL, lastSuccessAt: null });

    // Space freed: the next sync finishes and the problem goes.
    spy.mockRestore();
    expect(await device.engine.sync()).toEqual({ state: 'idle', problem: null });
    expect(device.status.get()).toMatchObject({ problem: null, lastSuccessAt: expect.any(String) });
  });

  it('speaks of the sync, not of typing, when a pulled page is refused (a guarded write)', async () => {
    const device = await signedInDevice();
    device.centre.write('evidence', '0190a1b2-0000-7000-8000-00000000f001', evidenceData('Made on the laptop'));
    vi.spyOn(db().meta, 'put').mockImplementation((() => Promise.reject(quotaError())) as typeof db.prototype.meta.put);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const cursorBefore = await db().meta.get('pullCursor');

    const outcome = await device.engine.sync();
    expect(outcome.problem).toBe(SYNC_STORAGE_FULL);
    expect(outcome.problem).not.toMatch(/What you typed/);
    // The page and its cursor are one transaction: neither moved.
    expect(await db().meta.get('pullCursor')).toEqual(cursorBefore);
  });
});
