import { Hono } from 'hono';
import { z } from 'zod';
import {
  CreateEnrolmentRequest,
  CreateUserRequest,
  MAX_SPEC_BYTES,
  SetCaseloadRequest,
  UpdateUserRequest,
  type CentreEnrolmentList,
  type CentreUserList,
  type SpecSummaryList,
} from '../../src/domain/admin';
import type { DeviceSessionList } from '../../src/domain/auth';
import { todayIso } from '../../src/domain/dates';
import { uuidv7 } from '../../src/domain/ids';
import type { FrameworkSpec } from '../../src/domain/qualification';
import { UnlockEvidenceRequest } from '../../src/domain/sampling';
import { parseSpec, SpecError } from '../../src/domain/specs';
import { audit } from '../audit';
import { findDeviceSession, listDeviceSessions, revokeDeviceSession } from '../auth/device-sessions';
import { requireCaller, requireRole } from '../auth/middleware';
import { hashPassword } from '../auth/passwords';
import type { AppEnv, Services } from '../context';
import { activeEnrolmentOn, enrolmentProblem, listEnrolments, writeEnrolment } from '../enrolments';
import { readJson, refuse } from '../http-errors';
import { retireLearnerProfile, writeLearnerProfile } from '../profiles';
import { CHANGE_LOCK, markScopeExit, readRecord, renumberLearnerRecords, toSyncRecord, writeRecord } from '../records';
import { canReadLearner, learnerScopeSql } from '../scope';
import { latestSpecVersion, listSpecSummaries, loadSpec, specSummary, storeSpec } from '../specs';
import { centreLearnerIds, emailTaken, findCentreUser, hasPortfolio, insertUser, isUniqueViolation, listCentreUsers } from '../users';
import { parseJsonText, readLimitedText } from './body';
import { IdParam, readParams } from './params';

const NO_SUCH_USER = 'There is no such user at your centre.';
const EMAIL_TAKEN = 'That email address already belongs to an account on this centre server. Use another, or find the existing account.';

/** Parses and validates an uploaded spec; every way it can be wrong is a 400 with the reasons. */
function specFromText(text: string): FrameworkSpec {
  let raw: unknown;
  try {
    raw = parseJsonText(text);
  } catch (error) {
    refuse(400, 'invalid-json', `The spec file is not valid JSON (${(error as Error).message}).`);
  }
  try {
    return parseSpec(raw, 'The spec file');
  } catch (error) {
    if (error instanceof SpecError) refuse(400, 'invalid-spec', error.message);
    throw error;
  }
}

/**
 * A centre admin's routes. Every one is bound to the admin's own centre: an id from another
 * centre answers exactly as an id that does not exist (404), so nothing about it leaks.
 */
export function adminRoutes(services: Services): Hono<AppEnv> {
  const { db } = services;
  const app = new Hono<AppEnv>();
  const adminOnly = [requireCaller(services), requireRole('admin')] as const;

  // ---- People ----

  app.get('/users', ...adminOnly, async (c) => {
    const body: CentreUserList = { users: await listCentreUsers(db, c.get('caller').centreId) };
    return c.json(body);
  });

  app.post('/users', ...adminOnly, async (c) => {
    const caller = c.get('caller');
    const request = await readJson(c, CreateUserRequest);
    if (await emailTaken(db, request.email)) refuse(409, 'email-taken', EMAIL_TAKEN);
    const passwordHash = await hashPassword(request.password);
    let id: string;
    try {
      id = await db.transaction(async (tx) => {
        const created = await insertUser(tx, { centreId: caller.centreId, name: request.name, email: request.email, role: request.role, passwordHash, byUser: caller.userId });
        await audit(tx, caller, 'user-created', { entity: 'user', recordId: created }, { role: request.role, email: request.email });
        return created;
      });
    } catch (error) {
      // Another admin created the same email between our check and the insert.
      if (isUniqueViolation(error)) refuse(409, 'email-taken', EMAIL_TAKEN);
      throw error;
    }
    return c.json(await findCentreUser(db, caller.centreId, id), 201);
  });

  app.patch('/users/:id', ...adminOnly, async (c) => {
    const caller = c.get('caller');
    const { id } = readParams(c, IdParam);
    const update = await readJson(c, UpdateUserRequest);
    const target = await findCentreUser(db, caller.centreId, id);
    if (!target) refuse(404, 'not-found', NO_SUCH_USER);
    // A centre must never lose its last way in by an admin's slip.
    if (id === caller.userId && (update.disabled === true || (update.role !== undefined && update.role !== 'admin')))
      refuse(403, 'own-account', 'You cannot disable your own account or take away your own admin role. Ask another admin of your centre.');
    const newRole = update.role ?? target.role;
    if (target.role === 'learner' && newRole !== 'learner' && (await hasPortfolio(db, id)))
      refuse(409, 'has-portfolio', `${target.name} has enrolments or evidence, so they must stay a learner. Disable the account instead.`);
    const passwordHash = update.password ? await hashPassword(update.password) : null;

    await db.transaction(async (tx) => {
      const sets: string[] = [];
      const params: unknown[] = [id, caller.centreId];
      if (update.name !== undefined) sets.push(`name = $${params.push(update.name)}`);
      if (update.role !== undefined) sets.push(`role = $${params.push(update.role)}`);
      // Disabling an account already disabled keeps the first time it was disabled.
      if (update.disabled !== undefined)
        sets.push(`disabled_at = case when $${params.push(update.disabled)}::boolean then coalesce(disabled_at, $${params.push(services.now())}::timestamptz) else null end`);
      if (passwordHash) sets.push(`password_hash = $${params.push(passwordHash)}`);
      await tx.query(`update users set ${sets.join(', ')} where id = $1 and centre_id = $2`, params);

      if (target.role === 'assessor' && newRole !== 'assessor') await tx.query('delete from caseloads where assessor_id = $1', [id]);
      if (target.role === 'learner' && newRole !== 'learner') {
        // Off every caseload, as when an admin takes them off one: each assessor's tablet is told.
        const assessors = await tx.query<{ assessor_id: string }>('select assessor_id from caseloads where learner_id = $1', [id]);
        for (const { assessor_id } of assessors) await markScopeExit(tx, caller.centreId, assessor_id, [id], services.now());
        await tx.query('delete from caseloads where learner_id = $1', [id]);
        await retireLearnerProfile(tx, { learnerId: id, byUser: caller.userId });
      }
      if (newRole === 'learner')
        await writeLearnerProfile(tx, { learnerId: id, centreId: caller.centreId, name: update.name ?? target.name, byUser: caller.userId, deviceId: caller.deviceId });
      await audit(tx, caller, 'user-updated', { entity: 'user', recordId: id }, {
        ...(update.name !== undefined ? { name: update.name } : {}),
        ...(update.role !== undefined ? { role: { from: target.role, to: update.role } } : {}),
        ...(update.disabled !== undefined ? { disabled: update.disabled } : {}),
        ...(passwordHash ? { password: 'changed' } : {}),
      });
    });
    return c.json(await findCentreUser(db, caller.centreId, id));
  });

  app.put('/caseloads/:assessorId', ...adminOnly, async (c) => {
    const caller = c.get('caller');
    const { assessorId } = readParams(c, z.object({ assessorId: z.string().uuid('That id is not a valid UUID') }));
    const { learnerIds } = await readJson(c, SetCaseloadRequest);
    const assessor = await findCentreUser(db, caller.centreId, assessorId);
    if (!assessor) refuse(404, 'not-found', NO_SUCH_USER);
    if (assessor.role !== 'assessor') refuse(409, 'not-an-assessor', `${assessor.name} is not an assessor, so they cannot have a caseload.`);
    const wanted = [...new Set(learnerIds)];
    const learners = await centreLearnerIds(db, caller.centreId, wanted);
    const refused = wanted.filter((l) => !learners.has(l));
    if (refused.length > 0) refuse(400, 'not-learners', `Only learners of your centre can be on a caseload. Not learners here: ${refused.join(', ')}.`);

    // The assessor's tablet has pulled past the records of a learner new to its caseload: they are
    // numbered again so its next pull brings the whole portfolio; a learner taken off it leaves a
    // tombstone per record, so the tablet drops their copies (server/records.ts).
    const added = wanted.filter((l) => !assessor.caseload.includes(l));
    const removed = assessor.caseload.filter((l) => !wanted.includes(l));
    await db.transaction(async (tx) => {
      await markScopeExit(tx, caller.centreId, assessorId, removed, services.now());
      await renumberLearnerRecords(tx, caller.centreId, added);
      await tx.query('delete from caseloads where assessor_id = $1', [assessorId]);
      if (wanted.length > 0)
        await tx.query('insert into caseloads (assessor_id, learner_id) select $1, unnest($2::uuid[])', [assessorId, wanted]);
      await audit(tx, caller, 'caseload-set', { entity: 'user', recordId: assessorId }, { before: assessor.caseload, after: wanted });
    });
    return c.json(await findCentreUser(db, caller.centreId, assessorId));
  });

  // ---- Enrolments ----

  app.get('/enrolments', ...adminOnly, async (c) => {
    const caller = c.get('caller');
    const body: CentreEnrolmentList = { enrolments: await listEnrolments(db, caller.centreId, learnerScopeSql(caller, 'r.learner_id', 2)) };
    return c.json(body);
  });

  app.post('/enrolments', ...adminOnly, async (c) => {
    const caller = c.get('caller');
    const request = await readJson(c, CreateEnrolmentRequest);
    if (!(await canReadLearner(db, caller, request.learnerId)))
      refuse(404, 'not-found', 'There is no such learner at your centre. Only learners can be enrolled.');
    const spec = await loadSpec(db, request.qualificationId, request.qualificationVersion);
    const problem = enrolmentProblem(spec, request, todayIso(services.now()));
    if (problem) refuse(400, problem.error, problem.message);
    if (await activeEnrolmentOn(db, request.learnerId, request.qualificationId))
      refuse(409, 'already-enrolled', `This learner is already enrolled on ${request.qualificationId}.`);

    const id = uuidv7(services.now().getTime());
    await db.transaction(async (tx) => {
      await writeEnrolment(tx, { id, centreId: caller.centreId, request, byUser: caller.userId, deviceId: caller.deviceId, now: services.now() });
      await audit(tx, caller, 'enrolment-created', { entity: 'enrolment', recordId: id }, {
        learnerId: request.learnerId,
        qualification: `${request.qualificationId} v${request.qualificationVersion}`,
      });
    });
    const [created] = await listEnrolments(db, caller.centreId, learnerScopeSql(caller, 'r.learner_id', 2), id);
    return c.json(created, 201);
  });

  // ---- Qualification specs ----

  app.get('/specs', ...adminOnly, async (c) => {
    const body: SpecSummaryList = { specs: await listSpecSummaries(db, c.get('caller').centreId) };
    return c.json(body);
  });

  app.post('/specs', ...adminOnly, async (c) => {
    const caller = c.get('caller');
    const text = await readLimitedText(c, MAX_SPEC_BYTES, 'The spec file');
    const spec = specFromText(text);
    const tooOld = (latest: number) =>
      refuse(409, 'version-exists', `${spec.id} is already at version ${latest} here. Give the new spec a version above ${latest}; stored versions never change.`);
    const latest = await latestSpecVersion(db, spec.id);
    if (latest !== null && spec.version <= latest) tooOld(latest);
    const stored = await db.transaction(async (tx) => {
      if (!(await storeSpec(tx, spec, caller.userId))) return false;
      await audit(tx, caller, 'spec-imported', { entity: 'spec', recordId: `${spec.id}@${spec.version}` }, { title: spec.title, bytes: Buffer.byteLength(text) });
      return true;
    });
    // Another admin stored this exact version between our check and the insert.
    if (!stored) tooOld(spec.version);
    return c.json(await specSummary(db, caller.centreId, spec.id, spec.version), 201);
  });

  // ---- Devices ----

  app.get('/users/:id/sessions', ...adminOnly, async (c) => {
    const caller = c.get('caller');
    const { id } = readParams(c, IdParam);
    if (!(await findCentreUser(db, caller.centreId, id))) refuse(404, 'not-found', NO_SUCH_USER);
    const body: DeviceSessionList = { sessions: await listDeviceSessions(db, id, caller.sessionId, services.now()) };
    return c.json(body);
  });

  app.post('/sessions/:id/revoke', ...adminOnly, async (c) => {
    const caller = c.get('caller');
    const { id } = readParams(c, IdParam);
    const found = await findDeviceSession(db, id, { centreId: caller.centreId });
    if (!found) refuse(404, 'not-found', 'There is no such device session at your centre.');
    await db.transaction(async (tx) => {
      await revokeDeviceSession(tx, id, caller, services.now());
      await audit(tx, caller, 'session-revoked', { entity: 'session', recordId: id }, { userId: found.userId, deviceId: found.session.deviceId });
    });
    const revoked = await findDeviceSession(db, id, { centreId: caller.centreId }, caller.sessionId);
    return c.json(revoked!.session);
  });

  // ---- Evidence ----

  app.post('/evidence/:id/unlock', ...adminOnly, async (c) => {
    const caller = c.get('caller');
    const { id } = readParams(c, IdParam);
    const { reason } = await readJson(c, UnlockEvidenceRequest);
    const outcome = await db.transaction(async (tx) => {
      // Held before the read so an IQA decision or a reopen cannot slip in between.
      await tx.query('select pg_advisory_xact_lock($1)', [CHANGE_LOCK]);
      const item = await readRecord(tx, 'evidence', id);
      if (!item || item.centreId !== caller.centreId || !(await canReadLearner(tx, caller, item.learnerId))) return 'not-found' as const;
      const lock = item.data.iqaLock as { decisionId: string; at: string } | null | undefined;
      if (!lock) return 'not-locked' as const;
      const { revision } = await writeRecord(tx, {
        entity: 'evidence',
        id,
        centreId: item.centreId,
        learnerId: item.learnerId,
        data: { ...item.data, iqaLock: null },
        byUser: caller.userId,
        deviceId: caller.deviceId,
      });
      await audit(tx, caller, 'evidence-unlocked', { entity: 'evidence', recordId: id }, { reason, decisionId: lock.decisionId, lockedAt: lock.at, revision });
      return (await readRecord(tx, 'evidence', id))!;
    });
    if (outcome === 'not-found') refuse(404, 'not-found', 'There is no such evidence item at your centre.');
    if (outcome === 'not-locked') refuse(409, 'not-locked', 'This evidence item is not locked by an IQA decision, so there is nothing to unlock.');
    return c.json(toSyncRecord(outcome));
  });

  return app;
}
