import type { AttachmentRef } from '../../src/domain/evidence';
import { PushResult, type Mutation } from '../../src/domain/sync';
import { audit } from '../audit';
import type { Database, Sql } from '../db/database';
import { adoptAttachments, missingAttachments } from '../files/owners';
import { erasedTarget } from '../personal-data/tombstones';
import { CHANGE_LOCK, readRecord, toSyncRecord, writeRecord, type StoredRecord } from '../records';
import { authorise, type Refused, type SyncContext, type UpdatePermit } from './authorise';
import { TEXT_FIELDS } from './entities';
import { conflictsOf, deviceView, mergePatch, sameValue, type Data, type Version } from './merge';
import { isRefusal, validateEnrolment, validateEvidence, validateProfile, type Refusal, type Valid } from './validate';

/**
 * Applies one pushed mutation in its own transaction: the record, its version, the audit entry
 * and the remembered answer commit together, so a repeat of the same mutation id can only ever
 * be answered, never applied twice.
 */
export async function applyMutation(db: Database, ctx: SyncContext, m: Mutation): Promise<PushResult> {
  return db.transaction(async (tx) => {
    // Taken first (writeRecord takes it again; advisory locks nest within a transaction): it
    // serialises the "already applied?" check with the write, so two pushes of the same outbox
    // racing each other cannot both apply it, and nobody changes the record between our read
    // and our write.
    await tx.query('select pg_advisory_xact_lock($1)', [CHANGE_LOCK]);
    const answered = await earlierAnswer(tx, ctx, m);
    if (answered) return answered;
    // A device that still holds an erased learner's records must not bring them back.
    const erased = await erasedTarget(tx, m);
    if (erased) return rejected(m, erased);

    const current = await readRecord(tx, m.entity, m.recordId);
    const permit = await authorise(tx, ctx, m, current);
    if (isRefusal(permit)) return rejected(m, permit);

    let next: Valid;
    let overlapping: string[] = [];
    if (permit.kind === 'create') next = permit;
    else {
      const merged = await mergeUpdate(tx, ctx, m, current!, permit);
      if (isRefusal(merged)) return rejected(m, merged);
      ({ next, overlapping } = merged);
    }

    if (m.entity === 'evidence') {
      // Files are held per learner: an assessor's item in a learner's enrolment uses the learner's.
      const owner = current?.learnerId ?? (permit.kind === 'create' ? permit.learnerId : ctx.caller.userId);
      let missing = await missingAttachments(tx, owner, newAttachments(current?.data ?? null, next.data));
      // An assessor's own upload (a recorded discussion) becomes the learner's file once it is in
      // their portfolio, so the learner, the IQA and an export can read it.
      if (missing.length > 0 && owner !== ctx.caller.userId) {
        const notUploaded = await missingAttachments(tx, ctx.caller.userId, missing);
        await adoptAttachments(tx, owner, missing.filter((hash) => !notUploaded.includes(hash)));
        missing = notUploaded;
      }
      // Not remembered as an answer: once the device has uploaded the files, the same mutation goes through.
      if (missing.length > 0)
        return rejected(m, {
          reason: 'missing-attachment',
          message: `The centre does not have ${missing.length === 1 ? 'one of the attached files' : `${missing.length} of the attached files`} yet: they are uploaded first, then this change is sent again.`,
        });
    }

    let result: PushResult;
    if (current && sameValue(next.data, current.data) && next.deleted === current.deleted) {
      // Nothing new (a resend of values the centre already has): no new revision to pull.
      result = { status: 'applied', mutationId: m.id, recordId: m.recordId, revision: current.revision };
    } else {
      const centreId = current?.centreId ?? (permit.kind === 'create' ? permit.centreId : ctx.caller.centreId);
      const learnerId = current?.learnerId ?? (permit.kind === 'create' ? permit.learnerId : ctx.caller.userId);
      const { revision } = await writeRecord(tx, {
        entity: m.entity,
        id: m.recordId,
        centreId,
        learnerId,
        data: next.data,
        deleted: next.deleted,
        byUser: ctx.caller.userId,
        deviceId: ctx.caller.deviceId,
      });
      const described = permit.kind === 'create' ? permit.audit : undefined;
      await audit(tx, ctx.caller, described?.action ?? `sync.${m.entity}.${action(current, next)}`, { entity: m.entity, recordId: m.recordId }, {
        mutationId: m.id,
        revision,
        ...(described ? described.detail : { fields: changedFields(current?.data ?? {}, next.data) }),
        ...(overlapping.length > 0 ? { overlapping } : {}),
      });
      // A decision's consequences (an item signed off, referred, reopened or locked) commit with it.
      for (const effect of permit.kind === 'create' ? (permit.effects ?? []) : []) {
        const written = await writeRecord(tx, { ...effect, byUser: ctx.caller.userId, deviceId: ctx.caller.deviceId });
        await audit(tx, ctx.caller, effect.action, { entity: effect.entity, recordId: effect.id }, { ...effect.detail, revision: written.revision });
      }
      if (overlapping.length === 0) result = { status: 'applied', mutationId: m.id, recordId: m.recordId, revision };
      else {
        const written = await readRecord(tx, m.entity, m.recordId);
        result = { status: 'conflict', mutationId: m.id, recordId: m.recordId, revision, fields: overlapping, record: toSyncRecord(written!) };
      }
    }
    await tx.query('insert into applied_mutations (id, user_id, result) values ($1, $2, $3::jsonb)', [m.id, ctx.caller.userId, JSON.stringify(result)]);
    return result;
  });
}

async function earlierAnswer(tx: Sql, ctx: SyncContext, m: Mutation): Promise<PushResult | null> {
  const [row] = await tx.query<{ user_id: string; result: unknown }>('select user_id, result from applied_mutations where id = $1', [m.id]);
  if (!row) return null;
  // Ids are UUIDs made on devices: another user's id here is a faulty or hostile client. Say
  // nothing about their change.
  if (row.user_id !== ctx.caller.userId)
    return rejected(m, { reason: 'invalid', message: 'This change reused an id the centre has already seen: it was not applied.' });
  return PushResult.parse(row.result);
}

function rejected(m: Mutation, refusal: Refused): PushResult {
  return {
    status: 'rejected',
    mutationId: m.id,
    recordId: m.recordId,
    reason: refusal.reason,
    message: refusal.message,
    ...(refusal.record ? { record: toSyncRecord(refusal.record) } : {}),
  };
}

/**
 * Revisions the merge needs to know what the device believed: the base it names, the current one
 * (whose writer loses a non-text overlap), and each revision this device wrote after the base
 * with the one before it (to see which fields that write changed). Not every revision: a long
 * edited item has hundreds.
 */
async function loadVersions(tx: Sql, m: Mutation, current: StoredRecord, deviceId: string): Promise<Version[]> {
  const rows = await tx.query<{ revision: number; device_id: string | null; data: Data }>(
    `select v.revision, v.device_id, v.data
       from record_versions v
      where v.entity = $1 and v.id = $2 and v.revision >= $3
        and (v.revision = $3 or v.revision = $4 or v.device_id = $5
             or exists (select 1 from record_versions o
                         where o.entity = v.entity and o.id = v.id and o.revision = v.revision + 1 and o.revision > $3 and o.device_id = $5))
      order by v.revision`,
    [m.entity, m.recordId, Math.min(m.baseRevision, current.revision), current.revision, deviceId],
  );
  return rows.map((r) => ({ revision: r.revision, deviceId: r.device_id, data: r.data }));
}

async function mergeUpdate(
  tx: Sql,
  ctx: SyncContext,
  m: Mutation,
  current: StoredRecord,
  permit: UpdatePermit,
): Promise<Refusal | { next: Valid; overlapping: string[] }> {
  const deviceId = ctx.caller.deviceId;
  const versions = await loadVersions(tx, m, current, deviceId);
  const view = deviceView(versions, m.baseRevision, deviceId);
  const latest = versions.find((v) => v.revision === current.revision);
  const currentAt = typeof current.data.updatedAt === 'string' ? current.data.updatedAt : current.updatedAt.toISOString();
  const { data, overlapping } = mergePatch({
    view,
    current: current.data,
    patch: permit.patch,
    textFields: TEXT_FIELDS,
    incoming: { deviceId, at: permit.updatedAt ?? m.createdAt },
    // A value the centre itself wrote (seed, admin) has no device.
    previous: { deviceId: latest?.deviceId ?? 'centre', at: currentAt },
    newId: ctx.newId,
  });
  if (permit.status) data.status = permit.status;
  // Devices' clocks differ and an offline edit may arrive late: keep the latest edit time.
  if (permit.updatedAt && (typeof data.updatedAt !== 'string' || permit.updatedAt > data.updatedAt)) data.updatedAt = permit.updatedAt;
  // Records that never had a conflict stay as they were written (enrolments, profiles).
  if (conflictsOf(data).length === 0 && !('conflicts' in current.data)) delete data.conflicts;

  let next: Refusal | Valid;
  switch (m.entity) {
    case 'evidence':
      next = validateEvidence(data, permit.status === 'submitted');
      break;
    case 'enrolment':
      next = await validateEnrolment(tx, m.recordId, data, ctx.today);
      break;
    case 'profile':
      next = validateProfile(data, current.deleted, false);
      break;
    case 'decision':
      // Decisions are immutable: authorise never permits an update of one.
      next = { reason: 'locked', message: 'A signed decision cannot be changed.' };
      break;
  }
  return isRefusal(next) ? next : { next, overlapping };
}

function attachmentIds(data: Data | null): Set<string> {
  const list = (data?.attachments ?? []) as AttachmentRef[];
  return new Set(Array.isArray(list) ? list.map((a) => a.id) : []);
}

/** Hashes the change adds: files already on the record were checked when they were added. */
function newAttachments(before: Data | null, after: Data): string[] {
  const had = attachmentIds(before);
  return [...attachmentIds(after)].filter((id) => !had.has(id));
}

function changedFields(before: Data, after: Data): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !sameValue(before[k], after[k])).sort();
}

function action(current: StoredRecord | null, next: Valid): string {
  if (!current) return 'create';
  if (next.deleted && !current.deleted) return 'delete';
  if (!next.deleted && current.deleted) return 'restore';
  return 'update';
}
