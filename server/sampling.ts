import { randomBytes } from 'node:crypto';
import type { AssessmentMethodId } from '../src/domain/assessment-methods';
import type { CentreAssessor, IqaLockedItem, SampleCandidate, SamplingPlan, SamplingPlanSummary } from '../src/domain/sampling';
import { drawSample, sampleCandidates, unitsOfCriteria, type Draw, type EvidenceForSampling } from '../src/domain/sampling';
import { Decision } from '../src/domain/signoff';
import type { Caller } from './context';
import type { Sql } from './db/database';
import { learnerScopeSql } from './scope';
import { loadSpec } from './specs';

/**
 * IQA sampling at the centre: plans (table sampling_plans) and the candidates a sample is drawn
 * from. Every query is bound to the caller's centre; learner records are read through
 * server/scope.ts like every other read.
 */

/** The centre's assessors, for the IQA to choose whose decisions to sample. Disabled ones too: their past decisions still count. */
export async function centreAssessors(db: Sql, centreId: string): Promise<CentreAssessor[]> {
  const rows = await db.query<{ id: string; name: string; disabled_at: Date | null }>(
    `select id, name, disabled_at from users where centre_id = $1 and role = 'assessor' order by name, id`,
    [centreId],
  );
  return rows.map((r) => ({ id: r.id, name: r.name, active: r.disabled_at === null }));
}

/** The assessor if they are one of this centre's; null for anyone else, so the route answers 404. */
export async function findCentreAssessor(db: Sql, centreId: string, assessorId: string): Promise<CentreAssessor | null> {
  return (await centreAssessors(db, centreId)).find((a) => a.id === assessorId) ?? null;
}

/** Unit ids of every stored qualification spec version, to refuse a plan naming a unit no spec has. */
export async function knownUnitIds(db: Sql, unitIds: readonly string[]): Promise<Set<string>> {
  if (unitIds.length === 0) return new Set();
  const rows = await db.query<{ id: string }>(
    `select distinct u->>'id' as id from qualification_specs s, jsonb_array_elements(s.spec->'units') u
      where s.kind = 'qualification' and u->>'id' = any($1::text[])`,
    [unitIds],
  );
  return new Set(rows.map((r) => r.id));
}

interface PlanRow {
  id: string;
  iqa_id: string;
  iqa_name: string;
  assessor_id: string;
  assessor_name: string;
  percentage: number;
  unit_ids: string[];
  stage: SamplingPlan['stage'];
  methods: AssessmentMethodId[];
  seed: string;
  created_at: Date;
  updated_at: Date;
}

const SELECT_PLAN = `select p.id, p.iqa_id, q.name as iqa_name, p.assessor_id, a.name as assessor_name, p.percentage, p.unit_ids, p.stage, p.methods, p.seed, p.created_at, p.updated_at
  from sampling_plans p join users q on q.id = p.iqa_id join users a on a.id = p.assessor_id`;

function toSummary(row: PlanRow): SamplingPlanSummary {
  return {
    id: row.id,
    assessorId: row.assessor_id,
    percentage: row.percentage,
    unitIds: row.unit_ids,
    stage: row.stage,
    methods: row.methods,
    seed: row.seed,
    iqaId: row.iqa_id,
    iqaName: row.iqa_name,
    assessorName: row.assessor_name,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Every plan of the centre: IQAs of one centre share their sampling, and admins oversee it. */
export async function listPlans(db: Sql, centreId: string): Promise<SamplingPlanSummary[]> {
  const rows = await db.query<PlanRow>(`${SELECT_PLAN} where p.centre_id = $1 order by a.name, p.created_at, p.id`, [centreId]);
  return rows.map(toSummary);
}

export async function findPlan(db: Sql, centreId: string, id: string): Promise<SamplingPlanSummary | null> {
  const [row] = await db.query<PlanRow>(`${SELECT_PLAN} where p.centre_id = $1 and p.id = $2`, [centreId, id]);
  return row ? toSummary(row) : null;
}

/** Whether any centre holds a plan with this id: a device-made id that clashes answers 409, not 404. */
export async function planIdTaken(db: Sql, id: string): Promise<boolean> {
  return (await db.query('select 1 from sampling_plans where id = $1', [id])).length > 0;
}

/** A new plan's seed: 128 random bits from the centre, so nobody chooses what the draw picks. */
export function newPlanSeed(): string {
  return randomBytes(16).toString('hex');
}

/** Stores a new plan with the seed the centre made for it (updates never change the seed). */
export async function insertPlan(tx: Sql, plan: SamplingPlan, seed: string, caller: Pick<Caller, 'centreId' | 'userId'>, now: Date): Promise<void> {
  await tx.query(
    `insert into sampling_plans (id, centre_id, iqa_id, assessor_id, percentage, unit_ids, stage, methods, seed, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::jsonb, $9, $10, $10)`,
    [plan.id, caller.centreId, caller.userId, plan.assessorId, plan.percentage, JSON.stringify(plan.unitIds), plan.stage, JSON.stringify(plan.methods), seed, now],
  );
}

/**
 * The plan's sample from the centre's decisions, with the plan's own seed: the same decisions
 * always give the same sample, for the IQA, an admin, the sample export, or anyone re-drawing it.
 */
export async function drawPlanSample(db: Sql, caller: Caller, plan: SamplingPlanSummary): Promise<Draw<SampleCandidate>> {
  return drawSample(plan, await loadCandidates(db, caller, plan.assessorId), plan.seed);
}

export async function updatePlan(tx: Sql, plan: SamplingPlan, centreId: string, now: Date): Promise<void> {
  await tx.query(
    `update sampling_plans set assessor_id = $3, percentage = $4, unit_ids = $5::jsonb, stage = $6, methods = $7::jsonb, updated_at = $8
      where id = $1 and centre_id = $2`,
    [plan.id, centreId, plan.assessorId, plan.percentage, JSON.stringify(plan.unitIds), plan.stage, JSON.stringify(plan.methods), now],
  );
}

interface RecordRow {
  id: string;
  learner_id: string;
  data: Record<string, unknown>;
}

/** A stored decision as the domain knows it (the record keeps its id outside the data). */
function decisionOf(row: RecordRow): Decision {
  const parsed = Decision.safeParse({ ...row.data, id: row.id });
  // Decisions are validated when pushed, so one that no longer parses is the centre's own fault:
  // fail loudly rather than draw a sample that silently leaves it out.
  if (!parsed.success) throw new Error(`Stored decision ${row.id} is not a valid decision: ${parsed.error.message}`);
  return parsed.data;
}

function evidenceOf(data: Record<string, unknown>): EvidenceForSampling {
  const lock = data.iqaLock as { decisionId?: unknown; at?: unknown } | null | undefined;
  return {
    title: typeof data.title === 'string' ? data.title : '',
    method: typeof data.method === 'string' ? (data.method as AssessmentMethodId) : null,
    iqaLock: lock && typeof lock.decisionId === 'string' && typeof lock.at === 'string' ? { decisionId: lock.decisionId, at: lock.at } : null,
  };
}

/**
 * The assessor's sampleable decisions from the centre's records, within the caller's learner
 * scope (an IQA's or admin's centre). Reads only the learners the assessor has decided on, and
 * every decision about them, since a later decision by someone else can supersede the assessor's.
 */
export async function loadCandidates(db: Sql, caller: Caller, assessorId: string): Promise<SampleCandidate[]> {
  const scope = learnerScopeSql(caller, 'r.learner_id', 3);
  const learners = await db.query<{ learner_id: string }>(
    `select distinct r.learner_id from records r
      where r.entity = 'decision' and not r.deleted and r.centre_id = $1 and r.data->>'kind' = 'assessment' and r.data->'signer'->>'userId' = $2 and ${scope.sql}`,
    [caller.centreId, assessorId, ...scope.params],
  );
  const learnerIds = learners.map((l) => l.learner_id);
  if (learnerIds.length === 0) return [];

  const rows = await db.query<RecordRow & { entity: 'decision' | 'evidence' | 'enrolment' }>(
    `select r.entity, r.id, r.learner_id, r.data from records r
      where r.centre_id = $1 and r.learner_id = any($2::uuid[]) and not r.deleted and r.entity in ('decision', 'evidence', 'enrolment')`,
    [caller.centreId, learnerIds],
  );
  const names = await db.query<{ id: string; name: string }>('select id, name from users where id = any($1::uuid[])', [learnerIds]);
  const nameOf = new Map(names.map((n) => [n.id, n.name]));

  const decisions = rows.filter((r) => r.entity === 'decision').map(decisionOf);
  const evidence = new Map(rows.filter((r) => r.entity === 'evidence').map((r) => [r.id, evidenceOf(r.data)]));
  const enrolments = new Map(
    rows.filter((r) => r.entity === 'enrolment').map((r) => [r.id, { qualificationId: String(r.data.qualificationId), version: Number(r.data.qualificationVersion) }]),
  );

  // One criterion-to-unit map per spec version in use.
  const unitMaps = new Map<string, Map<string, string>>();
  for (const { qualificationId, version } of enrolments.values()) {
    const key = `${qualificationId}@${version}`;
    if (unitMaps.has(key)) continue;
    const spec = await loadSpec(db, qualificationId, version);
    unitMaps.set(key, spec?.kind === 'qualification' ? unitsOfCriteria(spec.units) : new Map());
  }

  return sampleCandidates({
    assessorId,
    decisions,
    evidence,
    learnerName: (id) => nameOf.get(id) ?? 'Unknown learner',
    unitsOf: (enrolmentId, criterionIds) => {
      const enrolment = enrolments.get(enrolmentId);
      const map = enrolment ? unitMaps.get(`${enrolment.qualificationId}@${enrolment.version}`) : undefined;
      // Criteria of other frameworks (ICTTech competences) belong to no unit.
      return [...new Set(criterionIds.flatMap((c) => map?.get(c) ?? []))];
    },
  });
}

/**
 * Items an IQA's agreement has locked, in the caller's learner scope, optionally for one learner:
 * what an admin looks through to unlock one.
 */
export async function lockedItems(db: Sql, caller: Caller, learnerId: string | null): Promise<IqaLockedItem[]> {
  const scope = learnerScopeSql(caller, 'r.learner_id', 2);
  const params: unknown[] = [caller.centreId, ...scope.params];
  const byLearner = learnerId ? `and r.learner_id = $${params.push(learnerId)}` : '';
  const rows = await db.query<RecordRow & { learner_name: string; locked_by: string | null }>(
    `select r.id, r.learner_id, r.data, u.name as learner_name, d.data->'signer'->>'name' as locked_by
       from records r
       join users u on u.id = r.learner_id
       left join records d on d.entity = 'decision' and d.id = r.data->'iqaLock'->>'decisionId' and d.centre_id = r.centre_id
      where r.entity = 'evidence' and not r.deleted and r.centre_id = $1 and ${scope.sql} ${byLearner}
        and jsonb_typeof(r.data->'iqaLock') = 'object'
      order by u.name, r.data->'iqaLock'->>'at' desc, r.id`,
    params,
  );
  return rows.flatMap((r) => {
    const item = evidenceOf(r.data);
    if (!item.iqaLock) return [];
    return [{ evidenceId: r.id, title: item.title, learnerId: r.learner_id, learnerName: r.learner_name, lock: { ...item.iqaLock, by: r.locked_by } }];
  });
}
