import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCentre, TEST_DB_KIND, type TestCentre } from './harness';

let centre: TestCentre;
beforeAll(async () => {
  centre = await startTestCentre();
});
afterAll(async () => {
  await centre.close();
});

describe('health and errors', () => {
  it('reports which database it runs on', async () => {
    const response = await centre.request('GET', '/api/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, db: TEST_DB_KIND });
  });

  it('answers unknown API routes with a readable 404', async () => {
    const response = await centre.request('GET', '/api/no-such-thing');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not-found' });
  });

  it('keeps the audit log append-only', async () => {
    await centre.db.query(`insert into audit_log (action) values ('test')`);
    await expect(centre.db.query(`update audit_log set action = 'changed'`)).rejects.toThrow(/append-only/);
    await expect(centre.db.query(`delete from audit_log`)).rejects.toThrow(/append-only/);
  });
});
