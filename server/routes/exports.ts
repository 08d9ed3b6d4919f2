import { join } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { audit } from '../audit';
import { centreKey } from '../centre-key';
import { requireCaller, requireRole } from '../auth/middleware';
import type { AppEnv, Services } from '../context';
import { exportFilename, exportResponse } from '../export/build';
import { loadExport } from '../export/load';
import { diskContentStore } from '../files/store';
import { refuse } from '../http-errors';
import { drawPlanSample, findPlan } from '../sampling';
import { canReadLearner } from '../scope';
import { readParams } from './params';

/**
 *   GET /api/exports/learners/:learnerId   a learner's whole portfolio (admin or IQA of the centre, the learner's assessor)
 *   GET /api/exports/samples/:planId       an IQA plan's current sample (admin or IQA of the centre)
 *   GET /api/exports/centre-key            the centre key that seals exports: its public JWK and RFC 7638
 *                                          fingerprint, for admins to publish (any signed-in user of the centre)
 * Both answer a ZIP (see docs/assessment.md, "Verification anyone can repeat") and audit the export.
 */

const LearnerParam = z.object({ learnerId: z.string().uuid('That learner id is not a valid UUID') });
const PlanParam = z.object({ planId: z.string().uuid('That plan id is not a valid UUID') });

export function exportRoutes(services: Services): Hono<AppEnv> {
  const { db } = services;
  const store = diskContentStore(join(services.filesDir, 'sha256'));
  const app = new Hono<AppEnv>();
  app.use('*', requireCaller(services));

  app.get('/centre-key', async (c) => {
    const caller = c.get('caller');
    const key = await centreKey(db, caller.centreId);
    // The public half only: what an examiner compares with `npm run verify` and --centre-key pins.
    return c.json({ centreId: caller.centreId, fingerprint: key.public.fingerprint, publicKey: key.public.publicKey, createdAt: key.createdAt });
  });

  app.get('/learners/:learnerId', requireRole('admin', 'iqa', 'assessor'), async (c) => {
    const caller = c.get('caller');
    const { learnerId } = readParams(c, LearnerParam);
    const [learner] = await db.query<{ name: string }>(`select name from users where id = $1 and centre_id = $2 and role = 'learner'`, [learnerId, caller.centreId]);
    // 404, never 403: whether a learner outside the caller's scope exists is not theirs to know.
    if (!learner || !(await canReadLearner(db, caller, learnerId)))
      refuse(404, 'not-found', caller.role === 'assessor' ? 'There is no such learner on your caseload.' : 'There is no such learner at your centre.');
    const now = services.now();
    const bundle = await loadExport(db, caller, { scope: { type: 'learner', learnerId }, learnerIds: [learnerId], evidenceIds: null }, now);
    const response = await exportResponse(bundle, store, exportFilename(learner.name, now));
    // The learner's trail shows who exported their portfolio (it lists entries about their profile record).
    await audit(db, caller, 'eqa-export', { entity: 'profile', recordId: learnerId }, exportDetail(bundle));
    return response;
  });

  app.get('/samples/:planId', requireRole('admin', 'iqa'), async (c) => {
    const caller = c.get('caller');
    const { planId } = readParams(c, PlanParam);
    const plan = await findPlan(db, caller.centreId, planId);
    if (!plan) refuse(404, 'not-found', 'There is no such sampling plan at your centre.');
    // The same draw as GET /api/iqa/plans/:id/sample (the plan's seed), so the export is the sample the IQA sees.
    const draw = await drawPlanSample(db, caller, plan);
    const learnerIds = [...new Set(draw.picks.map((p) => p.candidate.learnerId))];
    const evidenceIds = new Set(draw.picks.map((p) => p.candidate.evidenceId));
    const now = services.now();
    const bundle = await loadExport(db, caller, { scope: { type: 'sample', planId }, learnerIds, evidenceIds }, now);
    const response = await exportResponse(bundle, store, exportFilename(`sample ${plan.assessorName}`, now));
    await audit(db, caller, 'eqa-export', { entity: 'sampling_plan', recordId: planId }, { ...exportDetail(bundle), learnerIds, seed: plan.seed });
    return response;
  });

  return app;
}

function exportDetail(bundle: Awaited<ReturnType<typeof loadExport>>): Record<string, unknown> {
  const m = bundle.manifest;
  return { scope: m.scope.type, evidence: m.evidence.length, decisions: m.decisions.length, files: bundle.files.length, exportedAt: m.exportedAt };
}
