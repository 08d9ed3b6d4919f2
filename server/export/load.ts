import { AuditEntry } from '../../src/domain/audit';
import { queryAuditEntries } from '../audit';
import { Enrolment } from '../../src/domain/enrolment';
import { EXPORT_FORMAT, EXPORT_VERSION, exportFilePath, type ExportManifest, type ExportScope, type ExportedEvidence, type ExportedSigningKey } from '../../src/domain/export-manifest';
import type { CompetenceStandard, QualificationSpec } from '../../src/domain/qualification';
import { Decision, PublicSigningKey } from '../../src/domain/signoff';
import { centreKey, certifyKey, type CentreKey } from '../centre-key';
import type { Caller } from '../context';
import type { Sql } from '../db/database';
import { refuse } from '../http-errors';
import { loadSpec, latestSpecVersion } from '../specs';
import { StoredEvidence } from '../sync/entities';

/**
 * Reads what an export holds from the centre's database: records (profile, enrolment, evidence,
 * decision), signing keys, audit entries and specs. Every record is validated with the shared
 * schemas before a byte is sent: a record the centre cannot read stops the export with its name,
 * rather than an export that silently leaves it out.
 */

export interface ExportSelection {
  scope: ExportScope;
  learnerIds: readonly string[];
  /** The items to export; null: all of the learners' live evidence. */
  evidenceIds: ReadonlySet<string> | null;
}

export interface ExportFile {
  sha256: string;
  /** Size the manifest states; the store's own size is used for the ZIP. */
  size: number;
}

export interface ExportBundle {
  manifest: ExportManifest;
  /** The qualification spec versions of the exported enrolments, by `${id}@${version}`. */
  specs: Map<string, QualificationSpec>;
  icttech: CompetenceStandard | null;
  /** Each distinct attachment once. */
  files: ExportFile[];
  /** The centre's key, which certified the keys and seals the ZIP. */
  centreKey: CentreKey;
}

interface RecordRow {
  entity: 'profile' | 'enrolment' | 'evidence' | 'decision';
  id: string;
  learner_id: string;
  revision: number;
  deleted: boolean;
  data: Record<string, unknown>;
}

function unreadable(what: string, id: string, message: string): never {
  console.error(`Export stopped: ${what} ${id} does not match its schema: ${message}`);
  refuse(
    500,
    'unreadable-record',
    `The centre holds ${what} ${id} in a form it cannot read, so the export was stopped rather than leave it out. Ask the centre's administrator to check the server log.`,
  );
}

export async function loadExport(db: Sql, caller: Caller, selection: ExportSelection, now: Date): Promise<ExportBundle> {
  const [centre] = await db.query<{ id: string; name: string }>('select id, name from centres where id = $1', [caller.centreId]);
  if (!centre) throw new Error(`Centre ${caller.centreId} of the caller does not exist`);
  const learnerRows = await db.query<{ id: string; name: string }>(
    `select id, name from users where id = any($1::uuid[]) and centre_id = $2 and role = 'learner' order by name, id`,
    [selection.learnerIds, caller.centreId],
  );
  const rows = await db.query<RecordRow>(
    `select entity, id, learner_id, revision, deleted, data from records
      where centre_id = $1 and learner_id = any($2::uuid[]) and entity in ('enrolment', 'evidence', 'decision')
      order by entity, id`,
    [caller.centreId, selection.learnerIds],
  );

  const decisions: Decision[] = [];
  for (const row of rows.filter((r) => r.entity === 'decision' && !r.deleted)) {
    const parsed = Decision.safeParse({ ...row.data, id: row.id });
    if (!parsed.success) unreadable('decision', row.id, parsed.error.message);
    decisions.push(parsed.data);
  }
  const covered = new Set(decisions.flatMap((d) => d.evidence.map((e) => e.id)));

  const evidence: ExportedEvidence[] = [];
  for (const row of rows.filter((r) => r.entity === 'evidence' && !r.deleted)) {
    if (selection.evidenceIds && !selection.evidenceIds.has(row.id)) continue;
    const parsed = StoredEvidence.safeParse(row.data);
    if (!parsed.success) unreadable('evidence', row.id, parsed.error.message);
    const item = parsed.data;
    // A learner's deleted drafts are no one's business; a deleted item a decision covers stays, so its signature can be checked.
    if (item.deletedAt !== null && !covered.has(row.id)) continue;
    evidence.push({
      id: row.id,
      enrolmentId: item.enrolmentId,
      learnerId: row.learner_id,
      status: item.status,
      title: item.title,
      narrative: item.narrative,
      activityDate: item.activityDate,
      method: item.method,
      hours: item.hours,
      offTheJob: item.offTheJob,
      criterionIds: item.criterionIds,
      kind: item.kind,
      questions: item.questions,
      witness: item.witness,
      recordedBy: item.recordedBy,
      iqaLock: item.iqaLock,
      attachments: item.attachments.map((a) => ({ ...a, path: exportFilePath(a.id) })),
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
      deletedAt: item.deletedAt,
      revision: row.revision,
    });
  }
  const exportedIds = new Set(evidence.map((e) => e.id));
  // A sample carries the decisions about its items; a learner export carries all of theirs.
  const exportedDecisions = selection.evidenceIds ? decisions.filter((d) => d.evidence.some((e) => exportedIds.has(e.id))) : decisions;

  const enrolmentIds = new Set(evidence.map((e) => e.enrolmentId));
  const enrolments: Enrolment[] = [];
  for (const row of rows.filter((r) => r.entity === 'enrolment' && !r.deleted)) {
    if (selection.evidenceIds && !enrolmentIds.has(row.id)) continue;
    const parsed = Enrolment.safeParse({ ...row.data, id: row.id });
    if (!parsed.success) unreadable('enrolment', row.id, parsed.error.message);
    enrolments.push(parsed.data);
  }

  const specs = new Map<string, QualificationSpec>();
  for (const e of enrolments) {
    const key = `${e.qualificationId}@${e.qualificationVersion}`;
    if (specs.has(key)) continue;
    const spec = await loadSpec(db, e.qualificationId, e.qualificationVersion);
    if (spec?.kind === 'qualification') specs.set(key, spec);
  }
  const icttechVersion = await latestSpecVersion(db, 'icttech');
  const icttechSpec = icttechVersion === null ? null : await loadSpec(db, 'icttech', icttechVersion);
  const icttech = icttechSpec?.kind === 'competence-standard' ? icttechSpec : null;

  const keyIds = [...new Set(exportedDecisions.map((d) => d.keyId))];
  const keyRows = await db.query<{ id: string; user_id: string; name: string; role: string; public_key: unknown; created_at: Date; revoked_at: Date | null }>(
    'select id, user_id, name, role, public_key, created_at, revoked_at from signing_keys where id = any($1::uuid[]) order by created_at, id',
    [keyIds],
  );
  const sealKey = await centreKey(db, caller.centreId);
  const keys: ExportedSigningKey[] = [];
  for (const k of keyRows) {
    const parsed = PublicSigningKey.safeParse({
      id: k.id,
      userId: k.user_id,
      name: k.name,
      role: k.role,
      publicKey: k.public_key,
      createdAt: new Date(k.created_at).toISOString(),
      revokedAt: k.revoked_at ? new Date(k.revoked_at).toISOString() : null,
    });
    if (!parsed.success) unreadable('signing key', k.id, parsed.error.message);
    // Certified as the centre holds it now: owner, role, public key, registration and revocation.
    keys.push(await certifyKey(sealKey, parsed.data));
  }

  // The same rule as the audit trail screen (server/audit.ts): entries about the exported records and the signers' keys.
  const recordKeys = [
    ...selection.learnerIds.map((id) => ['profile', id]),
    ...enrolments.map((e) => ['enrolment', e.id]),
    ...evidence.map((e) => ['evidence', e.id]),
    ...exportedDecisions.map((d) => ['decision', d.id]),
  ];
  const auditRows = await queryAuditEntries(
    db,
    `where (a.entity, a.record_id) in (select x->>0, x->>1 from jsonb_array_elements($1::jsonb) x)
        or (a.entity = 'signing-key' and a.record_id = any($2::text[]))
     order by a.id`,
    [JSON.stringify(recordKeys), keyIds],
  );
  const audit = auditRows.map((entry) => AuditEntry.parse(entry));

  const files = new Map<string, ExportFile>();
  for (const item of evidence) for (const a of item.attachments) if (!files.has(a.id)) files.set(a.id, { sha256: a.id, size: a.size });

  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now.toISOString(),
    exportedBy: { userId: caller.userId, name: caller.name, role: caller.role },
    centre: { id: centre.id, name: centre.name, signingKey: sealKey.public },
    scope: selection.scope,
    learners: learnerRows,
    enrolments,
    specs: [
      ...[...specs.values()].map((s) => ({ id: s.id, version: s.version, title: s.title })),
      ...(icttech ? [{ id: icttech.id, version: icttech.version, title: icttech.title }] : []),
    ],
    evidence,
    decisions: exportedDecisions,
    keys,
    audit,
  };
  return { manifest, specs, icttech, files: [...files.values()], centreKey: sealKey };
}
