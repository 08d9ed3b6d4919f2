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

export const CentreUserList = z.object({ users: z.array(CentreUser) });
export type CentreUserList = z.infer<typeof CentreUserList>;

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

/** An enrolment as the admin screens list it: the synced record plus the learner's name. */
export const CentreEnrolment = z.object({
  id: z.string(),
  revision: z.number().int().positive(),
  learnerId: z.string().uuid(),
  learnerName: z.string(),
  qualificationId: z.string(),
  qualificationVersion: z.number().int().positive(),
  optionalUnitIds: z.array(z.string()),
  startDate: IsoDate,
  plannedEndDate: IsoDate,
  plannedOffTheJobHoursPerWeek: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CentreEnrolment = z.infer<typeof CentreEnrolment>;

export const CentreEnrolmentList = z.object({ enrolments: z.array(CentreEnrolment) });
export type CentreEnrolmentList = z.infer<typeof CentreEnrolmentList>;

export const SpecSummary = z.object({
  id: z.string(),
  version: z.number().int(),
  kind: z.enum(['qualification', 'competence-standard']),
  title: z.string(),
  importedAt: z.string(),
  enrolments: z.number().int().nonnegative(),
});
export type SpecSummary = z.infer<typeof SpecSummary>;

export const SpecSummaryList = z.object({ specs: z.array(SpecSummary) });
export type SpecSummaryList = z.infer<typeof SpecSummaryList>;

/** Imports are refused above this size before parsing, so a hostile file cannot exhaust memory. */
export const MAX_SPEC_BYTES = 2 * 1024 * 1024;
