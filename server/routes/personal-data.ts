import { join } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { EraseLearnerRequest, type ErasureResult } from '../../src/domain/personal-data';
import { audit } from '../audit';
import { requireCaller, requireRole } from '../auth/middleware';
import type { AppEnv, Services } from '../context';
import { diskContentStore } from '../files/store';
import { readJson, refuse } from '../http-errors';
import { eraseLearner, removeErasedFiles } from '../personal-data/erase';
import { erasureStatus, retentionFacts, tooEarlyMessage } from '../personal-data/retention';
import { loadSubjectAccess } from '../personal-data/subject-access';
import { subjectAccessResponse } from '../personal-data/zip';
import { readParams } from './params';

/**
 *   GET  /api/personal-data/learners/:learnerId/export    everything held about the learner, as a ZIP
 *                                                         (the learner themselves, or an admin of their centre); audited
 *   GET  /api/personal-data/learners/:learnerId/erasure   whether the retention period is over, and from when (admin)
 *   POST /api/personal-data/learners/:learnerId/erase     erases the learner once it is (admin; reason and their name to confirm); audited
 */

const LearnerParam = z.object({ learnerId: z.string().uuid('That learner id is not a valid UUID') });

const NO_SUCH_LEARNER = 'There is no such learner at your centre.';

export function personalDataRoutes(services: Services): Hono<AppEnv> {
  const { db } = services;
  const store = diskContentStore(join(services.filesDir, 'sha256'));
  const app = new Hono<AppEnv>();
  app.use('*', requireCaller(services));

  app.get('/learners/:learnerId/export', requireRole('learner', 'admin'), async (c) => {
    const caller = c.get('caller');
    const { learnerId } = readParams(c, LearnerParam);
    // A learner asks for their own data only; anyone else's answers as if it did not exist.
    if (caller.role === 'learner' && learnerId !== caller.userId) refuse(404, 'not-found', 'You can download only your own data.');
    const now = services.now();
    const bundle = await loadSubjectAccess(db, caller, learnerId, now);
    if (!bundle) refuse(404, 'not-found', NO_SUCH_LEARNER);
    const response = await subjectAccessResponse(bundle, store, now);
    // In the learner's own trail (entries about their account): who asked, when, for whom, how much.
    await audit(db, caller, 'subject-access-export', { entity: 'user', recordId: learnerId }, {
      for: learnerId,
      exportedAt: now.toISOString(),
      records: bundle.data.profile.length + bundle.data.enrolments.length + bundle.data.evidence.length + bundle.data.decisions.length,
      files: bundle.files.length,
      auditEntries: bundle.data.audit.length,
    });
    return response;
  });

  app.get('/learners/:learnerId/erasure', requireRole('admin'), async (c) => {
    const caller = c.get('caller');
    const { learnerId } = readParams(c, LearnerParam);
    const facts = await retentionFacts(db, caller.centreId, learnerId);
    if (!facts) refuse(404, 'not-found', NO_SUCH_LEARNER);
    return c.json(erasureStatus(facts, services.now()));
  });

  app.post('/learners/:learnerId/erase', requireRole('admin'), async (c) => {
    const caller = c.get('caller');
    const { learnerId } = readParams(c, LearnerParam);
    const request = await readJson(c, EraseLearnerRequest);
    const outcome = await eraseLearner(db, caller, learnerId, (facts) => confirmErasure(facts, request), request.reason, services.now());
    if (outcome.kind === 'not-found') refuse(404, 'not-found', NO_SUCH_LEARNER);
    if (outcome.kind === 'too-early') refuse(409, 'retention-period', tooEarlyMessage(outcome.facts));
    await removeErasedFiles(store, services.filesDir, outcome.files, learnerId);
    return c.json(outcome.result satisfies ErasureResult);
  });

  return app;
}

/** The typed name must be the learner's, and the reason (kept after the erasure) must not name them. */
function confirmErasure(facts: { name: string; email: string }, request: EraseLearnerRequest): void {
  const fold = (s: string) => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('en-GB');
  if (fold(request.confirmName) !== fold(facts.name))
    refuse(400, 'confirm-name', `To confirm, type the learner's name exactly as the centre holds it. Nothing was erased.`);
  const reason = fold(request.reason);
  const local = fold(facts.email).split('@')[0] ?? '';
  if (reason.includes(fold(facts.name)) || reason.includes(fold(facts.email)) || (local.length >= 4 && reason.includes(local)))
    refuse(400, 'reason-names-learner', `The reason is kept in the audit log after the erasure, so it must not name the learner or give their email. Nothing was erased.`);
}
