import { afterEach, describe, expect, it } from 'vitest';
import { markStartup, markWhenDone } from '../../src/data/startup';

const marks = () => performance.getEntriesByType('mark').filter((m) => m.name.startsWith('portfolio:')).map((m) => m.name);

describe('start-up marks', () => {


  it('marks each step once per page, however often a live query re-runs it', () => {
    markStartup('unit-once');
    markStartup('unit-once');
    expect(marks().filter((n) => n === 'portfolio:unit-once')).toHaveLength(1);
  });

  it('marks a step when its work settles, failed or not, and passes the outcome through', async () => {
    await expect(markWhenDone('unit-done', Promise.resolve(42))).resolves.toBe(42);
    await expect(markWhenDone('unit-failed', Promise.reject(new Error('disk gone')))).rejects.toThrow('disk gone');
    expect(marks()).toEqual(expect.arrayContaining(['portfolio:unit-done', 'portfolio:unit-failed']));
  });
});
