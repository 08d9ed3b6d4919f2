import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  addAttachments,
  attachmentBlob,
  createEvidence,
  deleteEvidence,
  evidenceHistory,
  EvidenceIncompleteError,
  restoreEvidence,
  restoreVersion,
  submitEvidence,
  updateEvidence,
} from '../../src/data/evidence';
import { db } from '../../src/data/db';
import { freshDatabase } from '../db-fixture';

beforeEach(async () => {
  await freshDatabase();
});

describe('evidence repository', () => {
  it('writes each change and its outbox entry together, coalescing a typing session', async () => {
    const item = await createEvidence('enr-1');
    await updateEvidence(item.id, { title: 'R' });
    await updateEvidence(item.id, { title: 'Router' });
    await updateEvidence(item.id, { narrative: 'I replaced the router.' });
    const stored = await db().evidence.get(item.id);
    expect(stored).toMatchObject({ title: 'Router', narrative: 'I replaced the router.', status: 'draft', dirty: 1 });
    const outbox = await db().outbox.toArray();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.patch).toMatchObject({ title: 'Router', narrative: 'I replaced the router.' });
    const history = await evidenceHistory(item.id);
    expect(history.map((h) => h.action)).toEqual(['edited', 'created']);
    expect(history[0]!.fields.sort()).toEqual(['narrative', 'title']);
  });

  it('does not coalesce into a mutation already sent', async () => {
    const item = await createEvidence('enr-1');
    await db().outbox.toCollection().modify({ sentAt: new Date().toISOString() });
    await updateEvidence(item.id, { title: 'After send' });
    expect(await db().outbox.count()).toBe(2);
  });

  it('refuses to submit an incomplete item and says what is missing', async () => {
    const item = await createEvidence('enr-1', { title: 'Fault log' });
    const error = await submitEvidence(item.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvidenceIncompleteError);
    const messages = (error as EvidenceIncompleteError).problems.map((p) => p.message);
    expect(messages).toContain('Describe what you did and what you learned');
    expect(messages).toContain('Map the evidence to at least one criterion');
  });

  it('submits a complete item', async () => {
    const item = await createEvidence('enr-1', {
      title: 'Fault log',
      narrative: 'Diagnosed a failed switch port',
      activityDate: '2026-10-01',
      method: 'observation',
      criterionIds: ['A/601/3293:1.1'],
    });
    expect((await submitEvidence(item.id)).status).toBe('submitted');
  });

  it('soft-deletes and restores, keeping the history visible', async () => {
    const item = await createEvidence('enr-1', { title: 'Keep me' });
    await deleteEvidence(item.id);
    expect((await db().evidence.get(item.id))!.deletedAt).not.toBeNull();
    await restoreEvidence(item.id);
    expect((await db().evidence.get(item.id))!.deletedAt).toBeNull();
    const actions = (await evidenceHistory(item.id)).map((h) => h.action);
    expect(actions).toEqual(['restored', 'deleted', 'created']);
  });

  it('restores an earlier version without losing the current one', async () => {
    const item = await createEvidence('enr-1', { title: 'First title' });
    await updateEvidence(item.id, { title: 'Second title' });
    const [edit] = await evidenceHistory(item.id);
    await restoreVersion(edit!.id);
    expect((await db().evidence.get(item.id))!.title).toBe('First title');
  });

  it('stores attachments once, keyed by the SHA-256 of their bytes', async () => {
    const item = await createEvidence('enr-1');
    const bytes = new TextEncoder().encode('hello portfolio');
    const file = new File([bytes], 'note.txt', { type: 'text/plain' });
    await addAttachments(item.id, [file, new File([bytes], 'copy.txt', { type: 'text/plain' })]);
    const stored = await db().evidence.get(item.id);
    const expected = createHash('sha256').update(bytes).digest('hex');
    expect(stored!.attachments).toEqual([{ id: expected, name: 'note.txt', type: 'text/plain', size: bytes.length }]);
    expect(await db().attachments.count()).toBe(1);
    const blob = await attachmentBlob(stored!.attachments[0]!.id);
    expect(new Uint8Array(await blob!.arrayBuffer())).toEqual(bytes);
  });
});
