import { beforeAll, describe, expect, it } from 'vitest';
import type { ExportManifest, ExportedEvidence } from '../../src/domain/export-manifest';
import { exportPublicJwk, generateSigningKey, sha256Hex, signDecision, signedEvidenceOf, type SigningKeyPair } from '../../src/domain/signing';
import type { Decision, PublicSigningKey, UnsignedDecision } from '../../src/domain/signoff';
import { filesFromBytes, formatFinding, verifyExport, type VerifyResult } from '../../src/domain/verify';

/**
 * verifyExport on manifests built in memory: what passes, and the exact words of what fails,
 * since an examiner acts on them.
 */

const LEARNER = { userId: '0b1d7c3e-58a8-4c6f-9d5e-1a2b3c4d5e60', name: 'Jordan Ellis', role: 'learner' as const };
const ASSESSOR = { userId: '0b1d7c3e-58a8-4c6f-9d5e-1a2b3c4d5e61', name: 'Tom Okafor', role: 'assessor' as const };
const IQA = { userId: '0b1d7c3e-58a8-4c6f-9d5e-1a2b3c4d5e62', name: 'Grace Mensah', role: 'iqa' as const };
const ITEM_ID = '01933b4e-0000-7000-8000-000000000001';
const ENROLMENT_ID = '01933b4e-0000-7000-8000-0000000000e1';
const PHOTO = new TextEncoder().encode('a photo of the patch panel');
let photoHash: string;

interface Keys {
  learner: { id: string; pair: SigningKeyPair; row: PublicSigningKey };
  assessor: { id: string; pair: SigningKeyPair; row: PublicSigningKey };
  iqa: { id: string; pair: SigningKeyPair; row: PublicSigningKey };
}
let keys: Keys;
let decisionCounter = 0;

async function key(id: string, who: typeof LEARNER | typeof ASSESSOR | typeof IQA) {
  const pair = await generateSigningKey();
  const row: PublicSigningKey = { id, userId: who.userId, name: who.name, role: who.role, publicKey: (await exportPublicJwk(pair.publicKey)) as PublicSigningKey['publicKey'], createdAt: '2026-01-01T00:00:00.000Z', revokedAt: null };
  return { id, pair, row };
}

function item(overrides: Partial<ExportedEvidence> = {}): ExportedEvidence {
  return {
    id: ITEM_ID,
    enrolmentId: ENROLMENT_ID,
    learnerId: LEARNER.userId,
    status: 'signed-off',
    title: 'Patching a new office',
    narrative: 'I patched twenty ports and tested each one with a cable tester.',
    activityDate: '2026-11-10',
    method: 'observation',
    hours: 4,
    offTheJob: false,
    attachments: [{ id: photoHash, name: 'panel.jpg', type: 'image/jpeg', size: PHOTO.length, path: `files/${photoHash}` }],
    criterionIds: ['unit-a:1.1', 'unit-a:1.2'],
    kind: 'learner',
    questions: [],
    witness: null,
    recordedBy: null,
    iqaLock: null,
    createdAt: '2026-11-10T08:00:00.000Z',
    updatedAt: '2026-11-10T08:00:00.000Z',
    deletedAt: null,
    revision: 3,
    ...overrides,
  };
}

async function decide(
  signerKey: Keys[keyof Keys],
  signer: typeof LEARNER | typeof ASSESSOR | typeof IQA,
  about: ExportedEvidence,
  fields: Pick<UnsignedDecision, 'kind' | 'outcome' | 'signedAt'> & Partial<UnsignedDecision>,
): Promise<Decision> {
  decisionCounter++;
  return signDecision(
    {
      id: `01933b4e-0000-7000-8000-${String(decisionCounter).padStart(12, '0')}`,
      learnerId: LEARNER.userId,
      enrolmentId: ENROLMENT_ID,
      unitId: null,
      subjectId: null,
      evidence: [await signedEvidenceOf(about)],
      criterionIds: [],
      feedback: { overall: '', criteria: {} },
      signer,
      signedFor: null,
      drawnSignature: null,
      keyId: signerKey.id,
      ...fields,
    },
    signerKey.pair.privateKey,
  );
}

function manifest(evidence: ExportedEvidence[], decisions: Decision[], overrides: Partial<ExportManifest> = {}): ExportManifest {
  return {
    format: 'ict-portfolio-export',
    version: 1,
    exportedAt: '2026-11-23T10:00:00.000Z',
    exportedBy: { userId: 'admin', name: 'Priya Shah', role: 'admin' },
    centre: { id: 'centre', name: 'Demo College' },
    scope: { type: 'learner', learnerId: LEARNER.userId },
    learners: [{ id: LEARNER.userId, name: LEARNER.name }],
    enrolments: [],
    specs: [],
    evidence,
    decisions,
    keys: [keys.learner.row, keys.assessor.row, keys.iqa.row],
    audit: [],
    ...overrides,
  };
}

const files = (bytes: Record<string, Uint8Array>) => filesFromBytes((path) => bytes[path] ?? null);
const held = () => files({ [`files/${photoHash}`]: PHOTO });
const lines = (result: VerifyResult) => result.findings.map(formatFinding);

beforeAll(async () => {
  photoHash = await sha256Hex(PHOTO);
  keys = {
    learner: await key('11111111-1111-4111-8111-111111111111', LEARNER),
    assessor: await key('22222222-2222-4222-8222-222222222222', ASSESSOR),
    iqa: await key('33333333-3333-4333-8333-333333333333', IQA),
  };
});

describe('verifyExport', () => {
  let accepted: Decision;
  let declared: Decision;
  beforeAll(async () => {
    const signedItem = item({ status: 'submitted' });
    declared = await decide(keys.learner, LEARNER, signedItem, { kind: 'declaration', outcome: 'declared', signedAt: '2026-11-11T09:00:00.000Z' });
    accepted = await decide(keys.assessor, ASSESSOR, signedItem, {
      kind: 'assessment',
      outcome: 'accepted',
      signedAt: '2026-11-21T14:30:00.000Z',
      criterionIds: ['unit-a:1.1', 'unit-a:1.2'],
      feedback: { overall: 'Well tested.', criteria: {} },
    });
  });

  it('passes an intact export and counts what it checked', async () => {
    const result = await verifyExport(manifest([item()], [declared, accepted]), held());
    expect(lines(result)).toEqual([]);
    expect(result).toMatchObject({ ok: true, notes: [], checked: { files: 1, evidence: 1, decisions: 2, signaturesValid: 2, signedOffItems: 1, keys: 3 } });
  });

  it('names the item whose file was changed', async () => {
    const changed = new TextEncoder().encode('a photo of the patch panel!');
    const result = await verifyExport(manifest([item()], [declared, accepted]), files({ [`files/${photoHash}`]: changed }));
    expect(lines(result)).toEqual([
      `Evidence “Patching a new office” (${ITEM_ID}): Attachment “panel.jpg” (files/${photoHash}) has been changed: its bytes hash to ${await sha256Hex(changed)}, not to the SHA-256 it is named by.`,
    ]);
  });

  it('names the item whose account changed after sign-off', async () => {
    const result = await verifyExport(manifest([item({ narrative: 'I patched twenty ports.' })], [declared, accepted]), held());
    expect(lines(result)).toEqual([
      `Evidence “Patching a new office” (${ITEM_ID}): It has been changed since Tom Okafor signed it off on 2026-11-21 14:30 UTC (decision ${accepted.id}): its content (title, account, date, method, hours, questions or witness details) is not what was signed.`,
    ]);
  });

  it('names criteria added and removed, a wrong status and a changed attachment list', async () => {
    const result = await verifyExport(manifest([item({ criterionIds: ['unit-a:1.1', 'unit-a:2.1'], status: 'submitted', attachments: [] })], [declared, accepted]), held());
    expect(lines(result)).toEqual([
      `Evidence “Patching a new office” (${ITEM_ID}): It has been changed since Tom Okafor signed it off on 2026-11-21 14:30 UTC (decision ${accepted.id}): its attachments are not the ones signed (signed but now missing: ${photoHash.slice(0, 12)}…).`,
      `Evidence “Patching a new office” (${ITEM_ID}): Its mapped criteria are not the ones Tom Okafor confirmed in decision ${accepted.id}: added unit-a:2.1; removed unit-a:1.2.`,
      `Evidence “Patching a new office” (${ITEM_ID}): It shows as ‘submitted’, but its latest assessment (decision ${accepted.id}) signed it off.`,
    ]);
  });

  it('names the decision, its kind and its signer when what it signed was changed', async () => {
    const forged = { ...accepted, feedback: { ...accepted.feedback, overall: 'Excellent.' } };
    const result = await verifyExport(manifest([item()], [declared, forged]), held());
    expect(result.ok).toBe(false);
    expect(result.findings).toHaveLength(1);
    expect(formatFinding(result.findings[0]!)).toMatch(
      new RegExp(`^Assessment decision ${accepted.id} \\(accepted\\) by Tom Okafor \\(assessor\\): Its signature does not verify with key ${keys.assessor.id} \\(fingerprint [A-Za-z0-9_-]{43}\\): something it signed`),
    );
  });

  it("names a key that is missing, someone else's, or revoked before signing", async () => {
    const noKey = await verifyExport(manifest([item()], [declared, accepted], { keys: [keys.learner.row] }), held());
    expect(lines(noKey)).toContain(
      `Assessment decision ${accepted.id} (accepted) by Tom Okafor (assessor): It was signed with key ${keys.assessor.id}, which is not among the keys in this export, so its signature cannot be checked.`,
    );
    const stolen = { ...keys.assessor.row, userId: IQA.userId, name: IQA.name, role: 'iqa' as const };
    const wrongOwner = await verifyExport(manifest([item()], [declared, accepted], { keys: [keys.learner.row, stolen] }), held());
    expect(lines(wrongOwner)).toContain(
      `Assessment decision ${accepted.id} (accepted) by Tom Okafor (assessor): It names Tom Okafor (assessor) as the signer, but key ${keys.assessor.id} belongs to Grace Mensah (iqa, user ${IQA.userId}).`,
    );
    const revoked = { ...keys.assessor.row, revokedAt: '2026-11-20T00:00:00.000Z' };
    const late = await verifyExport(manifest([item()], [declared, accepted], { keys: [keys.learner.row, revoked] }), held());
    expect(lines(late)).toEqual([
      `Assessment decision ${accepted.id} (accepted) by Tom Okafor (assessor): It is dated 2026-11-21 14:30 UTC, after its key ${keys.assessor.id} was revoked (2026-11-20 00:00 UTC).`,
    ]);
  });

  it('names an item that shows as signed off with no acceptance behind it', async () => {
    const result = await verifyExport(manifest([item()], [declared]), held());
    expect(lines(result)).toEqual([`Evidence “Patching a new office” (${ITEM_ID}): It shows as ‘signed-off’, but no assessment decision in this export signed it off.`]);
  });

  it('treats a declaration as history once the item was assessed again, and as a note while the item is open', async () => {
    // Declared, referred, edited by the learner, accepted again: the declaration covers the first version.
    const first = item({ status: 'submitted' });
    const declaration = await decide(keys.learner, LEARNER, first, { kind: 'declaration', outcome: 'declared', signedAt: '2026-11-01T09:00:00.000Z' });
    const referral = await decide(keys.assessor, ASSESSOR, first, { kind: 'assessment', outcome: 'referred', signedAt: '2026-11-02T09:00:00.000Z' });
    const second = item({ narrative: 'I patched twenty ports, tested each one and labelled the panel.' });
    const acceptance = await decide(keys.assessor, ASSESSOR, second, { kind: 'assessment', outcome: 'accepted', signedAt: '2026-11-05T09:00:00.000Z', criterionIds: second.criterionIds });
    const reassessed = await verifyExport(manifest([second], [declaration, referral, acceptance]), held());
    expect(lines(reassessed)).toEqual([]);
    expect(reassessed.notes).toEqual([]);

    // Declared and then edited before any assessment: not tampering, but the examiner is told.
    const open = item({ status: 'submitted', narrative: 'Edited after declaring.' });
    const onlyDeclared = await verifyExport(manifest([open], [declaration]), held());
    expect(onlyDeclared.ok).toBe(true);
    expect(onlyDeclared.notes.map(formatFinding)).toEqual([
      `Evidence “Patching a new office” (${ITEM_ID}): It has been edited since the Declaration of authenticity ${declaration.id} (declared) by Jordan Ellis (learner) of 2026-11-01 09:00 UTC and has not been assessed since; the decision covers the earlier version.`,
    ]);
  });

  it('fails a declaration made after sign-off that does not match the frozen item', async () => {
    const other = item({ title: 'Another version' });
    const lateDeclaration = await decide(keys.learner, LEARNER, other, { kind: 'declaration', outcome: 'declared', signedAt: '2026-11-22T09:00:00.000Z' });
    const result = await verifyExport(manifest([item()], [accepted, lateDeclaration]), held());
    expect(lines(result)).toEqual([
      `Evidence “Patching a new office” (${ITEM_ID}): It has been changed since the Declaration of authenticity ${lateDeclaration.id} (declared) by Jordan Ellis (learner) of 2026-11-22 09:00 UTC: its content (title, account, date, method, hours, questions or witness details) is not what was signed.`,
    ]);
  });

  it('checks that an IQA decision covers what the sampled assessment covered', async () => {
    const agreed = await decide(keys.iqa, IQA, item(), { kind: 'iqa', outcome: 'agreed', signedAt: '2026-11-22T09:00:00.000Z', subjectId: accepted.id });
    expect(lines(await verifyExport(manifest([item()], [declared, accepted, agreed]), held()))).toEqual([]);

    const elsewhere = await decide(keys.iqa, IQA, item({ hours: 40 }), { kind: 'iqa', outcome: 'agreed', signedAt: '2026-11-22T09:00:00.000Z', subjectId: accepted.id });
    expect(lines(await verifyExport(manifest([item()], [declared, accepted, elsewhere]), held()))).toContain(
      `IQA decision ${elsewhere.id} (agreed) by Grace Mensah (iqa): It covers different evidence (or different versions of it) from the assessment it sampled, Assessment decision ${accepted.id} (accepted) by Tom Okafor (assessor).`,
    );
  });

  it('says what is wrong with a manifest that is not the format', async () => {
    expect(lines(await verifyExport({ format: 'something-else', version: 1 }, held()))).toEqual(['manifest.json: This is not an ICT Portfolio export: its format is "something-else", not "ict-portfolio-export".']);
    const { evidence: _dropped, ...noEvidence } = manifest([item()], [accepted]);
    expect(lines(await verifyExport(noEvidence, held()))).toEqual([expect.stringMatching(/^manifest\.json: evidence does not match the export format: /)]);
  });

  it('notes, without failing, decisions of a sample that cover items outside it', async () => {
    const result = await verifyExport(manifest([], [declared], { scope: { type: 'sample', planId: 'plan' } }), held());
    expect(result.ok).toBe(true);
    expect(result.notes.map(formatFinding)).toEqual([
      `Declaration of authenticity ${declared.id} (declared) by Jordan Ellis (learner): It also covers evidence ${ITEM_ID}, which is not in this sample.`,
    ]);
    const learnerExport = await verifyExport(manifest([], [declared]), held());
    expect(lines(learnerExport)).toEqual([`Declaration of authenticity ${declared.id} (declared) by Jordan Ellis (learner): It covers evidence ${ITEM_ID}, which is not in this export.`]);
  });
});
