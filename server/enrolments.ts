import type { CentreEnrolment, CreateEnrolmentRequest } from '../src/domain/admin';
import { registrationCheck } from '../src/domain/dates';
import { Enrolment } from '../src/domain/enrolment';
import type { FrameworkSpec } from '../src/domain/qualification';
import type { Sql } from './db/database';
import { writeRecord } from './records';

/** Why an enrolment cannot be made, in words an admin can act on. */
export interface EnrolmentProblem {
  error: string;
  message: string;
}

/**
 * The rules an enrolment must meet against the spec version it names. Shared by the admin route
 * and the demo seed, so seeded enrolments are ones an admin could have made.
 */
export function enrolmentProblem(spec: FrameworkSpec | null, request: CreateEnrolmentRequest, today: string): EnrolmentProblem | null {
  const name = `${request.qualificationId} version ${request.qualificationVersion}`;
  if (!spec) return { error: 'unknown-spec', message: `There is no qualification spec ${name} at this centre. Import it first, or pick a version from the list.` };
  if (spec.kind !== 'qualification')
    return { error: 'not-a-qualification', message: `${spec.title} is a competence standard, not a qualification: learners are enrolled on a qualification.` };
  const registration = registrationCheck(spec, request.startDate, today);
  if (!registration.open) return { error: 'registration-closed', message: registration.message ?? `${spec.id} is closed to new registrations.` };
  const units = new Map(spec.units.map((u) => [u.id, u]));
  const unknown = request.optionalUnitIds.filter((id) => !units.has(id));
  if (unknown.length > 0) return { error: 'unknown-units', message: `These are not units of ${name}: ${unknown.join(', ')}.` };
  const mandatory = request.optionalUnitIds.filter((id) => units.get(id)?.mandatory);
  if (mandatory.length > 0)
    return { error: 'mandatory-units', message: `Every learner takes the mandatory units, so they are not chosen as options: ${mandatory.join(', ')}.` };
  return null;
}

export async function activeEnrolmentOn(db: Sql, learnerId: string, qualificationId: string): Promise<boolean> {
  const rows = await db.query(
    `select 1 from records where entity = 'enrolment' and learner_id = $1 and not deleted and data->>'qualificationId' = $2 limit 1`,
    [learnerId, qualificationId],
  );
  return rows.length > 0;
}

/** Writes the enrolment record: its data is the domain Enrolment without the id (the record's key). */
export async function writeEnrolment(
  tx: Sql,
  input: { id: string; centreId: string; request: CreateEnrolmentRequest; byUser: string | null; deviceId: string | null; now: Date },
): Promise<{ revision: number; data: Record<string, unknown> }> {
  const at = input.now.toISOString();
  const { learnerId, qualificationId, qualificationVersion, startDate, plannedEndDate, plannedOffTheJobHoursPerWeek } = input.request;
  const optionalUnitIds = [...new Set(input.request.optionalUnitIds)];
  const enrolment = Enrolment.parse({
    id: input.id,
    learnerId,
    qualificationId,
    qualificationVersion,
    optionalUnitIds,
    startDate,
    plannedEndDate,
    plannedOffTheJobHoursPerWeek,
    createdAt: at,
    updatedAt: at,
  });
  const { id: _id, ...data } = enrolment;
  const { revision } = await writeRecord(tx, { entity: 'enrolment', id: input.id, centreId: input.centreId, learnerId, data, byUser: input.byUser, deviceId: input.deviceId });
  return { revision, data };
}

interface EnrolmentRow {
  id: string;
  revision: number;
  learner_id: string;
  learner_name: string;
  data: Omit<CentreEnrolment, 'id' | 'revision' | 'learnerId' | 'learnerName'>;
}

/** Enrolments whose learner matches the scope condition given (from server/scope.ts). */
export async function listEnrolments(db: Sql, centreId: string, scope: { sql: string; params: unknown[] }, onlyId?: string): Promise<CentreEnrolment[]> {
  const params: unknown[] = [centreId, ...scope.params];
  const byId = onlyId ? `and r.id = $${params.push(onlyId)}` : '';
  const rows = await db.query<EnrolmentRow>(
    `select r.id, r.revision, r.learner_id, u.name as learner_name, r.data
       from records r join users u on u.id = r.learner_id
      where r.entity = 'enrolment' and not r.deleted and r.centre_id = $1 and ${scope.sql} ${byId}
      order by u.name, r.data->>'startDate', r.id`,
    params,
  );
  return rows.map((row) => ({
    id: row.id,
    revision: row.revision,
    learnerId: row.learner_id,
    learnerName: row.learner_name,
    qualificationId: row.data.qualificationId,
    qualificationVersion: row.data.qualificationVersion,
    optionalUnitIds: row.data.optionalUnitIds,
    startDate: row.data.startDate,
    plannedEndDate: row.data.plannedEndDate,
    plannedOffTheJobHoursPerWeek: row.data.plannedOffTheJobHoursPerWeek,
    createdAt: row.data.createdAt,
    updatedAt: row.data.updatedAt,
  }));
}
