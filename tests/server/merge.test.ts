import { describe, expect, it } from 'vitest';
import { TEXT_FIELDS } from '../../server/sync/entities';
import { deviceView, mergePatch, resolveConflicts, sameValue, type Data, type MergeInput } from '../../server/sync/merge';

const A = 'device-a';
const B = 'device-b';
let ids = 0;
const newId = () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;

function merge(view: Data | null, current: Data, patch: Data, over: Partial<MergeInput> = {}) {
  return mergePatch({
    view,
    current,
    patch,
    textFields: TEXT_FIELDS,
    incoming: { deviceId: A, at: '2026-11-23T10:00:00.000Z' },
    previous: { deviceId: B, at: '2026-11-23T09:00:00.000Z' },
    newId,
    ...over,
  });
}

describe('mergePatch', () => {
  const base = { title: 'Router', narrative: 'I configured a router.', hours: 1, criterionIds: ['c1'], conflicts: [] };

  it('merges edits of different fields from two devices', () => {
    const current = { ...base, narrative: 'I configured a router and a switch.' }; // device B's edit
    const result = merge(base, current, { title: 'Router and switch' }); // device A's edit
    expect(result.overlapping).toEqual([]);
    expect(result.data).toMatchObject({ title: 'Router and switch', narrative: 'I configured a router and a switch.', conflicts: [] });
  });

  it('keeps the centre text and the device text as a conflict copy when both edited it', () => {
    const current = { ...base, narrative: 'B wrote this.' };
    const result = merge(base, current, { narrative: 'A wrote this.' });
    expect(result.overlapping).toEqual(['narrative']);
    expect(result.data.narrative).toBe('B wrote this.');
    expect(result.data.conflicts).toEqual([
      { id: expect.any(String), field: 'narrative', value: 'A wrote this.', deviceId: A, at: '2026-11-23T10:00:00.000Z' },
    ]);
  });

  it('sees no conflict when both devices made the same change', () => {
    const current = { ...base, title: 'Same' };
    const result = merge(base, current, { title: 'Same' });
    expect(result.overlapping).toEqual([]);
    expect(result.data.conflicts).toEqual([]);
  });

  it('lets the later write win a non-text field and keeps the value it replaced', () => {
    const current = { ...base, hours: 3 };
    const result = merge(base, current, { hours: 2 });
    expect(result.overlapping).toEqual(['hours']);
    expect(result.data.hours).toBe(2);
    expect(result.data.conflicts).toEqual([expect.objectContaining({ field: 'hours', value: 3, deviceId: B })]);
  });

  it('treats every disagreement as an overlap when the device knows nothing of the record', () => {
    const result = merge(null, base, { title: 'Other', hours: 1 });
    expect(result.overlapping).toEqual(['title']);
    expect(result.data.title).toBe('Router');
    expect(result.data.conflicts).toEqual([expect.objectContaining({ field: 'title', value: 'Other' })]);
  });

  it('compares lists and objects by value, not by key order', () => {
    expect(sameValue({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    const current = { ...base, attachments: [{ id: 'x', name: 'n', type: 't', size: 1 }] };
    const view = { ...base, attachments: [{ size: 1, type: 't', name: 'n', id: 'x' }] };
    expect(merge(view, current, { attachments: [] }).overlapping).toEqual([]);
  });
});

describe('resolveConflicts', () => {
  const c1 = { id: '00000000-0000-4000-8000-000000000001', field: 'title', value: 'x', deviceId: A, at: 't' };
  const c2 = { id: '00000000-0000-4000-8000-000000000002', field: 'title', value: 'y', deviceId: B, at: 't' };
  const c3 = { id: '00000000-0000-4000-8000-000000000003', field: 'narrative', value: 'z', deviceId: 'this-device', at: 't2' };

  it('drops copies the device had seen and resolved, keeps ones it has not seen', () => {
    expect(resolveConflicts({ conflicts: [c1] }, { conflicts: [c1, c2] }, { conflicts: [] }, A)).toEqual([c2]);
  });

  it('leaves conflicts alone when the change does not mention them', () => {
    expect(resolveConflicts({ conflicts: [c1] }, { conflicts: [c1] }, { title: 'z' }, A)).toEqual([c1]);
  });

  it("takes the device's newer text of its own copy, never of another device's", () => {
    const sent = [{ ...c1, value: 'x, continued', at: 't3' }, { ...c2, value: 'tampered' }];
    expect(resolveConflicts({ conflicts: [c1, c2] }, { conflicts: [c1, c2] }, { conflicts: sent }, A)).toEqual([
      { ...c1, value: 'x, continued', at: 't3' },
      c2,
    ]);
  });

  it("adds a copy only the device has, in the sending device's name, unless it was resolved", () => {
    expect(resolveConflicts({ conflicts: [] }, { conflicts: [] }, { conflicts: [c3] }, A)).toEqual([{ ...c3, deviceId: A }]);
    // Seen by the device, since resolved on another: not brought back.
    expect(resolveConflicts({ conflicts: [c3] }, { conflicts: [] }, { conflicts: [c3] }, A)).toEqual([]);
  });
});

describe('deviceView', () => {
  const v = (revision: number, deviceId: string | null, data: Data) => ({ revision, deviceId, data });

  it('is the base revision when the device wrote nothing since', () => {
    expect(deviceView([v(1, B, { title: 'a' }), v(2, B, { title: 'b' })], 1, A)).toEqual({ title: 'a' });
  });

  it('is null when the device knows nothing of the record', () => {
    expect(deviceView([v(1, B, { title: 'a' })], 0, A)).toBeNull();
  });

  it("includes the device's own later writes, so typing during a slow sync raises no false conflict", () => {
    const versions = [v(1, A, { title: 'a', narrative: 'n' }), v(2, A, { title: 'ab', narrative: 'n' })];
    const view = deviceView(versions, 1, A);
    expect(view).toEqual({ title: 'ab', narrative: 'n' });
    const result = merge(view, versions[1]!.data, { title: 'abc' });
    expect(result.overlapping).toEqual([]);
    expect(result.data.title).toBe('abc');
  });

  it("takes only the fields the device's own write changed, not others' edits merged into it", () => {
    const versions = [
      v(1, A, { title: 'a', narrative: 'n' }),
      v(2, B, { title: 'a', narrative: 'B text' }),
      v(3, A, { title: 'a2', narrative: 'B text' }),
    ];
    // A resends its whole (stale) narrative: measured against its own view it changed it, and
    // B's text must not be silently overwritten.
    const view = deviceView(versions, 1, A);
    expect(view).toEqual({ title: 'a2', narrative: 'n' });
    const result = merge(view, versions[2]!.data, { narrative: 'n more' });
    expect(result.overlapping).toEqual(['narrative']);
    expect(result.data.narrative).toBe('B text');
  });

  it("remembers the device's own text where its earlier write lost", () => {
    const lost = { id: '00000000-0000-4000-8000-0000000000aa', field: 'narrative', value: 'A text', deviceId: A, at: 't' };
    const versions = [
      v(1, B, { narrative: 'base', conflicts: [] }),
      v(2, B, { narrative: 'B text', conflicts: [] }),
      v(3, A, { narrative: 'B text', conflicts: [lost] }),
    ];
    expect(deviceView(versions, 1, A)).toMatchObject({ narrative: 'A text' });
  });

  it('skips an own write whose previous revision is unknown rather than guess', () => {
    expect(deviceView([v(1, B, { title: 'a' }), v(3, A, { title: 'c' })], 1, A)).toEqual({ title: 'a' });
  });
});
