import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { strFromU8, strToU8, unzipSync, zipSync, type Unzipped } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_VERSION, type ExportManifest } from '../../src/domain/export-manifest';
import { uuidv7 } from '../../src/domain/ids';
import { exportPublicJwk, generateSigningKey, signDecision, signedEvidenceOf, type SigningKeyPair } from '../../src/domain/signing';
import type { Decision, UnsignedDecision } from '../../src/domain/signoff';
import { formatFinding, type VerifyResult } from '../../src/domain/verify';
import { verifyZip } from '../../server/export/verify-zip';
import { diskContentStore } from '../../server/files/store';
import { writeRecord } from '../../server/records';
import { seedShippedSpecs } from '../../server/seed';
import { startTestCentre, type TestCentre, type TestUser } from './harness';

/**
 * EQA exports end to end on the test centre: a learner's portfolio with a file and a real signed
 * acceptance is exported and verified with the code `npm run verify` runs; then every kind of
 * tampering, in the ZIP and in the centre's own database or file store, must be named.
 */

let centre: TestCentre;
let centreId: string;
let admin: TestUser;
let iqa: TestUser;
let assessor: TestUser;
let otherAssessor: TestUser;
let adminToken: string;
let assessorToken: string;
let assessorKey: { id: string; pair: SigningKeyPair };
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

interface Portfolio {
  learner: TestUser;
  learnerToken: string;
  enrolmentId: string;
  evidenceId: string;
  title: string;
  fileHash: string;
  acceptance: Decision;
  declaration: Decision;
}

async function registerKey(user: TestUser): Promise<{ id: string; pair: SigningKeyPair }> {
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

async function storeFile(content: string): Promise<string> {
  const bytes = Buffer.from(content);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const temp = join(centre.filesDir, `incoming-${randomUUID()}`);
  writeFileSync(temp, bytes);
  await diskContentStore(join(centre.filesDir, 'sha256')).adopt(sha256, temp);
  return sha256;
}

/** A learner on the assessor's caseload with one item, a photo, the learner's declaration and the assessor's signed acceptance. */
async function buildPortfolio(name: string, by: { assessor: TestUser; key: { id: string; pair: SigningKeyPair } } = { assessor, key: assessorKey }): Promise<Portfolio> {
  const { assessor, key: assessorKey } = by;
  const learner = await centre.createUser('learner', centreId, { name });
  await centre.db.query('insert into caseloads (assessor_id, learner_id) values ($1, $2)', [assessor.id, learner.id]);
  const learnerKey = await registerKey(learner);
  const enrolmentId = uuidv7();
  const evidenceId = uuidv7();
  const title = `Replacing a failed switch at ${name}'s site`;
  const fileHash = await storeFile(`photo of the new switch for ${name} ${randomUUID()}`);
  const at = '2026-11-20T09:00:00.000Z';
  const criterionIds = ['health-and-safety-in-ict:1.1', 'health-and-safety-in-ict:1.2', 'icttech:B2'];
  const evidence = {
    enrolmentId,
    status: 'submitted' as const,
    title,
    narrative: 'I isolated the rack, swapped the failed switch and restored every port to its VLAN before users arrived.',
    activityDate: '2026-11-18',
    method: 'observation' as const,
    hours: 3,
    offTheJob: false,
    attachments: [{ id: fileHash, name: 'switch.png', type: 'image/png', size: 60 }],
    criterionIds,
    kind: 'learner' as const,
    questions: [],
    witness: null,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    conflicts: [],
    recordedBy: null,
    iqaLock: null,
  };
  const signed = await signedEvidenceOf({ id: evidenceId, ...evidence });
  const base = { learnerId: learner.id, enrolmentId, unitId: null, subjectId: null, evidence: [signed], signedFor: null, drawnSignature: PNG };
  const declaration = await signDecision(
    {
      ...base,
      id: uuidv7(),
      kind: 'declaration',
      outcome: 'declared',
      criterionIds: [],
      feedback: { overall: '', criteria: {} },
      signer: { userId: learner.id, name: learner.name, role: 'learner' },
      signedAt: '2026-11-20T10:00:00.000Z',
      keyId: learnerKey.id,
    } satisfies UnsignedDecision,
    learnerKey.pair.privateKey,
  );
  const acceptance = await signDecision(
    {
      ...base,
      id: uuidv7(),
      kind: 'assessment',
      outcome: 'accepted',
      criterionIds,
      feedback: { overall: 'Safe isolation and a tidy handover: well done.', criteria: { 'health-and-safety-in-ict:1.1': 'Clear risk check.' } },
      signer: { userId: assessor.id, name: assessor.name, role: 'assessor' },
      signedAt: '2026-11-21T14:30:00.000Z',
      keyId: assessorKey.id,
    } satisfies UnsignedDecision,
    assessorKey.pair.privateKey,
  );
  await centre.db.transaction(async (tx) => {
    const own = { centreId, learnerId: learner.id, byUser: learner.id, deviceId: null };
    await writeRecord(tx, { ...own, entity: 'profile', id: learner.id, data: { name, employer: 'Acme Networks' } });
    await writeRecord(tx, {
      ...own,
      entity: 'enrolment',
      id: enrolmentId,
      data: {
        learnerId: learner.id,
        qualificationId: '4520-03',
        qualificationVersion: 1,
        optionalUnitIds: [],
        startDate: '2026-03-02',
        plannedEndDate: '2027-09-30',
        plannedOffTheJobHoursPerWeek: 6,
        createdAt: at,
        updatedAt: at,
      },
    });
    await writeRecord(tx, { ...own, entity: 'evidence', id: evidenceId, data: { ...evidence, status: 'signed-off' } });
    for (const d of [declaration, acceptance]) {
      const { id, ...data } = d;
      await writeRecord(tx, { ...own, byUser: d.signer.userId, entity: 'decision', id, data });
    }
  });
  return { learner, learnerToken: await centre.tokenFor(learner), enrolmentId, evidenceId, title, fileHash, acceptance, declaration };
}

async function exportOf(learnerId: string, token = adminToken): Promise<Uint8Array> {
  const response = await centre.request('GET', `/api/exports/learners/${learnerId}`, { token });
  expect(response.status, await response.clone().text().catch(() => '')).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

function rezip(zip: Uint8Array, change: (files: Unzipped) => void): Uint8Array {
  const files = unzipSync(zip);
  change(files);
  return zipSync(files);
}

function editManifest(zip: Uint8Array, change: (m: ExportManifest) => void): Uint8Array {
  return rezip(zip, (files) => {
    const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as ExportManifest;
    change(manifest);
    files['manifest.json'] = strToU8(JSON.stringify(manifest));
  });
}

function problems(result: VerifyResult): string {
  return result.findings.map(formatFinding).join('\n');
}

/** The finding must name the item by title and id (or the decision by id, kind and signer). */
function expectItemNamed(result: VerifyResult, p: Portfolio, words: RegExp) {
  expect(result.ok).toBe(false);
  const text = problems(result);
  expect(text).toContain(`Evidence “${p.title}” (${p.evidenceId})`);
  expect(text).toMatch(words);
}

function expectDecisionNamed(result: VerifyResult, decision: Decision, signerName: string) {
  expect(result.ok).toBe(false);
  const finding = result.findings.find((f) => f.id === decision.id);
  expect(finding, problems(result)).toBeDefined();
  expect(finding!.about).toContain(decision.id);
  expect(finding!.about).toContain('Assessment decision');
  expect(finding!.about).toContain(signerName);
  expect(finding!.problem).toMatch(/signature does not verify/);
}

beforeAll(async () => {
  centre = await startTestCentre();
  await seedShippedSpecs(centre.db);
  centreId = await centre.createCentre('Export College');
  admin = await centre.createUser('admin', centreId, { name: 'Priya Admin' });
  iqa = await centre.createUser('iqa', centreId, { name: 'Grace IQA' });
  assessor = await centre.createUser('assessor', centreId, { name: 'Tom Assessor' });
  otherAssessor = await centre.createUser('assessor', centreId, { name: 'Hannah Assessor' });
  adminToken = await centre.tokenFor(admin);
  assessorToken = await centre.tokenFor(assessor);
  assessorKey = await registerKey(assessor);
});
afterAll(async () => {
  await centre.close();
});

describe('a learner export', () => {
  let p: Portfolio;
  let zip: Uint8Array;
  beforeAll(async () => {
    p = await buildPortfolio('Jordan Ellis');
    zip = await exportOf(p.learner.id);
  });

  it('verifies, with the signed acceptance, the declaration and the file', async () => {
    const result = await verifyZip(zip);
    expect(problems(result)).toBe('');
    expect(result.ok).toBe(true);
    expect(result.checked).toMatchObject({ files: 1, evidence: 1, decisions: 2, signaturesValid: 2, signedOffItems: 1, keys: 2 });
  });

  it('holds the manifest, the files by hash, readable pages and a README', async () => {
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(['README.txt', `files/${p.fileHash}`, 'icttech.html', 'index.html', 'manifest.json', 'signature.json']);
    const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as ExportManifest;
    expect(manifest).toMatchObject({ format: 'ict-portfolio-export', version: EXPORT_VERSION, scope: { type: 'learner', learnerId: p.learner.id }, exportedBy: { userId: admin.id, role: 'admin' } });
    expect(manifest.evidence[0]).toMatchObject({ id: p.evidenceId, learnerId: p.learner.id, status: 'signed-off', attachments: [{ id: p.fileHash, name: 'switch.png', path: `files/${p.fileHash}` }] });
    expect(manifest.keys.map((k) => k.userId).sort()).toEqual([assessor.id, p.learner.id].sort());

    const index = strFromU8(files['index.html']!);
    expect(index).toContain(p.title.replace("'", '&#39;'));
    expect(index).toContain('Passed: everything signed still matches what was signed.');
    expect(index).toContain(`src="files/${p.fileHash}"`);
    expect(index).toContain('Safe isolation and a tidy handover');
    expect(index).toContain(PNG);
    // Self-contained: no script and nothing fetched from elsewhere.
    for (const page of [index, strFromU8(files['icttech.html']!)]) {
      expect(page).not.toMatch(/<script/i);
      expect(page).not.toMatch(/(src|href)="(https?:)?\/\//i);
    }
    const icttech = strFromU8(files['icttech.html']!);
    expect(icttech).toContain('ready to support a registration application');
    expect(icttech).toMatch(/B2 [^<]*<\/h4>\s*<table>.*Replacing a failed switch.*Signed off/s);
    expect(strFromU8(files['README.txt']!)).toContain('npm run verify -- path/to/this-export.zip');
  });

  it('answers as a download and is audited', async () => {
    const response = await centre.request('GET', `/api/exports/learners/${p.learner.id}`, { token: assessorToken });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="eqa-jordan-ellis-\d{4}-\d{2}-\d{2}\.zip"/);
    await response.arrayBuffer();
    const rows = await centre.db.query<{ user_id: string }>(`select user_id from audit_log where action = 'eqa-export' and record_id = $1`, [p.learner.id]);
    expect(rows.map((r) => r.user_id)).toEqual(expect.arrayContaining([admin.id, assessor.id]));
    // The next export carries the earlier exports in its audit trail.
    const manifest = JSON.parse(strFromU8(unzipSync(await exportOf(p.learner.id))['manifest.json']!)) as ExportManifest;
    expect(manifest.audit.filter((a) => a.action === 'eqa-export').map((a) => a.user?.name)).toEqual(expect.arrayContaining(['Priya Admin', 'Tom Assessor']));
  });

  it('names the item when one byte of its attachment is changed in the ZIP', async () => {
    const tampered = rezip(zip, (files) => {
      const bytes = files[`files/${p.fileHash}`]!;
      bytes[0] = bytes[0]! ^ 1;
    });
    const result = await verifyZip(tampered);
    expectItemNamed(result, p, /Attachment “switch\.png” .* has been changed/);
  });

  it('names the item when a word of its signed account is changed in manifest.json', async () => {
    const result = await verifyZip(editManifest(zip, (m) => (m.evidence[0]!.narrative = m.evidence[0]!.narrative.replace('swapped', 'replaced'))));
    expectItemNamed(result, p, /changed since Tom Assessor signed it off .*content .* is not what was signed/);
  });

  it('names the item when a mapped criterion is changed', async () => {
    const result = await verifyZip(editManifest(zip, (m) => (m.evidence[0]!.criterionIds[1] = 'health-and-safety-in-ict:1.3')));
    expectItemNamed(result, p, /mapped criteria are not the ones Tom Assessor confirmed .*added health-and-safety-in-ict:1\.3; removed health-and-safety-in-ict:1\.2/);
  });

  it("names the decision when the signer's name is changed", async () => {
    const result = await verifyZip(editManifest(zip, (m) => (m.decisions.find((d) => d.id === p.acceptance.id)!.signer.name = 'Someone Else')));
    expectDecisionNamed(result, p.acceptance, 'Someone Else');
  });

  it("names the decision when its feedback is changed", async () => {
    const result = await verifyZip(editManifest(zip, (m) => (m.decisions.find((d) => d.id === p.acceptance.id)!.feedback.overall = 'Not yet competent.')));
    expectDecisionNamed(result, p.acceptance, 'Tom Assessor');
  });

  it('npm run verify exits 0 with a summary, and 1 naming the item when tampered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ictp-verify-'));
    const good = join(dir, 'good.zip');
    const bad = join(dir, 'bad.zip');
    writeFileSync(good, zip);
    writeFileSync(bad, editManifest(zip, (m) => (m.evidence[0]!.title = 'Something else')));
    const run = (file: string) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/verify.ts', file]).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    );
    const ok = await run(good);
    expect(ok.out).toMatch(/verified: 1 files, 1 evidence items, 2 decisions \(2 signatures valid\), 1 signed-off items, 2 keys/);
    expect(ok.code).toBe(0);
    const failed = await run(bad);
    expect(failed.code).toBe(1);
    expect(failed.out).toContain(`PROBLEM: Evidence “Something else” (${p.evidenceId}): It has been changed since Tom Assessor signed it off`);
    expect(failed.out).toContain('FAILED verification');
  });

  it('names a file that is missing and a manifest that is not the format', async () => {
    const missing = await verifyZip(rezip(zip, (files) => delete files[`files/${p.fileHash}`]));
    expectItemNamed(missing, p, /is missing from the export/);
    const wrong = await verifyZip(editManifest(zip, (m) => ((m as { version: number }).version = EXPORT_VERSION + 1)));
    expect(problems(wrong)).toContain(`format version ${EXPORT_VERSION + 1}; this verifier reads version ${EXPORT_VERSION}`);
  });
});

describe('tampering in the centre, found by the next export', () => {
  async function tampered(p: Portfolio, sql: string, params: unknown[]): Promise<VerifyResult> {
    await centre.db.query(sql, params);
    const zip = await exportOf(p.learner.id);
    const result = await verifyZip(zip);
    // The export's own page reports it too.
    expect(strFromU8(unzipSync(zip)['index.html']!)).toContain('Failed:');
    return result;
  }

  it('a changed word of the narrative in records.data', async () => {
    const p = await buildPortfolio('Sam Patel');
    const result = await tampered(p, `update records set data = jsonb_set(data, '{narrative}', to_jsonb(replace(data->>'narrative', 'isolated', 'unplugged'))) where entity = 'evidence' and id = $1`, [p.evidenceId]);
    expectItemNamed(result, p, /is not what was signed/);
  });

  it('a changed criterion in records.data', async () => {
    const p = await buildPortfolio('Chloe Wright');
    const result = await tampered(p, `update records set data = jsonb_set(data, '{criterionIds,0}', '"D/503/5549:1.1"') where entity = 'evidence' and id = $1`, [p.evidenceId]);
    expectItemNamed(result, p, /added D\/503\/5549:1\.1; removed health-and-safety-in-ict:1\.1/);
  });

  it("a changed signer's name in the decision record", async () => {
    const p = await buildPortfolio('Ryan Murphy');
    const result = await tampered(p, `update records set data = jsonb_set(data, '{signer,name}', '"Tom A. Ssessor"') where entity = 'decision' and id = $1`, [p.acceptance.id]);
    expectDecisionNamed(result, p.acceptance, 'Tom A. Ssessor');
  });

  it("a changed decision's feedback in the decision record", async () => {
    const p = await buildPortfolio('Alex Kim');
    const result = await tampered(p, `update records set data = jsonb_set(data, '{feedback,overall}', '"Excellent."') where entity = 'decision' and id = $1`, [p.acceptance.id]);
    expectDecisionNamed(result, p.acceptance, 'Tom Assessor');
  });

  it('changed bytes of the file in the file store', async () => {
    const p = await buildPortfolio('Morgan Lee');
    const path = join(centre.filesDir, 'sha256', p.fileHash.slice(0, 2), p.fileHash);
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    writeFileSync(path, bytes);
    const zip = await exportOf(p.learner.id);
    expectItemNamed(await verifyZip(zip), p, /Attachment “switch\.png” .* has been changed/);
  });

  it('a status set to signed off with no acceptance behind it', async () => {
    const p = await buildPortfolio('Casey Jones');
    await centre.db.query(`delete from records where entity = 'decision' and id = $1`, [p.acceptance.id]);
    const result = await verifyZip(await exportOf(p.learner.id));
    expectItemNamed(result, p, /shows as ‘signed-off’, but no assessment decision in this export signed it off/);
  });
});

describe('an IQA sample export', () => {
  it("holds the plan's sampled items and verifies", async () => {
    // Another assessor's caseload, so the items tampered with above are not in this sample.
    const sampled = await centre.createUser('assessor', centreId, { name: 'Sampled Assessor' });
    const p = await buildPortfolio('Sample Learner', { assessor: sampled, key: await registerKey(sampled) });
    const planId = randomUUID();
    await centre.db.query(`insert into sampling_plans (id, centre_id, iqa_id, assessor_id, percentage, stage) values ($1, $2, $3, $4, 100, 'interim')`, [planId, centreId, iqa.id, sampled.id]);
    const response = await centre.request('GET', `/api/exports/samples/${planId}`, { token: await centre.tokenFor(iqa) });
    expect(response.status).toBe(200);
    const zip = new Uint8Array(await response.arrayBuffer());
    const result = await verifyZip(zip);
    expect(problems(result)).toBe('');
    const manifest = JSON.parse(strFromU8(unzipSync(zip)['manifest.json']!)) as ExportManifest;
    expect(manifest.scope).toEqual({ type: 'sample', planId });
    expect(manifest.evidence.map((e) => e.id)).toContain(p.evidenceId);
    expect(manifest.decisions.map((d) => d.id)).toEqual(expect.arrayContaining([p.acceptance.id, p.declaration.id]));

    expect((await centre.request('GET', `/api/exports/samples/${planId}`, { token: assessorToken })).status).toBe(403);
    expect((await centre.request('GET', `/api/exports/samples/${randomUUID()}`, { token: adminToken })).status).toBe(404);
  });
});

describe('who may export', () => {
  let p: Portfolio;
  beforeAll(async () => {
    p = await buildPortfolio('Robin Scope');
  });

  it('lets the IQA of the centre export', async () => {
    const response = await centre.request('GET', `/api/exports/learners/${p.learner.id}`, { token: await centre.tokenFor(iqa) });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });

  it('answers 404 to an assessor the learner is not assigned to', async () => {
    const response = await centre.request('GET', `/api/exports/learners/${p.learner.id}`, { token: await centre.tokenFor(otherAssessor) });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not-found', message: 'There is no such learner on your caseload.' });
  });

  it('answers 403 to a learner, even for their own portfolio', async () => {
    const response = await centre.request('GET', `/api/exports/learners/${p.learner.id}`, { token: p.learnerToken });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'forbidden' });
  });

  it("answers 404 to another centre's admin", async () => {
    const otherCentre = await centre.createCentre('Elsewhere College');
    const response = await centre.request('GET', `/api/exports/learners/${p.learner.id}`, { token: await centre.tokenFor(await centre.createUser('admin', otherCentre)) });
    expect(response.status).toBe(404);
  });

  it('refuses an id that is not a UUID with a reason', async () => {
    const response = await centre.request('GET', '/api/exports/learners/not-a-uuid', { token: adminToken });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain('That learner id is not a valid UUID');
  });
});
