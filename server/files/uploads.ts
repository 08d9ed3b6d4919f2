import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server, type Upload } from '@tus/server';
import { z } from 'zod';
import { Sha256Hex } from '../../src/domain/evidence';
import { ApiError } from '../../src/domain/sync';
import { audit } from '../audit';
import type { Caller, Services } from '../context';
import { recordAttachment } from './owners';
import { sha256OfFile, type ContentStore } from './store';

/**
 * Resumable uploads (tus 1.0) of attachment bytes. A device uploads a file before the evidence
 * that names it; the centre checks the SHA-256 the device declared, then keeps the bytes under
 * that hash. Partial uploads are plain files on disk, so an upload resumes from its last byte
 * even after the centre restarts.
 */

/** Videos of workplace tasks are large; anything beyond this is refused before a byte is sent. */
export const MAX_UPLOAD_BYTES = 4 * 1024 ** 3;
/**
 * An upload not finished this long after it started is removed with its bytes (tus expiration):
 * connections cut mid-request, and devices that gave up, must not fill the centre's disk. A
 * device that comes back later is told the upload is gone (410) and starts the file again.
 */
export const PARTIAL_UPLOAD_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

/** Where tus keeps partial uploads, under the centre's files directory. */
export const uploadsDirectory = (filesDir: string) => join(filesDir, 'uploads');

/**
 * tus's FileStore with expiration. tus reads an upload again after onUploadFinish (to decide on
 * Upload-Expires), when ours has already moved into the content store: for the rest of that
 * request the finished upload is answered from memory.
 */
class PartialUploads extends FileStore {
  readonly justFinished = new Map<string, Upload>();
  override async getUpload(id: string): Promise<Upload> {
    return this.justFinished.get(id) ?? super.getUpload(id);
  }
}

const partialUploads = (filesDir: string) => new PartialUploads({ directory: uploadsDirectory(filesDir), expirationPeriodInMilliseconds: PARTIAL_UPLOAD_LIFETIME_MS });

/** Removes the partial uploads past their lifetime; returns how many. The centre runs it hourly. */
export async function removeExpiredUploads(filesDir: string): Promise<number> {
  // A new centre has no uploads directory until its first upload.
  await mkdir(uploadsDirectory(filesDir), { recursive: true });
  return partialUploads(filesDir).deleteExpired();
}

/** Upload URLs are relative and same-origin: `${UPLOADS_PATH}/<id>`. */
export const UPLOADS_PATH = '/api/files/uploads';

export const UploadMetadata = z.object({
  sha256: Sha256Hex,
  filename: z.string().min(1, 'The file has no name').max(255, 'File names are at most 255 characters'),
  // Empty or left out (tus reads "filetype " as no value): kept as plain bytes, like any unknown type.
  filetype: z
    .string()
    .max(255, 'File types are at most 255 characters')
    .nullish()
    .transform((v) => v ?? ''),
});

/** Types stored and served later: anything not shaped like a MIME type is kept as plain bytes. */
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

/** What the tus hooks throw: the status and the body tus answers with (JSON, like every refusal). */
function tusError(status_code: number, error: string, message: string): { status_code: number; body: string } {
  return { status_code, body: JSON.stringify({ error, message } satisfies ApiError) };
}

export interface UploadServer {
  /** Runs a tus request for an authenticated learner. */
  handle(request: Request, caller: Caller): Promise<Response>;
}

export function uploadServer(services: Services, store: ContentStore): UploadServer {
  const directory = uploadsDirectory(services.filesDir);
  // The hooks receive the Request we hand to tus, not Hono's context: this is how they know who calls.
  const callers = new WeakMap<Request, Caller>();
  const finishedIn = new WeakMap<Request, string[]>();
  const callerOf = (req: Request): Caller => {
    const caller = callers.get(req);
    if (!caller) throw new Error('tus request without an authenticated caller');
    return caller;
  };
  let tus: { server: Server; datastore: PartialUploads } | null = null;

  // Made on first use, so an app that never receives a file creates no directories.
  const init = () => {
    const datastore = partialUploads(services.filesDir);
    const server = new Server({
      path: UPLOADS_PATH,
      datastore,
      relativeLocation: true,
      maxSize: MAX_UPLOAD_BYTES,
      // Only the learner who started an upload may see, continue or cancel it.
      async onIncomingRequest(req, uploadId) {
        if (req.method === 'POST') return;
        const upload = await datastore.getUpload(uploadId);
        if (upload.metadata?.uploader !== callerOf(req).userId) throw tusError(404, 'not-found', 'There is no such upload on this centre: start it again.');
      },
      async onUploadCreate(req, upload) {
        const parsed = UploadMetadata.safeParse(upload.metadata ?? {});
        if (!parsed.success) throw tusError(400, 'invalid-upload', `The upload's details are not valid: ${z.prettifyError(parsed.error)}`);
        const { sha256, filename, filetype } = parsed.data;
        // Anything else the client sent is dropped; `uploader` is ours, never the client's.
        return { metadata: { sha256, filename, filetype, uploader: callerOf(req).userId } };
      },
      onUploadFinish: async (req, upload) => {
        finishedIn.get(req)?.push(upload.id);
        await finish(callerOf(req), upload, datastore);
        return {};
      },
      onResponseError(_req, error) {
        // tus turns any exception into a 500; ours carry a status, anything else is a fault to see in the log.
        if (error instanceof Error && !('status_code' in error)) console.error('Upload failed', error);
        return undefined;
      },
    });
    return { server, datastore };
  };

  async function finish(caller: Caller, upload: Upload, datastore: PartialUploads): Promise<void> {
    const meta = UploadMetadata.parse(upload.metadata);
    const path = join(directory, upload.id);
    const actual = await sha256OfFile(path);
    if (actual !== meta.sha256) {
      await datastore.remove(upload.id);
      throw tusError(
        460,
        'checksum-mismatch',
        'The file arrived damaged: its SHA-256 does not match the one the app declared. The centre dropped it; upload it again.',
      );
    }
    const size = upload.size ?? upload.offset;
    const type = MIME.test(meta.filetype) ? meta.filetype.toLowerCase() : 'application/octet-stream';
    // Bytes first, rows second: a crash in between leaves a file nobody references (harmless,
    // and re-adopted by the next upload) rather than rows promising bytes the centre lacks.
    await store.adopt(actual, path);
    await services.db.transaction(async (tx) => {
      await recordAttachment(tx, { sha256: actual, size, type, learnerId: caller.userId });
      await audit(tx, caller, 'attachment.upload', { entity: 'attachment', recordId: actual }, { size, type, filename: meta.filename });
    });
    // The bytes have moved into the store; the upload's bookkeeping goes too.
    datastore.justFinished.set(upload.id, upload);
    await datastore.configstore.delete(upload.id);
  }

  return {
    async handle(request, caller) {
      tus ??= init();
      callers.set(request, caller);
      const finished: string[] = [];
      finishedIn.set(request, finished);
      try {
        return jsonErrors(await tus.server.handleWeb(request));
      } finally {
        for (const id of finished) tus.datastore.justFinished.delete(id);
      }
    },
  };
}

const TUS_MESSAGES: Record<number, [string, string]> = {
  400: ['invalid-upload', 'The upload request was not valid'],
  404: ['not-found', 'There is no such upload on this centre: start it again.'],
  409: ['offset-mismatch', 'The upload offset does not match what the centre holds: ask where to resume (HEAD) and continue from there.'],
  410: ['upload-gone', 'This upload is no longer on the centre: start it again.'],
  412: ['tus-required', 'This is not a tus upload request (the Tus-Resumable header is missing).'],
  413: ['too-large', `The file is larger than the centre accepts (${MAX_UPLOAD_BYTES / 1024 ** 3} GB).`],
  415: ['invalid-upload', 'Upload chunks are sent as application/offset+octet-stream.'],
};

/** tus answers in plain text; every refusal of the centre is JSON {error, message}, tus headers kept. */
async function jsonErrors(response: Response): Promise<Response> {
  if (response.status < 400) return response;
  const text = await response.text();
  let body: ApiError | null = null;
  try {
    const parsed = ApiError.safeParse(JSON.parse(text));
    if (parsed.success) body = parsed.data;
  } catch {
    // Plain text from tus itself.
  }
  if (!body) {
    const [error, message] = TUS_MESSAGES[response.status] ?? ['server-error', 'The centre could not store this upload. Nothing was lost: try again.'];
    body = { error, message: response.status === 400 && text.trim() ? `${message}: ${text.trim()}` : message };
  }
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  headers.set('content-type', 'application/json');
  // tus answers 501 for extensions this centre does not offer (concatenation, deferred length):
  // the request asked for something unsupported, so it is the client's to change, not a fault here.
  if (response.status === 501) {
    const detail = text.trim() || 'That tus extension is not offered by this centre.';
    return new Response(JSON.stringify({ error: 'unsupported-extension', message: `${detail} Upload each file whole, with its length.` }), { status: 400, headers });
  }
  return new Response(JSON.stringify(body), { status: response.status, headers });
}
