import { randomUUID } from 'node:crypto';
import type { CreateEnrolmentRequest } from '../src/domain/admin';
import { todayIso } from '../src/domain/dates';
import { Evidence, type EvidenceStatus } from '../src/domain/evidence';
import { uuidv7 } from '../src/domain/ids';
import { audit } from './audit';
import { hashPassword } from './auth/passwords';
import type { Role } from './context';
import type { Database } from './db/database';
import { enrolmentProblem, writeEnrolment } from './enrolments';
import { writeRecord } from './records';
import { latestSpecVersion, loadSpec, readShippedSpecs, storeSpec } from './specs';
import { insertUser } from './users';

/** Inserts each shipped spec version the centre does not have yet; returns "id@version" of those added. */
export async function seedShippedSpecs(db: Database): Promise<string[]> {
  const added: string[] = [];
  for (const spec of readShippedSpecs()) if (await storeSpec(db, spec, null)) added.push(`${spec.id}@${spec.version}`);
  return added;
}

export interface DemoSignIn {
  email: string;
  password: string;
  role: Role;
  name: string;
}

interface DemoPerson extends DemoSignIn {
  key: string;
}

const DOMAIN = 'demo-college.example.org';
const person = (key: string, name: string, role: Role): DemoPerson => {
  const [first = key, last = ''] = name.toLowerCase().split(' ');
  // Deterministic, so the README can list them; the first run prints them too.
  return { key, name, role, email: `${first}.${last}@${DOMAIN}`, password: `demo-${first}-4520` };
};

const PEOPLE: DemoPerson[] = [
  person('admin', 'Priya Shah', 'admin'),
  person('assessor1', 'Tom Okafor', 'assessor'),
  person('assessor2', 'Hannah Lewis', 'assessor'),
  person('iqa', 'Grace Mensah', 'iqa'),
  person('learner1', 'Jordan Ellis', 'learner'),
  person('learner2', 'Sam Patel', 'learner'),
  person('learner3', 'Chloe Wright', 'learner'),
  person('learner4', 'Ryan Murphy', 'learner'),
];

const CASELOADS: Record<string, string[]> = { assessor1: ['learner1', 'learner2'], assessor2: ['learner3', 'learner4'] };

type DemoEnrolment = Omit<CreateEnrolmentRequest, 'learnerId' | 'qualificationVersion'> & { learner: string };

/** Start dates fall before each qualification's last registration date (4520-04 closed on 31 Dec 2023). */
const ENROLMENTS: DemoEnrolment[] = [
  {
    learner: 'learner1',
    qualificationId: '4520-02',
    // The six level-2 optional units: 40 credits against the 39 the optional group needs.
    optionalUnitIds: [
      'computer-games-development',
      'creating-a-procedural-computer-program',
      'creating-an-event-driven-computer-program',
      'creating-an-object-orientated-computer-program',
      'customer-care-in-ict',
      'J/601/3247',
    ],
    startDate: '2025-09-15',
    plannedEndDate: '2027-03-31',
    plannedOffTheJobHoursPerWeek: 6,
  },
  {
    learner: 'learner2',
    qualificationId: '4520-03',
    optionalUnitIds: ['J/601/3507', 'A/601/3293', 'D/500/7332', 'M/500/7383', 'L/502/1114', 'J/601/3247'],
    startDate: '2025-10-06',
    plannedEndDate: '2027-07-30',
    plannedOffTheJobHoursPerWeek: 6,
  },
  {
    learner: 'learner3',
    qualificationId: '4520-03',
    optionalUnitIds: ['J/601/3507', 'A/601/3293', 'D/500/7332', 'M/500/7383', 'L/502/1114', 'J/601/3247'],
    startDate: '2026-01-12',
    plannedEndDate: '2027-12-17',
    plannedOffTheJobHoursPerWeek: 7.5,
  },
  {
    learner: 'learner4',
    qualificationId: '4520-04',
    // No choice of 4520-04 optional units can meet its rules (most credit values are unknown): this is the one whose content is known.
    optionalUnitIds: ['L/500/7391'],
    startDate: '2023-09-04',
    plannedEndDate: '2026-12-18',
    plannedOffTheJobHoursPerWeek: 6,
  },
];

interface DemoEvidence {
  learner: string;
  status: Extract<EvidenceStatus, 'draft' | 'submitted'>;
  title: string;
  narrative: string;
  activityDate: string;
  method: Evidence['method'];
  hours: number;
  offTheJob: boolean;
  criterionIds: string[];
}

const EVIDENCE: DemoEvidence[] = [
  {
    learner: 'learner1',
    status: 'submitted',
    title: 'Setting up a safe workstation for a new starter',
    narrative:
      'I set up a desk, PC and two monitors for a new colleague. Before starting I read our health and safety policy on the intranet and the display screen equipment checklist, then routed the cables away from the walkway and adjusted the chair and screen heights with the new starter.',
    activityDate: '2025-11-04',
    method: 'observation',
    hours: 2,
    offTheJob: false,
    criterionIds: ['health-and-safety-in-ict:1.1', 'health-and-safety-in-ict:1.2', 'health-and-safety-in-ict:1.3'],
  },
  {
    learner: 'learner1',
    status: 'draft',
    title: 'What our ticketing system is made of',
    narrative: 'Notes so far: web front end, database, email integration. Still to add who uses it and how.',
    activityDate: '2025-12-02',
    method: null,
    hours: 1,
    offTheJob: true,
    criterionIds: ['J/601/3247:1.2'],
  },
  {
    learner: 'learner2',
    status: 'submitted',
    title: 'Personal development plan and feedback from my team leader',
    narrative:
      'At my three-month review I listed the skills I need for second-line support, agreed two goals with my team leader (a networking course and shadowing the server team) and asked two colleagues for written feedback on how I handle escalations.',
    activityDate: '2026-01-20',
    method: 'professional-discussion',
    hours: 3,
    offTheJob: true,
    criterionIds: ['D/503/5549:1.1', 'D/503/5549:1.2', 'D/503/5549:1.3'],
  },
  {
    learner: 'learner2',
    status: 'draft',
    title: 'Diagnosing an intermittent printer fault',
    narrative: 'Validated the fault with the user, gathered the error log and swapped the fuser unit. Write up the diagnostic steps.',
    activityDate: '2026-02-11',
    method: 'practical-demonstration',
    hours: 1.5,
    offTheJob: false,
    criterionIds: ['A/601/3293:1.1'],
  },
  {
    learner: 'learner3',
    status: 'submitted',
    title: 'Risk register for the office move',
    narrative:
      'For the IT part of our office move I kept the risk log: I listed each risk, marked whether it was a threat or an opportunity, scored and prioritised them with the project manager and updated the register weekly.',
    activityDate: '2026-03-09',
    method: 'portfolio-product',
    hours: 4,
    offTheJob: false,
    criterionIds: ['L/502/1114:2.1', 'L/502/1114:2.2', 'L/502/1114:2.3'],
  },
  {
    learner: 'learner4',
    status: 'submitted',
    title: 'How our service desk maintains the network',
    narrative:
      'I explained to my assessor our planned and reactive maintenance: the monthly patch window, the change approval board and how faults are logged, triaged and escalated.',
    activityDate: '2024-02-14',
    method: 'professional-discussion',
    hours: 1,
    offTheJob: true,
    criterionIds: ['L/500/7391:1.1'],
  },
];

const DemoEvidenceData = Evidence.omit({ id: true, dirty: true, serverRevision: true });

/** Held while seeding, so two centre processes starting together on one database seed once. */
const SEED_LOCK = 4520_0002;

/**
 * The demo centre for a first run: an admin, two assessors, an IQA and four learners with
 * enrolments, caseloads and some evidence. Does nothing (returns null) once any user exists.
 */
export async function seedDemoCentre(db: Database, now: Date): Promise<DemoSignIn[] | null> {
  // argon2 is slow on purpose: hash before the transaction rather than holding it open.
  const hashes = new Map(await Promise.all(PEOPLE.map(async (p) => [p.key, await hashPassword(p.password)] as const)));
  const today = todayIso(now);
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [SEED_LOCK]);
    if ((await tx.query('select 1 from users limit 1')).length > 0) return null;

    const centreId = randomUUID();
    await tx.query('insert into centres (id, name) values ($1, $2)', [centreId, 'Demo College']);
    const ids = new Map<string, string>();
    for (const p of PEOPLE)
      ids.set(p.key, await insertUser(tx, { centreId, name: p.name, email: p.email, role: p.role, passwordHash: hashes.get(p.key)!, byUser: null }));
    const id = (key: string) => ids.get(key)!;

    for (const [assessor, learners] of Object.entries(CASELOADS))
      for (const learner of learners) await tx.query('insert into caseloads (assessor_id, learner_id) values ($1, $2)', [id(assessor), id(learner)]);

    const enrolmentIds = new Map<string, string>();
    for (const { learner, ...rest } of ENROLMENTS) {
      const version = await latestSpecVersion(tx, rest.qualificationId);
      const request: CreateEnrolmentRequest = { ...rest, learnerId: id(learner), qualificationVersion: version ?? 0 };
      // The same rules as an admin's enrolment: a seed an admin could not have made is a bug.
      const problem = enrolmentProblem(version === null ? null : await loadSpec(tx, rest.qualificationId, version), request, today);
      if (problem) throw new Error(`Demo enrolment of ${learner} on ${rest.qualificationId}: ${problem.message}`);
      const enrolmentId = uuidv7(now.getTime());
      await writeEnrolment(tx, { id: enrolmentId, centreId, request, byUser: null, deviceId: null, now });
      enrolmentIds.set(learner, enrolmentId);
    }

    for (const item of EVIDENCE) {
      const at = now.toISOString();
      const { learner, ...content } = item;
      const data = DemoEvidenceData.parse({ ...content, attachments: [], enrolmentId: enrolmentIds.get(learner), createdAt: at, updatedAt: at, deletedAt: null, conflicts: [] });
      await writeRecord(tx, { entity: 'evidence', id: uuidv7(now.getTime()), centreId, learnerId: id(learner), data, byUser: id(learner), deviceId: null });
    }

    await audit(tx, null, 'demo-centre-seeded', { centreId }, { users: PEOPLE.length, enrolments: ENROLMENTS.length, evidence: EVIDENCE.length });
    return PEOPLE.map(({ email, password, role, name }) => ({ email, password, role, name }));
  });
}

/** The sign-ins as a table for the console. */
export function formatSignIns(signIns: DemoSignIn[]): string {
  const rows = [['Email', 'Password', 'Role', 'Name'], ...signIns.map((s) => [s.email, s.password, s.role, s.name])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
