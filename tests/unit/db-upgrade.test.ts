import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { PortfolioDb } from '../../src/data/db';

describe('database upgrades', () => {
  it('upgrades evidence stored by version 1 without losing it', async () => {
    const name = `upgrade-${Date.now()}`;
    const v1 = new Dexie(name);
    v1.version(1).stores({
      frameworks: 'key, id, kind',
      profile: 'id',
      enrolments: 'id, learnerId',
      evidence: 'id, enrolmentId, updatedAt, status, dirty',
      evidenceHistory: 'id, evidenceId, [evidenceId+at]',
      attachments: 'id, uploadState',
      outbox: '++seq, &id, [entity+recordId]',
    });
    await v1.table('evidence').add({ id: 'e1', enrolmentId: 'x', title: 'Written under v1', narrative: 'kept', status: 'draft' });
    await v1.table('outbox').add({ id: 'm1', entity: 'evidence', recordId: 'e1', patch: { title: 'Written under v1' } });
    v1.close();

    const upgraded = new PortfolioDb(name);
    const item = await upgraded.evidence.get('e1');
    expect(item).toMatchObject({ title: 'Written under v1', narrative: 'kept', conflicts: [] });
    expect(await upgraded.outbox.count()).toBe(1);
    upgraded.close();
    await Dexie.delete(name);
  });
});
