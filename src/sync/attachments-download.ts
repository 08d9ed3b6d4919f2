import { attachmentsMissingHere, storeDownloadedAttachment } from '../data/attachments';
import { sha256OfBlob } from '../data/hash';
import type { AttachmentRef } from '../domain/evidence';
import { CentreError, errorFrom, readAnswer, type CentreClient } from './api';

/**
 * Files added on another device come down only when wanted: when the user opens one, or after each
 * pull when they chose to keep the whole portfolio available offline. The bytes are checked
 * against their SHA-256 (the file's id) before they are stored, so a damaged download is never kept.
 */

export class AttachmentCorruptError extends Error {
  override readonly name = 'AttachmentCorruptError';
  constructor(name: string) {
    super(`${name} arrived damaged (its contents do not match the file your centre holds), so it was not kept. Try again.`);
  }
}

export async function downloadAttachment(client: CentreClient, ref: AttachmentRef): Promise<Blob> {
  const response = await client.fetch(`/api/files/sha256/${ref.id}`);
  if (!response.ok) throw await errorFrom(response);
  const received = await readAnswer(() => response.blob());
  // Environments whose fetch makes Blobs of another realm (test doubles) get a copy IndexedDB can store.
  const local = received instanceof Blob ? received : new Blob([await (received as Blob).arrayBuffer()]);
  const blob = local.type ? local : new Blob([local], { type: ref.type });
  if ((await sha256OfBlob(blob)) !== ref.id) throw new AttachmentCorruptError(ref.name);
  await storeDownloadedAttachment(ref, blob);
  return blob;
}

export interface DownloadReport {
  downloaded: number;
  problems: Array<{ attachmentId: string; name: string; message: string }>;
}

/** Fetches every file of the user's evidence that is not on this device yet, one at a time. */
export async function downloadMissingAttachments(ctx: { client: CentreClient; signal: AbortSignal }): Promise<DownloadReport> {
  const report: DownloadReport = { downloaded: 0, problems: [] };
  for (const ref of await attachmentsMissingHere()) {
    ctx.signal.throwIfAborted();
    try {
      await downloadAttachment(ctx.client, ref);
      report.downloaded++;
    } catch (error) {
      // The connection, the session or the app version stop the whole sync; a bad file does not.
      if (!(error instanceof AttachmentCorruptError) && !(error instanceof CentreError && error.reason === 'refused')) throw error;
      report.problems.push({ attachmentId: ref.id, name: ref.name, message: error.message });
    }
  }
  return report;
}
