import { db } from '../src/data/db';
import { QualificationSpec } from '../src/domain/qualification';
import { pullChanges } from '../src/sync/pull';
import { FakeCentre, LEARNER, type FakeUser } from './fake-centre';
import { signedInDevice, type Device } from './sync-fixture';

/** An assessor's device with one caseload learner, as after a first sync: what assessment tests start from. */

export const ASSESSOR: FakeUser = {
  id: '0190a1b2-0000-7000-8000-0000000000a1',
  name: 'Tom Okafor',
  email: 'tom@example.org',
  role: 'assessor',
  centreId: LEARNER.centreId,
  centreName: LEARNER.centreName,
  password: 'assessor horse battery',
};

export const ENROLMENT_ID = '0190a1b2-0000-7000-8000-0000000000e1';

/** A tiny PNG data URL: what the signature pad hands over. */
export const DRAWN = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

function unit(id: string, credits: number, criteria: number, mandatory: boolean) {
  return {
    id, number: null, reference: null, title: `Unit ${id}`, level: 2, credits, glh: null, mandatory, completeness: 'complete', sourceNote: '',
    outcomes: [{ number: 1, title: 'Outcome 1', criteria: Array.from({ length: criteria }, (_, c) => ({ id: `${id}:1.${c + 1}`, number: `1.${c + 1}`, text: `Criterion 1.${c + 1}` })) }],
  };
}

/** Mandatory unit M (criteria M:1.1, M:1.2) and optional unit A (A:1.1, A:1.2): ten criteria-free credits each way. */
export const TEST_SPEC = QualificationSpec.parse({
  kind: 'qualification', id: '9999-02', version: 1, title: 'Test Diploma', awardingBody: 'Test', level: 2,
  accreditationNumber: '500/0000/0', credits: 15, guidedLearningHours: { min: 1, max: 1 }, totalQualificationTime: 150,
  lastRegistrationDate: '2030-01-01', lastCertificationDate: '2032-01-01',
  rules: {
    minTotalCredits: 15,
    groups: [
      { id: 'M', title: 'Mandatory', kind: 'mandatory', unitIds: ['M'] },
      { id: 'O', title: 'Optional', kind: 'optional', unitIds: ['A'], minCredits: 10 },
    ],
  },
  units: [unit('M', 5, 2, true), unit('A', 10, 2, false)],
});

export function enrolmentData(extra: Record<string, unknown> = {}) {
  return {
    learnerId: LEARNER.id,
    qualificationId: TEST_SPEC.id,
    qualificationVersion: TEST_SPEC.version,
    optionalUnitIds: ['A'],
    startDate: '2026-01-01',
    plannedEndDate: '2026-04-11',
    plannedOffTheJobHoursPerWeek: 7,
    createdAt: '2026-01-01T09:00:00.000Z',
    updatedAt: '2026-01-01T09:00:00.000Z',
    ...extra,
  };
}

export function evidenceData(title: string, extra: Record<string, unknown> = {}) {
  return {
    title,
    narrative: `What I did for ${title}`,
    activityDate: '2026-02-02',
    method: 'portfolio-product',
    hours: 2,
    offTheJob: true,
    attachments: [],
    criterionIds: ['M:1.1'],
    kind: 'learner',
    questions: [],
    witness: null,
    enrolmentId: ENROLMENT_ID,
    status: 'submitted',
    createdAt: '2026-02-02T09:00:00.000Z',
    updatedAt: '2026-02-02T09:00:00.000Z',
    deletedAt: null,
    conflicts: [],
    recordedBy: null,
    iqaLock: null,
    ...extra,
  };
}

let counter = 0;
/** A fresh evidence id (UUID) for each item a test makes at the centre. */
export function evidenceId(): string {
  return `0190a1b2-0000-7000-8000-${String(++counter).padStart(12, '0')}`;
}

export interface AssessorDevice extends Device {
  /** Items written at the centre and pulled, by title. */
  items: Record<string, string>;
}

/**
 * Signed in as the assessor, with the test spec on the device and the learner's profile, enrolment
 * and the given items (title -> extra fields) pulled from the centre.
 */
export async function assessorDevice(items: Record<string, Record<string, unknown>> = { 'Router set-up': {} }, options: { keepAllOffline?: boolean } = {}): Promise<AssessorDevice> {
  const centre = new FakeCentre([LEARNER, ASSESSOR]);
  const device = await signedInDevice({ centre, user: ASSESSOR, ...options });
  await db().frameworks.put({ key: `${TEST_SPEC.id}@${TEST_SPEC.version}`, id: TEST_SPEC.id, version: TEST_SPEC.version, kind: 'qualification', spec: TEST_SPEC, storedAt: '' });
  centre.write('profile', LEARNER.id, { name: LEARNER.name, employer: 'Northgate IT Services' }, null);
  centre.write('enrolment', ENROLMENT_ID, enrolmentData(), null);
  const ids: Record<string, string> = {};
  for (const [title, extra] of Object.entries(items)) {
    ids[title] = evidenceId();
    centre.write('evidence', ids[title]!, evidenceData(title, extra), null);
  }
  await pullChanges({ client: device.client });
  return { ...device, items: ids };
}
