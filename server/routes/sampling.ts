import { Hono } from 'hono';
import { z } from 'zod';
import {
  SamplingPlan,
  type CentreAssessorList,
  type IqaLockedItemList,
  type SampleResponse,
  type SamplingPlanList,
  type SamplingPlanSummary,
} from '../../src/domain/sampling';
import { audit } from '../audit';
import { requireCaller, requireRole } from '../auth/middleware';
import type { AppEnv, Services } from '../context';
import type { Sql } from '../db/database';
import { readJson, readQuery, refuse } from '../http-errors';
import { centreAssessors, drawPlanSample, findCentreAssessor, findPlan, insertPlan, knownUnitIds, listPlans, lockedItems, newPlanSeed, planIdTaken, updatePlan } from '../sampling';
import { IdParam, readParams } from './params';

const NO_SUCH_ASSESSOR = 'There is no such assessor at your centre. Choose one of your centre’s assessors.';
const NO_SUCH_PLAN = 'There is no such sampling plan at your centre.';

/** What an audit entry keeps of a plan: enough to see what changed. */
function auditedPlan(plan: SamplingPlan): Record<string, unknown> {
  return { assessorId: plan.assessorId, percentage: plan.percentage, stage: plan.stage, unitIds: plan.unitIds, methods: plan.methods };
}

/**
 * Internal quality assurance, mounted at /api/iqa. IQAs write plans for their own centre's
 * assessors; admins of the centre may read them and draw their samples. Everything is bound to
 * the caller's centre: another centre's plan or assessor answers 404, as one that does not exist.
 */
export function iqaRoutes(services: Services): Hono<AppEnv> {
  const { db } = services;
  const app = new Hono<AppEnv>();
  const readers = [requireCaller(services), requireRole('iqa', 'admin')] as const;
  const iqaOnly = [requireCaller(services), requireRole('iqa')] as const;

  /** Refuses a plan naming an assessor outside the centre or a unit no stored spec has. */
  async function checkPlan(tx: Sql, centreId: string, plan: SamplingPlan): Promise<void> {
    if (!(await findCentreAssessor(tx, centreId, plan.assessorId))) refuse(404, 'not-found', NO_SUCH_ASSESSOR);
    const known = await knownUnitIds(tx, plan.unitIds);
    const unknown = plan.unitIds.filter((u) => !known.has(u));
    if (unknown.length > 0) refuse(400, 'unknown-units', `No qualification at this centre has ${unknown.length === 1 ? 'the unit' : 'the units'} ${unknown.join(', ')}. Choose units from the list.`);
  }

  app.get('/assessors', ...readers, async (c) => {
    const body: CentreAssessorList = { assessors: await centreAssessors(db, c.get('caller').centreId) };
    return c.json(body);
  });

  app.get('/plans', ...readers, async (c) => {
    const body: SamplingPlanList = { plans: await listPlans(db, c.get('caller').centreId) };
    return c.json(body);
  });

  app.post('/plans', ...iqaOnly, async (c) => {
    const caller = c.get('caller');
    const plan = await readJson(c, SamplingPlan);
    await checkPlan(db, caller.centreId, plan);
    if (await planIdTaken(db, plan.id)) refuse(409, 'plan-exists', 'A sampling plan with this id already exists. Reload the plans and edit that one instead.');
    // The centre makes the seed: the IQA's device names the plan, not what its draw picks.
    const seed = newPlanSeed();
    await db.transaction(async (tx) => {
      await insertPlan(tx, plan, seed, caller, services.now());
      await audit(tx, caller, 'sampling-plan-created', { entity: 'sampling_plan', recordId: plan.id }, { ...auditedPlan(plan), seed });
    });
    const created: SamplingPlanSummary | null = await findPlan(db, caller.centreId, plan.id);
    return c.json(created, 201);
  });

  app.put('/plans/:id', ...iqaOnly, async (c) => {
    const caller = c.get('caller');
    const { id } = readParams(c, IdParam);
    const plan = await readJson(c, SamplingPlan);
    if (plan.id !== id) refuse(400, 'id-mismatch', 'The plan in the request is not the plan in the address. Reload the plan and save it again.');
    const current = await findPlan(db, caller.centreId, id);
    if (!current) refuse(404, 'not-found', NO_SUCH_PLAN);
    // Plans are shared for reading, but each stays its author's: the audit trail then says who chose what to sample.
    if (current.iqaId !== caller.userId)
      refuse(403, 'not-your-plan', `This plan is ${current.iqaName}’s: only they can change it. Make your own plan for ${current.assessorName} if you need a different sample.`);
    await checkPlan(db, caller.centreId, plan);
    await db.transaction(async (tx) => {
      await updatePlan(tx, plan, caller.centreId, services.now());
      await audit(tx, caller, 'sampling-plan-updated', { entity: 'sampling_plan', recordId: id }, { before: auditedPlan(current), after: auditedPlan(plan) });
    });
    return c.json(await findPlan(db, caller.centreId, id));
  });

  app.get('/plans/:id/sample', ...readers, async (c) => {
    const caller = c.get('caller');
    const { id } = readParams(c, IdParam);
    const plan = await findPlan(db, caller.centreId, id);
    if (!plan) refuse(404, 'not-found', NO_SUCH_PLAN);
    // The plan's seed, made by the centre: the same decisions always give the same sample, for anyone who re-draws it.
    const draw = await drawPlanSample(db, caller, plan);
    const body: SampleResponse = { plan, ...draw };
    return c.json(body);
  });

  app.get('/locks', ...readers, async (c) => {
    const { learnerId } = readQuery(c, z.object({ learnerId: z.string().uuid('That learner id is not a valid UUID').optional() }));
    const body: IqaLockedItemList = { items: await lockedItems(db, c.get('caller'), learnerId ?? null) };
    return c.json(body);
  });

  return app;
}
