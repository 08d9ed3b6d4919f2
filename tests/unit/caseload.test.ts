import { afterEach, describe, expect, it } from 'vitest';
import { caseloadLearners } from '../../src/data/caseload';
import { deleteDatabase, useDatabase } from '../../src/data/db';
import { decideOnEvidence } from '../../src/data/decisions';
import { databaseNameFor, forgetSignIn } from '../../src/data/session';
import { AMBER_MARGIN, byAttention, caseloadFigures, GREEN_MARGIN, ragStatus, timeUsedPercent } from '../../src/domain/caseload';
import type { EvidenceForProgress } from '../../src/domain/progress';
import { ASSESSOR, assessorDevice, DRAWN, ENROLMENT_ID, TEST_SPEC } from '../assessment-fixture';
import { LEARNER } from '../fake-centre';

afterEach(async () => {
  await forgetSignIn();
});

// 100 days from start to planned end, so a day is one point of the planned time.
const plan = { startDate: '2026-01-01', plannedEndDate: '2026-04-11' };
const halfway = '2026-02-20';

describe('RAG against the planned end date', () => {
  it('measures the share of the planned time used, within 0 and 100', () => {
    expect(timeUsedPercent(plan.startDate, plan.plannedEndDate, halfway)).toBe(50);
    expect(timeUsedPercent(plan.startDate, plan.plannedEndDate, '2025-12-01')).toBe(0);
    expect(timeUsedPercent(plan.startDate, plan.plannedEndDate, '2026-06-01')).toBe(100);
  });

  it('is green up to 10 points behind, amber up to 25, red beyond', () => {
    const rag = (percentAssessed: number) => ragStatus({ ...plan, today: halfway, percentAssessed }).rag;
    expect([GREEN_MARGIN, AMBER_MARGIN]).toEqual([10, 25]);
    expect(rag(70)).toBe('green');
    expect(rag(40)).toBe('green');
    expect(rag(39)).toBe('amber');
    expect(rag(25)).toBe('amber');
    expect(rag(24)).toBe('red');
    expect(rag(0)).toBe('red');
  });

  it('explains the status in words', () => {
    expect(ragStatus({ ...plan, today: halfway, percentAssessed: 42 }).reason).toBe('42% assessed, 50% of the planned time used: on track.');
    expect(ragStatus({ ...plan, today: halfway, percentAssessed: 32 }).reason).toBe('32% assessed, 50% of the planned time used: 18 points behind.');
    expect(ragStatus({ ...plan, today: halfway, percentAssessed: 10 })).toEqual({ rag: 'red', reason: '10% assessed, 50% of the planned time used: 40 points behind.' });
  });

  it('is red past the planned end date unless everything is assessed', () => {
    expect(ragStatus({ ...plan, today: '2026-04-11', percentAssessed: 95 }).rag).toBe('green');
    expect(ragStatus({ ...plan, today: '2026-04-12', percentAssessed: 95 })).toEqual({ rag: 'red', reason: 'Past the planned end date (11 Apr 2026) with 95% assessed.' });
    expect(ragStatus({ ...plan, today: '2026-04-12', percentAssessed: 100 }).rag).toBe('green');
  });

  it('puts who needs attention first', () => {
    const rows = [
      { rag: 'green' as const, name: 'Amy' },
      { rag: 'red' as const, name: 'Zoe' },
      { rag: 'amber' as const, name: 'Ben' },
      { rag: 'red' as const, name: 'Al' },
    ];
    expect(rows.sort(byAttention).map((r) => r.name)).toEqual(['Al', 'Zoe', 'Ben', 'Amy']);
  });
});

describe('caseload figures', () => {
  const item = (status: EvidenceForProgress['status'], criterionIds: string[], extra: Partial<EvidenceForProgress> = {}): EvidenceForProgress => ({
    id: `${status}-${criterionIds.join()}`, status, criterionIds, deletedAt: null, hours: 0, offTheJob: false, activityDate: null, ...extra,
  });
  const enrolment = { ...plan, optionalUnitIds: ['A'], plannedOffTheJobHoursPerWeek: 7 };

  it('counts submitted items awaiting review, off-the-job hours against the plan, and progress', () => {
    const evidence = [
      item('signed-off', ['M:1.1', 'M:1.2'], { hours: 3, offTheJob: true }),
      item('submitted', ['A:1.1'], { hours: 4.5, offTheJob: true }),
      item('submitted', ['A:1.2'], { hours: 2, offTheJob: false }),
      item('referred', ['A:1.2'], { hours: 1, offTheJob: true }),
      item('draft', ['A:1.2']),
      item('submitted', ['A:1.2'], { deletedAt: '2026-02-01T00:00:00.000Z', hours: 9, offTheJob: true }),
    ];
    expect(caseloadFigures(TEST_SPEC, enrolment, evidence, halfway)).toEqual({
      percentEvidenced: 100,
      percentAssessed: 50,
      rag: 'green',
      ragReason: '50% assessed, 50% of the planned time used: on track.',
      awaitingReview: 2,
      offTheJobHours: 8.5,
      // 7 hours a week for 50 days.
      plannedOffTheJobHoursToDate: 50,
    });
  });

  it('says so when the spec is not on the device', () => {
    const figures = caseloadFigures(null, enrolment, [item('submitted', ['A:1.1'])], halfway);
    expect(figures).toMatchObject({ rag: 'amber', percentAssessed: 0, awaitingReview: 1, ragReason: expect.stringContaining('sync to fetch it') });
  });
});

describe('caseloadLearners', () => {
  it('lists each caseload learner from what the device holds, reflecting decisions made here', async () => {
    const device = await assessorDevice({
      'Done one': { status: 'signed-off', criterionIds: ['M:1.1'], hours: 6, offTheJob: true },
      'Waiting one': { criterionIds: ['M:1.2'], hours: 1.5, offTheJob: true },
      'Waiting two': { criterionIds: ['A:1.1'], hours: 3, offTheJob: false },
      'Still a draft': { status: 'draft', criterionIds: ['A:1.2'], hours: 0 },
    });
    const [row] = await caseloadLearners(halfway);
    expect(row).toMatchObject({
      learnerId: LEARNER.id,
      name: LEARNER.name,
      employer: 'Northgate IT Services',
      enrolment: expect.objectContaining({ id: ENROLMENT_ID, qualificationId: '9999-02' }),
      qualificationTitle: '9999-02 Test Diploma',
      percentEvidenced: 100,
      percentAssessed: 25,
      // Exactly 25 points behind: still amber.
      rag: 'amber',
      ragReason: '25% assessed, 50% of the planned time used: 25 points behind.',
      awaitingReview: 2,
      offTheJobHours: 7.5,
      plannedOffTheJobHoursToDate: 50,
      plannedEndDate: '2026-04-11',
    });
    expect(row!.enrolment).not.toHaveProperty('serverRevision');

    // Signed off here, offline: one fewer to review, and further along.
    device.centre.offline = true;
    await decideOnEvidence({ evidenceId: device.items['Waiting one']!, outcome: 'accepted', criterionIds: ['M:1.2'], feedback: { overall: '', criteria: {} }, drawnSignature: DRAWN });
    expect(await caseloadLearners(halfway)).toEqual([expect.objectContaining({ awaitingReview: 1, percentAssessed: 50, rag: 'green' })]);
  });

  it('leaves out the signed-in user’s own enrolments', async () => {
    // The user's own database is named after them; an assessor may be enrolled on something too.
    await deleteDatabase(databaseNameFor(ASSESSOR.id));
    const database = useDatabase(databaseNameFor(ASSESSOR.id));
    await database.open();
    await database.frameworks.put({ key: `${TEST_SPEC.id}@${TEST_SPEC.version}`, id: TEST_SPEC.id, version: TEST_SPEC.version, kind: 'qualification', spec: TEST_SPEC, storedAt: '' });
    const enrolment = { id: ENROLMENT_ID, learnerId: LEARNER.id, qualificationId: TEST_SPEC.id, qualificationVersion: 1, optionalUnitIds: ['A'], ...plan, plannedOffTheJobHoursPerWeek: 7, createdAt: '', updatedAt: '' };
    await database.enrolments.bulkPut([enrolment, { ...enrolment, id: 'own-enrolment', learnerId: ASSESSOR.id }]);
    const rows = await caseloadLearners(halfway);
    expect(rows.map((r) => [r.learnerId, r.name])).toEqual([[LEARNER.id, 'Learner with no name yet']]);
    await deleteDatabase(databaseNameFor(ASSESSOR.id));
  });
});
