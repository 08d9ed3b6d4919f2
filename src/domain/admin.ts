import { z } from 'zod';
import { Email, Password, Role } from './auth';
import { IsoDate } from './qualification';

export const CentreUser = z.object({
  id: z.string().uuid(),
  name: z.string(),
  email: z.string(),
  role: Role,
  disabled: z.boolean(),
  /** For assessors: the learners on their caseload. */
  caseload: z.array(z.string().uuid()),
  /** For learners: their assessors. */
  assessors: z.array(z.string().uuid()),
});
export type CentreUser = z.infer<typeof CentreUser>;

export const CreateUserRequest = z.object({
  name: z.string().trim().min(1, 'Enter the person’s name').max(200),
  email: Email,
  role: Role,
  password: Password,
});
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const UpdateUserRequest = z
  .object({
    name: z.string().trim().min(1).max(200),
    role: Role,
    disabled: z.boolean(),
    password: Password,
  })
  .partial()
  .refine((u) => Object.keys(u).length > 0, 'Nothing to change');
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

export const SetCaseloadRequest = z.object({ learnerIds: z.array(z.string().uuid()).max(2000) });
export type SetCaseloadRequest = z.infer<typeof SetCaseloadRequest>;

export const CreateEnrolmentRequest = z
  .object({
    learnerId: z.string().uuid(),
    qualificationId: z.string().min(1),
    qualificationVersion: z.number().int().positive(),
    optionalUnitIds: z.array(z.string()).max(100),
    startDate: IsoDate,
    plannedEndDate: IsoDate,
    plannedOffTheJobHoursPerWeek: z.number().min(0).max(60),
  })
  .refine((e) => e.plannedEndDate > e.startDate, { message: 'The planned end date must be after the start date', path: ['plannedEndDate'] });
export type CreateEnrolmentRequest = z.infer<typeof CreateEnrolmentRequest>;

export const SpecSummary = z.object({
  id: z.string(),
  version: z.number().int(),
  kind: z.enum(['qualification', 'competence-standard']),
  title: z.string(),
  importedAt: z.string(),
  enrolments: z.number().int().nonnegative(),
});
export type SpecSummary = z.infer<typeof SpecSummary>;

/** Imports are refused above this size before parsing, so a hostile file cannot exhaust memory. */
export const MAX_SPEC_BYTES = 2 * 1024 * 1024;
