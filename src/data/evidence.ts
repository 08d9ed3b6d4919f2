import {
  EvidenceContent,
  type EvidenceKind,
  type RecordedBy,
  SubmittableEvidence,
  emptyEvidenceContent,
  type AttachmentRef,
  type Evidence,
  type EvidenceHistoryAction,
  type EvidenceHistoryEntry,
  type EvidenceStatus,
} from '../domain/evidence';
import { uuidv7 } from '../domain/ids';
import type { FieldConflict } from '../domain/sync';
import { db, type StoredAttachment } from './db';
import { guardWrite } from './errors';
import { sha256OfBlob } from './hash';
import { enqueue } from './outbox';
import { currentSignIn } from './session';
import { deviceId } from './settings';

/** Edits on one device within this window show as one entry in the item's history. */
const HISTORY_COALESCE_MS = 10 * 60 * 1000;
const CONTENT_FIELDS = Object.keys(EvidenceContent.shape) as Array<keyof EvidenceContent>;
const EDITABLE: ReadonlySet<EvidenceStatus> = new Set(['draft', 'submitted', 'referred']);

export class EvidenceLockedError extends Error {
  override readonly name = 'EvidenceLockedError';
  constructor(status: EvidenceStatus) {
    super(`This evidence has been ${status === 'signed-off' ? 'signed off' : status} by your assessor and can no longer be changed.`);
  }
}

export class EvidenceNotFoundError extends Error {
  override readonly name = 'EvidenceNotFoundError';
  constructor(id: string) {
    super(`Evidence ${id} is not on this device.`);
  }
}

/**
 * Validates the fields a change names, and only those: the schema's defaults (kind, questions,
 * witness) must not fill in fields the change leaves alone, or every keystroke in an assessor's
 * observation would turn it back into a learner's item.
 */
function contentPatch(patch: Partial<EvidenceContent>): Partial<EvidenceContent> {
  const parsed = EvidenceContent.partial().parse(patch) as Record<string, unknown>;
  for (const field of Object.keys(parsed)) if (!(field in patch)) delete parsed[field];
  return parsed as Partial<EvidenceContent>;
}

export function contentOf(evidence: Evidence): EvidenceContent {
  const content = {} as Record<string, unknown>;
  for (const field of CONTENT_FIELDS) content[field] = evidence[field];
  return content as EvidenceContent;
}

function changedFields(before: EvidenceContent, patch: Partial<EvidenceContent>): Array<keyof EvidenceContent> {
  return (Object.keys(patch) as Array<keyof EvidenceContent>).filter(
    (field) => CONTENT_FIELDS.includes(field) && JSON.stringify(before[field]) !== JSON.stringify(patch[field]),
  );
}

const evidenceTables = () => [db().evidence, db().evidenceHistory, db().outbox];

/** The device id recorded on history entries for changes that came from the centre (another device). */
export const CENTRE_DEVICE = 'centre';

/** Adds (or coalesces) a history entry. Call inside a transaction that includes evidenceHistory. */
export async function appendHistory(
  evidenceId: string,
  action: EvidenceHistoryAction,
  fields: string[],
  before: EvidenceContent | null,
  device: string,
  now: string,
): Promise<void> {
  if (action === 'edited') {
    const last = await db().evidenceHistory.where('[evidenceId+at]').between([evidenceId, ''], [evidenceId, '\uffff']).last();
    if (last && last.action === 'edited' && last.deviceId === device && Date.parse(now) - Date.parse(last.until) < HISTORY_COALESCE_MS) {
      await db().evidenceHistory.update(last.id, { until: now, fields: [...new Set([...last.fields, ...fields])] });
      return;
    }
  }
  const entry: EvidenceHistoryEntry = { id: uuidv7(), evidenceId, action, at: now, until: now, fields, before, deviceId: device };
  await db().evidenceHistory.add(entry);
}

/** Adds a new draft with its history and outbox entry; call inside a transaction over evidenceTables(). */
async function addDraft(enrolmentId: string, content: EvidenceContent, device: string, recordedBy: RecordedBy | null = null): Promise<Evidence> {
  const now = new Date().toISOString();
  const evidence: Evidence = {
    ...content,
    id: uuidv7(),
    enrolmentId,
    status: 'draft',
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    serverRevision: 0,
    dirty: 1,
    conflicts: [],
    recordedBy,
    iqaLock: null,
  };
  await db().evidence.add(evidence);
  await appendHistory(evidence.id, 'created', [], null, device, now);
  // iqaLock is the centre's to set. recordedBy goes only with an assessor's item (the centre checks it names the caller).
  const { id: _id, dirty: _dirty, serverRevision: _rev, conflicts: _conflicts, iqaLock: _lock, recordedBy: _by, ...patch } = evidence;
  await enqueue('evidence', evidence.id, 'upsert', 0, recordedBy ? { ...patch, recordedBy } : patch);
  return evidence;
}

export async function createEvidence(enrolmentId: string, content: Partial<EvidenceContent> = {}): Promise<Evidence> {
  const device = await deviceId();
  const full = { ...emptyEvidenceContent(), ...contentPatch(content) };
  return guardWrite(() => db().transaction('rw', evidenceTables(), () => addDraft(enrolmentId, full, device)));
}

/** What an assessor records in a learner's portfolio; each kind is also its assessment method. */
export type AssessorEvidenceKind = Exclude<EvidenceKind, 'learner'>;

export class NotAnAssessorError extends Error {
  override readonly name = 'NotAnAssessorError';
  constructor() {
    super('Only an assessor signed in to their centre can record observations, discussions, questioning or witness testimony.');
  }
}

/**
 * Starts an item the assessor records for a learner on their caseload (an observation, a
 * professional discussion, questioning or a witness testimony). Saved like a learner's draft: later
 * keystrokes go through updateEvidence, and it is submitted with submitEvidence.
 */
export async function recordAssessorEvidence(enrolmentId: string, kind: AssessorEvidenceKind, content: Partial<EvidenceContent> = {}): Promise<Evidence> {
  const signIn = await currentSignIn();
  if (!signIn || signIn.user.role !== 'assessor') throw new NotAnAssessorError();
  const recordedBy: RecordedBy = { userId: signIn.user.id, name: signIn.user.name, role: signIn.user.role };
  const device = await deviceId();
  const full: EvidenceContent = { ...emptyEvidenceContent(), ...contentPatch(content), kind, method: kind };
  if (kind !== 'witness-testimony') full.witness = null;
  return guardWrite(() =>
    db().transaction('rw', [...evidenceTables(), db().enrolments], async () => {
      if (!(await db().enrolments.get(enrolmentId))) throw new Error('That learner’s enrolment is not on this device yet: sync, then try again.');
      return addDraft(enrolmentId, full, device, recordedBy);
    }),
  );
}

async function mutate(
  id: string,
  action: EvidenceHistoryAction,
  change: (current: Evidence) => Partial<Evidence> | null,
  /** More writes that belong to the same change, run inside its transaction after the enqueue. */
  alsoWrite?: () => Promise<void>,
): Promise<Evidence> {
  const device = await deviceId();
  return guardWrite(() =>
    db().transaction('rw', evidenceTables(), async () => {
      const current = await db().evidence.get(id);
      if (!current) throw new EvidenceNotFoundError(id);
      const patch = change(current);
      if (!patch) return current;
      const now = new Date().toISOString();
      const next: Evidence = { ...current, ...patch, updatedAt: now, dirty: 1 };
      await db().evidence.put(next);
      const fields = changedFields(contentOf(current), patch as Partial<EvidenceContent>);
      // Resolving a conflict by keeping the current text changes no content: nothing to show.
      if (action !== 'edited' || fields.length > 0) await appendHistory(id, action, fields, contentOf(current), device, now);
      await enqueue('evidence', id, action === 'deleted' ? 'delete' : 'upsert', current.serverRevision, { ...patch, updatedAt: now });
      await alsoWrite?.();
      return next;
    }),
  );
}

/** Saves an edit of the content. Called on every keystroke of a draft, so it must stay cheap. */
export async function updateEvidence(id: string, patch: Partial<EvidenceContent>): Promise<Evidence> {
  const valid = contentPatch(patch);
  return mutate(id, 'edited', (current) => {
    if (!EDITABLE.has(current.status)) throw new EvidenceLockedError(current.status);
    return changedFields(contentOf(current), valid).length === 0 ? null : valid;
  });
}

export interface SubmitProblem {
  field: string;
  message: string;
}

/** What still stops an item being submitted, in words for the learner. Empty when it can go. */
export function submitProblems(evidence: Evidence): SubmitProblem[] {
  const result = SubmittableEvidence.safeParse(contentOf(evidence));
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ field: String(issue.path[0] ?? ''), message: issue.message }));
}

export class EvidenceIncompleteError extends Error {
  override readonly name = 'EvidenceIncompleteError';
  constructor(readonly problems: SubmitProblem[]) {
    super(problems.map((p) => p.message).join(' '));
  }
}

export async function submitEvidence(id: string): Promise<Evidence> {
  return mutate(id, 'submitted', (current) => {
    if (current.status !== 'draft' && current.status !== 'referred') return null;
    const problems = submitProblems(current);
    if (problems.length > 0) throw new EvidenceIncompleteError(problems);
    return { status: 'submitted' };
  });
}

/** Soft delete: the item stays on the device, with its history, and can be restored. */
export async function deleteEvidence(id: string): Promise<Evidence> {
  return mutate(id, 'deleted', (current) => {
    if (!EDITABLE.has(current.status)) throw new EvidenceLockedError(current.status);
    return current.deletedAt ? null : { deletedAt: new Date().toISOString() };
  });
}

export async function restoreEvidence(id: string): Promise<Evidence> {
  return mutate(id, 'restored', (current) => (current.deletedAt ? { deletedAt: null } : null));
}

/** Puts an earlier version's content back; the current content stays in history, so nothing is lost. */
export async function restoreVersion(historyEntryId: string): Promise<Evidence> {
  const entry = await db().evidenceHistory.get(historyEntryId);
  if (!entry?.before) throw new Error('That version cannot be restored: it has no earlier content.');
  return updateEvidence(entry.evidenceId, entry.before);
}

export async function evidenceHistory(evidenceId: string): Promise<EvidenceHistoryEntry[]> {
  return db().evidenceHistory.where('[evidenceId+at]').between([evidenceId, ''], [evidenceId, '\uffff']).reverse().toArray();
}

export async function getEvidence(id: string): Promise<Evidence | null> {
  return (await db().evidence.get(id)) ?? null;
}

export async function evidenceOf(enrolmentId: string): Promise<Evidence[]> {
  const items = await db().evidence.where('enrolmentId').equals(enrolmentId).toArray();
  // Newest activity first; undated drafts by when they were last touched.
  return items.sort((a, b) => (b.activityDate ?? b.updatedAt).localeCompare(a.activityDate ?? a.updatedAt) || b.id.localeCompare(a.id));
}

/**
 * Stores files and links them to an item. Hashing happens before the transaction (IndexedDB
 * transactions cannot wait on other work); the Blob and the link are then written together.
 */
export async function addAttachments(
  evidenceId: string,
  files: Array<Blob & { name?: string }>,
  onProgress?: (fraction: number) => void,
): Promise<Evidence> {
  const prepared: StoredAttachment[] = [];
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0) || 1;
  let doneBytes = 0;
  for (const file of files) {
    const id = await sha256OfBlob(file, (hashed) => onProgress?.((doneBytes + hashed) / totalBytes));
    doneBytes += file.size;
    prepared.push({
      id,
      blob: file,
      name: file.name || 'attachment',
      type: file.type || 'application/octet-stream',
      size: file.size,
      createdAt: new Date().toISOString(),
      uploadState: 'pending',
      uploadUrl: null,
    });
  }
  const device = await deviceId();
  return guardWrite(() =>
    db().transaction('rw', [...evidenceTables(), db().attachments], async () => {
      const current = await db().evidence.get(evidenceId);
      if (!current) throw new EvidenceNotFoundError(evidenceId);
      if (!EDITABLE.has(current.status)) throw new EvidenceLockedError(current.status);
      // The same bytes picked twice, or already held for another item, are stored once. A file known
      // only by name (added on another device, not downloaded) takes the bytes picked here.
      const existing = await db().attachments.bulkGet(prepared.map((a) => a.id));
      const seen = new Set(existing.filter((row) => !!row?.blob).map((row) => row!.id));
      const fresh = prepared
        .filter((a) => {
          if (seen.has(a.id)) return false;
          seen.add(a.id);
          return true;
        })
        .map((a) => {
          const known = existing.find((row) => row?.id === a.id);
          return known ? { ...a, uploadState: known.uploadState, uploadUrl: known.uploadUrl } : a;
        });
      if (fresh.length > 0) await db().attachments.bulkPut(fresh);
      const refs: AttachmentRef[] = [...current.attachments];
      for (const a of prepared)
        if (!refs.some((r) => r.id === a.id)) refs.push({ id: a.id, name: a.name, type: a.type, size: a.size });
      const now = new Date().toISOString();
      const next: Evidence = { ...current, attachments: refs, updatedAt: now, dirty: 1 };
      await db().evidence.put(next);
      await appendHistory(evidenceId, 'edited', ['attachments'], contentOf(current), device, now);
      await enqueue('evidence', evidenceId, 'upsert', current.serverRevision, { attachments: refs, updatedAt: now });
      return next;
    }),
  );
}

/** Unlinks a file from the item. The bytes stay on the device so an earlier version can be restored. */
export async function removeAttachment(evidenceId: string, attachmentId: string): Promise<Evidence> {
  const current = await db().evidence.get(evidenceId);
  if (!current) throw new EvidenceNotFoundError(evidenceId);
  return updateEvidence(evidenceId, { attachments: current.attachments.filter((a) => a.id !== attachmentId) });
}

export async function attachmentBlob(id: string): Promise<Blob | null> {
  return (await db().attachments.get(id))?.blob ?? null;
}

// --- Sync conflicts ---------------------------------------------------------------------------

export type ConflictChoice = 'use-conflict' | 'keep-both' | 'dismiss';

export class ConflictNotFoundError extends Error {
  override readonly name = 'ConflictNotFoundError';
  constructor() {
    super('That conflicting version has already been resolved (perhaps on another device or tab).');
  }
}

/** Fields whose two versions can sensibly be kept side by side. */
export function canKeepBoth(field: string): boolean {
  return field === 'title' || field === 'narrative' || field === 'criterionIds' || field === 'attachments';
}

function bothValues(field: keyof EvidenceContent, current: unknown, other: unknown): unknown {
  if (field === 'title') return `${String(current).trim()} / ${String(other).trim()}`.slice(0, 300);
  if (field === 'narrative') return `${String(current).trimEnd()}\n\n${String(other).trim()}`;
  if (field === 'criterionIds') return [...new Set([...(current as string[]), ...(other as string[])])];
  if (field === 'attachments') {
    const refs = [...(current as AttachmentRef[])];
    for (const ref of other as AttachmentRef[]) if (!refs.some((r) => r.id === ref.id)) refs.push(ref);
    return refs;
  }
  throw new Error(`Both versions of the ${field} cannot be kept together: choose one.`);
}

/**
 * Settles one conflict copy: take its text instead of the current one, keep both (the copy added
 * below the current text), or dismiss it. Written like any edit: the record, its history (so the
 * text that is replaced can be restored) and one outbox change with the field and the remaining
 * conflict copies, in one transaction.
 */
export async function resolveConflict(evidenceId: string, conflictId: string, choice: ConflictChoice): Promise<Evidence> {
  const change = (current: Evidence): Partial<Evidence> => {
    if (!EDITABLE.has(current.status)) throw new EvidenceLockedError(current.status);
    const conflict = current.conflicts.find((c) => c.id === conflictId);
    if (!conflict) throw new ConflictNotFoundError();
    const conflicts: FieldConflict[] = current.conflicts.filter((c) => c.id !== conflictId);
    if (choice === 'dismiss') return { conflicts };
    const field = conflict.field as keyof EvidenceContent;
    const schema = EvidenceContent.shape[field];
    if (!schema) throw new Error(`This conflict is about “${conflict.field}”, which this version of the app does not know. Dismiss it, or update the app.`);
    const value = choice === 'use-conflict' ? conflict.value : bothValues(field, current[field], conflict.value);
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new Error(`That version cannot be used: ${parsed.error.issues[0]?.message ?? 'it is not valid'}.`);
    return { [field]: parsed.data, conflicts } as Partial<Evidence>;
  };
  // The outbox patch carries the whole remaining list; the entry also names the resolved copy, so
  // a newer centre copy that brings other conflict copies keeps those (see rebaseEvidence).
  const nameResolved = async () => {
    const entry = await db()
      .outbox.where('[entity+recordId]')
      .equals(['evidence', evidenceId])
      .filter((m) => m.sentAt === null)
      .last();
    if (entry) await db().outbox.update(entry.seq!, { resolvedConflictIds: [...new Set([...(entry.resolvedConflictIds ?? []), conflictId])] });
  };
  return mutate(evidenceId, 'edited', change, nameResolved);
}

/**
 * Keeps what this device holds of an item as a new draft (the centre refused the change because
 * the item was signed off meanwhile). Call inside a transaction over evidence, history and outbox.
 */
export async function keepAsNewDraft(source: Evidence, titleNote: string, device: string): Promise<Evidence> {
  const content = contentOf(source);
  const title = `${content.title.trim() || 'Untitled draft'} ${titleNote}`.slice(0, 300);
  return addDraft(source.enrolmentId, { ...content, title }, device);
}

/** Records in the item's history that the centre replaced its content, so the old text can be restored. */
export async function noteReplacedByCentre(before: Evidence, after: Evidence): Promise<void> {
  const fields = changedFields(contentOf(before), contentOf(after));
  if (fields.length === 0) return;
  await appendHistory(before.id, 'edited', fields, contentOf(before), CENTRE_DEVICE, new Date().toISOString());
}
