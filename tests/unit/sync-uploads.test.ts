import { afterEach, describe, expect, it } from 'vitest';
import { db } from '../../src/data/db';
import { addAttachments, createEvidence } from '../../src/data/evidence';
import { forgetSignIn } from '../../src/data/session';
import { sha256Hex } from '../fake-centre';
import { photoBytes, signedInDevice } from '../sync-fixture';
import { UPLOAD_CHUNK_BYTES as CHUNK } from '../../src/sync/tus-uploader';

afterEach(async () => {
  await forgetSignIn();
});

async function itemWithPhoto(bytes: Uint8Array) {
  const item = await createEvidence('enr-1', { title: 'Rack after the move' });
  await addAttachments(item.id, [new File([bytes as Uint8Array<ArrayBuffer>], 'rack.png', { type: 'image/png' })]);
  return item;
}

describe('attachment uploads', () => {
  it('uploads a file in chunks before the change that names it, reporting bytes the centre confirmed', async () => {
    const device = await signedInDevice();
    const bytes = photoBytes(3 * CHUNK + 123);
    const item = await itemWithPhoto(bytes);

    expect(await device.engine.sync()).toEqual({ state: 'idle', problem: null });
    const hash = sha256Hex(bytes);
    // Same bytes (compared by hash: a deep compare of megabytes is slow).
    expect(sha256Hex(device.centre.files.get(hash)!)).toBe(hash);
    expect(device.centre.requests('PATCH', '/api/files/uploads/')).toHaveLength(4);
    expect(device.centre.record('evidence', item.id)!.data.attachments).toEqual([expect.objectContaining({ id: hash })]);
    // Files first, then changes, then the centre's changes.
    const order = device.centre.log.map((r) => `${r.method} ${r.path.split('?')[0]}`);
    expect(order.indexOf('POST /api/files/uploads')).toBeLessThan(order.indexOf('POST /api/sync/push'));
    expect(order.indexOf('POST /api/sync/push')).toBeLessThan(order.indexOf('GET /api/sync/pull'));
    const progress = device.statuses.map((s) => s.uploading?.bytesSent).filter((n) => n !== undefined);
    expect(progress).toEqual([0, CHUNK, 2 * CHUNK, 3 * CHUNK, 3 * CHUNK + 123]);
    expect(device.status.get()).toMatchObject({ uploading: null, state: 'idle', lastSuccessAt: expect.any(String) });
    expect(await db().attachments.get(hash)).toMatchObject({ uploadState: 'uploaded', uploadUrl: null });
  });

  it('sends no bytes the centre already holds', async () => {
    const device = await signedInDevice();
    const bytes = photoBytes(2048);
    device.centre.files.set(sha256Hex(bytes), bytes);
    await itemWithPhoto(bytes);
    await device.engine.sync();
    expect(device.centre.requests('HEAD', '/api/files/sha256/')).toHaveLength(1);
    expect(device.centre.requests('POST', '/api/files/uploads')).toHaveLength(0);
    expect(await db().outbox.count()).toBe(0);
  });

  it('resumes an interrupted upload from the offset the centre holds, keeping the upload URL in Dexie', async () => {
    const device = await signedInDevice();
    const bytes = photoBytes(3 * CHUNK);
    const hash = sha256Hex(bytes);
    await itemWithPhoto(bytes);
    device.centre.cutUploadAfterBytes = 1.5 * CHUNK;

    const first = await device.engine.sync();
    expect(first.state).toBe('offline');
    const row = (await db().attachments.get(hash))!;
    expect(row.uploadUrl).toMatch(/\/api\/files\/uploads\/[0-9a-f]{32}$/);
    expect(row.uploadState).toBe('pending');
    // The change naming the file was not sent: the centre would have refused it.
    expect(device.centre.requests('POST', '/api/sync/push')).toHaveLength(0);
    expect(await db().outbox.count()).toBe(1);

    const before = device.statuses.length;
    await device.engine.sync();
    expect(device.centre.requests('POST', '/api/files/uploads')).toHaveLength(1);
    expect(device.centre.requests('HEAD', '/api/files/uploads/')).toHaveLength(1);
    const upload = [...device.centre.uploads.values()][0]!;
    expect(upload.offset).toBe(bytes.length);
    expect(sha256Hex(device.centre.files.get(hash)!)).toBe(hash);
    expect(device.centre.files.size).toBe(1);
    // The second sync's first confirmed chunk ends past the cut: it did not start again from 0.
    const resumed = device.statuses
      .slice(before)
      .map((s) => s.uploading?.bytesSent)
      .filter((n): n is number => n !== undefined && n > 0);
    expect(resumed[0]).toBe(2.5 * CHUNK);
    const patched = device.centre.requests('PATCH', '/api/files/uploads/').map((r) => Number(String(r.body).split(' ')[0]));
    // On the wire: two chunks (the second cut half-way), then only the 1.5 chunks the centre lacked.
    expect(patched.reduce((a, b) => a + b, 0)).toBe(2 * CHUNK + 1.5 * CHUNK);
    expect(await db().attachments.get(hash)).toMatchObject({ uploadState: 'uploaded', uploadUrl: null });
    expect(await db().outbox.count()).toBe(0);
  });

  it('stops at a refused session and keeps everything for later', async () => {
    const device = await signedInDevice();
    await itemWithPhoto(photoBytes(1000));
    device.centre.revokeAll();
    const outcome = await device.engine.sync();
    expect(outcome.state).toBe('signed-out');
    expect(device.onSessionEnded).toHaveBeenCalledOnce();
    expect(device.centre.requests('POST', '/api/files/uploads')).toHaveLength(0);
    expect(await db().outbox.count()).toBe(1);
    expect((await db().attachments.toArray())[0]!.uploadState).toBe('pending');
  });
});
