import { z } from 'zod';
import { EXPORT_FORMAT, EXPORT_VERSION, ExportManifest, exportFilePath, type ExportedEvidence } from './export-manifest';
import { base64url, canonicalJson, evidenceContentHash, sha256Hex, verifyDecisionSignature, type PublicJwk } from './signing';
import { latestAssessment, signedAttachments, type Decision, type DecisionKind, type SignedEvidence } from './signoff';

/**
 * Verification of an EQA export, the same code for `npm run verify`, the tests and the centre
 * (which runs it while building an export and prints the result into index.html). Pure: it is
 * given the manifest and a way to hash each file, and says what no longer matches what was signed.
 *
 * What is checked:
 *  (a) every file's SHA-256 equals the id it is listed under (its name in the ZIP);
 *  (b) every decision's signature verifies with the key it names; that key is in the export and
 *      belongs to the signer (same user and role); it was not revoked before the decision was signed;
 *  (c) every item whose latest assessment accepted it still has the content, attachments and
 *      criteria that decision signed, and shows as signed off; an item that shows as signed off
 *      has an accepting latest assessment;
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
  /** Things an examiner may want to know that are not tampering (an open item edited since a declaration). */
  notes: Finding[];
  checked: { files: number; evidence: number; decisions: number; signaturesValid: number; signedOffItems: number; keys: number };
}

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

export async function verifyExport(manifestInput: unknown, files: ExportFiles): Promise<VerifyResult> {
  const findings: Finding[] = [];
  const notes: Finding[] = [];
  const checked = { files: 0, evidence: 0, decisions: 0, signaturesValid: 0, signedOffItems: 0, keys: 0 };
  const fail = (about: string, id: string | null, problem: string) => findings.push({ about, id, problem });
  const done = (): VerifyResult => ({ ok: findings.length === 0, findings, notes, checked });

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
    if (!key) {
      fail(about, decision.id, `It was signed with key ${decision.keyId}, which is not among the keys in this export, so its signature cannot be checked.`);
    } else {
      if (key.userId !== decision.signer.userId || key.role !== decision.signer.role)
        fail(about, decision.id, `It names ${decision.signer.name} (${decision.signer.role}) as the signer, but key ${key.id} belongs to ${key.name} (${key.role}, user ${key.userId}).`);
      if (key.revokedAt !== null && key.revokedAt <= decision.signedAt)
        fail(about, decision.id, `It is dated ${readableTime(decision.signedAt)}, after its key ${key.id} was revoked (${readableTime(key.revokedAt)}).`);
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
