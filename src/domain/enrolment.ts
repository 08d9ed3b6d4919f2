import { z } from 'zod';
import { IsoDate } from './qualification';

export const LearnerProfile = z.object({
  id: z.string().min(1),
  name: z.string().trim().min(1, 'Enter your name').max(200),
  employer: z.string().trim().min(1, 'Enter your employer').max(200),
  updatedAt: z.string(),
});
export type LearnerProfile = z.infer<typeof LearnerProfile>;

export const Enrolment = z
  .object({
    id: z.string().min(1),
    learnerId: z.string().min(1),
    qualificationId: z.string().min(1),
    /** The spec version this enrolment started on; later spec versions do not move it. */
    qualificationVersion: z.number().int().positive(),
    optionalUnitIds: z.array(z.string()),
    /** Date the learner was registered on the qualification (start of the programme). */
    startDate: IsoDate,
    plannedEndDate: IsoDate,
    plannedOffTheJobHoursPerWeek: z.number().min(0, 'Hours cannot be negative').max(60, 'At most 60 hours a week'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .refine((e) => e.plannedEndDate > e.startDate, {
    message: 'The planned end date must be after the start date',
    path: ['plannedEndDate'],
  });
export type Enrolment = z.infer<typeof Enrolment>;
