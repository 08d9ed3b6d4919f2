import { afterEach, describe, expect, it } from 'vitest';
import { db } from '../../src/data/db';
import { createEvidence, updateEvidence } from '../../src/data/evidence';
import { forgetSignIn } from '../../src/data/session';
import { discardChange, LOCKED_COPY_NOTE, outboxSummary, retryChange } from '../../src/data/sync-outbox';
import { MAX_PUSH_BATCH, type PushRequest } from '../../src/domain/sync';
import { CentreError } from '../../src/sync/api';
import { pushOutbox } from '../../src/sync/push';
import { signedInDevice } from '../sync-fixture';

afterEach(async () => {
  await forgetSignIn();
});

const push = (device: Awaited<ReturnType<typeof signedInDevice>>) => pushOutbox({ client: device.client, deviceId: device.deviceId, filesNotAtCentre: new Set() });
const sentBatches = (device: Awaited<ReturnType<typeof signedInDevice>>) =>
  device.centre.requests('POST', '/api/sync/push').map((r) => (r.body as PushRequest).mutations);

/** Marks every waiting change as handed to the network, as a push in flight would. */
async function inFlight(): Promise<void> {
  await db().outbox.toCollection().modify({ sentAt: new Date().toISOString() });
}

describe('push', () => {
  it('sends the outbox in order, in batches of at most MAX_PUSH_BATCH, and marks records clean', async () => {
    const device = await signedInDevice();
    for (let i = 0; i < MAX_PUSH_BATCH + 5; i++) await createEvidence('enr-1', { title: `Item ${i}` });
    const report = await push(device);

    const batches = sentBatches(device);
    expect(batches.map((b) => b.length)).toEqual([MAX_PUSH_BATCH, 5]);
    expect(batches[0]![0]!.patch).toMatchObject({ title: 'Item 0' });
    expect(report.applied).toBe(MAX_PUSH_BATCH + 5);
    expect(await db().outbox.count()).toBe(0);
    const items = await db().evidence.toArray();
    expect(items.every((e) => e.dirty === 0 && e.serverRevision === 1)).toBe(true);
    expect(device.centre.records.size).toBe(MAX_PUSH_BATCH + 5);
  });

  it('sends one change per record per request, basing the next on the revision the first produced', async () => {
    const device = await signedInDevice();
    const item = await createEvidence('enr-1', { title: 'Router' });
    await inFlight();
    await updateEvidence(item.id, { narrative: 'Typed while the first push was on its way' });
    expect(await db().outbox.count()).toBe(2);

    await push(device);
    const batches = sentBatches(device);
    expect(batches.map((b) => b.map((m) => m.baseRevision))).toEqual([[0], [1]]);
    expect(device.centre.record('evidence', item.id)!.data).toMatchObject({ title: 'Router', narrative: 'Typed while the first push was on its way' });
    expect(await db().evidence.get(item.id)).toMatchObject({ dirty: 0, serverRevision: 2 });
  });

  it('resends a change whose answer was lost with the same mutation id, and the centre applies it once', async () => {
    const device = await signedInDevice();
    const item = await createEvidence('enr-1', { title: 'Patch panel' });
    device.centre.losePushResponses = 1;

    const error = await push(device).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CentreError);
    expect((error as CentreError).reason).toBe('offline');
    const [waiting] = await db().outbox.toArray();
    expect(waiting).toMatchObject({ attempts: 1, sentAt: expect.any(String), lastError: expect.stringContaining('offline') });

    // Typing after the lost answer must not change what the centre may already hold under that id.
    await updateEvidence(item.id, { title: 'Patch panel relabelled' });
    expect(await db().outbox.count()).toBe(2);

    await push(device);
    const ids = sentBatches(device).flat().map((m) => m.id);
    expect(ids.filter((id) => id === waiting!.id)).toHaveLength(2);
    const record = device.centre.record('evidence', item.id)!;
    // Created once (revision 1), edited once (revision 2): the resend was answered, not applied again.
    expect(record.revision).toBe(2);
    expect(record.data.title).toBe('Patch panel relabelled');
    expect(await db().outbox.count()).toBe(0);
  });

  it('on a conflict takes the centre’s merged record and keeps later local edits on top, losing no text', async () => {
    const device = await signedInDevice();
    const item = await createEvidence('enr-1', { title: 'Switch swap', narrative: 'First draft' });
    await push(device);

    // Another device rewrites the narrative; this one edits it too, and keeps typing while that push is out.
    device.centre.change('evidence', item.id, { narrative: 'Written on the tablet', updatedAt: new Date().toISOString() });
    await updateEvidence(item.id, { narrative: 'Written on the phone' });
    await inFlight();
    await updateEvidence(item.id, { title: 'Switch swap (done)', narrative: 'Written on the phone, then more' });

    await push(device);
    const local = (await db().evidence.get(item.id))!;
    expect(local.title).toBe('Switch swap (done)');
    // The centre's text stands in the field; this device's latest text is the conflict copy.
    expect(local.narrative).toBe('Written on the tablet');
    expect(local.conflicts).toHaveLength(1);
    expect(local.conflicts[0]).toMatchObject({ field: 'narrative', value: 'Written on the phone, then more', deviceId: device.deviceId });
    expect(local.dirty).toBe(0);
    const centre = device.centre.record('evidence', item.id)!.data;
    expect(centre).toMatchObject({ title: 'Switch swap (done)', narrative: 'Written on the tablet' });
    expect(centre.conflicts).toEqual([expect.objectContaining({ field: 'narrative', value: 'Written on the phone, then more' })]);
    expect(await db().outbox.count()).toBe(0);
  });

  it('keeps an edit of an item signed off meanwhile as a new draft copy, and drops the refused change', async () => {
    const device = await signedInDevice();
    const item = await createEvidence('enr-1', { title: 'Server room audit', narrative: 'As assessed' });
    await push(device);
    device.centre.change('evidence', item.id, { status: 'signed-off' }, null);
    await updateEvidence(item.id, { narrative: 'Added after the assessor signed it off' });

    const report = await push(device);
    expect(report.keptAsCopies).toBe(1);
    const original = (await db().evidence.get(item.id))!;
    expect(original).toMatchObject({ status: 'signed-off', narrative: 'As assessed', dirty: 0 });
    const copy = (await db().evidence.toArray()).find((e) => e.id !== item.id)!;
    expect(copy).toMatchObject({ title: `Server room audit ${LOCKED_COPY_NOTE}`, narrative: 'Added after the assessor signed it off', status: 'draft' });
    // The copy went to the centre as a new item in the same push.
    expect(device.centre.record('evidence', copy.id)?.data.narrative).toBe('Added after the assessor signed it off');
    expect(await db().outbox.count()).toBe(0);
  });

  it('holds a refused change with its reason; Retry sends it again, Discard restores the centre’s copy', async () => {
    const device = await signedInDevice();
    const item = await createEvidence('enr-1', { title: 'Cabling' });
    await push(device);
    device.centre.refuse = (m) => (m.patch.title === 'Cabling?' ? { reason: 'invalid', message: 'Titles cannot end in a question mark here.' } : null);
    await updateEvidence(item.id, { title: 'Cabling?' });

    expect((await push(device)).held).toBe(1);
    let summary = await outboxSummary();
    expect(summary.failures).toEqual([
      expect.objectContaining({ title: 'Cabling?', reason: 'invalid', message: 'Titles cannot end in a question mark here.', canDiscard: true }),
    ]);
    // Held: a later sync does not send it again on its own.
    await push(device);
    expect(sentBatches(device)).toHaveLength(2);

    device.centre.refuse = null;
    await retryChange(summary.failures[0]!.seq);
    await push(device);
    expect(device.centre.record('evidence', item.id)!.data.title).toBe('Cabling?');

    device.centre.refuse = () => ({ reason: 'forbidden', message: 'Not yours to change.' });
    await updateEvidence(item.id, { title: 'Cabling, take three' });
    await push(device);
    summary = await outboxSummary();
    expect(summary.failures[0]).toMatchObject({ reason: 'forbidden' });
    await discardChange(summary.failures[0]!.seq);
    expect(await db().evidence.get(item.id)).toMatchObject({ title: 'Cabling?', dirty: 0 });
    expect(await db().outbox.count()).toBe(0);
    // The discarded text is still in the item's history.
    const history = await db().evidenceHistory.where('evidenceId').equals(item.id).toArray();
    expect(history.some((h) => h.before?.title === 'Cabling, take three')).toBe(true);
  });

  it('leaves a change naming a file the centre lacks waiting for the upload', async () => {
    const device = await signedInDevice();
    const item = await createEvidence('enr-1', { title: 'Photo of the rack' });
    await db().attachments.add({ id: 'a'.repeat(64), blob: new Blob(['x']), name: 'rack.jpg', type: 'image/jpeg', size: 1, createdAt: '', uploadState: 'uploaded', uploadUrl: null });
    await updateEvidence(item.id, { attachments: [{ id: 'a'.repeat(64), name: 'rack.jpg', type: 'image/jpeg', size: 1 }] });
    await db().outbox.toCollection().modify({ sentAt: null });

    const report = await push(device);
    expect(report.waitingForFiles).toBe(1);
    const [entry] = await db().outbox.toArray();
    expect(entry).toMatchObject({ reason: 'missing-attachment', sentAt: null });
    // Checked again (HEAD, then upload) on the next sync.
    expect((await db().attachments.get('a'.repeat(64)))!.uploadState).toBe('pending');
  });
});
