import type { AttachmentInfo } from './owners';
import type { ContentStore } from './store';

/**
 * Serving attachment bytes on the app's own origin safely. A learner can upload anything,
 * including HTML or SVG with script in it; so every response forbids sniffing, sandboxes the
 * document (no script, no same-origin access even if a browser renders it), and only images,
 * video and audio are shown inline. SVG is an image that can carry script: it is always a download.
 */

/** Types a browser shows in place; everything else is offered as a download. */
export function displaysInline(type: string): boolean {
  const base = type.split(';')[0]!.trim().toLowerCase();
  if (base === 'image/svg+xml') return false;
  return /^(image|video|audio)\//.test(base);
}

/** RFC 6266 / 5987: a plain ASCII fallback and the exact UTF-8 name. */
export function contentDisposition(kind: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export type ByteRange = { start: number; end: number };

/**
 * One `bytes=` range (what video players ask for). Several ranges or a malformed header are
 * answered with the whole file, which RFC 9110 allows; 'unsatisfiable' gets a 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    // Suffix: the last N bytes.
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (match[2] !== '' && Number(match[2]) < start) return null;
  }
  if (start >= size || !Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return 'unsatisfiable';
  return { start, end };
}

export interface DownloadRequest {
  method: string;
  range: string | undefined;
  ifNoneMatch: string | undefined;
  /** The name to save under (from the evidence's attachment list); defaults to the hash. */
  filename: string | undefined;
}

export function downloadResponse(store: ContentStore, info: AttachmentInfo, size: number, request: DownloadRequest): Response {
  const etag = `"${info.sha256}"`;
  const headers = new Headers({
    'Content-Type': info.type,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "sandbox; default-src 'none'",
    'Content-Disposition': contentDisposition(displaysInline(info.type) ? 'inline' : 'attachment', request.filename ?? info.sha256),
    // The URL names the bytes, so they never change; private because they are personal data.
    'Cache-Control': 'private, max-age=31536000, immutable',
    'Cross-Origin-Resource-Policy': 'same-origin',
    ETag: etag,
    'Accept-Ranges': 'bytes',
  });
  if (request.ifNoneMatch?.split(',').some((tag) => tag.trim() === etag || tag.trim() === `W/${etag}`))
    return new Response(null, { status: 304, headers });

  const range = parseRange(request.range, size);
  if (range === 'unsatisfiable') {
    headers.set('Content-Range', `bytes */${size}`);
    headers.set('Content-Type', 'application/json');
    headers.delete('Content-Disposition');
    return new Response(JSON.stringify({ error: 'range-not-satisfiable', message: `The file has ${size} bytes; the range asked for is outside it.` }), {
      status: 416,
      headers,
    });
  }
  const status = range ? 206 : 200;
  const length = range ? range.end - range.start + 1 : size;
  headers.set('Content-Length', String(length));
  if (range) headers.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  if (request.method === 'HEAD' || length === 0) return new Response(null, { status, headers });
  return new Response(store.read(info.sha256, range ?? undefined), { status, headers });
}
