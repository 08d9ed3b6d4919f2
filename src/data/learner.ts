import { Enrolment, LearnerProfile } from '../domain/enrolment';
import { uuidv7 } from '../domain/ids';
import { db } from './db';
import { guardWrite } from './errors';
import { enqueue } from './outbox';
import { userIdOfDatabase } from './session';

/**
 * The learner's own profile. In a signed-in user's database it is the one with the user's id (a
 * pull can also bring other people's, e.g. an assessor's caseload); read without settings, so it
 * works inside live queries.
 */
export async function currentProfile(): Promise<LearnerProfile | undefined> {
  const userId = userIdOfDatabase(db().name);
  return userId ? db().profile.get(userId) : db().profile.toCollection().first();
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
  // Signed in, the profile is the centre's user record: its id is the user id.
  const userId = userIdOfDatabase(db().name);
  return guardWrite(() =>
    db().transaction('rw', [db().profile, db().enrolments, db().outbox], async () => {
      const existingProfile = userId ? await db().profile.get(userId) : await db().profile.toCollection().first();
      const profile = LearnerProfile.parse({
        id: existingProfile?.id ?? userId ?? uuidv7(),
        name: input.name,
        employer: input.employer,
        updatedAt: now,
      });
      // Changes are based on the revision the centre last confirmed, so it can tell what is new.
      const profileRevision = existingProfile?.serverRevision ?? 0;
      await db().profile.put({ ...profile, serverRevision: profileRevision });
      await enqueue('profile', profile.id, 'upsert', profileRevision, { name: profile.name, employer: profile.employer });

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
      const enrolmentRevision = previous?.serverRevision ?? 0;
      await db().enrolments.put({ ...enrolment, serverRevision: enrolmentRevision });
      const { id: _id, ...patch } = enrolment;
      await enqueue('enrolment', enrolment.id, 'upsert', enrolmentRevision, patch);
      return enrolment;
    }),
  );
}
