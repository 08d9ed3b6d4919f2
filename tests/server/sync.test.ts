import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_SYNC_PROTOCOL_VERSION, PullResponse, PushResponse, SYNC_PROTOCOL_VERSION, type Mutation, type PushResult } from '../../src/domain/sync';
import { writeEnrolment } from '../../server/enrolments';
import { writeLearnerProfile } from '../../server/profiles';
import { writeRecord } from '../../server/records';
import { readShippedSpecs, storeSpec } from '../../server/specs';
import { startTestCentre, type TestCentre, type TestUser } from './harness';

let centre: TestCentre;
let centreId: string;
let otherCentreId: string;
let learner: TestUser;
let learner2: TestUser;
let outsider: TestUser;
let assessor: TestUser;
let iqa: TestUser;
let admin: TestUser;
let otherAdmin: TestUser;
const deviceA = randomUUID();
const deviceB = randomUUID();
let tokenA: string;
let tokenB: string;
let token2: string;
const enrolmentId = randomUUID();
const enrolment2Id = randomUUID();
const outsiderEnrolmentId = randomUUID();

beforeAll(async () => {
  centre = await startTestCentre();
  centreId = await centre.createCentre('Sync College');
  otherCentreId = await centre.createCentre('Other College');
  learner = await centre.createUser('learner', centreId);
  learner2 = await centre.createUser('learner', centreId);
  outsider = await centre.createUser('learner', otherCentreId);
  assessor = await centre.createUser('assessor', centreId);
  iqa = await centre.createUser('iqa', centreId);
  admin = await centre.createUser('admin', centreId);
  otherAdmin = await centre.createUser('admin', otherCentreId);
  await centre.db.query('insert into caseloads (assessor_id, learner_id) values ($1, $2)', [assessor.id, learner.id]);
  for (const spec of readShippedSpecs()) await storeSpec(centre.db, spec, null);
  tokenA = await centre.tokenFor(learner, deviceA);
  tokenB = await centre.tokenFor(learner, deviceB);
  token2 = await centre.tokenFor(learner2);
  // learner2's and the outsider's enrolments are made by their centres' admins.
  await centre.db.transaction(async (tx) => {
    for (const [id, user, centre_] of [
      [enrolment2Id, learner2, centreId],
      [outsiderEnrolmentId, outsider, otherCentreId],
    ] as const)
      await writeEnrolment(tx, {
        id,
        centreId: centre_,
        request: { ...enrolmentFields(), learnerId: user.id },
        byUser: null,
        deviceId: null,
        now: centre.now.value,
      });
  });
});
afterAll(async () => {
  await centre.close();
});

function enrolmentFields() {
  return {
    qualificationId: '4520-03',
    qualificationVersion: 1,
    optionalUnitIds: ['J/601/3507'],
    startDate: '2025-10-06',
    plannedEndDate: '2027-07-30',
    plannedOffTheJobHoursPerWeek: 6,
  };
}

function mutation(entity: Mutation['entity'], recordId: string, baseRevision: number, patch: Record<string, unknown>, op: Mutation['op'] = 'upsert'): Mutation {
  return { id: randomUUID(), entity, recordId, op, baseRevision, patch, createdAt: centre.now.value.toISOString() };
}

/** What the device sends for a new item: the whole record but id, dirty flag, revision and conflicts. */
function newEvidence(enrolment: string, content: Record<string, unknown> = {}) {
  const at = centre.now.value.toISOString();
  return {
    enrolmentId: enrolment,
    title: 'Replacing a failed disk',
    narrative: 'I swapped the disk and rebuilt the array.',
    activityDate: '2026-11-20',
    method: 'observation',
    hours: 2,
    offTheJob: false,
    attachments: [],
    criterionIds: ['J/601/3507:1.1'],
    status: 'draft',
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    ...content,
  };
}

async function push(token: string, mutations: Mutation[], deviceId = deviceA): Promise<PushResult[]> {
  const response = await centre.request('POST', '/api/sync/push', { token, body: { protocol: SYNC_PROTOCOL_VERSION, deviceId, mutations } });
  expect(response.status).toBe(200);
  return PushResponse.parse(await response.json()).results;
}

async function pushOne(token: string, m: Mutation, deviceId = deviceA): Promise<PushResult> {
  return (await push(token, [m], deviceId))[0]!;
}

async function pull(token: string, since = '0', limit?: number): Promise<PullResponse> {
  const response = await centre.request('GET', `/api/sync/pull?since=${since}${limit ? `&limit=${limit}` : ''}`, { token });
  expect(response.status).toBe(200);
  return PullResponse.parse(await response.json());
}

async function pullAll(token: string): Promise<PullResponse['changes']> {
  const all: PullResponse['changes'] = [];
  let cursor = '0';
  for (;;) {
    const page = await pull(token, cursor);
    all.push(...page.changes);
    cursor = page.cursor;
    if (!page.more) return all;
  }
}

async function versions(entity: string, id: string): Promise<number> {
  const [row] = await centre.db.query<{ n: number }>('select count(*)::int as n from record_versions where entity = $1 and id = $2', [entity, id]);
  return row!.n;
}

async function record(entity: string, id: string) {
  const [row] = await centre.db.query<{ revision: number; deleted: boolean; data: Record<string, unknown> }>(
    'select revision, deleted, data from records where entity = $1 and id = $2',
    [entity, id],
  );
  return row;
}

async function createEvidence(content: Record<string, unknown> = {}): Promise<string> {
  const id = randomUUID();
  const result = await pushOne(tokenA, mutation('evidence', id, 0, newEvidence(enrolmentId, content)));
  expect(result).toMatchObject({ status: 'applied', revision: 1 });
  return id;
}

describe('learner profile and enrolment', () => {
  it("saves the learner's own profile, kept under their user id", async () => {
    const result = await pushOne(tokenA, mutation('profile', learner.id, 0, { name: 'Lena Learner', employer: 'Acme IT' }));
    expect(result).toMatchObject({ status: 'applied', revision: 1 });
    expect((await record('profile', learner.id))?.data).toMatchObject({ name: 'Lena Learner', employer: 'Acme IT' });
  });

  it("refuses a profile under any other id", async () => {
    const result = await pushOne(tokenA, mutation('profile', learner2.id, 0, { name: 'Not me', employer: 'X' }));
    expect(result).toMatchObject({ status: 'rejected', reason: 'forbidden' });
  });

  it('lets a learner enrol themself, checked against the spec and its registration dates', async () => {
    const at = centre.now.value.toISOString();
    const closed = await pushOne(
      tokenA,
      mutation('enrolment', randomUUID(), 0, { ...enrolmentFields(), learnerId: learner.id, startDate: '2026-10-01', createdAt: at, updatedAt: at }),
    );
    expect(closed).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect((closed as { message: string }).message).toMatch(/closed to new registrations/);

    const unknown = await pushOne(
      tokenA,
      mutation('enrolment', randomUUID(), 0, { ...enrolmentFields(), qualificationVersion: 9, learnerId: learner.id, createdAt: at, updatedAt: at }),
    );
    expect(unknown).toMatchObject({ status: 'rejected', reason: 'invalid' });

    const someoneElse = await pushOne(tokenA, mutation('enrolment', randomUUID(), 0, { ...enrolmentFields(), learnerId: learner2.id, createdAt: at, updatedAt: at }));
    expect(someoneElse).toMatchObject({ status: 'rejected', reason: 'forbidden' });

    const ok = await pushOne(tokenA, mutation('enrolment', enrolmentId, 0, { ...enrolmentFields(), learnerId: learner.id, createdAt: at, updatedAt: at }));
    expect(ok).toMatchObject({ status: 'applied', revision: 1 });
  });

  it('lets the learner change their plan but not the registration details', async () => {
    const [current] = await centre.db.query<{ data: Record<string, unknown> }>(`select data from records where entity = 'enrolment' and id = $1`, [enrolmentId]);
    // Devices resend the whole enrolment: unchanged fields are fine.
    const plan = await pushOne(tokenA, mutation('enrolment', enrolmentId, 1, { ...current!.data, plannedOffTheJobHoursPerWeek: 8, plannedEndDate: '2027-09-30' }));
    expect(plan).toMatchObject({ status: 'applied', revision: 2 });
    const start = await pushOne(tokenA, mutation('enrolment', enrolmentId, 2, { startDate: '2025-01-01' }));
    expect(start).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect((start as { message: string }).message).toMatch(/start \(registration\) date/);
    const badDate = await pushOne(tokenA, mutation('enrolment', enrolmentId, 2, { plannedEndDate: '2025-01-01' }));
    expect(badDate).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect((badDate as { message: string }).message).toMatch(/planned end date must be after the start date/);
  });

  it("refuses changes to another learner's enrolment", async () => {
    const result = await pushOne(tokenA, mutation('enrolment', enrolment2Id, 1, { plannedOffTheJobHoursPerWeek: 1 }));
    expect(result).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect(result).not.toHaveProperty('record');
    expect((await record('enrolment', enrolment2Id))?.revision).toBe(1);
  });
});

describe('push evidence', () => {
  it('creates, edits, soft-deletes and restores an item', async () => {
    const id = await createEvidence();
    const edit = await pushOne(tokenA, mutation('evidence', id, 1, { title: 'Replacing a failed RAID disk', updatedAt: '2026-11-23T10:01:00.000Z' }));
    expect(edit).toMatchObject({ status: 'applied', revision: 2 });
    const del = await pushOne(tokenA, mutation('evidence', id, 2, { deletedAt: '2026-11-23T10:02:00.000Z', updatedAt: '2026-11-23T10:02:00.000Z' }, 'delete'));
    expect(del).toMatchObject({ status: 'applied', revision: 3 });
    expect(await record('evidence', id)).toMatchObject({ revision: 3, deleted: true, data: { deletedAt: '2026-11-23T10:02:00.000Z' } });
    const restore = await pushOne(tokenA, mutation('evidence', id, 3, { deletedAt: null, updatedAt: '2026-11-23T10:03:00.000Z' }));
    expect(restore).toMatchObject({ status: 'applied', revision: 4 });
    const stored = await record('evidence', id);
    expect(stored).toMatchObject({ revision: 4, deleted: false, data: { title: 'Replacing a failed RAID disk', deletedAt: null, updatedAt: '2026-11-23T10:03:00.000Z' } });
    expect(stored?.data).not.toHaveProperty('id');

    const audited = await centre.db.query<{ action: string; device_id: string; detail: { fields: string[] } }>(
      `select action, device_id, detail from audit_log where entity = 'evidence' and record_id = $1 order by id`,
      [id],
    );
    expect(audited.map((a) => a.action)).toEqual(['sync.evidence.create', 'sync.evidence.update', 'sync.evidence.delete', 'sync.evidence.restore']);
    expect(audited[1]).toMatchObject({ device_id: deviceA, detail: { fields: ['title', 'updatedAt'] } });
  });

  it('answers a repeated mutation id with the same result and applies it once', async () => {
    const id = randomUUID();
    const create = mutation('evidence', id, 0, newEvidence(enrolmentId));
    const first = await pushOne(tokenA, create);
    const again = await pushOne(tokenA, create);
    expect(again).toEqual(first);
    expect(await versions('evidence', id)).toBe(1);

    const edit = mutation('evidence', id, 1, { narrative: 'Once only.' });
    const [one, two] = await push(tokenA, [edit, edit]);
    expect(two).toEqual(one);
    expect(await record('evidence', id)).toMatchObject({ revision: 2 });
    expect(await versions('evidence', id)).toBe(2);

    // Two pushes of the same outbox racing each other (a retry while the first is still running).
    const race = mutation('evidence', id, 2, { hours: 4 });
    const [r1, r2] = await Promise.all([pushOne(tokenA, race), pushOne(tokenA, race)]);
    expect(r1).toEqual(r2);
    expect(await versions('evidence', id)).toBe(3);
  });

  it('keeps both texts when two devices edit the same narrative', async () => {
    const id = await createEvidence({ narrative: 'Original.' });
    const fromA = await pushOne(tokenA, mutation('evidence', id, 1, { narrative: 'Written on the phone.', title: 'Phone title' }), deviceA);
    expect(fromA).toMatchObject({ status: 'applied', revision: 2 });
    const fromB = await pushOne(tokenB, mutation('evidence', id, 1, { narrative: 'Written on the tablet.', hours: 3 }), deviceB);
    expect(fromB).toMatchObject({ status: 'conflict', revision: 3, fields: ['narrative'] });
    if (fromB.status !== 'conflict') throw new Error('expected a conflict');
    expect(fromB.record.data).toMatchObject({ narrative: 'Written on the phone.', title: 'Phone title', hours: 3 });
    expect(fromB.record.data.conflicts).toEqual([
      expect.objectContaining({ field: 'narrative', value: 'Written on the tablet.', deviceId: deviceB }),
    ]);
    expect((await pull(tokenA)).changes.find((c) => c.id === id)?.data.conflicts).toHaveLength(1);
  });

  it('does not raise a conflict when a device keeps typing before its last push was answered', async () => {
    const id = await createEvidence({ narrative: 'Draft' });
    // Both name revision 1: the device had not yet heard that its first edit became revision 2.
    const [first, second] = await push(tokenA, [
      mutation('evidence', id, 1, { narrative: 'Draft, more' }),
      mutation('evidence', id, 1, { narrative: 'Draft, more and more' }),
    ]);
    expect(first).toMatchObject({ status: 'applied', revision: 2 });
    expect(second).toMatchObject({ status: 'applied', revision: 3 });
    expect((await record('evidence', id))?.data).toMatchObject({ narrative: 'Draft, more and more', conflicts: [] });
  });

  it('lets the user resolve a conflict copy', async () => {
    const id = await createEvidence({ narrative: 'Original.' });
    await pushOne(tokenA, mutation('evidence', id, 1, { narrative: 'A' }), deviceA);
    const conflict = await pushOne(tokenB, mutation('evidence', id, 1, { narrative: 'B' }), deviceB);
    if (conflict.status !== 'conflict') throw new Error('expected a conflict');
    const resolved = await pushOne(tokenB, mutation('evidence', id, conflict.revision, { narrative: 'A and B', conflicts: [] }), deviceB);
    expect(resolved).toMatchObject({ status: 'applied' });
    expect((await record('evidence', id))?.data).toMatchObject({ narrative: 'A and B', conflicts: [] });
  });

  it('submits a complete draft, refuses an incomplete one, and leaves other statuses to the assessor', async () => {
    const id = await createEvidence();
    expect(await pushOne(tokenA, mutation('evidence', id, 1, { status: 'accepted' }))).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect(await pushOne(tokenA, mutation('evidence', id, 1, { status: 'submitted' }))).toMatchObject({ status: 'applied', revision: 2 });

    const empty = randomUUID();
    const result = await pushOne(tokenA, mutation('evidence', empty, 0, newEvidence(enrolmentId, { title: '', status: 'submitted' })));
    expect(result).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect((result as { message: string }).message).toMatch(/Give the evidence a title/);
  });

  it('refuses changes to accepted or signed-off evidence and answers with the record', async () => {
    const id = await createEvidence({ status: 'submitted' });
    // The assessor's decision, as a later issue's route will write it.
    const stored = await record('evidence', id);
    await centre.db.transaction((tx) =>
      writeRecord(tx, { entity: 'evidence', id, centreId, learnerId: learner.id, data: { ...stored!.data, status: 'signed-off' }, byUser: assessor.id, deviceId: null }),
    );
    const result = await pushOne(tokenA, mutation('evidence', id, 1, { narrative: 'A late change.' }));
    expect(result).toMatchObject({ status: 'rejected', reason: 'locked', record: { id, revision: 2, data: { status: 'signed-off' } } });
    expect((result as { message: string }).message).toMatch(/signed off/);
    expect((await pushOne(tokenA, mutation('evidence', id, 2, { deletedAt: 'x' }, 'delete'))).status).toBe('rejected');
  });

  it("refuses another learner's evidence and enrolments", async () => {
    const id = await createEvidence();
    const edit = await pushOne(token2, mutation('evidence', id, 1, { title: 'Mine now' }));
    expect(edit).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    expect(edit).not.toHaveProperty('record');
    const intoTheirs = await pushOne(token2, mutation('evidence', randomUUID(), 0, newEvidence(enrolmentId)));
    expect(intoTheirs).toMatchObject({ status: 'rejected', reason: 'not-found' });
    const otherCentre = await pushOne(tokenA, mutation('evidence', randomUUID(), 0, newEvidence(outsiderEnrolmentId)));
    expect(otherCentre).toMatchObject({ status: 'rejected', reason: 'not-found' });
    expect((await record('evidence', id))?.revision).toBe(1);
  });

  it('refuses pushes from assessors, IQAs and admins with a readable reason', async () => {
    const id = await createEvidence();
    for (const user of [assessor, iqa, admin]) {
      const result = await pushOne(await centre.tokenFor(user), mutation('evidence', id, 1, { title: 'Changed by staff' }));
      expect(result).toMatchObject({ status: 'rejected', reason: 'forbidden' });
      expect((result as { message: string }).message.length).toBeGreaterThan(20);
    }
    expect((await record('evidence', id))?.revision).toBe(1);
  });

  it('rejects invalid data with the schema message', async () => {
    const id = await createEvidence();
    const negative = await pushOne(tokenA, mutation('evidence', id, 1, { hours: -1 }));
    expect(negative).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect((negative as { message: string }).message).toMatch(/Hours cannot be negative/);
    const unknownField = await pushOne(tokenA, mutation('evidence', id, 1, { grade: 'A*' }));
    expect(unknownField).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect((unknownField as { message: string }).message).toMatch(/grade/);
    const moved = await pushOne(tokenA, mutation('evidence', id, 1, { enrolmentId: enrolment2Id }));
    expect(moved).toMatchObject({ status: 'rejected', reason: 'forbidden' });
    const badId = await pushOne(tokenA, mutation('evidence', 'not-a-uuid', 0, newEvidence(enrolmentId)));
    expect(badId).toMatchObject({ status: 'rejected', reason: 'invalid' });
    const noRecord = await pushOne(tokenA, mutation('evidence', randomUUID(), 3, { title: 'x' }));
    expect(noRecord).toMatchObject({ status: 'rejected', reason: 'not-found' });
  });

  it('refuses evidence naming files the centre does not hold, and accepts it once they are uploaded', async () => {
    const hash = 'ab'.repeat(32);
    const attachments = [{ id: hash, name: 'photo.jpg', type: 'image/jpeg', size: 3 }];
    const create = mutation('evidence', randomUUID(), 0, newEvidence(enrolmentId, { attachments }));
    expect(await pushOne(tokenA, create)).toMatchObject({ status: 'rejected', reason: 'missing-attachment' });

    // Held for another learner does not count.
    await centre.db.query(`insert into attachments (sha256, size, type) values ($1, 3, 'image/jpeg')`, [hash]);
    await centre.db.query('insert into attachment_owners (sha256, learner_id) values ($1, $2)', [hash, learner2.id]);
    expect(await pushOne(tokenA, create)).toMatchObject({ status: 'rejected', reason: 'missing-attachment' });

    // The upload finished: the same mutation id now goes through.
    await centre.db.query('insert into attachment_owners (sha256, learner_id) values ($1, $2)', [hash, learner.id]);
    expect(await pushOne(tokenA, create)).toMatchObject({ status: 'applied', revision: 1 });
  });
});

describe('pull', () => {
  it('pages through changes with a strictly increasing cursor and no repeats', async () => {
    const seen = new Set<string>();
    let cursor = '0';
    let pages = 0;
    for (;;) {
      const page = await pull(tokenA, cursor, 2);
      pages++;
      expect(page.changes.length).toBeLessThanOrEqual(2);
      if (page.changes.length > 0) expect(BigInt(page.cursor)).toBeGreaterThan(BigInt(cursor));
      for (const change of page.changes) {
        expect(seen.has(`${change.entity}:${change.id}`)).toBe(false);
        seen.add(`${change.entity}:${change.id}`);
      }
      cursor = page.cursor;
      if (!page.more) break;
    }
    expect(pages).toBeGreaterThan(2);
    expect(seen.has(`profile:${learner.id}`)).toBe(true);
    expect(seen.has(`enrolment:${enrolmentId}`)).toBe(true);

    // Nothing new: the same cursor back. Then one change: only that one.
    expect(await pull(tokenA, cursor)).toEqual({ changes: [], cursor, more: false });
    const id = await createEvidence();
    const next = await pull(tokenA, cursor);
    expect(next.changes.map((c) => c.id)).toEqual([id]);
    expect(next.changes[0]).toMatchObject({ entity: 'evidence', revision: 1, deleted: false, data: { title: 'Replacing a failed disk' } });
    expect(BigInt(next.cursor)).toBeGreaterThan(BigInt(cursor));
  });

  it("gives each role only the records in its scope", async () => {
    const owners = async (token: string) => {
      const changes = await pullAll(token);
      const [rows] = [
        await centre.db.query<{ entity: string; id: string; learner_id: string }>('select entity, id, learner_id from records'),
      ];
      const ownerOf = new Map(rows.map((r) => [`${r.entity}:${r.id}`, r.learner_id]));
      return new Set(changes.map((c) => ownerOf.get(`${c.entity}:${c.id}`)));
    };
    expect(await owners(tokenA)).toEqual(new Set([learner.id]));
    expect(await owners(token2)).toEqual(new Set([learner2.id]));
    expect(await owners(await centre.tokenFor(assessor))).toEqual(new Set([learner.id]));
    expect(await owners(await centre.tokenFor(iqa))).toEqual(new Set([learner.id, learner2.id]));
    expect(await owners(await centre.tokenFor(admin))).toEqual(new Set([learner.id, learner2.id]));
    expect(await owners(await centre.tokenFor(otherAdmin))).toEqual(new Set([outsider.id]));
    expect(await owners(await centre.tokenFor(outsider))).toEqual(new Set([outsider.id]));
  });

  it('brings an assessor the whole portfolio of a learner added to their caseload, records older than their cursor included', async () => {
    const newAssessor = await centre.createUser('assessor', centreId);
    const tabletToken = await centre.tokenFor(newAssessor);
    const pullFrom = async (since: string) => {
      const changes: PullResponse['changes'] = [];
      for (let cursor = since; ; ) {
        const page = await pull(tabletToken, cursor);
        changes.push(...page.changes);
        cursor = page.cursor;
        if (!page.more) return { changes, cursor };
      }
    };
    const adminToken = await centre.tokenFor(admin);
    const setCaseload = async (learnerIds: string[]) =>
      expect((await centre.request('PUT', `/api/admin/caseloads/${newAssessor.id}`, { token: adminToken, body: { learnerIds } })).status).toBe(200);
    // The tablet syncs a caseload of one learner, who has just logged an item: its cursor is then
    // past every record of learner2's portfolio, written before.
    await setCaseload([learner.id]);
    expect((await pushOne(tokenA, mutation('evidence', randomUUID(), 0, newEvidence(enrolmentId, { title: 'Patch panel labelled' })))).status).toBe('applied');
    const first = await pullFrom('0');
    const portfolio = await centre.db.query<{ entity: string; id: string; revision: number; seq: string }>('select entity, id, revision, seq::text from records where learner_id = $1', [learner2.id]);
    expect(portfolio.length).toBeGreaterThan(0);
    expect(portfolio.every((r) => BigInt(r.seq) < BigInt(first.cursor))).toBe(true);
    const learnerBefore = await pullAll(token2);

    await setCaseload([learner.id, learner2.id]);
    const next = await pullFrom(first.cursor);
    const key = (r: { entity: string; id: string; revision: number }) => `${r.entity}:${r.id}@${r.revision}`;
    expect(next.changes.map(key).sort()).toEqual(portfolio.map(key).sort());
    // Nothing changed but the numbering: the learner reads the same records, each once.
    expect((await pullAll(token2)).map(key).sort()).toEqual(learnerBefore.map(key).sort());
    // Setting the same caseload again adds no one, so nothing is sent again.
    await setCaseload([learner2.id, learner.id]);
    expect((await pullFrom(next.cursor)).changes).toEqual([]);

    // Taken off the caseload: the tablet is told to drop each of learner2's records (ids only),
    // nothing of learner's, and learner2's own device hears nothing of it.
    let learnerCursor = '0';
    for (let more = true; more; ) ({ cursor: learnerCursor, more } = await pull(token2, learnerCursor));
    await setCaseload([learner.id]);
    const off = await pullFrom(next.cursor);
    expect(off.changes.map((c) => ({ entity: c.entity, id: c.id, deleted: c.deleted, data: c.data })).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      portfolio.map((r) => ({ entity: r.entity, id: r.id, deleted: true, data: {} })).sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect((await pull(token2, learnerCursor)).changes).toEqual([]);
    // Put back: the tombstones are not sent again, and the portfolio comes whole after them.
    await setCaseload([learner.id, learner2.id]);
    const back = await pullFrom(off.cursor);
    expect(back.changes.every((c) => !c.deleted)).toBe(true);
    expect(back.changes.map(key).sort()).toEqual(portfolio.map(key).sort());
    expect((await pullFrom('0')).changes.filter((c) => c.deleted)).toEqual([]);
  });

  it('tells the tablet to drop a learner who stops being one, as when taken off the caseload', async () => {
    const tabletOwner = await centre.createUser('assessor', centreId);
    const newcomer = await centre.createUser('learner', centreId);
    // As the admin's "add a learner" makes it.
    await centre.db.transaction((tx) => writeLearnerProfile(tx, { learnerId: newcomer.id, centreId, name: 'Ola Newcomer', byUser: admin.id }));
    const tabletToken = await centre.tokenFor(tabletOwner);
    const adminToken = await centre.tokenFor(admin);
    expect((await centre.request('PUT', `/api/admin/caseloads/${tabletOwner.id}`, { token: adminToken, body: { learnerIds: [newcomer.id] } })).status).toBe(200);
    const held = await pullAll(tabletToken);
    // The newcomer's profile: the only record of someone with no portfolio.
    const profiles = await centre.db.query<{ entity: string; id: string }>('select entity, id from records where learner_id = $1', [newcomer.id]);
    expect(profiles.length).toBeGreaterThan(0);
    expect(held.filter((c) => !c.deleted).map((c) => c.id).sort()).toEqual(profiles.map((r) => r.id).sort());
    let cursor = '0';
    for (let more = true; more; ) ({ cursor, more } = await pull(tabletToken, cursor));

    expect((await centre.request('PATCH', `/api/admin/users/${newcomer.id}`, { token: adminToken, body: { role: 'assessor' } })).status).toBe(200);
    const after = await pull(tabletToken, cursor);
    expect(after.changes.map((c) => ({ entity: c.entity, id: c.id, deleted: c.deleted }))).toEqual(profiles.map((r) => ({ entity: r.entity, id: r.id, deleted: true })));
  });

  it('refuses a malformed cursor or limit and a caller who is not signed in', async () => {
    for (const query of ['since=abc', 'since=-1', 'since=99999999999999999999', 'since=9999999999999999999', 'limit=0', 'limit=100000']) {
      const response = await centre.request('GET', `/api/sync/pull?${query}`, { token: tokenA });
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
    expect((await centre.request('GET', '/api/sync/pull')).status).toBe(401);
  });
});

describe('push requests', () => {
  it('tells an app too old for the protocol to update, without touching its outbox', async () => {
    const response = await centre.request('POST', '/api/sync/push', {
      token: tokenA,
      body: { protocol: MIN_SYNC_PROTOCOL_VERSION - 1, deviceId: deviceA, mutations: [] },
    });
    expect(response.status).toBe(426);
    expect(await response.json()).toEqual({
      error: 'update-required',
      message: 'This version of the app is too old for your centre: update it (your unsynced work stays on this device).',
    });
  });

  it('refuses a batch over 5 MB with 413', async () => {
    const huge = newEvidence(enrolmentId, { narrative: 'x'.repeat(6 * 1024 * 1024) });
    const response = await centre.request('POST', '/api/sync/push', {
      token: tokenA,
      body: { protocol: SYNC_PROTOCOL_VERSION, deviceId: deviceA, mutations: [mutation('evidence', randomUUID(), 0, huge)] },
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'too-large' });
  });

  it('refuses malformed batches with 400 and a readable message', async () => {
    for (const body of ['not json', { protocol: SYNC_PROTOCOL_VERSION, deviceId: deviceA, mutations: [] }, { protocol: SYNC_PROTOCOL_VERSION, deviceId: 'x', mutations: [{}] }]) {
      const response = await centre.request('POST', '/api/sync/push', { token: tokenA, body });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
    expect((await centre.request('POST', '/api/sync/push', { body: { protocol: 1 } })).status).toBe(401);
  });
});
