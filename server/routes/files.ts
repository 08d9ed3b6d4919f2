import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { Sha256Hex } from '../../src/domain/evidence';
import { requireCaller, requireRole } from '../auth/middleware';
import type { AppEnv, Services } from '../context';
import { parseOr400, readQuery, refuse } from '../http-errors';
import { downloadResponse } from '../files/download';
import { readableAttachment } from '../files/owners';
import { diskContentStore } from '../files/store';
import { MAX_UPLOAD_BYTES, uploadServer } from '../files/uploads';

/**
 *   POST  /api/files/uploads          start a tus upload (learners), Upload-Metadata: sha256, filename, filetype
 *   HEAD  /api/files/uploads/:id      where to resume
 *   PATCH /api/files/uploads/:id      the next bytes
 *   DELETE /api/files/uploads/:id     give up an upload
 *   HEAD  /api/files/sha256/:hash     200 if the centre already holds these bytes for someone you can see
 *   GET   /api/files/sha256/:hash     the bytes (Range supported)
 */

const HashParam = z.object({ hash: Sha256Hex });
const UploadIdParam = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/, 'Not an upload id') });
const DownloadQuery = z.object({ name: z.string().min(1).max(255).optional() });
const UploadLength = z.string().regex(/^\d{1,16}$/, 'Upload-Length is a whole number of bytes');

const NOT_HELD = 'The centre holds no such file that you can see.';

export function filesRoutes(services: Services): Hono<AppEnv> {
  const store = diskContentStore(join(services.filesDir, 'sha256'));
  const uploads = uploadServer(services, store);
  const files = new Hono<AppEnv>();
  files.use('*', requireCaller(services));

  // Learners upload their evidence files, assessors the files of what they record (a discussion's
  // audio); a file is held for its uploader until an item in a learner's portfolio adopts it.
  files.use('/uploads', requireRole('learner', 'assessor'));
  files.use('/uploads/*', requireRole('learner', 'assessor'));

  const tus = async (c: Context<AppEnv>) => {
    // Hono routes HEAD as GET; a real GET of an upload is not part of the protocol here.
    if (c.req.method === 'GET') refuse(404, 'not-found', 'Uploads cannot be read back: fetch the file by its hash.');
    if (c.req.param('id') !== undefined) parseOr400(UploadIdParam, c.req.param());
    if (c.req.method === 'POST') {
      if (c.req.header('upload-defer-length') !== undefined)
        refuse(400, 'invalid-upload', 'Give the size of the file (Upload-Length) when starting an upload.');
      const length = c.req.header('upload-length');
      // Refused before any byte is sent, with words the app can show.
      if (length !== undefined && Number(parseOr400(UploadLength, length)) > MAX_UPLOAD_BYTES)
        refuse(413, 'too-large', `Files can be at most ${MAX_UPLOAD_BYTES / 1024 ** 3} GB. Shorten or compress this one.`);
    }
    return uploads.handle(c.req.raw, c.get('caller'));
  };
  files.all('/uploads', tus);
  files.all('/uploads/:id', tus);

  // Also answers HEAD (Hono routes it here): the device asks before uploading bytes the centre may hold.
  files.get('/sha256/:hash', async (c) => {
    const { hash } = parseOr400(HashParam, c.req.param());
    const { name } = readQuery(c, DownloadQuery);
    // 404, never 403: whether someone else holds a file is not the caller's to know.
    const info = await readableAttachment(services.db, c.get('caller'), hash);
    if (!info) refuse(404, 'not-found', NOT_HELD);
    const size = await store.size(hash);
    if (size === null) {
      // The database says we hold it but the disk does not: a fault for the operator, not the caller.
      console.error(`Attachment ${hash} is recorded but missing from the file store`);
      refuse(404, 'not-found', NOT_HELD);
    }
    return downloadResponse(store, info, size, {
      method: c.req.method,
      range: c.req.header('range'),
      ifNoneMatch: c.req.header('if-none-match'),
      filename: name,
    });
  });

  return files;
}
