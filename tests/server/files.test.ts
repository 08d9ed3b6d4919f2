import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARTIAL_UPLOAD_LIFETIME_MS, removeExpiredUploads } from '../../server/files/uploads';
import { startTestCentre, type TestCentre, type TestUser } from './harness';

let centre: TestCentre;
let learner: TestUser;
let learner2: TestUser;
let assessor: TestUser;
let otherAssessor: TestUser;
let otherAdmin: TestUser;
let token: string;
let token2: string;

beforeAll(async () => {
  centre = await startTestCentre();
  const centreId = await centre.createCentre('Files College');
  const otherCentreId = await centre.createCentre('Other College');
  learner = await centre.createUser('learner', centreId);
  learner2 = await centre.createUser('learner', centreId);
  assessor = await centre.createUser('assessor', centreId);
  otherAssessor = await centre.createUser('assessor', centreId);
  otherAdmin = await centre.createUser('admin', otherCentreId);
  await centre.db.query('insert into caseloads (assessor_id, learner_id) values ($1, $2)', [assessor.id, learner.id]);
  token = await centre.tokenFor(learner);
  token2 = await centre.tokenFor(learner2);
});
afterAll(async () => {
  await centre.close();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const TUS = { 'Tus-Resumable': '1.0.0' };

function metadata(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k} ${b64(v)}`)
    .join(',');
}

function tus(method: string, path: string, auth: string | null, headers: Record<string, string> = {}, body?: RequestInit['body']) {
  return centre.app.request(
    new Request(`http://localhost${path}`, {
      method,
      headers: { ...TUS, ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...headers },
      ...(body !== undefined ? { body, duplex: 'half' } : {}),
    } as RequestInit),
  );
}

async function startUpload(auth: string, bytes: Uint8Array<ArrayBuffer>, fields: Partial<Record<'sha256' | 'filename' | 'filetype', string>> = {}): Promise<string> {
  const response = await tus('POST', '/api/files/uploads', auth, {
    'Upload-Length': String(bytes.byteLength),
    'Upload-Metadata': metadata({ sha256: sha256(bytes), filename: 'photo.jpg', filetype: 'image/jpeg', ...fields }),
  });
  expect(response.status).toBe(201);
  const location = response.headers.get('location')!;
  // Same origin, relative: the device keeps it and resumes against whichever host serves the app.
  expect(location).toMatch(/^\/api\/files\/uploads\/[0-9a-f]{32}$/);
  return location;
}

function patch(auth: string, location: string, offset: number, chunk: RequestInit['body']) {
  return tus('PATCH', location, auth, { 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' }, chunk);
}

async function upload(auth: string, bytes: Uint8Array<ArrayBuffer>, fields: Partial<Record<'sha256' | 'filename' | 'filetype', string>> = {}): Promise<Response> {
  const location = await startUpload(auth, bytes, fields);
  return patch(auth, location, 0, bytes);
}

function stored(hash: string): string {
  return join(centre.filesDir, 'sha256', hash.slice(0, 2), hash);
}

function get(path: string, auth: string | null, headers: Record<string, string> = {}, method = 'GET') {
  return centre.request(method, path, { ...(auth ? { token: auth } : {}), headers });
}

describe('resumable upload', () => {
  it('resumes an interrupted upload from the offset the centre reports, then stores the bytes by hash', async () => {
    const bytes = new Uint8Array(randomBytes(300 * 1024));
    const hash = sha256(bytes);
    const location = await startUpload(token, bytes);

    const first = await patch(token, location, 0, bytes.slice(0, 100 * 1024));
    expect(first.status).toBe(204);
    expect(first.headers.get('upload-offset')).toBe(String(100 * 1024));

    // The connection drops part-way through the second chunk.
    const dropping = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(100 * 1024, 150 * 1024));
      },
      pull(controller) {
        controller.error(new Error('connection reset'));
      },
    });
    const broken = await patch(token, location, 100 * 1024, dropping);
    expect(broken.status).toBeGreaterThanOrEqual(400);

    const head = await tus('HEAD', location, token);
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-length')).toBe(String(bytes.byteLength));
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBeGreaterThanOrEqual(100 * 1024);
    expect(offset).toBeLessThanOrEqual(150 * 1024);

    // A stale offset is refused rather than written in the wrong place.
    if (offset !== 0) expect((await patch(token, location, 0, bytes.slice(0, 10))).status).toBe(409);

    const rest = await patch(token, location, offset, bytes.slice(offset));
    expect(rest.status).toBe(204);
    expect(rest.headers.get('upload-offset')).toBe(String(bytes.byteLength));

    expect(sha256(readFileSync(stored(hash)))).toBe(hash);
    expect(await centre.db.query('select size::int as size, type from attachments where sha256 = $1', [hash])).toEqual([{ size: bytes.byteLength, type: 'image/jpeg' }]);
    expect(await centre.db.query('select learner_id from attachment_owners where sha256 = $1', [hash])).toEqual([{ learner_id: learner.id }]);
    // The partial upload is gone once its bytes are in the store.
    const id = location.split('/').pop()!;
    expect(readdirSync(join(centre.filesDir, 'uploads')).filter((f) => f.startsWith(id))).toEqual([]);
    expect((await centre.db.query(`select 1 from audit_log where action = 'attachment.upload' and record_id = $1`, [hash])).length).toBe(1);
  });

  it('refuses bytes whose SHA-256 is not the one declared, and keeps nothing', async () => {
    const bytes = new Uint8Array(randomBytes(2048));
    const declared = sha256(new Uint8Array(randomBytes(16)));
    const location = await startUpload(token, bytes, { sha256: declared });
    const response = await patch(token, location, 0, bytes);
    expect(response.status).toBe(460);
    expect(await response.json()).toMatchObject({ error: 'checksum-mismatch', message: expect.stringMatching(/SHA-256/) });
    expect(existsSync(stored(declared))).toBe(false);
    expect(existsSync(stored(sha256(bytes)))).toBe(false);
    expect(await centre.db.query('select 1 from attachments where sha256 = any($1::text[])', [[declared, sha256(bytes)]])).toEqual([]);
    expect((await tus('HEAD', location, token)).status).toBe(404);
  });

  it('keeps one copy of bytes uploaded twice, and lets the device ask first', async () => {
    const bytes = new Uint8Array(randomBytes(4096));
    const hash = sha256(bytes);
    expect((await get(`/api/files/sha256/${hash}`, token, {}, 'HEAD')).status).toBe(404);
    expect((await upload(token, bytes)).status).toBe(204);
    expect((await get(`/api/files/sha256/${hash}`, token, {}, 'HEAD')).status).toBe(200);

    // Held for learner 1 only: learner 2 is not told, uploads, and the centre keeps one copy.
    expect((await get(`/api/files/sha256/${hash}`, token2, {}, 'HEAD')).status).toBe(404);
    expect((await upload(token2, bytes, { filename: 'same.jpg' })).status).toBe(204);
    expect((await get(`/api/files/sha256/${hash}`, token2, {}, 'HEAD')).status).toBe(200);
    expect(readdirSync(join(centre.filesDir, 'sha256', hash.slice(0, 2))).filter((f) => f === hash)).toHaveLength(1);
    const owners = await centre.db.query<{ learner_id: string }>('select learner_id from attachment_owners where sha256 = $1 order by learner_id', [hash]);
    expect(owners.map((o) => o.learner_id).sort()).toEqual([learner.id, learner2.id].sort());
  });

  it('accepts an empty file', async () => {
    const bytes = new Uint8Array(0);
    const response = await tus('POST', '/api/files/uploads', token, {
      'Upload-Length': '0',
      'Upload-Metadata': metadata({ sha256: sha256(bytes), filename: 'empty.txt', filetype: 'text/plain' }),
    });
    expect(response.status).toBe(201);
    expect((await get(`/api/files/sha256/${sha256(bytes)}`, token)).status).toBe(200);
  });

  it('validates the upload details and refuses files over the limit before any byte', async () => {
    const bytes = new Uint8Array(randomBytes(10));
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ 'Upload-Length': '10', 'Upload-Metadata': metadata({ sha256: 'nothex', filename: 'a', filetype: 'text/plain' }) }, 400, 'invalid-upload'],
      [{ 'Upload-Length': '10', 'Upload-Metadata': metadata({ sha256: sha256(bytes), filetype: 'text/plain' }) }, 400, 'invalid-upload'],
      [{ 'Upload-Length': '10', 'Upload-Metadata': metadata({ sha256: sha256(bytes), filename: 'x'.repeat(256), filetype: 'text/plain' }) }, 400, 'invalid-upload'],
      [{ 'Upload-Length': String(5 * 1024 ** 3), 'Upload-Metadata': metadata({ sha256: sha256(bytes), filename: 'a', filetype: 'video/mp4' }) }, 413, 'too-large'],
      [{ 'Upload-Length': '1e3', 'Upload-Metadata': metadata({ sha256: sha256(bytes), filename: 'a', filetype: 'video/mp4' }) }, 400, 'invalid-request'],
      [{ 'Upload-Defer-Length': '1', 'Upload-Metadata': metadata({ sha256: sha256(bytes), filename: 'a', filetype: 'video/mp4' }) }, 400, 'invalid-upload'],
    ];
    for (const [headers, status, error] of cases) {
      const response = await tus('POST', '/api/files/uploads', token, headers);
      expect(response.status, JSON.stringify(headers)).toBe(status);
      expect(await response.json()).toMatchObject({ error, message: expect.any(String) });
    }
  });

  it('lets only the uploader continue an upload', async () => {
    const bytes = new Uint8Array(randomBytes(100));
    const location = await startUpload(token, bytes);
    expect((await tus('HEAD', location, token2)).status).toBe(404);
    const foreign = await patch(token2, location, 0, bytes);
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toMatchObject({ error: 'not-found' });
    expect((await tus('HEAD', location, token)).headers.get('upload-offset')).toBe('0');

    // An assessor uploads files of what they record, but never sees or continues a learner's upload.
    const assessorToken = await centre.tokenFor(assessor);
    expect((await tus('HEAD', location, assessorToken)).status).toBe(404);
    expect((await patch(assessorToken, location, 0, bytes)).status).toBe(404);
    expect((await tus('POST', '/api/files/uploads', null, { 'Upload-Length': '1' })).status).toBe(401);
    expect((await tus('HEAD', '/api/files/uploads/../../etc', token)).status).toBe(404);
  });

  it('removes an upload left unfinished past its lifetime, bytes and all, and tells the device it is gone', async () => {
    const bytes = new Uint8Array(randomBytes(1000));
    const location = await startUpload(token, bytes);
    expect((await patch(token, location, 0, bytes.slice(0, 400))).status).toBe(204);
    const id = location.split('/').pop()!;
    const uploads = join(centre.filesDir, 'uploads');
    // Every unfinished upload of this file's tests is young: none goes.
    expect(await removeExpiredUploads(centre.filesDir)).toBe(0);
    expect(readFileSync(join(uploads, id)).byteLength).toBe(400);

    // Started a lifetime and a minute ago, as tus recorded it.
    const record = join(uploads, `${id}.json`);
    const info = JSON.parse(readFileSync(record, 'utf8')) as { creation_date: string };
    info.creation_date = new Date(Date.now() - PARTIAL_UPLOAD_LIFETIME_MS - 60_000).toISOString();
    writeFileSync(record, JSON.stringify(info));
    // Past its lifetime, the device is told it is gone before the clean-up runs, and then it goes.
    expect((await tus('HEAD', location, token)).status).toBe(410);
    expect(await removeExpiredUploads(centre.filesDir)).toBe(1);
    expect(existsSync(join(uploads, id))).toBe(false);
    expect(existsSync(record)).toBe(false);
    const gone = await patch(token, location, 400, bytes.slice(400));
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: 'not-found' });

    // A centre that never had an upload has nothing to remove, and says so.
    expect(await removeExpiredUploads(join(centre.filesDir, 'never-used'))).toBe(0);

    // Started again, the file arrives whole.
    expect((await upload(token, bytes)).status).toBe(204);
    expect(existsSync(stored(sha256(bytes)))).toBe(true);
  });
});

describe('download', () => {
  const photo = new Uint8Array(randomBytes(1000));
  const photoHash = sha256(photo);

  beforeAll(async () => {
    expect((await upload(token, photo)).status).toBe(204);
  });

  it('serves the bytes with headers that stop them running as our page', async () => {
    const response = await get(`/api/files/sha256/${photoHash}?name=${encodeURIComponent('Photo é 1.jpg')}`, token);
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(photo);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('content-length')).toBe('1000');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(response.headers.get('content-disposition')).toBe(`inline; filename="Photo _ 1.jpg"; filename*=UTF-8''Photo%20%C3%A9%201.jpg`);
    expect(response.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    const etag = response.headers.get('etag')!;
    expect((await get(`/api/files/sha256/${photoHash}`, token, { 'If-None-Match': etag })).status).toBe(304);
  });

  it('offers SVG and HTML as downloads, never inline', async () => {
    for (const [type, body] of [
      ['image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
      ['text/html', '<script>alert(document.cookie)</script>'],
    ] as const) {
      const bytes = new TextEncoder().encode(body);
      expect((await upload(token, bytes, { filename: 'x', filetype: type })).status).toBe(204);
      const response = await get(`/api/files/sha256/${sha256(bytes)}`, token);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; /);
      expect(response.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('answers byte ranges, for video', async () => {
    const part = await get(`/api/files/sha256/${photoHash}`, token, { Range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/1000');
    expect(part.headers.get('content-length')).toBe('10');
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(photo.slice(10, 20));

    const tail = await get(`/api/files/sha256/${photoHash}`, token, { Range: 'bytes=-5' });
    expect(tail.status).toBe(206);
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(photo.slice(995));

    const open = await get(`/api/files/sha256/${photoHash}`, token, { Range: 'bytes=990-' });
    expect(open.headers.get('content-range')).toBe('bytes 990-999/1000');

    const outside = await get(`/api/files/sha256/${photoHash}`, token, { Range: 'bytes=5000-' });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe('bytes */1000');
  });

  it('answers 404, never 403, to anyone who may not see the learner', async () => {
    for (const auth of [token2, await centre.tokenFor(otherAssessor), await centre.tokenFor(otherAdmin)]) {
      for (const method of ['GET', 'HEAD']) {
        const response = await get(`/api/files/sha256/${photoHash}`, auth, {}, method);
        expect(response.status).toBe(404);
      }
      expect(await (await get(`/api/files/sha256/${photoHash}`, auth)).json()).toMatchObject({ error: 'not-found' });
    }
    // The learner's own assessor may.
    expect((await get(`/api/files/sha256/${photoHash}`, await centre.tokenFor(assessor))).status).toBe(200);
    expect((await get(`/api/files/sha256/${photoHash}`, null)).status).toBe(401);
    expect((await get('/api/files/sha256/not-a-hash', token)).status).toBe(400);
  });
});
