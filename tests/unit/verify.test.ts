import { beforeAll, describe, expect, it } from 'vitest';
import type { ExportManifest, ExportedEvidence, ExportedSigningKey } from '../../src/domain/export-manifest';
import { exportPublicJwk, generateSigningKey, sha256Hex, signDecision, signedEvidenceOf, type SigningKeyPair } from '../../src/domain/signing';
import type { Decision, PublicSigningKey, UnsignedDecision } from '../../src/domain/signoff';
import { filesFromBytes, formatFinding, keyFingerprint, manifestDigest, verifyExport, type ExportFiles, type VerifyOptions, type VerifyResult } from '../../src/domain/verify';
import { certifyKey, sealExport, type CentreKey } from '../../server/centre-key';

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
  learner: { id: string; pair: SigningKeyPair; row: ExportedSigningKey };
  assessor: { id: string; pair: SigningKeyPair; row: ExportedSigningKey };
  iqa: { id: string; pair: SigningKeyPair; row: ExportedSigningKey };
}
let keys: Keys;
let decisionCounter = 0;
const CENTRE_ID = 'centre';
/** The centre's export key, and one a forger made for themselves. */
let centreKey: CentreKey;
let forgerCentreKey: CentreKey;
const PAGES = { 'index.html': new TextEncoder().encode('<p>index</p>'), 'icttech.html': new TextEncoder().encode('<p>icttech</p>'), 'README.txt': new TextEncoder().encode('README') };

async function makeCentreKey(): Promise<CentreKey> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as SigningKeyPair;
  const publicKey = (await exportPublicJwk(pair.publicKey)) as PublicSigningKey['publicKey'];
  return { centreId: CENTRE_ID, public: { publicKey, fingerprint: await keyFingerprint(publicKey) }, privateKey: pair.privateKey, createdAt: '2026-01-01T00:00:00.000Z' };
}

/** A device key row as the centre certifies it (by `by`, the centre's key unless a forger's). */
async function certified(row: PublicSigningKey | ExportedSigningKey, by: CentreKey = centreKey): Promise<ExportedSigningKey> {
  const { certificate: _c, centreId: _i, ...plain } = row as ExportedSigningKey;
  return certifyKey(by, plain);
}

async function key(id: string, who: typeof LEARNER | typeof ASSESSOR | typeof IQA) {
  const pair = await generateSigningKey();
  const row = await certified({ id, userId: who.userId, name: who.name, role: who.role, publicKey: (await exportPublicJwk(pair.publicKey)) as PublicSigningKey['publicKey'], createdAt: '2026-01-01T00:00:00.000Z', revokedAt: null });
  return { id, pair, row };
}

/** The seal a centre (by default ours) puts on this manifest and the pages. */
async function sealOf(m: unknown, by: CentreKey = centreKey): Promise<VerifyOptions['seal']> {
  const pages = { 'index.html': await sha256Hex(PAGES['index.html']), 'icttech.html': await sha256Hex(PAGES['icttech.html']), 'README.txt': await sha256Hex(PAGES['README.txt']) };
  return { signature: await sealExport(by, await manifestDigest(JSON.parse(JSON.stringify(m))), pages), pages };
}

/** Verifies a manifest as the centre sealed it: what the centre held is what is checked. */
async function verifySealed(m: unknown, f: ExportFiles, pin?: string): Promise<VerifyResult> {
  return verifyExport(JSON.parse(JSON.stringify(m)), f, { seal: await sealOf(m), centreKey: pin ?? null });
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
    version: 2,
    exportedAt: '2026-11-23T10:00:00.000Z',
    exportedBy: { userId: 'admin', name: 'Priya Shah', role: 'admin' },
    centre: { id: CENTRE_ID, name: 'Demo College', signingKey: centreKey.public },
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
  centreKey = await makeCentreKey();
  forgerCentreKey = await makeCentreKey();
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
    const result = await verifySealed(manifest([item()], [declared, accepted]), held());
    expect(lines(result)).toEqual([]);
    expect(result).toMatchObject({ ok: true, notes: [], checked: { files: 1, evidence: 1, decisions: 2, signaturesValid: 2, signedOffItems: 1, keys: 3 } });
  });

  it('names the item whose file was changed', async () => {
    const changed = new TextEncoder().encode('a photo of the patch panel!');
    const result = await verifySealed(manifest([item()], [declared, accepted]), files({ [`files/${photoHash}`]: changed }));
    expect(lines(result)).toEqual([
      `Evidence “Patching a new office” (${ITEM_ID}): Attachment “panel.jpg” (files/${photoHash}) has been changed: its bytes hash to ${await sha256Hex(changed)}, not to the SHA-256 it is named by.`,
    ]);
  });

  it('names the item whose account changed after sign-off', async () => {
    const result = await verifySealed(manifest([item({ narrative: 'I patched twenty ports.' })], [declared, accepted]), held());
    expect(lines(result)).toEqual([
      `Evidence “Patching a new office” (${ITEM_ID}): It has been changed since Tom Okafor signed it off on 2026-11-21 14:30 UTC (decision ${accepted.id}): its content (title, account, date, method, hours, questions or witness details) is not what was signed.`,
    ]);
  });

  it('names criteria added and removed, a wrong status and a changed attachment list', async () => {
    const result = await verifySealed(manifest([item({ criterionIds: ['unit-a:1.1', 'unit-a:2.1'], status: 'submitted', attachments: [] })], [declared, accepted]), held());
    expect(lines(result)).toEqual([
      `Evidence “Patching a new office” (${ITEM_ID}): It has been changed since Tom Okafor signed it off on 2026-11-21 14:30 UTC (decision ${accepted.id}): its attachments are not the ones signed (signed but now missing: ${photoHash.slice(0, 12)}…).`,
      `Evidence “Patching a new office” (${ITEM_ID}): Its mapped criteria are not the ones Tom Okafor confirmed in decision ${accepted.id}: added unit-a:2.1; removed unit-a:1.2.`,
      `Evidence “Patching a new office” (${ITEM_ID}): It shows as ‘submitted’, but its latest assessment (decision ${accepted.id}) signed it off.`,
    ]);
  });

  it('names the decision, its kind and its signer when what it signed was changed', async () => {
    const forged = { ...accepted, feedback: { ...accepted.feedback, overall: 'Excellent.' } };
    const result = await verifySealed(manifest([item()], [declared, forged]), held());
    expect(result.ok).toBe(false);
    expect(result.findings).toHaveLength(1);
    expect(formatFinding(result.findings[0]!)).toMatch(
      new RegExp(`^Assessment decision ${accepted.id} \\(accepted\\) by Tom Okafor \\(assessor\\): Its signature does not verify with key ${keys.assessor.id} \\(fingerprint [A-Za-z0-9_-]{43}\\): something it signed`),
    );
  });

  it("names a key that is missing, someone else's, or revoked before signing", async () => {
    const noKey = await verifySealed(manifest([item()], [declared, accepted], { keys: [keys.learner.row] }), held());
    expect(lines(noKey)).toContain(
      `Assessment decision ${accepted.id} (accepted) by Tom Okafor (assessor): It was signed with key ${keys.assessor.id}, which is not among the keys in this export, so its signature cannot be checked.`,
    );
    const stolen = await certified({ ...keys.assessor.row, userId: IQA.userId, name: IQA.name, role: 'iqa' as const });
    const wrongOwner = await verifySealed(manifest([item()], [declared, accepted], { keys: [keys.learner.row, stolen] }), held());
    expect(lines(wrongOwner)).toContain(
      `Assessment decision ${accepted.id} (accepted) by Tom Okafor (assessor): It names Tom Okafor (assessor) as the signer, but key ${keys.assessor.id} belongs to Grace Mensah (iqa, user ${IQA.userId}).`,
    );
    const revoked = await certified({ ...keys.assessor.row, revokedAt: '2026-11-20T00:00:00.000Z' });
    const late = await verifySealed(manifest([item()], [declared, accepted], { keys: [keys.learner.row, revoked] }), held());
    expect(lines(late)).toEqual([
      `Assessment decision ${accepted.id} (accepted) by Tom Okafor (assessor): It is dated 2026-11-21 14:30 UTC, after its key ${keys.assessor.id} was revoked (2026-11-20 00:00 UTC).`,
    ]);
  });

  it('names an item that shows as signed off with no acceptance behind it', async () => {
    const result = await verifySealed(manifest([item()], [declared]), held());
    expect(lines(result)).toEqual([`Evidence “Patching a new office” (${ITEM_ID}): It shows as ‘signed-off’, but no assessment decision in this export signed it off.`]);
  });

  it('treats a declaration as history once the item was assessed again, and as a note while the item is open', async () => {
    // Declared, referred, edited by the learner, accepted again: the declaration covers the first version.
    const first = item({ status: 'submitted' });
    const declaration = await decide(keys.learner, LEARNER, first, { kind: 'declaration', outcome: 'declared', signedAt: '2026-11-01T09:00:00.000Z' });
    const referral = await decide(keys.assessor, ASSESSOR, first, { kind: 'assessment', outcome: 'referred', signedAt: '2026-11-02T09:00:00.000Z' });
    const second = item({ narrative: 'I patched twenty ports, tested each one and labelled the panel.' });
    const acceptance = await decide(keys.assessor, ASSESSOR, second, { kind: 'assessment', outcome: 'accepted', signedAt: '2026-11-05T09:00:00.000Z', criterionIds: second.criterionIds });
    const reassessed = await verifySealed(manifest([second], [declaration, referral, acceptance]), held());
    expect(lines(reassessed)).toEqual([]);
    expect(reassessed.notes).toEqual([]);

    // Declared and then edited before any assessment: not tampering, but the examiner is told.
    const open = item({ status: 'submitted', narrative: 'Edited after declaring.' });
    const onlyDeclared = await verifySealed(manifest([open], [declaration]), held());
    expect(onlyDeclared.ok).toBe(true);
    expect(onlyDeclared.notes.map(formatFinding)).toEqual([
      `Evidence “Patching a new office” (${ITEM_ID}): It has been edited since the Declaration of authenticity ${declaration.id} (declared) by Jordan Ellis (learner) of 2026-11-01 09:00 UTC and has not been assessed since; the decision covers the earlier version.`,
    ]);
  });

  it('fails a declaration made after sign-off that does not match the frozen item', async () => {
    const other = item({ title: 'Another version' });
    const lateDeclaration = await decide(keys.learner, LEARNER, other, { kind: 'declaration', outcome: 'declared', signedAt: '2026-11-22T09:00:00.000Z' });
    const result = await verifySealed(manifest([item()], [accepted, lateDeclaration]), held());
    expect(lines(result)).toEqual([
      `Evidence “Patching a new office” (${ITEM_ID}): It has been changed since the Declaration of authenticity ${lateDeclaration.id} (declared) by Jordan Ellis (learner) of 2026-11-22 09:00 UTC: its content (title, account, date, method, hours, questions or witness details) is not what was signed.`,
    ]);
  });

  it('checks that an IQA decision covers what the sampled assessment covered', async () => {
    const agreed = await decide(keys.iqa, IQA, item(), { kind: 'iqa', outcome: 'agreed', signedAt: '2026-11-22T09:00:00.000Z', subjectId: accepted.id });
    expect(lines(await verifySealed(manifest([item()], [declared, accepted, agreed]), held()))).toEqual([]);

    const elsewhere = await decide(keys.iqa, IQA, item({ hours: 40 }), { kind: 'iqa', outcome: 'agreed', signedAt: '2026-11-22T09:00:00.000Z', subjectId: accepted.id });
    expect(lines(await verifySealed(manifest([item()], [declared, accepted, elsewhere]), held()))).toContain(
      `IQA decision ${elsewhere.id} (agreed) by Grace Mensah (iqa): It covers different evidence (or different versions of it) from the assessment it sampled, Assessment decision ${accepted.id} (accepted) by Tom Okafor (assessor).`,
    );
  });

  it('says what is wrong with a manifest that is not the format', async () => {
    expect(lines(await verifyExport({ format: 'something-else', version: 2 }, held()))).toEqual(['manifest.json: This is not an ICT Portfolio export: its format is "something-else", not "ict-portfolio-export".']);
    const { evidence: _dropped, ...noEvidence } = manifest([item()], [accepted]);
    expect(lines(await verifySealed(noEvidence, held()))).toEqual([expect.stringMatching(/^manifest\.json: evidence does not match the export format: /)]);
  });

  it('notes, without failing, decisions of a sample that cover items outside it', async () => {
    const result = await verifySealed(manifest([], [declared], { scope: { type: 'sample', planId: 'plan' } }), held());
    expect(result.ok).toBe(true);
    expect(result.notes.map(formatFinding)).toEqual([
      `Declaration of authenticity ${declared.id} (declared) by Jordan Ellis (learner): It also covers evidence ${ITEM_ID}, which is not in this sample.`,
    ]);
    const learnerExport = await verifySealed(manifest([], [declared]), held());
    expect(lines(learnerExport)).toEqual([`Declaration of authenticity ${declared.id} (declared) by Jordan Ellis (learner): It covers evidence ${ITEM_ID}, which is not in this export.`]);
  });

  describe("the review's forgeries (findings 1 to 4, 6)", () => {
    const SEAL = `The centre's seal (Demo College)`;
    const signedOff = () => item({ recordedBy: null });

    it('1: a key added to manifest.keys under the assessor’s name, with no certificate, signs nothing', async () => {
      const fake = await key('44444444-4444-4444-8444-444444444444', ASSESSOR);
      const uncertified = { ...fake.row, certificate: keys.assessor.row.certificate };
      const altered = item({ narrative: 'Entirely different text', criterionIds: ['unit-a:1.1', 'unit-a:1.2'] });
      const forged = await decide(fake, ASSESSOR, altered, { kind: 'assessment', outcome: 'accepted', signedAt: '2026-11-22T10:00:00.000Z', criterionIds: altered.criterionIds });
      const m = manifest([altered], [declared, accepted, forged], { keys: [keys.learner.row, keys.assessor.row, uncertified] });
      const text = lines(await verifySealed(m, held())).join('\n');
      expect(text).toContain(`Signing key ${fake.id} of Tom Okafor (assessor): Its certificate does not verify with the centre key`);
      expect(text).toContain(`Assessment decision ${forged.id} (accepted) by Tom Okafor (assessor): It was signed with key ${fake.id}, which has no valid certificate from the centre`);
    });

    it("1b: the assessor's key id kept with its public key swapped fails the key's certificate", async () => {
      const fake = await generateSigningKey();
      const swapped = { ...keys.assessor.row, publicKey: (await exportPublicJwk(fake.publicKey)) as PublicSigningKey['publicKey'] };
      const resigned = await signDecision({ ...accepted, signature: undefined } as unknown as UnsignedDecision, fake.privateKey);
      const text = lines(await verifySealed(manifest([item()], [declared, resigned], { keys: [keys.learner.row, swapped] }), held())).join('\n');
      expect(text).toContain(`Signing key ${keys.assessor.id} of Tom Okafor (assessor): Its certificate does not verify`);
      expect(text).toContain('which has no valid certificate from the centre');
    });

    it('1c: a forger re-certifying and re-sealing with a centre key of their own is caught by the pinned fingerprint, and shown without one', async () => {
      const fake = await key('44444444-4444-4444-8444-444444444444', ASSESSOR);
      const altered = item({ narrative: 'Entirely different text' });
      const forged = await decide(fake, ASSESSOR, altered, { kind: 'assessment', outcome: 'accepted', signedAt: '2026-11-22T10:00:00.000Z', criterionIds: altered.criterionIds });
      const m = manifest([altered], [forged], {
        keys: [await certified(fake.row, forgerCentreKey)],
        centre: { id: CENTRE_ID, name: 'Demo College', signingKey: forgerCentreKey.public },
      });
      const options = async (pin: string | null) => ({ seal: await sealOf(m, forgerCentreKey), centreKey: pin });
      const unpinned = await verifyExport(JSON.parse(JSON.stringify(m)), held(), await options(null));
      expect(unpinned.centreKey).toEqual({ fingerprint: forgerCentreKey.public.fingerprint, centreName: 'Demo College', pinned: false });
      const pinned = await verifyExport(JSON.parse(JSON.stringify(m)), held(), await options(centreKey.public.fingerprint));
      expect(lines(pinned)).toEqual([
        `${SEAL}: This export is sealed with a centre key whose fingerprint is ${forgerCentreKey.public.fingerprint}, not the centre key you gave (${centreKey.public.fingerprint}). It was not sealed by that centre's key: treat every signature in it as unproven.`,
      ]);
      const genuine = await verifySealed(manifest([item()], [declared, accepted]), held(), centreKey.public.fingerprint);
      expect(genuine.ok).toBe(true);
      expect(genuine.centreKey?.pinned).toBe(true);
    });

    /** A manifest edited after the centre sealed the original. */
    async function editedAfterSeal(original: ExportManifest, edited: ExportManifest): Promise<VerifyResult> {
      return verifyExport(JSON.parse(JSON.stringify(edited)), held(), { seal: await sealOf(original) });
    }
    const NOT_SEALED = `${SEAL}: manifest.json is not the one the centre sealed: something in it (a record, decision, key, audit entry, the scope, or a file’s name, type or size) was added, removed or changed after the export was made.`;

    it('2a-2c, 3c, 4: decisions removed, statuses flipped, a file renamed or the scope relabelled after sealing break the seal', async () => {
      const reopened = await decide(keys.assessor, ASSESSOR, item(), { kind: 'assessment', outcome: 'reopened', signedAt: '2026-11-22T10:00:00.000Z' });
      const action = await decide(keys.iqa, IQA, item(), { kind: 'iqa', outcome: 'action', subjectId: accepted.id, signedAt: '2026-11-22T11:00:00.000Z' });
      const original = manifest([item({ status: 'submitted' })], [declared, accepted, reopened, action]);
      expect(lines(await verifySealed(original, held()))).toEqual([]);
      const edits: ExportManifest[] = [
        manifest([item()], [declared, accepted, action]), // 2a: the reopen deleted, status back to signed off
        manifest([item({ status: 'submitted' })], [declared, accepted, reopened]), // 2b: the IQA action deleted
        manifest([item({ status: 'submitted' })], []), // 2c: every decision deleted
        manifest([item({ status: 'submitted', attachments: [{ id: photoHash, name: 'site-visit.mp4', type: 'video/mp4', size: 999, path: `files/${photoHash}` }] })], [declared, accepted, reopened, action]), // 3c
        manifest([], [declared, accepted, reopened, action], { scope: { type: 'sample', planId: 'p' } }), // 4: item removed, relabelled a sample
      ];
      for (const edited of edits) expect(lines(await editedAfterSeal(original, edited))).toContain(NOT_SEALED);
    });

    it('a missing signature.json, a changed page or a forged seal is named', async () => {
      const m = manifest([item()], [declared, accepted]);
      const missing = await verifyExport(JSON.parse(JSON.stringify(m)), held(), { seal: { signature: null, pages: { 'index.html': null, 'icttech.html': null, 'README.txt': null } } });
      expect(lines(missing)).toContain(`${SEAL}: signature.json is missing, so nothing shows that the centre made this export or that it is unchanged since.`);
      expect(lines(await verifyExport(JSON.parse(JSON.stringify(m)), held()))).toContain(`${SEAL}: signature.json is missing, so nothing shows that the centre made this export or that it is unchanged since.`);
      const seal = (await sealOf(m)) as { signature: Record<string, unknown>; pages: Record<string, string> };
      const page = await verifyExport(JSON.parse(JSON.stringify(m)), held(), { seal: { ...seal, pages: { ...seal.pages, 'index.html': await sha256Hex('<p>edited</p>') } } as never });
      expect(lines(page)).toEqual([`${SEAL}: index.html has been changed since the centre sealed the export: what it shows may not be what was signed.`]);
      const forgedSeal = await verifyExport(JSON.parse(JSON.stringify(m)), held(), { seal: { ...seal, signature: { ...seal.signature, manifestSha256: '0'.repeat(64) } } as never });
      expect(lines(forgedSeal)).toEqual(expect.arrayContaining([expect.stringContaining("The centre's signature in signature.json does not verify with centre key"), NOT_SEALED]));
    });

    it('2d: an IQA lock pointing at no decision, or at one that did not agree, is named', async () => {
      const none = await verifySealed(manifest([item({ iqaLock: { decisionId: 'nope', at: '2026-11-22T00:00:00Z' } })], [declared, accepted]), held());
      expect(lines(none)).toEqual([`Evidence “Patching a new office” (${ITEM_ID}): It shows an IQA lock by decision nope, which is not in this export.`]);
      const byAssessment = await verifySealed(manifest([item({ iqaLock: { decisionId: accepted.id, at: '2026-11-22T00:00:00Z' } })], [declared, accepted]), held());
      expect(lines(byAssessment)).toEqual([
        `Evidence “Patching a new office” (${ITEM_ID}): It shows an IQA lock by Assessment decision ${accepted.id} (accepted) by Tom Okafor (assessor), which is not an IQA decision agreeing with this item's sign-off.`,
      ]);
      const agreed = await decide(keys.iqa, IQA, item(), { kind: 'iqa', outcome: 'agreed', subjectId: accepted.id, signedAt: '2026-11-22T09:00:00.000Z' });
      expect(lines(await verifySealed(manifest([item({ iqaLock: { decisionId: agreed.id, at: agreed.signedAt } })], [declared, accepted, agreed]), held()))).toEqual([]);
    });

    it('3a, 3e: an item moved to another learner or enrolment no longer matches the decisions about it', async () => {
      const OTHER = '0b1d7c3e-58a8-4c6f-9d5e-1a2b3c4d5e99';
      const moved = await verifySealed(manifest([item({ learnerId: OTHER, enrolmentId: 'other-enrolment' })], [declared, accepted], { scope: { type: 'learner', learnerId: OTHER } }), held());
      expect(lines(moved)).toContain(
        `Assessment decision ${accepted.id} (accepted) by Tom Okafor (assessor): It was signed for learner ${LEARNER.userId}, enrolment ${ENROLMENT_ID}, but manifest.json lists the item it covers, Evidence “Patching a new office” (${ITEM_ID}), under learner ${OTHER}, enrolment other-enrolment.`,
      );
      expect(lines(moved)).toContain(`Assessment decision ${accepted.id} (accepted) by Tom Okafor (assessor): It is about learner ${LEARNER.userId}, but this is the export of learner ${OTHER}.`);
      const otherItem = await verifySealed(manifest([item({ learnerId: OTHER })], [declared, accepted]), held());
      expect(lines(otherItem)).toContain(`Evidence “Patching a new office” (${ITEM_ID}): It is listed under learner ${OTHER}, but this is the export of learner ${LEARNER.userId}.`);
    });

    it('3b: who recorded an item is signed with its content', async () => {
      const recorded = signedOff();
      const observed = item({ kind: 'observation', recordedBy: ASSESSOR });
      const acceptance = await decide(keys.assessor, ASSESSOR, observed, { kind: 'assessment', outcome: 'accepted', signedAt: '2026-11-21T14:30:00.000Z', criterionIds: observed.criterionIds });
      expect(lines(await verifySealed(manifest([observed], [acceptance]), held()))).toEqual([]);
      const reattributed = await verifySealed(manifest([{ ...observed, recordedBy: { userId: 'x', name: 'Someone Else', role: 'assessor' } }], [acceptance]), held());
      expect(lines(reattributed)).toEqual([expect.stringMatching(/It has been changed since Tom Okafor signed it off .*: its content .* is not what was signed\.$/)]);
      expect(recorded.recordedBy).toBeNull();
    });

    it("3d: a key's name, role or revocation edited fails its certificate", async () => {
      for (const edited of [{ ...keys.assessor.row, name: 'Anyone' }, { ...keys.assessor.row, revokedAt: null, createdAt: '2020-01-01T00:00:00.000Z' }]) {
        const hidden = await verifySealed(manifest([item()], [declared, accepted], { keys: [keys.learner.row, edited] }), held());
        expect(lines(hidden)).toContain(
          `Signing key ${keys.assessor.id} of ${edited.name} (assessor): Its certificate does not verify with the centre key ${centreKey.public.fingerprint}: its owner, role, public key, registration or revocation time has been changed, or the centre never registered it.`,
        );
      }
    });

    it('6: a decision backdated before its key, dated after the export, or not in UTC is named', async () => {
      const late = await certified({ ...keys.assessor.row, createdAt: '2026-11-21T00:00:00.000Z' });
      const offline = await decide(keys.assessor, ASSESSOR, item(), { kind: 'assessment', outcome: 'accepted', signedAt: '2026-11-01T00:00:00.000Z', criterionIds: item().criterionIds });
      // Signed offline 20 days before the key reached the centre: allowed (KEY_OFFLINE_GRACE_DAYS).
      expect(lines(await verifySealed(manifest([item()], [offline], { keys: [late] }), held()))).toEqual([]);
      const backdated = await decide(keys.assessor, ASSESSOR, item(), { kind: 'assessment', outcome: 'accepted', signedAt: '2026-09-01T00:00:00.000Z', criterionIds: item().criterionIds });
      expect(lines(await verifySealed(manifest([item()], [backdated], { keys: [late] }), held()))).toEqual([
        `Assessment decision ${backdated.id} (accepted) by Tom Okafor (assessor): It is dated 2026-09-01 00:00 UTC, more than 30 days before its key ${keys.assessor.id} was registered with the centre (2026-11-21 00:00 UTC): it has been backdated.`,
      ]);
      const future = await decide(keys.assessor, ASSESSOR, item(), { kind: 'assessment', outcome: 'accepted', signedAt: '2099-01-01T00:00:00.000Z', criterionIds: item().criterionIds });
      expect(lines(await verifySealed(manifest([item()], [future]), held()))).toEqual([
        `Assessment decision ${future.id} (accepted) by Tom Okafor (assessor): It is dated 2099-01-01 00:00 UTC, after this export was made (2026-11-23 10:00 UTC).`,
      ]);
      const offset = await decide(keys.assessor, ASSESSOR, item(), { kind: 'assessment', outcome: 'accepted', signedAt: '2026-11-21T15:30:00.000+01:00', criterionIds: item().criterionIds });
      expect(lines(await verifySealed(manifest([item()], [offset]), held()))).toEqual([
        `Assessment decision ${offset.id} (accepted) by Tom Okafor (assessor): It is dated 2026-11-21T15:30:00.000+01:00, not in UTC (…Z) as every device dates a decision, so its place among the item's decisions cannot be trusted.`,
      ]);
    });
  });
});
