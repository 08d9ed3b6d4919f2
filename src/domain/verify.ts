import { z } from 'zod';
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  ExportManifest,
  ExportSeal,
  SEALED_PAGES,
  exportFilePath,
  exportSealPayload,
  keyCertificatePayload,
  type ExportedEvidence,
  type ExportedSigningKey,
  type SealedPage,
} from './export-manifest';
import { base64url, canonicalJson, evidenceContentHash, fromBase64url, sha256Hex, verifyDecisionSignature, type PublicJwk } from './signing';
import { latestAssessment, signedAttachments, type Decision, type DecisionKind, type SignedEvidence } from './signoff';

/**
 * Verification of an EQA export, the same code for `npm run verify`, the tests and the centre
 * (which runs it while building an export and prints the result into index.html). Pure: it is
 * given the manifest and a way to hash each file, and says what no longer matches what was signed.
 *
 * What is checked:
 *  (s) the centre's seal: signature.json is a valid signature by the centre key named in the
 *      manifest over the canonical JSON of manifest.json and the SHA-256 of index.html,
 *      icttech.html and README.txt, so any record, decision, key, scope or page added, removed or
 *      changed after the export was made fails; the centre key's fingerprint is the one the reader
 *      pinned (--centre-key), or is reported so they can compare it with the one their centre
 *      published (a forger can seal with a key of their own: only its fingerprint tells);
 *  (k) every device key carries a valid certificate by that centre key (owner, role, centre,
 *      public key, registration and revocation times), so a key cannot be added or edited;
 *  (a) every file's SHA-256 equals the id it is listed under (its name in the ZIP);
 *  (b) every decision's signature verifies with the key it names; that key is in the export,
 *      certified, and belongs to the signer (same user and role); the decision is dated in UTC,
 *      not after the key was revoked (a decision signed before a revocation stays valid: the key
 *      was good then), not more than KEY_OFFLINE_GRACE_DAYS before the centre registered the key
 *      (devices sign offline and register their key at the next sync), and not after the export;
 *      it is about the learner and enrolment of every item it covers;
 *  (c) every item whose latest assessment accepted it still has the content, attachments and
 *      criteria that decision signed, and shows as signed off; an item that shows as signed off
 *      has an accepting latest assessment; an IQA lock names an agreeing IQA decision on the item
 *      and carries its time, and a lock the audit trail records as set, with no unlock since, is there;
 *  (d) manifest.json matches the export format.
 *
 * Declarations, IQA decisions and unit or qualification sign-offs sign the items they cover as
 * they were then. Such a decision is compared with the item as it is now only while it is the
 * latest word on that item's content: when an assessment of the item was signed after it, the
 * item has legitimately been through assessment again (referred and resubmitted, or reopened)
 * and the earlier decision is history, checked by its signature alone. When no later assessment
 * exists and the item stands signed off, any difference is a finding (a frozen item changed).
 * When the item is open (no assessment yet, or referred), the learner may edit it, so a
 * difference is reported as a note, not a failure. An IQA decision must also cover exactly what
 * the assessment it sampled covered.
 */

export interface Finding {
  /** What the finding is about, in words: the item's title and id, or the decision's id, kind and signer. */
  about: string;
  /** The evidence id, decision id, key id or file path. */
  id: string | null;
  /** What is wrong, in words a person can act on. */
  problem: string;
}

export interface VerifyResult {
  /** True when there are no findings (notes do not fail an export). */
  ok: boolean;
  findings: Finding[];
  /** The centre key the export says sealed it; pinned: the reader gave its fingerprint and it matched. */
  centreKey: { fingerprint: string; centreName: string; pinned: boolean } | null;
  /** Things an examiner may want to know that are not tampering (an open item edited since a declaration). */
  notes: Finding[];
  checked: { files: number; evidence: number; decisions: number; signaturesValid: number; signedOffItems: number; keys: number };
}

/** The ZIP's signature.json (parsed; null when absent) and the SHA-256 of each sealed page (null when absent). */
export interface SealInput {
  signature: unknown;
  pages: Record<SealedPage, string | null>;
}

export interface VerifyOptions {
  /** The seal to check; 'building' only for the centre, which checks an export before it seals it. */
  seal: SealInput | 'building';
  /** The centre key fingerprint the reader trusts (npm run verify -- --centre-key FINGERPRINT). */
  centreKey?: string | null;
}

/** Devices sign offline and register their key at the next sync: how long before registration a decision may be dated. */
export const KEY_OFFLINE_GRACE_DAYS = 30;
/** Clock difference allowed between a device and the centre. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** How verify reads the export's files: the SHA-256 (hex) of the file at a path, or null when it is absent. */
export interface ExportFiles {
  sha256(path: string): Promise<string | null>;
}

/** Files held as bytes (tests, the CLI after unzipping). */
export function filesFromBytes(read: (path: string) => Promise<Uint8Array | null> | Uint8Array | null): ExportFiles {
  return {
    async sha256(path) {
      const bytes = await read(path);
      return bytes ? sha256Hex(bytes) : null;
    },
  };
}

export function formatFinding(finding: Finding): string {
  return `${finding.about}: ${finding.problem}`;
}

/** True when `signature` (base64url P1363) is an ECDSA P-256 / SHA-256 signature by `jwk` over the canonical JSON of `payload`. */
export async function verifyCanonicalSignature(jwk: PublicJwk, payload: unknown, signature: string): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, ext: true }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, fromBase64url(signature), new TextEncoder().encode(canonicalJson(payload)));
  } catch {
    return false;
  }
}

/** SHA-256 hex of the canonical JSON of manifest.json as parsed: what the centre's seal covers. */
export async function manifestDigest(manifest: unknown): Promise<string> {
  return sha256Hex(canonicalJson(manifest));
}

export function keyLabel(key: Pick<ExportedSigningKey, 'id' | 'name' | 'role'>): string {
  return `Signing key ${key.id} of ${key.name} (${key.role})`;
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url): the fingerprint shown next to every signature. */
export async function keyFingerprint(jwk: PublicJwk): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonicalJson({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })));
  return base64url(digest);
}

const KIND_WORDS: Record<DecisionKind, string> = {
  assessment: 'Assessment decision',
  declaration: 'Declaration of authenticity',
  iqa: 'IQA decision',
  unit: 'Unit sign-off',
  qualification: 'Qualification sign-off',
};

export function evidenceLabel(item: Pick<ExportedEvidence, 'id' | 'title'>): string {
  const title = item.title.trim() || 'Untitled';
  return `Evidence “${title}” (${item.id})`;
}

export function decisionLabel(decision: Pick<Decision, 'id' | 'kind' | 'outcome' | 'signer' | 'signedFor'>): string {
  const drawnBy = decision.signedFor ? `, drawn by ${decision.signedFor}` : '';
  return `${KIND_WORDS[decision.kind]} ${decision.id} (${decision.outcome}) by ${decision.signer.name} (${decision.signer.role}${drawnBy})`;
}

/** A time as people read it in a report: 2026-11-23 10:00 UTC. */
export function readableTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function decisionOrder(a: Decision, b: Decision): number {
  // The same order latestAssessment uses: time, then id to break a tie.
  return a.signedAt < b.signedAt ? -1 : a.signedAt > b.signedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function listWords(values: readonly string[]): string {
  return values.length === 0 ? 'none' : values.join(', ');
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const { added, removed } = setDifference(a, b);
  return added.length === 0 && removed.length === 0;
}

function setDifference(now: readonly string[], then: readonly string[]): { added: string[]; removed: string[] } {
  const a = new Set(now);
  const b = new Set(then);
  return { added: [...a].filter((x) => !b.has(x)).sort(), removed: [...b].filter((x) => !a.has(x)).sort() };
}

interface ItemNow {
  item: ExportedEvidence;
  contentHash: string;
  attachments: string[];
}

/** How the item differs from what a decision signed of it, in words; empty when it matches. */
function differences(now: ItemNow, signed: SignedEvidence, names: Map<string, string>): string[] {
  const problems: string[] = [];
  if (now.contentHash !== signed.contentHash)
    problems.push('its content (title, account, date, method, hours, questions or witness details) is not what was signed');
  const files = setDifference(now.attachments, signed.attachments);
  const name = (hash: string) => (names.has(hash) ? `“${names.get(hash)}” (${hash.slice(0, 12)}…)` : `${hash.slice(0, 12)}…`);
  if (files.added.length > 0 || files.removed.length > 0) {
    const parts: string[] = [];
    if (files.added.length > 0) parts.push(`added since: ${files.added.map(name).join(', ')}`);
    if (files.removed.length > 0) parts.push(`signed but now missing: ${files.removed.map(name).join(', ')}`);
    problems.push(`its attachments are not the ones signed (${parts.join('; ')})`);
  }
  return problems;
}

export async function verifyExport(manifestInput: unknown, files: ExportFiles, options?: VerifyOptions): Promise<VerifyResult> {
  const findings: Finding[] = [];
  const notes: Finding[] = [];
  const checked = { files: 0, evidence: 0, decisions: 0, signaturesValid: 0, signedOffItems: 0, keys: 0 };
  let centreKey: VerifyResult['centreKey'] = null;
  const fail = (about: string, id: string | null, problem: string) => findings.push({ about, id, problem });
  const done = (): VerifyResult => ({ ok: findings.length === 0, findings, notes, checked, centreKey });

  // (d) The format first: nothing else can be trusted of a manifest that does not parse.
  const head = z.object({ format: z.unknown(), version: z.unknown() }).safeParse(manifestInput);
  if (!head.success) {
    fail('manifest.json', null, 'This is not an ICT Portfolio export manifest (it is not a JSON object).');
    return done();
  }
  if (head.data.format !== EXPORT_FORMAT) {
    fail('manifest.json', null, `This is not an ICT Portfolio export: its format is ${JSON.stringify(head.data.format)}, not "${EXPORT_FORMAT}".`);
    return done();
  }
  if (head.data.version !== EXPORT_VERSION) {
    fail('manifest.json', null, `This export is format version ${JSON.stringify(head.data.version)}; this verifier reads version ${EXPORT_VERSION}. Use the verifier of the app version that made it.`);
    return done();
  }
  const parsed = ExportManifest.safeParse(manifestInput);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) fail('manifest.json', null, `${issue.path.join('.') || 'the manifest'} does not match the export format: ${issue.message}.`);
    return done();
  }
  const manifest = parsed.data;

  // (s) The centre's key and seal. Everything below reads a manifest that may have been rewritten
  // by whoever holds the ZIP; the seal is what says it has not been.
  const centre = manifest.centre.signingKey;
  const centreFingerprint = await keyFingerprint(centre.publicKey);
  const pinned = options?.centreKey?.trim() || null;
  centreKey = { fingerprint: centreFingerprint, centreName: manifest.centre.name, pinned: pinned !== null && pinned === centreFingerprint };
  const CENTRE = `The centre's seal (${manifest.centre.name})`;
  if (centre.fingerprint !== centreFingerprint)
    fail(CENTRE, null, `manifest.json gives the centre key's fingerprint as ${centre.fingerprint}, but the key it lists has fingerprint ${centreFingerprint}.`);
  if (pinned !== null && pinned !== centreFingerprint)
    fail(
      CENTRE,
      null,
      `This export is sealed with a centre key whose fingerprint is ${centreFingerprint}, not the centre key you gave (${pinned}). It was not sealed by that centre's key: treat every signature in it as unproven.`,
    );
  const seal = options?.seal;
  if (seal !== 'building') {
    const pages = seal?.pages ?? { 'index.html': null, 'icttech.html': null, 'README.txt': null };
    const sealed = seal?.signature === null || seal?.signature === undefined ? null : ExportSeal.safeParse(seal.signature);
    if (sealed === null) fail(CENTRE, 'signature.json', 'signature.json is missing, so nothing shows that the centre made this export or that it is unchanged since.');
    else if (!sealed.success) fail(CENTRE, 'signature.json', `signature.json is not a centre seal: ${sealed.error.issues.map((i) => `${i.path.join('.') || 'it'}: ${i.message}`).join('; ')}.`);
    else {
      const s = sealed.data;
      const sameKey = s.centreKey.publicKey.x === centre.publicKey.x && s.centreKey.publicKey.y === centre.publicKey.y && s.centreKey.fingerprint === centre.fingerprint;
      if (s.centreId !== manifest.centre.id) fail(CENTRE, 'signature.json', `signature.json was made for centre ${s.centreId}, but manifest.json is centre ${manifest.centre.id}'s.`);
      if (!sameKey) fail(CENTRE, 'signature.json', `signature.json names centre key ${s.centreKey.fingerprint}, but manifest.json names ${centre.fingerprint}.`);
      if (!(await verifyCanonicalSignature(centre.publicKey, exportSealPayload(s), s.signature)))
        fail(CENTRE, 'signature.json', `The centre's signature in signature.json does not verify with centre key ${centreFingerprint}: signature.json has been changed or was not made with that key.`);
      if ((await manifestDigest(manifestInput)) !== s.manifestSha256)
        fail(
          CENTRE,
          'manifest.json',
          'manifest.json is not the one the centre sealed: something in it (a record, decision, key, audit entry, the scope, or a file’s name, type or size) was added, removed or changed after the export was made.',
        );
      for (const page of SEALED_PAGES) {
        if (pages[page] === null) fail(CENTRE, page, `${page} is missing from the export.`);
        else if (pages[page] !== s.pages[page]) fail(CENTRE, page, `${page} has been changed since the centre sealed the export: what it shows may not be what was signed.`);
      }
    }
  }

  // (k) Device keys: each must carry the centre's certificate of who it belongs to.
  const certified = new Set<string>();
  for (const key of manifest.keys) {
    const { certificate, ...rest } = key;
    if (key.centreId !== manifest.centre.id) fail(keyLabel(key), key.id, `It is certified as centre ${key.centreId}'s, not as a key of ${manifest.centre.name} (${manifest.centre.id}).`);
    else if (await verifyCanonicalSignature(centre.publicKey, keyCertificatePayload(rest), certificate)) certified.add(key.id);
    else
      fail(
        keyLabel(key),
        key.id,
        `Its certificate does not verify with the centre key ${centreFingerprint}: its owner, role, public key, registration or revocation time has been changed, or the centre never registered it.`,
      );
  }

  const evidenceById = new Map<string, ExportedEvidence>();
  for (const item of manifest.evidence) {
    if (evidenceById.has(item.id)) fail(evidenceLabel(item), item.id, 'The item is listed twice in manifest.json, so it is not clear which copy was signed.');
    evidenceById.set(item.id, item);
  }
  const decisionsById = new Map<string, Decision>();
  for (const decision of manifest.decisions) {
    if (decisionsById.has(decision.id)) fail(decisionLabel(decision), decision.id, 'The decision is listed twice in manifest.json.');
    decisionsById.set(decision.id, decision);
  }
  const keysById = new Map(manifest.keys.map((k) => [k.id, k]));
  checked.keys = keysById.size;

  // (a) Files: each distinct file once, reported against every item that holds it.
  const holders = new Map<string, Array<{ item: ExportedEvidence; name: string; path: string }>>();
  for (const item of manifest.evidence)
    for (const attachment of item.attachments) {
      const list = holders.get(attachment.id) ?? [];
      list.push({ item, name: attachment.name, path: attachment.path });
      holders.set(attachment.id, list);
    }
  for (const [id, list] of holders) {
    const expectedPath = exportFilePath(id);
    for (const { item, name, path } of list)
      if (path !== expectedPath) fail(evidenceLabel(item), item.id, `Attachment “${name}” is listed at ${path}, but a file is always stored under its SHA-256 (${expectedPath}).`);
    checked.files++;
    const actual = await files.sha256(expectedPath);
    for (const { item, name } of list) {
      if (actual === null) fail(evidenceLabel(item), item.id, `Attachment “${name}” (${expectedPath}) is missing from the export.`);
      else if (actual !== id)
        fail(evidenceLabel(item), item.id, `Attachment “${name}” (${expectedPath}) has been changed: its bytes hash to ${actual}, not to the SHA-256 it is named by.`);
    }
  }

  // (b) Every decision: key, owner, revocation, signature.
  const validSignature = new Set<string>();
  for (const decision of manifest.decisions) {
    checked.decisions++;
    const about = decisionLabel(decision);
    const key = keysById.get(decision.keyId);
    const signedAt = Date.parse(decision.signedAt);
    if (!UTC_TIME.test(decision.signedAt))
      fail(about, decision.id, `It is dated ${decision.signedAt}, not in UTC (…Z) as every device dates a decision, so its place among the item's decisions cannot be trusted.`);
    if (signedAt > Date.parse(manifest.exportedAt) + CLOCK_SKEW_MS)
      fail(about, decision.id, `It is dated ${readableTime(decision.signedAt)}, after this export was made (${readableTime(manifest.exportedAt)}).`);
    if (manifest.scope.type === 'learner' && decision.learnerId !== manifest.scope.learnerId)
      fail(about, decision.id, `It is about learner ${decision.learnerId}, but this is the export of learner ${manifest.scope.learnerId}.`);
    for (const signed of decision.evidence) {
      const item = evidenceById.get(signed.id);
      if (item && (item.learnerId !== decision.learnerId || item.enrolmentId !== decision.enrolmentId))
        fail(
          about,
          decision.id,
          `It was signed for learner ${decision.learnerId}, enrolment ${decision.enrolmentId}, but manifest.json lists the item it covers, ${evidenceLabel(item)}, under learner ${item.learnerId}, enrolment ${item.enrolmentId}.`,
        );
    }
    if (!key) {
      fail(about, decision.id, `It was signed with key ${decision.keyId}, which is not among the keys in this export, so its signature cannot be checked.`);
    } else if (!certified.has(key.id)) {
      fail(about, decision.id, `It was signed with key ${key.id}, which has no valid certificate from the centre, so nothing shows the key is ${decision.signer.name}'s.`);
    } else {
      if (key.userId !== decision.signer.userId || key.role !== decision.signer.role)
        fail(about, decision.id, `It names ${decision.signer.name} (${decision.signer.role}) as the signer, but key ${key.id} belongs to ${key.name} (${key.role}, user ${key.userId}).`);
      if (key.revokedAt !== null && Date.parse(key.revokedAt) <= signedAt)
        fail(about, decision.id, `It is dated ${readableTime(decision.signedAt)}, after its key ${key.id} was revoked (${readableTime(key.revokedAt)}).`);
      if (signedAt < Date.parse(key.createdAt) - KEY_OFFLINE_GRACE_DAYS * 86_400_000)
        fail(
          about,
          decision.id,
          `It is dated ${readableTime(decision.signedAt)}, more than ${KEY_OFFLINE_GRACE_DAYS} days before its key ${key.id} was registered with the centre (${readableTime(key.createdAt)}): it has been backdated.`,
        );
      if (await verifyDecisionSignature(decision, key.publicKey)) {
        validSignature.add(decision.id);
        checked.signaturesValid++;
      } else
        fail(
          about,
          decision.id,
          `Its signature does not verify with key ${key.id} (fingerprint ${await keyFingerprint(key.publicKey)}): something it signed (outcome, feedback, criteria, signer, time or the items it covers) has been changed since it was signed.`,
        );
    }
    for (const signed of decision.evidence)
      if (!evidenceById.has(signed.id)) {
        // A sample holds only the sampled items, so a unit sign-off among its decisions lists others.
        if (manifest.scope.type === 'sample') notes.push({ about, id: decision.id, problem: `It also covers evidence ${signed.id}, which is not in this sample.` });
        else fail(about, decision.id, `It covers evidence ${signed.id}, which is not in this export.`);
      }
    if (decision.kind === 'iqa') {
      const subject = decision.subjectId ? decisionsById.get(decision.subjectId) : undefined;
      if (!subject) fail(about, decision.id, `The assessment decision it sampled (${decision.subjectId ?? 'none named'}) is not in this export.`);
      else if (subject.kind !== 'assessment') fail(about, decision.id, `It names ${decisionLabel(subject)} as the decision it sampled, which is not an assessment decision.`);
      else {
        const sampled = new Map(subject.evidence.map((e) => [e.id, e]));
        const same =
          decision.evidence.length === subject.evidence.length &&
          decision.evidence.every((e) => {
            const s = sampled.get(e.id);
            return s !== undefined && s.contentHash === e.contentHash && sameSet(s.attachments, e.attachments);
          });
        if (!same) fail(about, decision.id, `It covers different evidence (or different versions of it) from the assessment it sampled, ${decisionLabel(subject)}.`);
      }
    }
  }

  // (c) Items against the decisions that cover them.
  const names = new Map<string, string>();
  for (const item of manifest.evidence) for (const a of item.attachments) names.set(a.id, a.name);
  const sorted = [...manifest.decisions].sort(decisionOrder);
  for (const item of manifest.evidence) {
    checked.evidence++;
    const about = evidenceLabel(item);
    const now: ItemNow = { item, contentHash: await evidenceContentHash(item), attachments: signedAttachments(item.attachments) };
    if (manifest.scope.type === 'learner' && item.learnerId !== manifest.scope.learnerId)
      fail(about, item.id, `It is listed under learner ${item.learnerId}, but this is the export of learner ${manifest.scope.learnerId}.`);
    if (item.iqaLock !== null) {
      const lock = decisionsById.get(item.iqaLock.decisionId);
      if (!lock) fail(about, item.id, `It shows an IQA lock by decision ${item.iqaLock.decisionId}, which is not in this export.`);
      else if (lock.kind !== 'iqa' || lock.outcome !== 'agreed' || !lock.evidence.some((e) => e.id === item.id))
        fail(about, item.id, `It shows an IQA lock by ${decisionLabel(lock)}, which is not an IQA decision agreeing with this item's sign-off.`);
      // The centre sets the lock's time to the agreeing decision's own (server/sync/decisions.ts iqaEffects), so any other
      // time was written afterwards (found by the tampering suite: a lock re-dated in the database went unnoticed).
      else if (item.iqaLock.at !== lock.signedAt)
        fail(about, item.id, `It shows an IQA lock dated ${readableTime(item.iqaLock.at)}, but the IQA decision it names, ${decisionLabel(lock)}, was signed ${readableTime(lock.signedAt)}.`);
    } else {
      // A lock is lifted only by an admin's unlock, which the audit trail records. When the trail says the centre locked
      // the item and records no unlock since, a missing lock was removed behind its back (found by the tampering suite:
      // clearing iqaLock in the database let a sampled sign-off be reopened, and the export still passed).
      const lockHistory = manifest.audit.filter((a) => a.entity === 'evidence' && a.recordId === item.id && (a.action === 'evidence.iqa-locked' || a.action === 'evidence-unlocked'));
      const last = lockHistory[lockHistory.length - 1];
      if (last?.action === 'evidence.iqa-locked')
        fail(
          about,
          item.id,
          `It shows no IQA lock, but the audit trail records that the centre locked it on ${readableTime(last.at)}${typeof last.detail.decisionId === 'string' ? ` (decision ${last.detail.decisionId})` : ''} and no admin has unlocked it since: the lock was removed.`,
        );
    }
    const latest = latestAssessment(manifest.decisions, item.id);
    const acceptedNow = latest?.outcome === 'accepted';
    if (latest && acceptedNow) {
      checked.signedOffItems++;
      const signed = latest.evidence.find((e) => e.id === item.id)!;
      const by = `${latest.signer.name} signed it off on ${readableTime(latest.signedAt)} (decision ${latest.id})`;
      for (const problem of differences(now, signed, names)) fail(about, item.id, `It has been changed since ${by}: ${problem}.`);
      const criteria = setDifference(item.criterionIds, latest.criterionIds);
      if (criteria.added.length > 0 || criteria.removed.length > 0)
        fail(about, item.id, `Its mapped criteria are not the ones ${latest.signer.name} confirmed in decision ${latest.id}: added ${listWords(criteria.added)}; removed ${listWords(criteria.removed)}.`);
      if (item.status !== 'signed-off') fail(about, item.id, `It shows as ‘${item.status}’, but its latest assessment (decision ${latest.id}) signed it off.`);
      if (item.deletedAt !== null) fail(about, item.id, `It was deleted on ${readableTime(item.deletedAt)} although it is signed off (decision ${latest.id}).`);
    } else if (item.status === 'signed-off' || item.status === 'accepted') {
      fail(
        about,
        item.id,
        latest
          ? `It shows as ‘${item.status}’, but its latest assessment (decision ${latest.id}, ${readableTime(latest.signedAt)}) is ‘${latest.outcome}’.`
          : `It shows as ‘${item.status}’, but no assessment decision in this export signed it off.`,
      );
    }

    // Declarations, IQA decisions and unit/qualification sign-offs: see the rule at the top.
    for (const decision of sorted) {
      if (decision.kind === 'assessment') continue;
      const signed = decision.evidence.find((e) => e.id === item.id);
      if (!signed) continue;
      const laterAssessment = latest !== null && decisionOrder(latest, decision) > 0;
      if (laterAssessment) continue;
      const problems = differences(now, signed, names);
      if (problems.length === 0) continue;
      const what = `${decisionLabel(decision)} of ${readableTime(decision.signedAt)}`;
      if (acceptedNow) for (const problem of problems) fail(about, item.id, `It has been changed since the ${what}: ${problem}.`);
      else notes.push({ about, id: item.id, problem: `It has been edited since the ${what} and has not been assessed since; the decision covers the earlier version.` });
    }
  }

  return done();
}
