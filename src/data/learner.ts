import { Enrolment, LearnerProfile } from '../domain/enrolment';
import { uuidv7 } from '../domain/ids';
import { db } from './db';
import { guardWrite } from './errors';
import { enqueue } from './outbox';

export async function currentProfile(): Promise<LearnerProfile | undefined> {
  return db().profile.toCollection().first();
}

export async function currentEnrolment(): Promise<Enrolment | undefined> {
  const profile = await currentProfile();
  if (!profile) return undefined;
  const enrolments = await db().enrolments.where('learnerId').equals(profile.id).sortBy('createdAt');
  return enrolments.at(-1);
}

export interface EnrolmentInput {
  name: string;
  employer: string;
  qualificationId: string;
  qualificationVersion: number;
  optionalUnitIds: string[];
  startDate: string;
  plannedEndDate: string;
  plannedOffTheJobHoursPerWeek: number;
}

/** Saves the learner's profile and enrolment together, with their outbox entries, in one transaction. */
export async function saveEnrolment(input: EnrolmentInput, existingEnrolmentId?: string): Promise<Enrolment> {
  const now = new Date().toISOString();
  return guardWrite(() =>
    db().transaction('rw', [db().profile, db().enrolments, db().outbox], async () => {
      const existingProfile = await db().profile.toCollection().first();
      const profile = LearnerProfile.parse({
        id: existingProfile?.id ?? uuidv7(),
        name: input.name,
        employer: input.employer,
        updatedAt: now,
      });
      await db().profile.put(profile);
      await enqueue('profile', profile.id, 'upsert', 0, { name: profile.name, employer: profile.employer });

      const previous = existingEnrolmentId ? await db().enrolments.get(existingEnrolmentId) : undefined;
      const enrolment = Enrolment.parse({
        id: previous?.id ?? uuidv7(),
        learnerId: profile.id,
        qualificationId: input.qualificationId,
        // Changing optional units later keeps the spec version the enrolment started on.
        qualificationVersion: previous?.qualificationId === input.qualificationId ? previous.qualificationVersion : input.qualificationVersion,
        optionalUnitIds: input.optionalUnitIds,
        startDate: input.startDate,
        plannedEndDate: input.plannedEndDate,
        plannedOffTheJobHoursPerWeek: input.plannedOffTheJobHoursPerWeek,
        createdAt: previous?.createdAt ?? now,
        updatedAt: now,
      });
      await db().enrolments.put(enrolment);
      const { id: _id, ...patch } = enrolment;
      await enqueue('enrolment', enrolment.id, 'upsert', 0, patch);
      return enrolment;
    }),
  );
}
