import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { PortfolioDb } from '../../src/data/db';
import { mergeConflicts, rebaseEvidence, sameJson } from '../../src/data/sync-records';
import { emptyEvidenceContent, type Evidence } from '../../src/domain/evidence';
import type { FieldConflict } from '../../src/domain/sync';

const base: Evidence = {
  ...emptyEvidenceContent(),
  title: 'Centre title',
  narrative: 'Centre text',
  id: '0190a1b2-0000-7000-8000-00000000e001',
  enrolmentId: 'enr-1',
  status: 'draft',
  createdAt: '2026-11-01T09:00:00.000Z',
  updatedAt: '2026-11-01T09:00:00.000Z',
  deletedAt: null,
  serverRevision: 2,
  dirty: 0,
  conflicts: [],
  recordedBy: null,
  iqaLock: null,
};

const copy = (id: string, value: string, deviceId = 'phone'): FieldConflict => ({ id, field: 'narrative', value, deviceId, at: '2026-11-01T10:00:00.000Z' });

describe('rebasing waiting changes on a centre copy', () => {
  it('compares JSON regardless of key order, as the centre’s jsonb returns it', () => {
    expect(sameJson({ id: 'a', name: 'x.png', size: 1 }, { size: 1, name: 'x.png', id: 'a' })).toBe(true);
    expect(sameJson([{ a: 1 }], [{ a: 2 }])).toBe(false);
  });

  it('keeps copies the device never saw, drops the ones it resolved, prefers its rewrite of its own', () => {
    const server = [copy('c1', 'resolved here'), copy('c2', 'new from the tablet', 'tablet'), copy('c3', 'old')];
    const local = [copy('c3', 'rewritten here')];
    expect(mergeConflicts(server, local, ['c1'])).toEqual([copy('c2', 'new from the tablet', 'tablet'), copy('c3', 'rewritten here')]);
  });

  it('puts a later edit of text that lost into this device’s conflict copy, and applies other fields', () => {
    const merged = { ...base, conflicts: [copy('c1', 'Phone text')] };
    const { record, patches } = rebaseEvidence(merged, [{ patch: { narrative: 'Phone text, continued', hours: 2 } }], { lostFields: ['narrative'], deviceId: 'phone' });
    expect(record).toMatchObject({ narrative: 'Centre text', hours: 2, conflicts: [copy('c1', 'Phone text, continued')].map((c) => ({ ...c, at: expect.any(String) })) });
    expect(patches[0]).toEqual({ hours: 2, conflicts: [expect.objectContaining({ id: 'c1', value: 'Phone text, continued' })] });
  });

  it('lays a later edit of a field this device won (not lost) straight on top', () => {
    const { record, patches } = rebaseEvidence(base, [{ patch: { title: 'Phone title' } }], { lostFields: [], deviceId: 'phone' });
    expect(record.title).toBe('Phone title');
    expect(patches[0]).toEqual({ title: 'Phone title' });
  });
});

describe('database version 3', () => {
  it('adds the meta table and keeps outbox entries written by version 2', async () => {
    const name = `upgrade-v2-${Date.now()}`;
    const v2 = new Dexie(name);
    v2.version(2).stores({
      frameworks: 'key, id, kind',
      profile: 'id',
      enrolments: 'id, learnerId',
      evidence: 'id, enrolmentId, updatedAt, status, dirty',
      evidenceHistory: 'id, evidenceId, [evidenceId+at]',
      attachments: 'id, uploadState',
      outbox: '++seq, &id, [entity+recordId]',
    });
    await v2.table('outbox').add({ id: 'm1', entity: 'evidence', recordId: 'e1', patch: { title: 'Waiting since v2' }, sentAt: null, attempts: 0, lastError: null });
    v2.close();

    const upgraded = new PortfolioDb(name);
    expect(await upgraded.outbox.toArray()).toEqual([expect.objectContaining({ id: 'm1', patch: { title: 'Waiting since v2' }, reason: null, serverRecord: null })]);
    await upgraded.meta.put({ key: 'pullCursor', value: '12' });
    expect((await upgraded.meta.get('pullCursor'))?.value).toBe('12');
    upgraded.close();
    await Dexie.delete(name);
  });
});
