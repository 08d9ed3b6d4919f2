import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawSample, SampleResponse, SamplingPlanList, SamplingPlanSummary, IqaLockedItemList, CentreAssessorList, type SamplingPlan } from '../../src/domain/sampling';
import type { Decision } from '../../src/domain/signoff';
import { writeEnrolment } from '../../server/enrolments';
import { writeRecord } from '../../server/records';
import { loadCandidates } from '../../server/sampling';
import { readShippedSpecs, storeSpec } from '../../server/specs';
import { startTestCentre, type TestCentre, type TestUser } from './harness';

let centre: TestCentre;
let centreId: string;
let otherCentreId: string;
let iqa: TestUser;
let secondIqa: TestUser;
let assessor: TestUser;
let secondAssessor: TestUser;
let otherCentreAssessor: TestUser;
let learner: TestUser;
let admin: TestUser;
let otherAdmin: TestUser;
const tokens: Record<string, string> = {};
const enrolmentId = randomUUID();
/** Evidence id -> the assessment decision id made on it. */
const assessed = new Map<string, string>();
let lockedItemId: string;
let lockDecisionId: string;

const UNIT_A = 'D/503/5549';
const UNIT_B = 'J/601/3507';

function decision(id: string, signer: TestUser, fields: Partial<Decision>): Omit<Decision, 'id'> {
  const { id: _id, ...rest } = {
    id,
    kind: 'assessment' as const,
    outcome: 'accepted' as const,
    learnerId: learner.id,
    enrolmentId,
    unitId: null,
    subjectId: null,
    evidence: [],
    criterionIds: [],
    feedback: { overall: 'Clear and complete.', criteria: {} },
    signer: { userId: signer.id, name: signer.name, role: signer.role },
    signedFor: null,
    drawnSignature: null,
    signedAt: '2026-11-01T10:00:00.000Z',
    keyId: randomUUID(),
    signature: 'A'.repeat(86),
    ...fields,
  };
  return rest;
}

/** Seeds an evidence item and a decision on it, as the sync tests seed records. */
async function assessedItem(by: TestUser, method: string, criterionIds: string[], outcome: 'accepted' | 'referred' = 'accepted', iqaLock: { decisionId: string; at: string } | null = null): Promise<string> {
  const evidenceId = randomUUID();
  const decisionId = randomUUID();
  await centre.db.transaction(async (tx) => {
    const base = { centreId, learnerId: learner.id, byUser: learner.id, deviceId: null };
    await writeRecord(tx, {
      ...base,
      entity: 'evidence',
      id: evidenceId,
      data: { enrolmentId, title: `${method} item`, method, status: outcome === 'accepted' ? 'signed-off' : 'referred', criterionIds, attachments: [], iqaLock },
    });
    await writeRecord(tx, {
      ...base,
      byUser: by.id,
      entity: 'decision',
      id: decisionId,
      data: decision(decisionId, by, { outcome, criterionIds, evidence: [{ id: evidenceId, contentHash: 'a'.repeat(64), attachments: [] }] }),
    });
  });
  assessed.set(evidenceId, decisionId);
  return evidenceId;
}

function newPlan(fields: Partial<SamplingPlan> = {}): SamplingPlan {
  return { id: randomUUID(), assessorId: assessor.id, percentage: 50, unitIds: [], stage: 'interim', methods: [], ...fields };
}

beforeAll(async () => {
  centre = await startTestCentre();
  centreId = await centre.createCentre('Sampling College');
  otherCentreId = await centre.createCentre('Other College');
  iqa = await centre.createUser('iqa', centreId, { name: 'Grace Mensah' });
  secondIqa = await centre.createUser('iqa', centreId);
  assessor = await centre.createUser('assessor', centreId, { name: 'Tom Okafor' });
  secondAssessor = await centre.createUser('assessor', centreId, { name: 'Hannah Lewis' });
  otherCentreAssessor = await centre.createUser('assessor', otherCentreId);
  learner = await centre.createUser('learner', centreId, { name: 'Jordan Ellis' });
  admin = await centre.createUser('admin', centreId);
  otherAdmin = await centre.createUser('admin', otherCentreId);
  for (const user of [iqa, secondIqa, assessor, learner, admin, otherAdmin]) tokens[user.id] = await centre.tokenFor(user);
  for (const spec of readShippedSpecs()) await storeSpec(centre.db, spec, null);
  await centre.db.transaction(async (tx) => {
    await writeEnrolment(tx, {
      id: enrolmentId,
      centreId,
      request: {
        learnerId: learner.id,
        qualificationId: '4520-03',
        qualificationVersion: 1,
        optionalUnitIds: [UNIT_B],
        startDate: '2025-10-06',
        plannedEndDate: '2027-07-30',
        plannedOffTheJobHoursPerWeek: 6,
      },
      byUser: null,
      deviceId: null,
      now: centre.now.value,
    });
  });

  // Tom's decisions: four in unit A, one in unit B by observation, one referral.
  for (const criterion of ['1.1', '1.2', '1.3', '2.2']) await assessedItem(assessor, 'portfolio-product', [`${UNIT_A}:${criterion}`]);
  await assessedItem(assessor, 'observation', [`${UNIT_B}:1.1`]);
  await assessedItem(assessor, 'questioning', [`${UNIT_A}:1.1`], 'referred');
  // Hannah's decision on the same learner: never in Tom's sample.
  await assessedItem(secondAssessor, 'observation', [`${UNIT_A}:1.1`]);
  // An item Grace agreed with (locked), with her IQA decision.
  lockDecisionId = randomUUID();
  lockedItemId = await assessedItem(assessor, 'portfolio-product', [`${UNIT_A}:2.1`], 'accepted', { decisionId: lockDecisionId, at: '2026-11-10T09:00:00.000Z' });
  await centre.db.transaction(async (tx) => {
    await writeRecord(tx, {
      entity: 'decision',
      id: lockDecisionId,
      centreId,
      learnerId: learner.id,
      byUser: iqa.id,
      deviceId: null,
      data: decision(lockDecisionId, iqa, {
        kind: 'iqa',
        outcome: 'agreed',
        subjectId: assessed.get(lockedItemId)!,
        evidence: [{ id: lockedItemId, contentHash: 'a'.repeat(64), attachments: [] }],
        feedback: { overall: 'Sound judgement.', criteria: {} },
        signedAt: '2026-11-10T09:00:00.000Z',
      }),
    });
  });
});
afterAll(async () => {
  await centre.close();
});

const as = (user: TestUser) => ({ token: tokens[user.id]! });

describe('sampling plans', () => {
  it('lets an IQA make a plan for an assessor of their centre, with a seed the centre makes, and audits it', async () => {
    const plan = newPlan({ unitIds: [UNIT_A], methods: ['observation'] });
    // A seed the device sends is not the IQA's to choose: the centre makes its own.
    const response = await centre.request('POST', '/api/iqa/plans', { ...as(iqa), body: { ...plan, seed: 'chosen-by-the-iqa' } });
    expect(response.status, await response.clone().text()).toBe(201);
    const created = SamplingPlanSummary.parse(await response.json());
    expect(created).toMatchObject({ ...plan, iqaId: iqa.id, iqaName: 'Grace Mensah', assessorName: 'Tom Okafor' });
    expect(created.seed).toMatch(/^[0-9a-f]{32}$/);
    expect(created.seed).not.toBe(plan.id.replaceAll('-', ''));

    const list = SamplingPlanList.parse(await (await centre.request('GET', '/api/iqa/plans', as(admin))).json());
    expect(list.plans.map((p) => p.id)).toContain(plan.id);
    const [entry] = await centre.db.query<{ action: string; user_id: string; detail: Record<string, unknown> }>(
      `select action, user_id, detail from audit_log where record_id = $1`,
      [plan.id],
    );
    expect(entry).toMatchObject({ action: 'sampling-plan-created', user_id: iqa.id, detail: { percentage: 50, unitIds: [UNIT_A], seed: created.seed } });

    // Every plan gets its own seed, and changing a plan keeps it (the audit trail says which draw was made).
    const second = SamplingPlanSummary.parse(await (await centre.request('POST', '/api/iqa/plans', { ...as(iqa), body: newPlan() })).json());
    expect(second.seed).not.toBe(created.seed);
    const changed = SamplingPlanSummary.parse(await (await centre.request('PUT', `/api/iqa/plans/${plan.id}`, { ...as(iqa), body: { ...plan, percentage: 20, seed: 'x' } })).json());
    expect(changed.seed).toBe(created.seed);
  });

  it("answers 404 for another centre's assessor, and for someone who is not an assessor", async () => {
    for (const assessorId of [otherCentreAssessor.id, learner.id, randomUUID()]) {
      const response = await centre.request('POST', '/api/iqa/plans', { ...as(iqa), body: newPlan({ assessorId }) });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'not-found', message: expect.stringContaining('no such assessor') });
    }
    expect(await centre.db.query('select 1 from sampling_plans where assessor_id = $1', [otherCentreAssessor.id])).toEqual([]);
  });

  it('refuses assessors, learners and admins with 403, and bad bodies with the reasons', async () => {
    for (const user of [assessor, learner, admin]) {
      const response = await centre.request('POST', '/api/iqa/plans', { ...as(user), body: newPlan() });
      expect(response.status).toBe(403);
    }
    const bad = await centre.request('POST', '/api/iqa/plans', { ...as(iqa), body: { ...newPlan(), percentage: 0, stage: 'final' } });
    expect(bad.status).toBe(400);
    const { message } = (await bad.json()) as { message: string };
    expect(message).toContain('Sample at least 1% of the decisions');
    expect(message).toContain('stage');
    const unknownUnit = await centre.request('POST', '/api/iqa/plans', { ...as(iqa), body: newPlan({ unitIds: ['Z/999/9999'] }) });
    expect(unknownUnit.status).toBe(400);
    expect(await unknownUnit.json()).toMatchObject({ error: 'unknown-units', message: expect.stringContaining('Z/999/9999') });
  });

  it("lets only the plan's IQA change it; another centre's admin cannot see it", async () => {
    const plan = newPlan();
    expect((await centre.request('POST', '/api/iqa/plans', { ...as(iqa), body: plan })).status).toBe(201);
    const changed = { ...plan, percentage: 20, assessorId: secondAssessor.id };
    const byOther = await centre.request('PUT', `/api/iqa/plans/${plan.id}`, { ...as(secondIqa), body: changed });
    expect(byOther.status).toBe(403);
    expect(await byOther.json()).toMatchObject({ error: 'not-your-plan', message: expect.stringContaining('Grace Mensah') });

    const mismatch = await centre.request('PUT', `/api/iqa/plans/${plan.id}`, { ...as(iqa), body: { ...changed, id: randomUUID() } });
    expect(mismatch.status).toBe(400);

    const updated = await centre.request('PUT', `/api/iqa/plans/${plan.id}`, { ...as(iqa), body: changed });
    expect(updated.status).toBe(200);
    expect(SamplingPlanSummary.parse(await updated.json())).toMatchObject({ percentage: 20, assessorName: 'Hannah Lewis' });
    const audits = await centre.db.query<{ action: string; detail: { before: { percentage: number }; after: { percentage: number } } }>(
      `select action, detail from audit_log where record_id = $1 and action = 'sampling-plan-updated'`,
      [plan.id],
    );
    expect(audits.map((a) => [a.detail.before.percentage, a.detail.after.percentage])).toEqual([[50, 20]]);

    expect((await centre.request('GET', `/api/iqa/plans/${plan.id}/sample`, as(otherAdmin))).status).toBe(404);
    expect((await centre.request('PUT', `/api/iqa/plans/${randomUUID()}`, { ...as(iqa), body: changed })).status).toBe(400);
  });
});

describe('the sample', () => {
  it("draws from that assessor's decisions only, the same every time, and reports what it could not cover", async () => {
    const plan = newPlan({ percentage: 30, methods: ['observation', 'rpl'], unitIds: [UNIT_A, UNIT_B] });
    const created = await centre.request('POST', '/api/iqa/plans', { ...as(iqa), body: plan });
    expect(created.status).toBe(201);
    const { seed } = SamplingPlanSummary.parse(await created.json());

    const first = SampleResponse.parse(await (await centre.request('GET', `/api/iqa/plans/${plan.id}/sample`, as(iqa))).json());
    // The sample says which seed drew it, the plan's.
    expect(first.seed).toBe(seed);
    expect(first.plan.seed).toBe(seed);
    const tomsDecisions = new Set([...assessed.values()].filter((_, i) => i !== 6));
    // Tom's seven decisions are all interim (no unit sign-off yet).
    expect(first.population).toBe(7);
    expect(first.target).toBe(3);
    expect(first.picks.length).toBeGreaterThanOrEqual(3);
    for (const pick of first.picks) {
      expect(tomsDecisions.has(pick.candidate.decisionId)).toBe(true);
      expect(pick.candidate.assessorName).toBe('Tom Okafor');
      expect(pick.candidate.learnerName).toBe('Jordan Ellis');
    }
    const picked = first.picks.map((p) => p.candidate);
    expect(picked.some((c) => c.method === 'observation')).toBe(true);
    expect(picked.some((c) => c.unitIds.includes(UNIT_A))).toBe(true);
    expect(picked.some((c) => c.unitIds.includes(UNIT_B))).toBe(true);
    expect(first.unmet).toEqual([{ kind: 'method', methodId: 'rpl' }]);

    // Anyone in the centre who may read it re-draws the same sample.
    const again = SampleResponse.parse(await (await centre.request('GET', `/api/iqa/plans/${plan.id}/sample`, as(admin))).json());
    expect(again.picks.map((p) => p.candidate.decisionId)).toEqual(first.picks.map((p) => p.candidate.decisionId));
    // It is the pure draw over the centre's candidates with the plan's seed.
    const caller = { userId: iqa.id, centreId, role: 'iqa' as const, name: iqa.name, email: iqa.email, sessionId: '', deviceId: '' };
    const local = drawSample(plan, await loadCandidates(centre.db, caller, assessor.id), seed);
    expect(local.picks.map((p) => p.candidate.decisionId)).toEqual(first.picks.map((p) => p.candidate.decisionId));
  });

  it('shows the IQA lock and verdict on a sampled decision', async () => {
    const plan = newPlan({ percentage: 100 });
    await centre.request('POST', '/api/iqa/plans', { ...as(iqa), body: plan });
    const sample = SampleResponse.parse(await (await centre.request('GET', `/api/iqa/plans/${plan.id}/sample`, as(iqa))).json());
    const locked = sample.picks.find((p) => p.candidate.evidenceId === lockedItemId)!.candidate;
    expect(locked.iqaLock).toEqual({ decisionId: lockDecisionId, at: '2026-11-10T09:00:00.000Z', by: 'Grace Mensah' });
    expect(locked.iqaVerdicts).toMatchObject([{ outcome: 'agreed', by: 'Grace Mensah', feedback: 'Sound judgement.' }]);
    const referral = sample.picks.find((p) => p.candidate.outcome === 'referred')!.candidate;
    expect(referral.method).toBe('questioning');
  });
});

describe('assessors and locks', () => {
  it("lists the caller's centre's assessors only", async () => {
    const list = CentreAssessorList.parse(await (await centre.request('GET', '/api/iqa/assessors', as(iqa))).json());
    expect(list.assessors.map((a) => a.name)).toEqual(['Hannah Lewis', 'Tom Okafor']);
    const other = CentreAssessorList.parse(await (await centre.request('GET', '/api/iqa/assessors', as(otherAdmin))).json());
    expect(other.assessors.map((a) => a.id)).toEqual([otherCentreAssessor.id]);
    expect((await centre.request('GET', '/api/iqa/assessors', as(assessor))).status).toBe(403);
  });

  it('lists IQA-locked items with who locked them, by learner', async () => {
    const all = IqaLockedItemList.parse(await (await centre.request('GET', '/api/iqa/locks', as(admin))).json());
    expect(all.items).toEqual([
      { evidenceId: lockedItemId, title: 'portfolio-product item', learnerId: learner.id, learnerName: 'Jordan Ellis', lock: { decisionId: lockDecisionId, at: '2026-11-10T09:00:00.000Z', by: 'Grace Mensah' } },
    ]);
    const none = IqaLockedItemList.parse(await (await centre.request('GET', `/api/iqa/locks?learnerId=${randomUUID()}`, as(admin))).json());
    expect(none.items).toEqual([]);
    const elsewhere = IqaLockedItemList.parse(await (await centre.request('GET', '/api/iqa/locks', as(otherAdmin))).json());
    expect(elsewhere.items).toEqual([]);
    expect((await centre.request('GET', '/api/iqa/locks?learnerId=nope', as(admin))).status).toBe(400);
  });
});

describe('stages', () => {
  it('samples summative decisions only from items a unit sign-off lists, and interim ones only from the rest', async () => {
    const unitItems = [...assessed.entries()].slice(0, 2);
    const unitDecisionId = randomUUID();
    await centre.db.transaction(async (tx) => {
      await writeRecord(tx, {
        entity: 'decision',
        id: unitDecisionId,
        centreId,
        learnerId: learner.id,
        byUser: assessor.id,
        deviceId: null,
        data: decision(unitDecisionId, assessor, { kind: 'unit', outcome: 'signed-off', unitId: UNIT_A, evidence: unitItems.map(([id]) => ({ id, contentHash: 'a'.repeat(64), attachments: [] })) }),
      });
    });
    const draw = async (stage: SamplingPlan['stage']) => {
      const plan = newPlan({ percentage: 100, stage });
      expect((await centre.request('POST', '/api/iqa/plans', { ...as(iqa), body: plan })).status).toBe(201);
      return SampleResponse.parse(await (await centre.request('GET', `/api/iqa/plans/${plan.id}/sample`, as(iqa))).json());
    };
    const summative = await draw('summative');
    expect(summative.picks.map((p) => p.candidate.decisionId).sort()).toEqual(unitItems.map(([, d]) => d).sort());
    expect(summative.picks.every((p) => p.candidate.inUnitSignOff)).toBe(true);
    const interim = await draw('interim');
    // Seven decisions of Tom's in all: two went into the unit sign-off.
    expect(interim.population).toBe(5);
    expect(interim.picks.some((p) => p.candidate.inUnitSignOff)).toBe(false);
  });
});
