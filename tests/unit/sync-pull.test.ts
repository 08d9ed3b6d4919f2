import { afterEach, describe, expect, it } from 'vitest';
import { attachmentBlob, createEvidence, updateEvidence } from '../../src/data/evidence';
import { db } from '../../src/data/db';
import { currentEnrolment, currentProfile } from '../../src/data/learner';
import { META, readMeta } from '../../src/data/meta';
import { forgetSignIn } from '../../src/data/session';
import { attachmentsMissingHere } from '../../src/data/attachments';
import { UnreadableRecordError } from '../../src/data/sync-records';
import { seedShippedFrameworks, qualificationVersion } from '../../src/data/frameworks';
import { loadShippedSpecs } from '../../src/domain/specs';
import type { QualificationSpec } from '../../src/domain/qualification';
import { AttachmentCorruptError, downloadAttachment } from '../../src/sync/attachments-download';
import { pullChanges } from '../../src/sync/pull';
import { pushOutbox } from '../../src/sync/push';
import { LEARNER, sha256Hex } from '../fake-centre';
import { photoBytes, signedInDevice } from '../sync-fixture';

afterEach(async () => {
  await forgetSignIn();
});

function evidenceData(title: string, extra: Record<string, unknown> = {}) {
  const now = new Date().toISOString();
  return {
    title,
    narrative: '',
    activityDate: null,
    method: null,
    hours: 0,
    offTheJob: false,
    attachments: [],
    criterionIds: [],
    enrolmentId: 'enr-1',
    status: 'draft',
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    conflicts: [],
    ...extra,
  };
}

describe('pull', () => {
  it('pages through the centre’s changes and stores each page with its cursor in one transaction', async () => {
    const device = await signedInDevice();
    for (let i = 1; i <= 5; i++) device.centre.write('evidence', `0190a1b2-0000-7000-8000-00000000e00${i}`, evidenceData(`Item ${i}`));
    // A record this app version cannot read, on the second page: that page must leave no trace.
    device.centre.write('evidence', '0190a1b2-0000-7000-8000-00000000e006', { title: 42 });

    const error = await pullChanges({ client: device.client, pageSize: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadableRecordError);
    expect((error as Error).message).toMatch(/cannot read.*Update the app/);
    // Page one is in, with its cursor; nothing of page two (items 4 and 5 came with the bad record).
    expect((await db().evidence.toArray()).map((e) => e.title).sort()).toEqual(['Item 1', 'Item 2', 'Item 3']);
    expect(await readMeta(META.pullCursor)).toBe('3');

    // Fixed at the centre: the pull carries on from the cursor, not from the start.
    device.centre.write('evidence', '0190a1b2-0000-7000-8000-00000000e006', evidenceData('Item 6'));
    const report = await pullChanges({ client: device.client, pageSize: 3 });
    expect(report.pages).toBe(1);
    expect(device.centre.requests('GET', '/api/sync/pull').at(-1)!.path).toContain('since=3');
    expect(await db().evidence.count()).toBe(6);
    expect(await readMeta(META.pullCursor)).toBe('7');
    expect((await db().evidence.toArray()).every((e) => e.dirty === 0 && e.serverRevision >= 1)).toBe(true);
  });

  it('lays waiting local changes on top of newer centre data, and the push then merges them', async () => {
    const device = await signedInDevice();
    const item = await createEvidence('enr-1', { title: 'Backup check', narrative: 'Checked the tapes' });
    await pushOutbox({ client: device.client, deviceId: device.deviceId, filesNotAtCentre: new Set() });
    await pullChanges({ client: device.client });

    await updateEvidence(item.id, { title: 'Backup check (weekly)' });
    device.centre.change('evidence', item.id, { narrative: 'Checked the tapes and the cloud copy' });
    await pullChanges({ client: device.client });

    const local = (await db().evidence.get(item.id))!;
    expect(local).toMatchObject({ title: 'Backup check (weekly)', narrative: 'Checked the tapes and the cloud copy', dirty: 1, serverRevision: 2 });
    const [waiting] = await db().outbox.toArray();
    // Still based on what this device had seen, so the centre can tell the two changes apart.
    expect(waiting).toMatchObject({ baseRevision: 1, patch: expect.objectContaining({ title: 'Backup check (weekly)' }) });

    await pushOutbox({ client: device.client, deviceId: device.deviceId, filesNotAtCentre: new Set() });
    expect(device.centre.record('evidence', item.id)!.data).toMatchObject({ title: 'Backup check (weekly)', narrative: 'Checked the tapes and the cloud copy' });
    expect((await db().evidence.get(item.id))!.conflicts).toEqual([]);
  });

  it('maps the profile and enrolment to the user, and fetches a spec version the device lacks', async () => {
    const device = await signedInDevice();
    await seedShippedFrameworks();
    const shipped = (await loadShippedSpecs()).find((s) => s.id === '4520-03') as QualificationSpec;
    device.centre.specs.set('4520-03@2', { ...shipped, version: 2 });
    // As the centre makes it: the name only, the employer left for the learner to add.
    device.centre.write('profile', LEARNER.id, { employer: '', name: 'Priya Shah' }, null);
    device.centre.write(
      'enrolment',
      '0190a1b2-0000-7000-8000-0000000000e1',
      {
        learnerId: LEARNER.id,
        qualificationId: '4520-03',
        qualificationVersion: 2,
        optionalUnitIds: [],
        startDate: '2026-03-02',
        plannedEndDate: '2027-09-30',
        plannedOffTheJobHoursPerWeek: 6,
        createdAt: '2026-03-02T09:00:00.000Z',
        updatedAt: '2026-03-02T09:00:00.000Z',
      },
      null,
    );

    const report = await pullChanges({ client: device.client });
    expect(report.specs).toBe(1);
    expect(await currentProfile()).toMatchObject({ id: LEARNER.id, name: 'Priya Shah', employer: '', serverRevision: 1 });
    expect(await currentEnrolment()).toMatchObject({ learnerId: LEARNER.id, qualificationVersion: 2 });
    expect((await qualificationVersion('4520-03', 2))?.version).toBe(2);
    expect(device.centre.requests('GET', '/api/specs/')).toHaveLength(1);
  });

  it('records files by name only; one is downloaded when wanted, checked against its SHA-256', async () => {
    const device = await signedInDevice();
    const bytes = photoBytes(4096);
    const hash = sha256Hex(bytes);
    device.centre.files.set(hash, bytes);
    const ref = { id: hash, name: 'rack.png', type: 'image/png', size: bytes.length };
    device.centre.write('evidence', '0190a1b2-0000-7000-8000-00000000e101', evidenceData('Rack photo', { attachments: [ref] }));

    await pullChanges({ client: device.client });
    expect(device.centre.requests('GET', '/api/files/')).toHaveLength(0);
    expect(await attachmentBlob(hash)).toBeNull();
    expect(await db().attachments.get(hash)).toMatchObject({ uploadState: 'uploaded', name: 'rack.png' });
    expect(await attachmentsMissingHere()).toEqual([ref]);

    // A damaged download is refused, not stored.
    device.centre.files.set(hash, photoBytes(4096, 99));
    expect(await downloadAttachment(device.client, ref).catch((e: unknown) => e)).toBeInstanceOf(AttachmentCorruptError);
    expect(await attachmentBlob(hash)).toBeNull();

    device.centre.files.set(hash, bytes);
    await downloadAttachment(device.client, ref);
    const blob = (await attachmentBlob(hash))!;
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes);
    expect(await attachmentsMissingHere()).toEqual([]);
  });

  it('removes a record the centre withdrew, unless changes still wait for it', async () => {
    const device = await signedInDevice();
    const gone = '0190a1b2-0000-7000-8000-00000000e201';
    const kept = '0190a1b2-0000-7000-8000-00000000e202';
    device.centre.write('evidence', gone, evidenceData('Withdrawn'));
    device.centre.write('evidence', kept, evidenceData('Still being edited'));
    await pullChanges({ client: device.client });
    await updateEvidence(kept, { narrative: 'Typed here' });

    device.centre.write('evidence', gone, evidenceData('Withdrawn'), null, true);
    device.centre.write('evidence', kept, evidenceData('Still being edited'), null, true);
    await pullChanges({ client: device.client });
    expect(await db().evidence.get(gone)).toBeUndefined();
    expect(await db().evidence.get(kept)).toMatchObject({ narrative: 'Typed here' });
  });

  it('drops a withdrawn item’s local history and the files no other item names', async () => {
    const device = await signedInDevice();
    const own = photoBytes(2048, 1);
    const shared = photoBytes(2048, 2);
    const ownRef = { id: sha256Hex(own), name: 'own.png', type: 'image/png', size: own.length };
    const sharedRef = { id: sha256Hex(shared), name: 'shared.png', type: 'image/png', size: shared.length };
    device.centre.files.set(ownRef.id, own);
    device.centre.files.set(sharedRef.id, shared);
    const gone = '0190a1b2-0000-7000-8000-00000000e301';
    const other = '0190a1b2-0000-7000-8000-00000000e302';
    device.centre.write('evidence', gone, evidenceData('Withdrawn', { attachments: [ownRef, sharedRef] }));
    device.centre.write('evidence', other, evidenceData('Names the shared file', { attachments: [sharedRef] }));
    await pullChanges({ client: device.client });
    await downloadAttachment(device.client, ownRef);
    await downloadAttachment(device.client, sharedRef);
    // An earlier version is kept here once the centre changes the item.
    device.centre.write('evidence', gone, evidenceData('Withdrawn, renamed', { attachments: [ownRef, sharedRef] }));
    await pullChanges({ client: device.client });
    expect(await db().evidenceHistory.where('evidenceId').equals(gone).count()).toBeGreaterThan(0);

    device.centre.write('evidence', gone, evidenceData('Withdrawn, renamed'), null, true);
    await pullChanges({ client: device.client });
    expect(await db().evidence.get(gone)).toBeUndefined();
    expect(await db().evidenceHistory.where('evidenceId').equals(gone).count()).toBe(0);
    expect(await db().attachments.get(ownRef.id)).toBeUndefined();
    expect(new Uint8Array(await (await attachmentBlob(sharedRef.id))!.arrayBuffer())).toEqual(shared);
  });

  it('never drops a file waiting to be uploaded, even when the item naming it is withdrawn', async () => {
    const device = await signedInDevice();
    const gone = '0190a1b2-0000-7000-8000-00000000e401';
    device.centre.write('evidence', gone, evidenceData('Withdrawn'));
    await pullChanges({ client: device.client });
    // A recording made on this device, not yet at the centre, stored under the withdrawn item's name.
    const bytes = photoBytes(1024, 3);
    const ref = { id: sha256Hex(bytes), name: 'discussion.webm', type: 'audio/webm', size: bytes.length };
    await db().attachments.put({ ...ref, blob: new Blob([new Uint8Array(bytes)]), createdAt: new Date().toISOString(), uploadState: 'pending', uploadUrl: null });
    await db().evidence.update(gone, { attachments: [ref] });

    device.centre.write('evidence', gone, evidenceData('Withdrawn'), null, true);
    await pullChanges({ client: device.client });
    expect(await db().evidence.get(gone)).toBeUndefined();
    expect(await db().attachments.get(ref.id)).toMatchObject({ uploadState: 'pending' });
  });
});
