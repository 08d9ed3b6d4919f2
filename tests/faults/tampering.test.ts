import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync, type Unzipped } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssessmentMethod } from '../../src/domain/assessment-methods';
import { EvidenceKind, EvidenceStatus, RecordedBy } from '../../src/domain/evidence';
import { SEALED_PAGES, exportSealPayload, keyCertificatePayload, type ExportManifest, type ExportSeal, type ExportedSigningKey } from '../../src/domain/export-manifest';
import { QualificationSpec } from '../../src/domain/qualification';
import { base64url, canonicalJson, exportPublicJwk, generateSigningKey, sha256Hex, signDecision, signedEvidenceOf, type SigningKeyPair } from '../../src/domain/signing';
import { DecisionKind, DecisionOutcome, SIGNED_CONTENT_FIELDS, signedPayload, type Decision, type UnsignedDecision } from '../../src/domain/signoff';
import { PushResponse, SYNC_PROTOCOL_VERSION, type Mutation, type PushResult } from '../../src/domain/sync';
import { formatFinding, keyFingerprint, manifestDigest, type Finding, type VerifyResult } from '../../src/domain/verify';
import { verifyZip } from '../../server/export/verify-zip';
import { storeSpec } from '../../server/specs';
import { StoredEvidence } from '../../server/sync/entities';
import { startTestCentre, type TestCentre, type TestUser } from '../server/harness';
import { reportSuite } from './collector';
import { FAULTS_SEED, rng, seedFor, sized } from './scale';

/**
 * Suite 8, tampering. A small real portfolio is built through the centre's own routes (tus
 * uploads, sync pushes, decisions signed with the devices' WebCrypto code and verified by the
 * centre on push): a learner's items with files, a declaration, a referral and resubmission,
 * acceptances, an assessor's witness testimony and questioning, an IQA agreement (which locks the
 * item) and an IQA action, unit and qualification sign-offs; then an EQA export.
 *
 * Then every signed thing is altered, one at a time, generated from the data rather than listed
 * by hand:
 *  - in the centre (database rows and the file store): every leaf of every decision record (each
 *    key of what is signed, recursively, each criterion id and each element of every array, map
 *    keys of per-criterion feedback, the record id), every signed field of every signed-off item
 *    (the content fields signedContent hashes, attachment ids, criteria, status, deletion, IQA
 *    lock, enrolment), every device key's public key, owner, role, registration and revocation,
 *    the centre's own sealing key, and every attachment's bytes on disk. After each, the real
 *    export route builds a ZIP (its own checks go into index.html) and the shipped verifier
 *    (verifyZip, what `npm run verify` runs) reads it with the fingerprint the centre published;
 *  - in the export ZIP: every leaf of manifest.json (and each array element, each map key),
 *    every leaf of signature.json, and every entry's bytes, altered or removed, with the centre's
 *    seal left as it was; and every signed leaf again in an export a forger re-sealed and
 *    re-certified with a centre key of their own, so the device signatures and file hashes
 *    alone must catch the change.
 * Each alteration must be detected and the finding must name what was altered (the record, the
 * decision signed over it, the file or the seal). Undetected or unnamed alterations are escapes,
 * collected and reported; the suite fails if there is any. Untouched originals (and an honest
 * re-zip) must verify, so the verifier is not simply failing everything.
 */

// ---------- The portfolio ----------

function unit(id: string, credits: number, criteria: number, mandatory: boolean) {
  return {
    id,
    number: null,
    reference: null,
    title: `Unit ${id}`,
    level: 2,
    credits,
    glh: 10,
    mandatory,
    completeness: 'complete',
    sourceNote: '',
    outcomes: [{ number: 1, title: 'Outcome 1', criteria: Array.from({ length: criteria }, (_, c) => ({ id: `${id}:1.${c + 1}`, number: `1.${c + 1}`, text: `Criterion 1.${c + 1} of ${id}` })) }],
  };
}

/** M (mandatory, M:1.1, M:1.2) and A (optional, A:1.1): small enough to sign off whole. */
const SPEC = QualificationSpec.parse({
  kind: 'qualification',
  id: '9999-08',
  version: 1,
  title: 'Test Diploma in Tamper Evidence',
  awardingBody: 'Test',
  level: 2,
  accreditationNumber: '500/0000/8',
  credits: 15,
  guidedLearningHours: { min: 1, max: 1 },
  totalQualificationTime: 150,
  lastRegistrationDate: '2030-01-01',
  lastCertificationDate: '2032-01-01',
  rules: {
    minTotalCredits: 15,
    groups: [
      { id: 'M', title: 'Mandatory', kind: 'mandatory', unitIds: ['M'] },
      { id: 'O', title: 'Optional', kind: 'optional', unitIds: ['A'], minCredits: 10 },
    ],
  },
  units: [unit('M', 5, 2, true), unit('A', 10, 1, false)],
});

const DRAWN = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const DRAWN_WITNESS = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

interface Person {
  user: TestUser;
  token: string;
  deviceId: string;
  keys: SigningKeyPair;
  keyId: string;
}

let centre: TestCentre;
let centreId: string;
let learner: Person;
let assessor: Person;
let iqa: Person;
let admin: { user: TestUser; token: string };
let enrolmentId: string;
/** The centre key's fingerprint as GET /api/exports/centre-key gave it before any tampering: what an examiner pins. */
let pinned: string;
const items: Record<'A' | 'B' | 'C' | 'D', string> = { A: '', B: '', C: '', D: '' };
const decisions: Decision[] = [];
const files: Array<{ sha256: string; name: string }> = [];

const tick = () => (centre.now.value = new Date(centre.now.value.getTime() + 60_000));
const b64 = (v: string) => Buffer.from(v).toString('base64');

async function person(role: 'learner' | 'assessor' | 'iqa', name: string): Promise<Person> {
  const user = await centre.createUser(role, centreId, { name });
  const deviceId = randomUUID();
  const token = await centre.tokenFor(user, deviceId);
  const keys = await generateSigningKey();
  const keyId = randomUUID();
  const response = await centre.request('POST', '/api/keys', { token, body: { id: keyId, publicKey: await exportPublicJwk(keys.publicKey) } });
  expect(response.status, await response.clone().text()).toBe(201);
  return { user, token, deviceId, keys, keyId };
}

/** A real tus upload (create, then one PATCH with every byte). */
async function upload(who: Person, bytes: Uint8Array, filename: string, filetype: string): Promise<string> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const tus = (method: string, path: string, headers: Record<string, string>, body?: Uint8Array) =>
    centre.app.request(
      new Request(`http://localhost${path}`, {
        method,
        headers: { 'Tus-Resumable': '1.0.0', authorization: `Bearer ${who.token}`, ...headers },
        ...(body ? { body, duplex: 'half' } : {}),
      } as RequestInit),
    );
  const created = await tus('POST', '/api/files/uploads', {
    'Upload-Length': String(bytes.byteLength),
    'Upload-Metadata': `sha256 ${b64(sha256)},filename ${b64(filename)},filetype ${b64(filetype)}`,
  });
  expect(created.status, await created.clone().text()).toBe(201);
  const done = await tus('PATCH', created.headers.get('location')!, { 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }, bytes);
  expect(done.status, await done.clone().text()).toBe(204);
  files.push({ sha256, name: filename });
  return sha256;
}

function mutation(entity: Mutation['entity'], recordId: string, baseRevision: number, patch: Record<string, unknown>): Mutation {
  return { id: randomUUID(), entity, recordId, op: 'upsert', baseRevision, patch, createdAt: centre.now.value.toISOString() };
}

async function push(who: Person, m: Mutation): Promise<PushResult> {
  const response = await centre.request('POST', '/api/sync/push', { token: who.token, body: { protocol: SYNC_PROTOCOL_VERSION, deviceId: who.deviceId, mutations: [m] } });
  expect(response.status).toBe(200);
  const result = PushResponse.parse(await response.json()).results[0]!;
  expect(result, JSON.stringify(result)).toMatchObject({ status: 'applied' });
  return result;
}

async function stored(entity: string, id: string): Promise<{ revision: number; data: Record<string, unknown> }> {
  const [row] = await centre.db.query<{ revision: number; data: Record<string, unknown> }>('select revision, data from records where entity = $1 and id = $2', [entity, id]);
  return row!;
}

/** Signed over the items as the centre holds them now, with the signer's device key, and pushed: the centre verifies it. */
async function decide(signer: Person, evidenceIds: string[], fields: Partial<UnsignedDecision> & Pick<UnsignedDecision, 'kind' | 'outcome'>): Promise<Decision> {
  tick();
  const evidence = await Promise.all(evidenceIds.map(async (id) => signedEvidenceOf({ id, ...StoredEvidence.parse((await stored('evidence', id)).data) })));
  const decision = await signDecision(
    {
      id: randomUUID(),
      learnerId: learner.user.id,
      enrolmentId,
      unitId: null,
      subjectId: null,
      evidence,
      criterionIds: [],
      feedback: { overall: '', criteria: {} },
      signer: { userId: signer.user.id, name: signer.user.name, role: signer.user.role },
      signedFor: null,
      drawnSignature: DRAWN,
      signedAt: centre.now.value.toISOString(),
      keyId: signer.keyId,
      ...fields,
    },
    signer.keys.privateKey,
  );
  const { id, ...patch } = decision;
  await push(signer, mutation('decision', id, 0, patch));
  decisions.push(decision);
  return decision;
}

function itemPatch(fields: Record<string, unknown>) {
  const at = centre.now.value.toISOString();
  return { enrolmentId, activityDate: '2026-11-18', hours: 2, offTheJob: true, status: 'submitted', createdAt: at, updatedAt: at, deletedAt: null, ...fields };
}

async function buildPortfolio(): Promise<void> {
  const r = rng(seedFor('tampering:files'));
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
  const f1 = await upload(learner, bytes(2_000), 'rack-before.jpg', 'image/jpeg');
  const f2 = await upload(learner, bytes(3_500), 'switch-config.pdf', 'application/pdf');
  const f3 = await upload(learner, bytes(900), 'vlan-plan.txt', 'text/plain');
  items.A = randomUUID();
  items.B = randomUUID();
  await push(
    learner,
    mutation('evidence', items.A, 0, itemPatch({
      title: 'Replacing a failed core switch',
      narrative: 'I isolated the rack, swapped the failed switch and restored every port to its VLAN before users arrived.',
      method: 'portfolio-product',
      hours: 3,
      attachments: [{ id: f1, name: 'rack-before.jpg', type: 'image/jpeg', size: 2_000 }, { id: f2, name: 'switch-config.pdf', type: 'application/pdf', size: 3_500 }],
      criterionIds: ['M:1.1', 'M:1.2'],
    })),
  );
  await push(
    learner,
    mutation('evidence', items.B, 0, itemPatch({
      title: 'Planning the guest VLAN',
      narrative: 'I planned a guest VLAN.',
      method: 'practical-demonstration',
      attachments: [{ id: f3, name: 'vlan-plan.txt', type: 'text/plain', size: 900 }],
      criterionIds: ['A:1.1'],
    })),
  );
  await decide(learner, [items.A, items.B], { kind: 'declaration', outcome: 'declared' });
  await decide(assessor, [items.B], { kind: 'assessment', outcome: 'referred', feedback: { overall: 'Nearly there.', criteria: { 'A:1.1': 'Say how guests are kept off the staff network.' } } });
  const referred = await stored('evidence', items.B);
  tick();
  await push(learner, mutation('evidence', items.B, referred.revision, { narrative: 'I planned a guest VLAN with its own subnet and a firewall rule that blocks the staff range.', status: 'submitted' }));
  const acceptA = await decide(assessor, [items.A], {
    kind: 'assessment',
    outcome: 'accepted',
    criterionIds: ['M:1.1', 'M:1.2'],
    feedback: { overall: 'Safe isolation and a tidy handover.', criteria: { 'M:1.1': 'Clear risk check.', 'M:1.2': 'Every port restored.' } },
  });
  const acceptB = await decide(assessor, [items.B], { kind: 'assessment', outcome: 'accepted', criterionIds: ['A:1.1'], feedback: { overall: 'Now complete.', criteria: {} } });

  // The assessor's own records: a witness testimony with a file of theirs, and questioning.
  const f4 = await upload(assessor, bytes(1_200), 'witness-statement.pdf', 'application/pdf');
  items.C = randomUUID();
  items.D = randomUUID();
  tick();
  await push(
    assessor,
    mutation('evidence', items.C, 0, itemPatch({
      kind: 'witness-testimony',
      title: 'Line manager on the switch replacement',
      narrative: 'Jordan planned the change window and kept the users informed throughout.',
      method: 'witness-testimony',
      attachments: [{ id: f4, name: 'witness-statement.pdf', type: 'application/pdf', size: 1_200 }],
      criterionIds: ['A:1.1'],
      witness: { name: 'Dana Fox', jobTitle: 'Infrastructure Manager', relationship: 'Line manager for 8 months', signature: DRAWN_WITNESS, signedAt: centre.now.value.toISOString() },
    })),
  );
  await push(
    assessor,
    mutation('evidence', items.D, 0, itemPatch({
      kind: 'questioning',
      title: 'Questions on spanning tree',
      narrative: 'Oral questions after the observation.',
      method: 'questioning',
      attachments: [],
      criterionIds: ['M:1.2'],
      questions: [
        { question: 'Why enable BPDU guard on access ports?', answer: 'So a switch plugged in by a user cannot become root.' },
        { question: 'What does PortFast change?', answer: 'The port skips listening and learning.' },
      ],
    })),
  );
  await decide(assessor, [items.C], { kind: 'assessment', outcome: 'accepted', criterionIds: ['A:1.1'], feedback: { overall: 'A credible witness.', criteria: {} } });
  await decide(assessor, [items.D], { kind: 'assessment', outcome: 'accepted', criterionIds: ['M:1.2'], feedback: { overall: 'Sound answers.', criteria: { 'M:1.2': 'Good on BPDU guard.' } } });
  await decide(iqa, [items.A], { kind: 'iqa', outcome: 'agreed', subjectId: acceptA.id, feedback: { overall: 'Agreed: sound judgement.', criteria: {} } });
  await decide(iqa, [items.B], { kind: 'iqa', outcome: 'action', subjectId: acceptB.id, feedback: { overall: 'Record the referral reason in the tracker.', criteria: {} } });
  await decide(assessor, [items.A, items.D], { kind: 'unit', outcome: 'signed-off', unitId: 'M', criterionIds: ['M:1.1', 'M:1.2'] });
  await decide(assessor, [items.B, items.C], { kind: 'unit', outcome: 'signed-off', unitId: 'A', criterionIds: ['A:1.1'] });
  await decide(assessor, [items.A, items.B, items.C, items.D], { kind: 'qualification', outcome: 'signed-off', criterionIds: ['M:1.1', 'M:1.2', 'A:1.1'] });
  tick();
}

// ---------- Exports and verification ----------

interface Verdict {
  result: VerifyResult | null;
  /** The export route refused, naming a record it cannot read (the builder's schema check). */
  refused: string | null;
  /** index.html (the centre's own checks while building) says Failed. */
  builderFailed: boolean;
}

async function exportZip(): Promise<{ zip: Uint8Array | null; refused: string | null }> {
  const response = await centre.request('GET', `/api/exports/learners/${learner.user.id}`, { token: admin.token });
  if (response.status !== 200) return { zip: null, refused: `${response.status} ${await response.text()}` };
  return { zip: new Uint8Array(await response.arrayBuffer()), refused: null };
}

async function exportAndVerify(): Promise<Verdict> {
  const { zip, refused } = await phase('export route', exportZip);
  if (!zip) return { result: null, refused, builderFailed: false };
  const index = strFromU8(unzipSync(zip, { filter: (f) => f.name === 'index.html' })['index.html']!);
  return { result: await phase('verify', () => verifyZip(zip, { centreKey: pinned })), refused: null, builderFailed: index.includes('Failed:') };
}

function problems(result: VerifyResult): string {
  return result.findings.map(formatFinding).join('\n');
}

/** A finding names one of the ids, by its id or in what it is about. */
function names(findings: readonly Finding[], ids: ReadonlySet<string>): boolean {
  return findings.some((f) => (f.id !== null && ids.has(f.id)) || [...ids].some((id) => f.about.includes(id) || f.problem.includes(id)));
}

// ---------- Alterations, generated from the data ----------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

interface Alteration {
  /** Where, as a readable path. */
  where: string;
  /** What was done: "changed", "removed element", ... */
  how: string;
  /** Applies the alteration to a deep copy of the root and returns it. */
  apply(root: Json): Json;
}

const clone = <T>(v: T): T => structuredClone(v);
const ROLES = RecordedBy.shape.role.options;

function enumFor(key: string, value: string): readonly string[] | null {
  const lists: Record<string, ReadonlyArray<readonly string[]>> = {
    kind: [DecisionKind.options, EvidenceKind.options],
    outcome: [DecisionOutcome.options],
    role: [ROLES],
    method: [AssessmentMethod.options],
    status: [EvidenceStatus.options],
  };
  for (const list of lists[key] ?? []) if (list.includes(value)) return list;
  return null;
}

function nextChar(c: string, alphabet: string): string {
  return alphabet[(alphabet.indexOf(c) + 1) % alphabet.length]!;
}
const HEX = '0123456789abcdef';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The smallest change that keeps the value's shape (a UUID stays a UUID, a time a time), so the checks past the schema are the ones tried. */
function alterString(key: string, value: string): string {
  const options = enumFor(key, value);
  if (options) return options[(options.indexOf(value) + 1) % options.length]!;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return new Date(Date.parse(value) + 1000).toISOString();
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(Date.parse(`${value}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value) || /^[0-9a-f]{64}$/.test(value)) return nextChar(value[0]!, HEX) + value.slice(1);
  if (value.startsWith('data:image/png;base64,')) {
    const at = 'data:image/png;base64,'.length + 10;
    return value.slice(0, at) + nextChar(value[at]!, B64) + value.slice(at + 1);
  }
  // base64url (signatures, JWK coordinates, fingerprints): the first character, never the last, whose low bits may be padding.
  if (/^[A-Za-z0-9_-]{43,}$/.test(value) && !/\s/.test(value)) return nextChar(value[0]!, B64URL) + value.slice(1);
  if (value === '') return 'x';
  const at = value.search(/[A-Za-z0-9]/);
  if (at < 0) return `${value}x`;
  const c = value[at]!;
  const alphabet = /[0-9]/.test(c) ? '0123456789' : /[a-z]/.test(c) ? 'abcdefghijklmnopqrstuvwxyz' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return value.slice(0, at) + nextChar(c, alphabet) + value.slice(at + 1);
}

/** A value for a field that is null: one of the type the field holds when set. */
function instead(key: string, ctx: { decisionId: string }): Json {
  switch (key) {
    case 'unitId':
      return 'M';
    case 'subjectId':
      return ctx.decisionId;
    case 'signedFor':
      return 'Someone Else';
    case 'drawnSignature':
    case 'signature':
      return DRAWN_WITNESS;
    case 'activityDate':
      return '2026-11-01';
    case 'method':
      return 'observation';
    case 'witness':
      return { name: 'A Witness', jobTitle: 'Manager', relationship: 'Colleague', signature: null, signedAt: null };
    case 'recordedBy':
      return { userId: randomUUID(), name: 'An Assessor', role: 'assessor' };
    case 'iqaLock':
      return { decisionId: ctx.decisionId, at: '2026-11-23T10:30:00.000Z' };
    default:
      // deletedAt, revokedAt, signedAt and the like: a time before anything in the portfolio was signed.
      return '2026-11-01T00:00:00.000Z';
  }
}

/** A new element for an array, shaped like the array's own (or, empty, like what the key holds). */
function extraElement(key: string, array: Json[], parent: Json): Json | undefined {
  const last = array[array.length - 1];
  if (typeof last === 'string') return alterString(key, last) === last ? `${last}x` : alterString(key, last);
  if (last !== undefined && last !== null && typeof last === 'object' && !Array.isArray(last)) {
    const copy = clone(last);
    // A copy with the same id would be the same attachment or item: give it another.
    if (typeof copy.id === 'string') copy.id = alterString('id', copy.id);
    else for (const [k, v] of Object.entries(copy)) if (typeof v === 'string') copy[k] = alterString(k, v);
    return copy;
  }
  if (array.length > 0) return undefined;
  switch (key) {
    case 'criterionIds':
      return 'A:1.1';
    case 'attachments':
      // An item's list holds file references; a decision's, the files' hashes.
      if (parent === null || typeof parent !== 'object' || !('title' in parent)) return 'f'.repeat(64);
      // In manifest.json (which carries revisions) a file reference has its path in the ZIP too.
      return { id: 'f'.repeat(64), name: 'added.pdf', type: 'application/pdf', size: 10, ...('revision' in parent ? { path: `files/${'f'.repeat(64)}` } : {}) };
    case 'questions':
      return { question: 'An extra question?', answer: 'An extra answer.' };
    default:
      return undefined;
  }
}

function getAt(root: Json, path: Path): Json {
  let v: Json = root;
  for (const p of path) v = (v as Record<string | number, Json>)[p]!;
  return v;
}

function edit(path: Path, change: (parent: Record<string | number, Json>, last: string | number) => void): (root: Json) => Json {
  return (root) => {
    const copy = clone(root);
    const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, Json>;
    change(parent, path[path.length - 1]!);
    return copy;
  };
}

const show = (path: Path) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');

/** Fields a record may hold as null (the schemas' nullable ones): each set one is also tried as null. */
const NULLABLE = new Set(['unitId', 'subjectId', 'signedFor', 'drawnSignature', 'activityDate', 'method', 'deletedAt', 'revokedAt', 'witness', 'recordedBy', 'iqaLock']);
const nullable = (path: Path) => NULLABLE.has(String(path[path.length - 1])) || (path[path.length - 2] === 'witness' && ['signature', 'signedAt'].includes(String(path[path.length - 1])));

/** Maps of free keys (per-criterion feedback): their keys are signed as much as their values. */
const isMap = (path: Path) => path[path.length - 1] === 'criteria' && path[path.length - 2] === 'feedback';

/**
 * Every alteration of `value` under `path`: each leaf changed, each array shortened and
 * lengthened by one, each map key renamed, removed and added. `keep` limits which children are
 * walked (the signed fields of an item); it applies below the top only where it says.
 */
function alterationsOf(root: Json, path: Path, ctx: { decisionId: string }, keep?: (path: Path) => boolean): Alteration[] {
  const value = getAt(root, path);
  const out: Alteration[] = [];
  const key = String([...path].reverse().find((p) => typeof p === 'string') ?? '');
  if (value !== null && path.length > 0 && nullable(path)) out.push({ where: show(path), how: 'set to null', apply: edit(path, (parent, last) => (parent[last] = null)) });
  if (Array.isArray(value)) {
    value.forEach((_, i) => (!keep || keep([...path, i])) && out.push(...alterationsOf(root, [...path, i], ctx, keep)));
    if (path.length > 0) {
      if (value.length > 0) out.push({ where: show(path), how: 'removed its first element', apply: edit([...path, 0], (parent, i) => (parent as unknown as Json[]).splice(Number(i), 1)) });
      const extra = extraElement(key, value, getAt(root, path.slice(0, -1)));
      if (extra !== undefined) out.push({ where: show(path), how: 'added an element', apply: edit([...path, value.length], (parent, i) => ((parent as unknown as Json[])[Number(i)] = clone(extra))) });
    }
  } else if (value !== null && typeof value === 'object') {
    for (const k of Object.keys(value)) if (!keep || keep([...path, k])) out.push(...alterationsOf(root, [...path, k], ctx, keep));
    if (isMap(path)) {
      for (const k of Object.keys(value)) {
        out.push({
          where: `${show(path)}{${k}}`,
          how: 'renamed the key',
          apply: edit([...path, k], (parent, last) => {
            const renamed = alterString('key', String(last));
            parent[renamed] = parent[last]!;
            delete parent[last];
          }),
        });
        out.push({ where: `${show(path)}{${k}}`, how: 'removed the key', apply: edit([...path, k], (parent, last) => delete parent[last]) });
      }
      out.push({ where: `${show(path)}{}`, how: 'added a key', apply: edit([...path, 'A:9.9'], (parent, last) => (parent[last] = 'Added later.')) });
    }
  } else {
    const changed: Json =
      typeof value === 'string' ? alterString(key, value) : typeof value === 'number' ? value + 1 : typeof value === 'boolean' ? !value : instead(key, ctx);
    out.push({ where: show(path), how: value === null ? `set (was null) to ${JSON.stringify(changed).slice(0, 40)}` : 'changed', apply: edit(path, (parent, last) => (parent[last] = changed)) });
  }
  return out;
}

/**
 * The quick run's share: every distinct kind of alteration (its path with the indices and map keys
 * taken out, within one kind of record) once, plus a seeded share of the repeats (the same field
 * of another decision of that kind, another criterion of the same list...). The full run alters
 * every one.
 */
function pick<T extends Alteration>(alterations: readonly T[], kindOf: (a: T) => string, share: number, random: () => number): T[] {
  if (share >= 1) return [...alterations];
  const seen = new Set<string>();
  return alterations.filter((a) => {
    const pattern = `${kindOf(a)} ${a.where.replace(/\[\d+\]/g, '[]').replace(/\{[^}]*\}/g, '{}')} ${a.how}`;
    if (!seen.has(pattern)) return seen.add(pattern), true;
    return random() < share;
  });
}

// ---------- Figures ----------

const figures = {
  dbAlterations: 0,
  dbDecisionFields: 0,
  dbEvidenceFields: 0,
  dbKeyFields: 0,
  dbCentreKey: 0,
  attachmentsAltered: 0,
  zipManifestLeaves: 0,
  zipSignedForged: 0,
  zipSealLeaves: 0,
  zipEntries: 0,
  detected: 0,
  byVerifier: 0,
  byBuilder: 0,
  refusedByExport: 0,
  undetected: 0,
  unnamed: 0,
};
/** Alterations generated before the quick run's pick (the full run tries all of them). */
const generated = { db: 0, zip: 0, forged: 0 };
const escapes: string[] = [];
const started = Date.now();
const phaseMs: Record<string, number> = {};
async function phase<T>(name: string, run: () => Promise<T>): Promise<T> {
  const t = Date.now();
  try {
    return await run();
  } finally {
    phaseMs[name] = (phaseMs[name] ?? 0) + Date.now() - t;
  }
}

function judge(label: string, verdict: Verdict, ids: ReadonlySet<string>, options: { builderExpected?: boolean } = {}): void {
  const { result, refused } = verdict;
  if (refused !== null) {
    // The export builder refuses a record it cannot read, naming it: detected, and named when an id is in the message.
    figures.refusedByExport++;
    figures.detected++;
    if (![...ids].some((id) => refused.includes(id))) {
      figures.unnamed++;
      escapes.push(`${label}: the export was refused without naming it (${refused.slice(0, 200)})`);
    }
    return;
  }
  if (result!.ok) {
    figures.undetected++;
    escapes.push(`${label}: not detected`);
    return;
  }
  figures.detected++;
  figures.byVerifier++;
  if (verdict.builderFailed) figures.byBuilder++;
  else if (options.builderExpected) escapes.push(`${label}: the verifier found it but the export's own page says Passed`);
  if (!names(result!.findings, ids)) {
    figures.unnamed++;
    escapes.push(`${label}: detected but no finding names ${[...ids].slice(0, 3).join(' or ')}: ${problems(result!).slice(0, 300)}`);
  }
}

// ---------- The run ----------

beforeAll(async () => {
  centre = await startTestCentre();
  centreId = await centre.createCentre('Tamper College');
  await storeSpec(centre.db, SPEC, null);
  const adminUser = await centre.createUser('admin', centreId, { name: 'Priya Admin' });
  admin = { user: adminUser, token: await centre.tokenFor(adminUser) };
  learner = await person('learner', 'Jordan Ellis');
  assessor = await person('assessor', 'Tom Okafor');
  iqa = await person('iqa', 'Grace Mensah');
  const caseload = await centre.request('PUT', `/api/admin/caseloads/${assessor.user.id}`, { token: admin.token, body: { learnerIds: [learner.user.id] } });
  expect(caseload.status, await caseload.clone().text()).toBe(200);
  const enrolled = await centre.request('POST', '/api/admin/enrolments', {
    token: admin.token,
    body: { learnerId: learner.user.id, qualificationId: SPEC.id, qualificationVersion: 1, optionalUnitIds: ['A'], startDate: '2026-09-01', plannedEndDate: '2027-09-01', plannedOffTheJobHoursPerWeek: 6 },
  });
  expect(enrolled.status, await enrolled.clone().text()).toBe(201);
  enrolmentId = ((await enrolled.json()) as { id: string }).id;
  await buildPortfolio();
  const key = await centre.request('GET', '/api/exports/centre-key', { token: admin.token });
  expect(key.status).toBe(200);
  pinned = ((await key.json()) as { fingerprint: string }).fingerprint;
});

afterAll(async () => {
  await centre?.close();
});

describe('suite 8: tampering', () => {
  let original: Uint8Array;

  it('the untouched export verifies, with every decision, file and key', async () => {
    const { zip } = await exportZip();
    original = zip!;
    const result = await verifyZip(original, { centreKey: pinned });
    expect(problems(result)).toBe('');
    expect(result.ok).toBe(true);
    expect(result.centreKey?.pinned).toBe(true);
    expect(result.checked).toMatchObject({ files: 4, evidence: 4, decisions: decisions.length, signaturesValid: decisions.length, signedOffItems: 4, keys: 3 });
    expect(strFromU8(unzipSync(original)['index.html']!)).toContain('Passed: everything signed still matches what was signed.');
    // The re-zip the ZIP alterations use changes nothing by itself.
    expect((await verifyZip(rezip(original, () => undefined), { centreKey: pinned })).ok).toBe(true);
    const item = await stored('evidence', items.A);
    expect(item.data).toMatchObject({ status: 'signed-off', iqaLock: { decisionId: decisions.find((d) => d.kind === 'iqa' && d.outcome === 'agreed')!.id } });
  });

  it('every signed field in the database, every key and every file on disk: altered one at a time, each detected and named', async () => {
    const rows = await centre.db.query<{ entity: string; id: string; data: Json }>(
      `select entity, id, data from records where learner_id = $1 and entity in ('decision', 'evidence') order by entity, id`,
      [learner.user.id],
    );
    const coveredBy = (evidenceId: string) => decisions.filter((d) => d.evidence.some((e) => e.id === evidenceId)).map((d) => d.id);
    const ctx = { decisionId: decisions[0]!.id };
    const r = rng(seedFor('tampering:db'));
    // Quick: each field of each kind of decision once, and a seeded share of the repeats; full: every one in every decision.
    const share = sized({ quick: 0.05, full: 1 });

    async function alterRow(entity: string, id: string, data: Json, alteration: Alteration, ids: ReadonlySet<string>, label: string): Promise<void> {
      const altered = alteration.apply(data);
      await centre.db.query('update records set data = $3::jsonb where entity = $1 and id = $2', [entity, id, JSON.stringify(altered)]);
      try {
        judge(label, await exportAndVerify(), ids, { builderExpected: true });
      } finally {
        await centre.db.query('update records set data = $3::jsonb where entity = $1 and id = $2', [entity, id, JSON.stringify(data)]);
      }
      figures.dbAlterations++;
    }

    // Decisions: every leaf of what is stored is signed (signedPayload), so all of it is walked.
    const chosen: Array<Alteration & { row: { id: string; data: Json }; decision: Decision }> = [];
    for (const row of rows.filter((x) => x.entity === 'decision')) {
      const decision = decisions.find((d) => d.id === row.id)!;
      const all = alterationsOf(row.data, [], ctx);
      // Every key of the signed payload is among the fields altered (the record id is the row's, below).
      const { signature: _signature, ...unsigned } = decision;
      const touched = new Set(all.map((a) => a.where.split(/[.[{]/)[0]));
      for (const k of Object.keys(signedPayload(unsigned, null))) if (k !== 'v' && k !== 'id') expect(touched, `decision field ${k}`).toContain(k);
      chosen.push(...all.map((a) => ({ ...a, row, decision })));
    }
    generated.db += chosen.length;
    for (const a of pick(chosen, (x) => x.decision.kind, share, r)) {
      figures.dbDecisionFields++;
      await alterRow('decision', a.row.id, a.row.data, a, new Set([a.row.id]), `database: ${a.decision.kind} decision ${a.row.id} ${a.where} ${a.how}`);
    }
    for (const row of rows.filter((x) => x.entity === 'decision')) {
      const decision = decisions.find((d) => d.id === row.id)!;
      // The record's id, which the signature covers as the payload's id.
      const newId = alterString('id', row.id);
      await centre.db.query(`update records set id = $2 where entity = 'decision' and id = $1`, [row.id, newId]);
      try {
        judge(`database: ${decision.kind} decision ${row.id} record id changed`, await exportAndVerify(), new Set([newId, row.id]), { builderExpected: true });
      } finally {
        await centre.db.query(`update records set id = $1 where entity = 'decision' and id = $2`, [row.id, newId]);
      }
      figures.dbDecisionFields++;
      figures.dbAlterations++;
    }

    // Signed-off items: the content fields their content hash covers, their files, criteria, status, deletion, IQA lock and enrolment.
    const SIGNED = new Set<string>([...SIGNED_CONTENT_FIELDS, 'attachments', 'criterionIds', 'status', 'deletedAt', 'iqaLock', 'enrolmentId']);
    for (const row of rows.filter((x) => x.entity === 'evidence')) {
      expect((row.data as { status: string }).status).toBe('signed-off');
      // Within attachments only the id is signed (name and type are labels; the size is the file store's).
      const keep = (path: Path) => (path.length === 1 ? SIGNED.has(String(path[0])) : path[0] !== 'attachments' || path.length < 3 || path[2] === 'id');
      const ids = new Set([row.id, ...coveredBy(row.id)]);
      const kind = (row.data as { kind: string }).kind;
      const all = alterationsOf(row.data, [], ctx, keep);
      generated.db += all.length;
      for (const a of pick(all, () => `${kind}${(row.data as { iqaLock: unknown }).iqaLock ? ' locked' : ''}`, sized({ quick: 0.1, full: 1 }), r)) {
        figures.dbEvidenceFields++;
        await alterRow('evidence', row.id, row.data, a, ids, `database: evidence ${row.id} ${a.where} ${a.how}`);
      }
    }

    // Device keys: what a decision's signature depends on (public key, owner, role) and its dates.
    const keyRows = await centre.db.query<{ id: string; user_id: string; role: string; public_key: { x: string; y: string } }>('select id, user_id, role, public_key from signing_keys where centre_id = $1', [centreId]);
    for (const key of keyRows) {
      const signedWith = decisions.filter((d) => d.keyId === key.id).map((d) => d.id);
      const ids = new Set([key.id, ...signedWith]);
      const other = [learner, assessor, iqa].find((p) => p.user.id !== key.user_id)!.user;
      const changes: Array<[string, string, unknown[]]> = [
        ['public key x', `update signing_keys set public_key = jsonb_set(public_key, '{x}', to_jsonb($2::text)) where id = $1`, [alterString('x', key.public_key.x)]],
        ['public key y', `update signing_keys set public_key = jsonb_set(public_key, '{y}', to_jsonb($2::text)) where id = $1`, [alterString('y', key.public_key.y)]],
        ['owner', 'update signing_keys set user_id = $2 where id = $1', [other.id]],
        ['role', 'update signing_keys set role = $2 where id = $1', [alterString('role', key.role)]],
        ['registered 60 days after it signed', `update signing_keys set created_at = created_at + interval '60 days' where id = $1`, []],
        ['revoked before it signed', `update signing_keys set revoked_at = timestamptz '2026-11-01T00:00:00Z' where id = $1`, []],
      ];
      const [before] = await centre.db.query('select * from signing_keys where id = $1', [key.id]);
      for (const [what, sql, params] of changes) {
        await centre.db.query(sql, [key.id, ...params]);
        try {
          judge(`database: signing key ${key.id} (${key.role}) ${what}`, await exportAndVerify(), ids, { builderExpected: true });
        } finally {
          const b = before as Record<string, unknown>;
          await centre.db.query('update signing_keys set user_id = $2, role = $3, public_key = $4::jsonb, created_at = $5, revoked_at = $6 where id = $1', [
            key.id,
            b.user_id,
            b.role,
            JSON.stringify(b.public_key),
            b.created_at,
            b.revoked_at,
          ]);
        }
        figures.dbKeyFields++;
        figures.dbAlterations++;
      }
    }

    // The centre's own sealing key, replaced in its table: only the fingerprint the examiner pinned can tell.
    {
      const [before] = await centre.db.query<{ public_key: unknown; private_key: unknown; fingerprint: string }>('select public_key, private_key, fingerprint from centre_keys where centre_id = $1', [centreId]);
      const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
      const priv = await crypto.subtle.exportKey('jwk', pair.privateKey);
      const pub = { kty: 'EC', crv: 'P-256', x: priv.x, y: priv.y };
      await centre.db.query('update centre_keys set public_key = $2::jsonb, private_key = $3::jsonb, fingerprint = $4 where centre_id = $1', [
        centreId,
        JSON.stringify(pub),
        JSON.stringify({ ...pub, d: priv.d }),
        await keyFingerprint(pub),
      ]);
      try {
        const verdict = await exportAndVerify();
        judge('database: the centre key replaced', verdict, new Set(['signature.json', "The centre's seal"]));
      } finally {
        await centre.db.query('update centre_keys set public_key = $2::jsonb, private_key = $3::jsonb, fingerprint = $4 where centre_id = $1', [
          centreId,
          JSON.stringify(before!.public_key),
          JSON.stringify(before!.private_key),
          before!.fingerprint,
        ]);
      }
      figures.dbCentreKey++;
      figures.dbAlterations++;
    }

    // Attachment bytes in the file store.
    const holders = (sha256: string) => rows.filter((x) => x.entity === 'evidence' && JSON.stringify(x.data).includes(sha256)).map((x) => x.id);
    for (const file of files) {
      const path = join(centre.filesDir, 'sha256', file.sha256.slice(0, 2), file.sha256);
      expect(existsSync(path), path).toBe(true);
      const bytes = readFileSync(path);
      const flip = (at: number) => {
        const b = Buffer.from(bytes);
        b[at] = b[at]! ^ 0x01;
        return b;
      };
      const changes: Array<[string, Buffer | null]> = [
        ['first byte changed', flip(0)],
        ['a middle byte changed', flip(bytes.length >> 1)],
        ['last byte changed', flip(bytes.length - 1)],
        ['last byte cut off', bytes.subarray(0, bytes.length - 1)],
        ['a byte added', Buffer.concat([bytes, Buffer.from([0])])],
        ['removed from the store', null],
      ];
      const ids = new Set([`files/${file.sha256}`, ...holders(file.sha256)]);
      for (const [what, changed] of changes) {
        if (changed) writeFileSync(path, changed);
        else renameSync(path, `${path}.away`);
        try {
          judge(`file store: ${file.name} (${file.sha256.slice(0, 12)}…) ${what}`, await exportAndVerify(), ids, { builderExpected: true });
        } finally {
          if (changed) writeFileSync(path, bytes);
          else renameSync(`${path}.away`, path);
        }
        figures.attachmentsAltered++;
        figures.dbAlterations++;
      }
    }

    // Everything restored: the centre's export verifies again.
    const after = await exportAndVerify();
    expect(after.refused).toBeNull();
    expect(problems(after.result!)).toBe('');
  });

  it('every manifest entry, seal field and file of the export ZIP: altered one at a time, each detected and named', async () => {
    const unzipped = unzipSync(original);
    const manifest = JSON.parse(strFromU8(unzipped['manifest.json']!)) as Json;
    const m = manifest as unknown as ExportManifest;
    const ctx = { decisionId: decisions[0]!.id };
    const r = rng(seedFor('tampering:zip'));
    // With the seal kept, any change to manifest.json as parsed changes its digest: the quick run alters each kind of entry once and a seeded share of the rest.
    const sealedShare = sized({ quick: 0.05, full: 1 });
    const forgedShare = sized({ quick: 0.1, full: 1 });

    const forger = await forgerKey();
    // An honest re-seal by another key verifies without a pin (so the forged runs below test the device signatures) and fails with it.
    const resealed = await reseal(unzipped, manifest, forger);
    expect(problems(await verifyZip(resealed))).toBe('');
    expect((await verifyZip(resealed, { centreKey: pinned })).ok).toBe(false);

    // (1) manifest.json, every leaf, with the centre's seal as it was.
    const leaves = alterationsOf(manifest, [], ctx);
    generated.zip += leaves.length;
    for (const a of pick(leaves, () => '', sealedShare, r)) {
      figures.zipManifestLeaves++;
      const zip = rezip(original, (f) => (f['manifest.json'] = strToU8(JSON.stringify(a.apply(manifest), null, 2))));
      judge(`export: manifest.json ${a.where} ${a.how}`, { result: await verifyZip(zip, { centreKey: pinned }), refused: null, builderFailed: false }, new Set(['manifest.json']));
    }

    // (2) The signed leaves again, in an export a forger re-sealed: the finding must name the record, not only the seal.
    const byDecision = new Map(m.decisions.map((d, i) => [i, d.id]));
    const byEvidence = new Map(m.evidence.map((e, i) => [i, e]));
    const signedLeaf = (a: Alteration, altered: ExportManifest): Set<string> | null => {
      const ids = signedIds(a);
      if (!ids) return null;
      // The record as altered may carry another id (the id itself was changed), and a schema finding names its place in manifest.json.
      const [, list, index] = /^(decisions|evidence|keys)\[(\d+)\]/.exec(a.where)!;
      const now = (altered[list as 'decisions' | 'evidence' | 'keys'] as Array<{ id?: unknown }> | undefined)?.[Number(index)]?.id;
      if (typeof now === 'string') ids.add(now);
      ids.add(`${list}.${index}.`);
      return ids;
    };
    const signedIds = (a: Alteration): Set<string> | null => {
      const match = /^(decisions|evidence|keys)\[(\d+)\]\.?([A-Za-z]*)?(?:\[(\d+)\]\.?([A-Za-z]*))?/.exec(a.where);
      if (!match) return null;
      const [, list, index, field, sub, subField] = match;
      const i = Number(index);
      if (list === 'decisions') return new Set([byDecision.get(i)!]);
      if (list === 'evidence') {
        const item = byEvidence.get(i)!;
        const covering = m.decisions.filter((d) => d.evidence.some((e) => e.id === item.id)).map((d) => d.id);
        const ids = new Set([item.id, ...covering, ...item.attachments.map((x) => x.path)]);
        if (field === 'attachments') return sub === undefined || subField === 'id' || subField === 'size' || subField === 'path' ? ids : null;
        return field && ([...SIGNED_CONTENT_FIELDS, 'criterionIds', 'status', 'deletedAt', 'iqaLock', 'enrolmentId', 'learnerId', 'id'] as string[]).includes(field) ? ids : null;
      }
      const key = m.keys[i]!;
      if (field === 'publicKey' ? /publicKey\.(x|y)$/.test(a.where) : field === 'userId' || field === 'role' || field === 'revokedAt' || field === 'id')
        return new Set([key.id, ...m.decisions.filter((d) => d.keyId === key.id).map((d) => d.id)]);
      return null;
    };
    const kindAt = (a: Alteration) => {
      const d = /^decisions\[(\d+)\]/.exec(a.where);
      return d ? m.decisions[Number(d[1])]!.kind : '';
    };
    generated.forged += leaves.filter((a) => signedIds(a) !== null).length;
    for (const a of pick(leaves, kindAt, forgedShare, r)) {
      const altered = a.apply(manifest);
      const ids = signedLeaf(a, altered as unknown as ExportManifest);
      if (!ids) continue;
      figures.zipSignedForged++;
      const zip = await reseal(unzipped, altered, forger);
      // No pin: the forger's seal and certificates hold, so only the device signatures and file hashes can tell.
      judge(`forged export: manifest.json ${a.where} ${a.how}`, { result: await verifyZip(zip), refused: null, builderFailed: false }, ids);
    }

    // (3) signature.json, every leaf.
    const seal = JSON.parse(strFromU8(unzipped['signature.json']!)) as Json;
    for (const a of alterationsOf(seal, [], ctx)) {
      figures.zipSealLeaves++;
      const zip = rezip(original, (f) => (f['signature.json'] = strToU8(JSON.stringify(a.apply(seal), null, 2))));
      judge(`export: signature.json ${a.where} ${a.how}`, { result: await verifyZip(zip, { centreKey: pinned }), refused: null, builderFailed: false }, new Set(['signature.json', 'manifest.json', "The centre's seal"]));
    }

    // (4) Every entry of the ZIP: one byte changed, one added, removed.
    for (const name of Object.keys(unzipped)) {
      const ids = new Set([name, "The centre's seal", 'The export', ...m.evidence.filter((e) => e.attachments.some((x) => x.path === name)).map((e) => e.id)]);
      const bytes = unzipped[name]!;
      const changes: Array<[string, Uint8Array<ArrayBuffer> | null]> = [
        ['a byte changed', Uint8Array.from(bytes, (b, i) => (i === bytes.length >> 1 ? b ^ 0x20 : b))],
        // Not whitespace: the seal covers manifest.json as parsed, so a trailing space changes nothing that is read.
        ['a byte added', Uint8Array.from([...bytes, 0x78])],
        ['removed', null],
      ];
      for (const [what, changed] of changes) {
        figures.zipEntries++;
        const zip = rezip(original, (f) => {
          if (changed) f[name] = changed;
          else delete f[name];
        });
        judge(`export: ${name} ${what}`, { result: await verifyZip(zip, { centreKey: pinned }), refused: null, builderFailed: false }, ids);
      }
    }

    // The original still verifies: nothing above leaked into it.
    expect((await verifyZip(original, { centreKey: pinned })).ok).toBe(true);
  });

  it('reports its figures, with no escapes', () => {
    const durationMs = Date.now() - started;
    const inputsTried = figures.dbAlterations + figures.zipManifestLeaves + figures.zipSignedForged + figures.zipSealLeaves + figures.zipEntries;
    reportSuite({
      suite: 'tampering',
      faultsInjected: inputsTried,
      inputsTried,
      escapes: escapes.length,
      dataLost: 0,
      durationMs,
      seed: FAULTS_SEED,
      details: {
        'Decisions signed (kinds: declaration, assessment, IQA, unit, qualification)': decisions.length,
        'Database: record alterations generated (decisions, signed-off items)': generated.db,
        'Database: decision fields altered (incl. record ids)': figures.dbDecisionFields,
        'Database: signed-off item fields altered': figures.dbEvidenceFields,
        'Database: device key fields altered': figures.dbKeyFields,
        'Database: centre key replaced': figures.dbCentreKey,
        'File store: attachments altered (6 ways x 4 files)': figures.attachmentsAltered,
        'Export: manifest.json alterations generated': generated.zip,
        'Export: manifest.json leaves altered (seal kept)': figures.zipManifestLeaves,
        'Export: signed-leaf alterations generated': generated.forged,
        'Export: signed leaves altered and re-sealed by a forger': figures.zipSignedForged,
        'Export: signature.json leaves altered': figures.zipSealLeaves,
        'Export: ZIP entries altered or removed': figures.zipEntries,
        Detected: figures.detected,
        'Detected by the shipped verifier': figures.byVerifier,
        "Also shown as Failed on the export's own page": figures.byBuilder,
        'Export refused, naming the unreadable record': figures.refusedByExport,
        'Not detected': figures.undetected,
        'Detected but not named': figures.unnamed,
      },
      examples: escapes,
    });
    console.log(`tampering: ${inputsTried} alterations in ${(durationMs / 1000).toFixed(1)} s (export route ${phaseMs['export route']} ms, verify after export ${phaseMs.verify} ms)`);
    expect(escapes, escapes.join('\n')).toEqual([]);
  });
});

// ---------- ZIP helpers ----------

function rezip(zip: Uint8Array, change: (files: Unzipped) => void): Uint8Array {
  const entries = unzipSync(zip);
  change(entries);
  return zipSync(entries, { level: 0 });
}

interface Forger {
  publicKey: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  fingerprint: string;
  privateKey: CryptoKey;
}

async function forgerKey(): Promise<Forger> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const publicKey = { kty: 'EC' as const, crv: 'P-256' as const, x: jwk.x!, y: jwk.y! };
  return { publicKey, fingerprint: await keyFingerprint(publicKey), privateKey: pair.privateKey };
}

async function forgerSign(forger: Forger, payload: unknown): Promise<string> {
  return base64url(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, forger.privateKey, new TextEncoder().encode(canonicalJson(payload))));
}

/** The export as someone holding it could remake it: their own centre key in the manifest, every device key re-certified by it, a fresh seal. */
async function reseal(entries: Unzipped, manifestJson: Json, forger: Forger): Promise<Uint8Array> {
  const manifest = clone(manifestJson) as unknown as ExportManifest;
  if (manifest.centre && typeof manifest.centre === 'object') manifest.centre.signingKey = { publicKey: forger.publicKey, fingerprint: forger.fingerprint };
  for (const key of Array.isArray(manifest.keys) ? manifest.keys : []) {
    const { certificate: _c, ...rest } = key as ExportedSigningKey;
    (key as ExportedSigningKey).certificate = await forgerSign(forger, keyCertificatePayload(rest));
  }
  const text = JSON.stringify(manifest, null, 2);
  const pages = {} as ExportSeal['pages'];
  for (const page of SEALED_PAGES) pages[page] = await sha256Hex(Uint8Array.from(entries[page]!));
  const unsigned = {
    format: 'ict-portfolio-export-signature' as const,
    version: 1 as const,
    centreId: manifest.centre.id,
    centreKey: { publicKey: forger.publicKey, fingerprint: forger.fingerprint },
    manifestSha256: await manifestDigest(JSON.parse(text)),
    pages,
  };
  const seal: ExportSeal = { ...unsigned, signature: await forgerSign(forger, exportSealPayload(unsigned)) };
  const out: Unzipped = { ...entries, 'manifest.json': strToU8(text), 'signature.json': strToU8(JSON.stringify(seal, null, 2)) };
  return zipSync(out, { level: 0 });
}
