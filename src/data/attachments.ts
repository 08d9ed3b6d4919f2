import type { AttachmentRef, Evidence } from '../domain/evidence';
import { db, type OutboxEntry, type StoredAttachment, type UploadState } from './db';
import { guardWrite } from './errors';

/**
 * The attachment side of sync: which files must go up before the changes that name them, which
 * files other devices added that are not here yet, and where each resumable upload left off.
 */

function refsInPatch(entry: OutboxEntry): AttachmentRef[] {
  if (entry.entity !== 'evidence' || !Array.isArray(entry.patch.attachments)) return [];
  return entry.patch.attachments as AttachmentRef[];
}

/** Attachment ids a waiting change names: the centre must hold them before it takes the change. */
export function attachmentIdsOf(entry: OutboxEntry): string[] {
  return refsInPatch(entry).map((a) => a.id);
}

export interface UploadPlan {
  /** Files held here that the centre may not have yet, in the order the changes were made. */
  toUpload: StoredAttachment[];
  /** Named by a waiting change but not on this device and not known to be at the centre. */
  unavailable: AttachmentRef[];
}

export async function planUploads(): Promise<UploadPlan> {
  const entries = await db().outbox.orderBy('seq').toArray();
  const refs = new Map<string, AttachmentRef>();
  for (const entry of entries) for (const ref of refsInPatch(entry)) if (!refs.has(ref.id)) refs.set(ref.id, ref);
  const rows = await db().attachments.bulkGet([...refs.keys()]);
  const toUpload: StoredAttachment[] = [];
  const unavailable: AttachmentRef[] = [];
  [...refs.values()].forEach((ref, i) => {
    const row = rows[i];
    if (row?.uploadState === 'uploaded') return;
    if (row?.blob) toUpload.push(row);
    else unavailable.push(ref);
  });
  return { toUpload, unavailable };
}

export async function setUploadState(id: string, uploadState: UploadState): Promise<void> {
  await db().attachments.update(id, { uploadState });
}

/** After the centre said it lacks a file: check again (a HEAD first) and upload it if needed. */
export async function markForUpload(ids: string[]): Promise<void> {
  await db()
    .attachments.where('id')
    .anyOf(ids)
    .modify((row) => {
      if (row.blob) row.uploadState = 'pending';
    });
}

/** Files of the user's evidence that the centre does not hold yet: signing out would lose them. */
export async function attachmentsNotUploaded(): Promise<AttachmentRef[]> {
  const waiting = await db().attachments.where('uploadState').notEqual('uploaded').toArray();
  if (waiting.length === 0) return [];
  const ids = new Set(waiting.map((a) => a.id));
  const named = new Map<string, AttachmentRef>();
  await db().evidence.each((item: Evidence) => {
    for (const ref of item.attachments) if (ids.has(ref.id)) named.set(ref.id, ref);
  });
  return [...named.values()];
}

/**
 * Records files that pulled evidence names, without their bytes: the editor then says the file is
 * not on this device yet and fetches it when viewed. Call inside the pull's transaction.
 */
export async function knowAttachments(refs: AttachmentRef[]): Promise<void> {
  if (refs.length === 0) return;
  const held = new Set(await db().attachments.where('id').anyOf(refs.map((r) => r.id)).primaryKeys());
  const now = new Date().toISOString();
  const fresh = new Map<string, StoredAttachment>();
  for (const ref of refs)
    if (!held.has(ref.id))
      fresh.set(ref.id, { id: ref.id, blob: null, name: ref.name, type: ref.type, size: ref.size, createdAt: now, uploadState: 'uploaded', uploadUrl: null });
  if (fresh.size > 0) await db().attachments.bulkAdd([...fresh.values()]);
}

/** Files of live evidence whose bytes are not on this device (added on another device). */
export async function attachmentsMissingHere(): Promise<AttachmentRef[]> {
  const refs = new Map<string, AttachmentRef>();
  await db().evidence.each((item: Evidence) => {
    if (!item.deletedAt) for (const ref of item.attachments) refs.set(ref.id, ref);
  });
  const rows = await db().attachments.bulkGet([...refs.keys()]);
  return [...refs.values()].filter((_, i) => !rows[i]?.blob);
}

/** Stores bytes fetched from the centre (already checked against their SHA-256 by the caller). */
export async function storeDownloadedAttachment(ref: AttachmentRef, blob: Blob): Promise<void> {
  await guardWrite(() =>
    db().transaction('rw', db().attachments, async () => {
      const row = await db().attachments.get(ref.id);
      await db().attachments.put({
        id: ref.id,
        blob,
        name: row?.name ?? ref.name,
        type: row?.type ?? ref.type,
        size: blob.size,
        createdAt: row?.createdAt ?? new Date().toISOString(),
        uploadState: 'uploaded',
        uploadUrl: null,
      });
    }),
  );
}

// --- Resumable uploads -------------------------------------------------------------------------
// tus-js-client asks a "URL storage" where an interrupted upload of the same file lives. Its
// default is localStorage; ours is the attachment row itself, so the URL survives with the Blob,
// goes away with it, and never mixes two users on one tablet.

/** What tus-js-client keeps per interrupted upload (its PreviousUpload). */
export interface PreviousUpload {
  size: number | null;
  metadata: Record<string, string>;
  creationTime: string;
  urlStorageKey: string;
  uploadUrl: string | null;
  parallelUploadUrls: string[] | null;
}

/** tus-js-client's UrlStorage interface, kept structurally so data/ need not import tus. */
export interface UploadUrlStorage {
  findAllUploads(): Promise<PreviousUpload[]>;
  findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]>;
  removeUpload(urlStorageKey: string): Promise<void>;
  addUpload(fingerprint: string, upload: PreviousUpload): Promise<string>;
}

const FINGERPRINT = 'sha256:';

/** An upload is identified by the file's hash, so the same bytes resume wherever they were picked. */
export function uploadFingerprint(attachmentId: string): string {
  return FINGERPRINT + attachmentId;
}

function idOf(fingerprint: string): string | null {
  return fingerprint.startsWith(FINGERPRINT) ? fingerprint.slice(FINGERPRINT.length) : null;
}

function previousUpload(row: StoredAttachment): PreviousUpload {
  return {
    size: row.size,
    metadata: {},
    creationTime: row.createdAt,
    urlStorageKey: uploadFingerprint(row.id),
    uploadUrl: row.uploadUrl,
    parallelUploadUrls: null,
  };
}

export const uploadUrls: UploadUrlStorage = {
  async findAllUploads() {
    const rows = await db().attachments.filter((a) => !!a.uploadUrl).toArray();
    return rows.map(previousUpload);
  },
  async findUploadsByFingerprint(fingerprint) {
    const id = idOf(fingerprint);
    const row = id ? await db().attachments.get(id) : undefined;
    return row?.uploadUrl ? [previousUpload(row)] : [];
  },
  async removeUpload(urlStorageKey) {
    const id = idOf(urlStorageKey);
    if (id) await db().attachments.update(id, { uploadUrl: null });
  },
  async addUpload(fingerprint, upload) {
    const id = idOf(fingerprint);
    if (!id) throw new Error(`Not an attachment upload: ${fingerprint}`);
    await db().attachments.update(id, { uploadUrl: upload.uploadUrl });
    return fingerprint;
  },
};
