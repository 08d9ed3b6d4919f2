import { planUploads, setUploadState } from '../data/attachments';
import type { StoredAttachment } from '../data/db';
import { CentreError, errorFrom, type CentreClient } from './api';
import type { SyncStatusStore } from './status';
import type { AttachmentUploader } from './tus-uploader';

/**
 * Step 1 of a sync: every file that a waiting change names goes to the centre before the change,
 * so the centre never holds evidence that points at bytes it lacks. The file's SHA-256 is its id:
 * the centre is asked first whether it already holds those bytes (then nothing is sent).
 */

export interface UploadContext {
  client: CentreClient;
  uploader: AttachmentUploader;
  status: SyncStatusStore;
  signal: AbortSignal;
}

export interface UploadProblem {
  attachmentId: string;
  name: string;
  message: string;
}

export interface UploadReport {
  uploaded: number;
  /** The centre already held these bytes (another device, or an earlier upload whose answer was lost). */
  alreadyAtCentre: number;
  /** Files the centre does not hold after this step: changes naming them wait for the next sync. */
  notAtCentre: Set<string>;
  problems: UploadProblem[];
}

/** Stops the sync (the connection, the session or the app version): every other error is per file. */
function stopsTheSync(error: unknown): boolean {
  return !(error instanceof CentreError) || error.reason !== 'refused';
}

export async function centreHoldsFile(client: CentreClient, sha256: string): Promise<boolean> {
  const response = await client.fetch(`/api/files/sha256/${sha256}`, { method: 'HEAD' });
  if (response.ok) return true;
  if (response.status === 404) return false;
  throw await errorFrom(response);
}

export async function uploadAttachments(ctx: UploadContext): Promise<UploadReport> {
  const plan = await planUploads();
  const report: UploadReport = { uploaded: 0, alreadyAtCentre: 0, notAtCentre: new Set(), problems: [] };
  for (const ref of plan.unavailable) {
    report.notAtCentre.add(ref.id);
    report.problems.push({
      attachmentId: ref.id,
      name: ref.name,
      message: `${ref.name} is not on this device, so it cannot be sent. Add the file again, or remove it from the evidence.`,
    });
  }
  try {
    for (const attachment of plan.toUpload) {
      ctx.signal.throwIfAborted();
      try {
        if (await centreHoldsFile(ctx.client, attachment.id)) {
          await setUploadState(attachment.id, 'uploaded');
          report.alreadyAtCentre++;
          continue;
        }
        await uploadOne(ctx, attachment as StoredAttachment & { blob: Blob });
        report.uploaded++;
      } catch (error) {
        report.notAtCentre.add(attachment.id);
        if (stopsTheSync(error)) {
          await setUploadState(attachment.id, 'pending');
          // The files after this one were not tried: they wait too.
          for (const rest of plan.toUpload) if (!report.notAtCentre.has(rest.id) && rest !== attachment) report.notAtCentre.add(rest.id);
          throw error;
        }
        await setUploadState(attachment.id, 'failed');
        report.problems.push({ attachmentId: attachment.id, name: attachment.name, message: (error as Error).message });
      }
    }
  } finally {
    ctx.status.update({ uploading: null });
  }
  return report;
}

async function uploadOne(ctx: UploadContext, attachment: StoredAttachment & { blob: Blob }): Promise<void> {
  await setUploadState(attachment.id, 'uploading');
  ctx.status.update({ uploading: { name: attachment.name, bytesSent: 0, bytesTotal: attachment.size } });
  await ctx.uploader.upload(attachment, {
    signal: ctx.signal,
    onConfirmed: (bytesSent, bytesTotal) => ctx.status.update({ uploading: { name: attachment.name, bytesSent, bytesTotal } }),
  });
  await setUploadState(attachment.id, 'uploaded');
}
