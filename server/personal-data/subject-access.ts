import { AuditEntry } from '../../src/domain/audit';
import { queryAuditEntries } from '../audit';
import {
  HeldRecord,
  personalDataFilePath,
  SUBJECT_ACCESS_FORMAT,
  SUBJECT_ACCESS_VERSION,
  SubjectAccessExport,
  type SubjectAccessExport as Export,
} from '../../src/domain/personal-data';
import type { Caller } from '../context';
import type { Sql } from '../db/database';
import { drawPlanSample, listPlans } from '../sampling';
import { RETENTION_RULE } from './readme';

/**
 * Everything the centre holds about one learner, for their subject-access request (UK GDPR
 * Art. 15): what `aboutLearner` selects here is also what an erasure removes or redacts
 * (server/personal-data/erase.ts), so the two cannot drift apart. The result is checked with the
 * shared schema before a byte is sent.
 */

const iso = (at: Date | string) => new Date(at).toISOString();

/**
 * Audit entries about the learner: theirs (they did it), or about their account, records,
 * device sessions, signing keys or email (refused sign-ins). `$1` is the learner id, `$2` their email.
 */
export const AUDIT_ABOUT_LEARNER = `(
     a.user_id = $1::uuid
  or (a.entity = 'user' and a.record_id = $1::text)
  or ((a.entity, a.record_id) in (select r.entity, r.id from records r where r.learner_id = $1::uuid))
  or (a.entity = 'session' and a.record_id in (select s.id::text from device_sessions s where s.user_id = $1::uuid))
  or (a.entity = 'signing-key' and a.record_id in (select k.id::text from signing_keys k where k.user_id = $1::uuid))
  or (a.entity = 'email' and lower(a.record_id) = lower($2::text)))`;

interface RecordRow {
  entity: HeldRecord['entity'];
  id: string;
  revision: number;
  deleted: boolean;
  data: Record<string, unknown>;
  updated_at: Date;
  updated_by: string | null;
}

interface VersionRow {
  entity: string;
  id: string;
  revision: number;
  at: Date;
  by_user: string | null;
  device_id: string | null;
  deleted: boolean;
  data: Record<string, unknown>;
}

export interface SubjectAccessBundle {
  data: Export;
  /** Each distinct file once. */
  files: Array<{ sha256: string; size: number }>;
}

export async function loadSubjectAccess(db: Sql, caller: Caller, learnerId: string, now: Date): Promise<SubjectAccessBundle | null> {
  const [account] = await db.query<{ id: string; name: string; email: string; role: string; created_at: Date; disabled_at: Date | null; centre_name: string; retention_years: number }>(
    `select u.id, u.name, u.email, u.role, u.created_at, u.disabled_at, c.name as centre_name, c.retention_years
       from users u join centres c on c.id = u.centre_id
      where u.id = $1 and u.centre_id = $2 and u.role = 'learner'`,
    [learnerId, caller.centreId],
  );
  if (!account) return null;

  const records = await db.query<RecordRow>(
    `select entity, id, revision, deleted, data, updated_at, updated_by from records where learner_id = $1 order by entity, id`,
    [learnerId],
  );
  const versions = await db.query<VersionRow>(
    `select v.entity, v.id, v.revision, v.at, v.by_user, v.device_id, v.deleted, v.data
       from record_versions v join records r on r.entity = v.entity and r.id = v.id
      where r.learner_id = $1 order by v.entity, v.id, v.revision`,
    [learnerId],
  );
  const versionsOf = new Map<string, HeldRecord['versions']>();
  for (const v of versions) {
    const key = `${v.entity}/${v.id}`;
    const list = versionsOf.get(key) ?? [];
    list.push({ revision: v.revision, at: iso(v.at), byUser: v.by_user, deviceId: v.device_id, deleted: v.deleted, data: v.data });
    versionsOf.set(key, list);
  }
  const held = (entity: HeldRecord['entity']): HeldRecord[] =>
    records
      .filter((r) => r.entity === entity)
      .map((r) => ({
        entity: r.entity,
        id: r.id,
        revision: r.revision,
        deleted: r.deleted,
        updatedAt: iso(r.updated_at),
        updatedBy: r.updated_by,
        data: r.data,
        versions: versionsOf.get(`${r.entity}/${r.id}`) ?? [],
      }));

  const assessors = await db.query<{ id: string; name: string }>(
    `select a.id, a.name from caseloads k join users a on a.id = k.assessor_id where k.learner_id = $1 order by a.name, a.id`,
    [learnerId],
  );

  // File names as the learner's evidence gave them, in any revision.
  const names = new Map<string, Set<string>>();
  for (const v of versions) {
    if (v.entity !== 'evidence' || !Array.isArray(v.data.attachments)) continue;
    for (const a of v.data.attachments as Array<{ id?: unknown; name?: unknown }>) {
      if (typeof a?.id !== 'string') continue;
      const set = names.get(a.id) ?? new Set<string>();
      if (typeof a.name === 'string') set.add(a.name);
      names.set(a.id, set);
    }
  }
  const attachmentRows = await db.query<{ sha256: string; size: string | number; type: string; stored_at: Date }>(
    `select a.sha256, a.size, a.type, a.stored_at from attachment_owners o join attachments a on a.sha256 = o.sha256 where o.learner_id = $1 order by a.sha256`,
    [learnerId],
  );
  const attachments = attachmentRows.map((a) => ({
    sha256: a.sha256,
    size: Number(a.size),
    type: a.type,
    storedAt: iso(a.stored_at),
    names: [...(names.get(a.sha256) ?? [])].sort(),
    path: personalDataFilePath(a.sha256),
  }));

  const sessions = await db.query<{ id: string; device_id: string; device_label: string; created_at: Date; last_seen_at: Date; expires_at: Date; revoked_at: Date | null }>(
    `select id, device_id, device_label, created_at, last_seen_at, expires_at, revoked_at from device_sessions where user_id = $1 order by created_at, id`,
    [learnerId],
  );
  const keys = await db.query<{ id: string; public_key: unknown; name: string; role: string; created_at: Date; revoked_at: Date | null; revoke_reason: string | null }>(
    `select id, public_key, name, role, created_at, revoked_at, revoke_reason from signing_keys where user_id = $1 order by created_at, id`,
    [learnerId],
  );
  const failures = await db.query<{ at: Date; client: string }>(`select at, client from sign_in_failures where lower(email) = lower($1) order by at`, [account.email]);
  const receipts = await db.query<{ id: string; applied_at: Date; result: unknown }>(
    `select id, applied_at, result from applied_mutations where user_id = $1 order by applied_at, id`,
    [learnerId],
  );
  const auditRows = await queryAuditEntries(db, `where ${AUDIT_ABOUT_LEARNER} order by a.id`, [learnerId, account.email]);

  // Samples as an admin of the centre draws them (the plan's own seed), keeping the learner's picks only.
  const drawer: Caller = { ...caller, role: 'admin' };
  const iqaSamples: Export['iqaSamples'] = [];
  for (const plan of await listPlans(db, caller.centreId)) {
    const draw = await drawPlanSample(db, drawer, plan);
    const picks = draw.picks
      .filter((p) => p.candidate.learnerId === learnerId)
      .map((p) => ({ decisionId: p.candidate.decisionId, evidenceId: p.candidate.evidenceId, signedAt: p.candidate.signedAt, satisfies: p.satisfies }));
    if (picks.length === 0) continue;
    const { seed: _seed, ...summary } = plan;
    iqaSamples.push({ plan: summary, picks });
  }

  const data = SubjectAccessExport.parse({
    about: {
      format: SUBJECT_ACCESS_FORMAT,
      version: SUBJECT_ACCESS_VERSION,
      exportedAt: now.toISOString(),
      exportedBy: { userId: caller.userId, name: caller.name, role: caller.role },
      centre: { id: caller.centreId, name: account.centre_name },
      learnerId,
      retention: { years: account.retention_years, rule: RETENTION_RULE(account.retention_years) },
    },
    account: { id: account.id, name: account.name, email: account.email, role: account.role, createdAt: iso(account.created_at), disabledAt: account.disabled_at ? iso(account.disabled_at) : null },
    assessors,
    profile: held('profile'),
    enrolments: held('enrolment'),
    evidence: held('evidence'),
    decisions: held('decision'),
    iqaSamples,
    attachments,
    sessions: sessions.map((s) => ({
      id: s.id,
      deviceId: s.device_id,
      deviceLabel: s.device_label,
      createdAt: iso(s.created_at),
      lastSeenAt: iso(s.last_seen_at),
      expiresAt: iso(s.expires_at),
      revokedAt: s.revoked_at ? iso(s.revoked_at) : null,
    })),
    signingKeys: keys.map((k) => ({ id: k.id, publicKey: k.public_key, name: k.name, role: k.role, createdAt: iso(k.created_at), revokedAt: k.revoked_at ? iso(k.revoked_at) : null, revokeReason: k.revoke_reason })),
    signInFailures: failures.map((f) => ({ at: iso(f.at), client: f.client })),
    syncReceipts: receipts.map((r) => ({ mutationId: r.id, appliedAt: iso(r.applied_at), result: r.result })),
    audit: auditRows.map((entry) => AuditEntry.parse(entry)),
  });
  return { data, files: attachments.map((a) => ({ sha256: a.sha256, size: a.size })) };
}
