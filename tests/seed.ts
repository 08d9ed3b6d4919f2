import { seedShippedFrameworks } from '../src/data/frameworks';
import { saveEnrolment, type EnrolmentInput } from '../src/data/learner';

/** A valid 4520-03 choice from the shipped spec: five optional units and one restricted unit (64 credits). */
export const VALID_4520_03_OPTIONAL = ['J/601/3507', 'A/601/3293', 'D/500/7332', 'M/500/7383', 'L/502/1114', 'J/601/3247'];

export const LEARNER_4520_03: EnrolmentInput = {
  name: 'Priya Shah',
  employer: 'Northgate IT Services',
  qualificationId: '4520-03',
  qualificationVersion: 1,
  optionalUnitIds: VALID_4520_03_OPTIONAL,
  startDate: '2026-03-02',
  plannedEndDate: '2027-09-30',
  plannedOffTheJobHoursPerWeek: 6,
};

export async function seedEnrolledLearner(input: Partial<EnrolmentInput> = {}) {
  await seedShippedFrameworks();
  return saveEnrolment({ ...LEARNER_4520_03, ...input });
}
