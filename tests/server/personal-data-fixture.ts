import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { uuidv7 } from '../../src/domain/ids';
import { exportPublicJwk, generateSigningKey, signDecision, signedEvidenceOf, type SigningKeyPair } from '../../src/domain/signing';
import type { Decision, UnsignedDecision } from '../../src/domain/signoff';
import { SYNC_PROTOCOL_VERSION } from '../../src/domain/sync';
import { writeRecord } from '../../server/records';
import type { TestCentre, TestUser } from './harness';

/**
 * A learner's portfolio built the way devices and the centre build one, for the personal-data
 * tests (tests/server/personal-data.test.ts, tests/faults/personal-data.test.ts): files uploaded
 * through tus, evidence created and edited through sync push (versions, audit, sync receipts),
 * an enrolment and profile as the centre writes them, a signed declaration and acceptance, a
 * signing key, a device session, an IQA plan that samples the assessor.
 */

export interface SigningKey {
  id: string;
  pair: SigningKeyPair;
}

export interface BuiltLearner {
  learner: TestUser;
  token: string;
  deviceId: string;
  enrolmentId: string;
  evidenceIds: string[];
  titles: string[];
  /** SHA-256 of every file held for the learner. */
  files: string[];
  decisions: Decision[];
  keyId: string;
}

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const AT = '2026-11-20T09:00:00.000Z';

export async function registerKey(centre: TestCentre, user: TestUser): Promise<SigningKey> {
  const pair = await generateSigningKey();
  const id = randomUUID();
  await centre.db.query('insert into signing_keys (id, user_id, centre_id, public_key, name, role) values ($1, $2, $3, $4::jsonb, $5, $6)', [
    id,
    user.id,
    user.centreId,
    JSON.stringify(await exportPublicJwk(pair.publicKey)),
    user.name,
    user.role,
  ]);
  return { id, pair };
}

/** Uploads bytes as the user through tus (creation with upload): the centre then holds them for that user. */
export async function uploadFile(centre: TestCentre, token: string, bytes: Uint8Array, name = 'photo.png', type = 'image/png'): Promise<string> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const response = await centre.app.request('/api/files/uploads', {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'tus-resumable': '1.0.0',
      'upload-length': String(bytes.length),
      'upload-metadata': `sha256 ${b64(sha256)},filename ${b64(name)},filetype ${b64(type)}`,
      'content-type': 'application/offset+octet-stream',
    },
    body: new Uint8Array(bytes),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return sha256;
}

export async function push(centre: TestCentre, token: string, deviceId: string, mutations: Array<Record<string, unknown>>): Promise<Array<Record<string, unknown>>> {
  const response = await centre.request('POST', '/api/sync/push', { token, body: { protocol: SYNC_PROTOCOL_VERSION, deviceId, mutations } });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return (JSON.parse(text) as { results: Array<Record<string, unknown>> }).results;
}

export function evidenceBody(enrolmentId: string, title: string, attachments: Array<{ id: string; name: string; type: string; size: number }>) {
  return {
    enrolmentId,
    status: 'draft' as const,
    title,
    narrative: `What I did: ${title}. I planned it, checked it with my supervisor and wrote up the handover.`,
    activityDate: '2026-11-18',
    method: 'observation' as const,
    hours: 3,
    offTheJob: false,
    attachments,
    criterionIds: ['health-and-safety-in-ict:1.1', 'health-and-safety-in-ict:1.2'],
    kind: 'learner' as const,
    questions: [],
    witness: null,
    createdAt: AT,
    updatedAt: AT,
    deletedAt: null,
    conflicts: [],
    recordedBy: null,
  };
}

export interface LearnerPlan {
  centreId: string;
  name: string;
  assessor: TestUser;
  assessorKey: SigningKey;
  /** Bytes of each file; the same bytes for two learners are one file held for both. */
  files: Uint8Array[];
  items: number;
}

export async function buildLearner(centre: TestCentre, plan: LearnerPlan): Promise<BuiltLearner> {
  const learner = await centre.createUser('learner', plan.centreId, { name: plan.name });
  await centre.db.query('insert into caseloads (assessor_id, learner_id) values ($1, $2)', [plan.assessor.id, learner.id]);
  const deviceId = randomUUID();
  const token = await centre.tokenFor(learner, deviceId);
  const key = await registerKey(centre, learner);
  const enrolmentId = uuidv7();
  await centre.db.transaction(async (tx) => {
    const own = { centreId: plan.centreId, learnerId: learner.id, byUser: learner.id, deviceId };
    await writeRecord(tx, { ...own, entity: 'profile', id: learner.id, data: { name: plan.name, employer: `${plan.name.split(' ')[0]} Networks Ltd`, updatedAt: AT } });
    await writeRecord(tx, {
      ...own,
      entity: 'enrolment',
      id: enrolmentId,
      data: { learnerId: learner.id, qualificationId: '4520-03', qualificationVersion: 1, optionalUnitIds: [], startDate: '2026-03-02', plannedEndDate: '2027-09-30', plannedOffTheJobHoursPerWeek: 6, createdAt: AT, updatedAt: AT },
    });
  });

  const files: string[] = [];
  for (const [i, bytes] of plan.files.entries()) files.push(await uploadFile(centre, token, bytes, `photo-${i + 1}.png`));

  const evidenceIds: string[] = [];
  const titles: string[] = [];
  for (let i = 0; i < plan.items; i++) {
    const id = uuidv7();
    const title = `${plan.name}: replacing switch ${i + 1}`;
    const attachments = files.flatMap((sha256, f) => (f % plan.items === i ? [{ id: sha256, name: `photo-${f + 1}.png`, type: 'image/png', size: plan.files[f]!.length }] : []));
    const body = evidenceBody(enrolmentId, title, attachments);
    const [created] = await push(centre, token, deviceId, [{ id: randomUUID(), entity: 'evidence', recordId: id, op: 'upsert', baseRevision: 0, patch: body, createdAt: AT }]);
    expect(created, JSON.stringify(created)).toMatchObject({ status: 'applied' });
    // A second revision, so the history has more than one version.
    const [edited] = await push(centre, token, deviceId, [
      { id: randomUUID(), entity: 'evidence', recordId: id, op: 'upsert', baseRevision: 1, patch: { narrative: `${body.narrative} Edited after feedback.`, status: 'submitted', updatedAt: '2026-11-20T10:00:00.000Z' }, createdAt: '2026-11-20T10:00:00.000Z' },
    ]);
    expect(edited, JSON.stringify(edited)).toMatchObject({ status: 'applied' });
    evidenceIds.push(id);
    titles.push(title);
  }

  // The learner's declaration and the assessor's acceptance of the first item, signed as devices sign them.
  const decisions: Decision[] = [];
  const [row] = await centre.db.query<{ data: Record<string, unknown> }>(`select data from records where entity = 'evidence' and id = $1`, [evidenceIds[0]]);
  const signed = await signedEvidenceOf({ id: evidenceIds[0]!, ...(row!.data as ReturnType<typeof evidenceBody>) });
  const base = { learnerId: learner.id, enrolmentId, unitId: null, subjectId: null, evidence: [signed], signedFor: null, drawnSignature: PNG };
  decisions.push(
    await signDecision(
      {
        ...base,
        id: uuidv7(),
        kind: 'declaration',
        outcome: 'declared',
        criterionIds: [],
        feedback: { overall: '', criteria: {} },
        signer: { userId: learner.id, name: learner.name, role: 'learner' },
        signedAt: '2026-11-20T11:00:00.000Z',
        keyId: key.id,
      } satisfies UnsignedDecision,
      key.pair.privateKey,
    ),
  );
  decisions.push(
    await signDecision(
      {
        ...base,
        id: uuidv7(),
        kind: 'assessment',
        outcome: 'accepted',
        criterionIds: ['health-and-safety-in-ict:1.1', 'health-and-safety-in-ict:1.2'],
        feedback: { overall: `Safe isolation and a tidy handover, ${plan.name.split(' ')[0]}.`, criteria: {} },
        signer: { userId: plan.assessor.id, name: plan.assessor.name, role: 'assessor' },
        signedAt: '2026-11-21T14:30:00.000Z',
        keyId: plan.assessorKey.id,
      } satisfies UnsignedDecision,
      plan.assessorKey.pair.privateKey,
    ),
  );
  await centre.db.transaction(async (tx) => {
    for (const d of decisions) {
      const { id, ...data } = d;
      await writeRecord(tx, { centreId: plan.centreId, learnerId: learner.id, byUser: d.signer.userId, deviceId: null, entity: 'decision', id, data });
    }
  });
  return { learner, token, deviceId, enrolmentId, evidenceIds, titles, files, decisions, keyId: key.id };
}

/** A plan sampling every interim decision of the assessor (100 %), as an IQA would set it. */
export async function samplingPlan(centre: TestCentre, centreId: string, iqa: TestUser, assessor: TestUser): Promise<string> {
  const id = randomUUID();
  await centre.db.query(`insert into sampling_plans (id, centre_id, iqa_id, assessor_id, percentage, stage) values ($1, $2, $3, $4, 100, 'interim')`, [id, centreId, iqa.id, assessor.id]);
  return id;
}

/** Moves a learner's centre-side times back, as if the records were written `years` ago. */
export async function age(centre: TestCentre, learnerId: string, years: number): Promise<void> {
  const shift = `interval '${Math.round(years * 12)} months'`;
  await centre.db.query(`update users set created_at = created_at - ${shift} where id = $1`, [learnerId]);
  await centre.db.query(`update records set updated_at = updated_at - ${shift} where learner_id = $1`, [learnerId]);
  await centre.db.query(`update device_sessions set last_seen_at = last_seen_at - ${shift} where user_id = $1`, [learnerId]);
  await centre.db.query(
    `update records set data = jsonb_set(data, '{plannedEndDate}', to_jsonb((((data->>'plannedEndDate')::date) - ${shift})::date::text)) where learner_id = $1 and entity = 'enrolment'`,
    [learnerId],
  );
}
