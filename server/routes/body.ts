import type { Context } from 'hono';
import { refuse } from '../http-errors';

/**
 * Reads a request body as text, refusing with 413 as soon as it passes maxBytes: first by the
 * declared Content-Length, then by counting what actually arrives, because a client can send a
 * chunked body with no length or a length that lies. Nothing larger is ever held in memory.
 */
export async function readLimitedText(c: Context, maxBytes: number, what: string): Promise<string> {
  const tooLarge = () => refuse(413, 'too-large', `${what} is larger than ${Math.round(maxBytes / 1024)} KB, the most this centre accepts.`);
  const declared = c.req.header('content-length');
  if (declared !== undefined && (!/^\d+$/.test(declared) || Number(declared) > maxBytes)) tooLarge();
  const stream = c.req.raw.body;
  if (!stream) return '';
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    refuse(400, 'invalid-encoding', `${what} is not UTF-8 text.`);
  }
}

/**
 * JSON.parse already makes "__proto__" an ordinary own key rather than a prototype, but a key
 * with that name has no business in our data and could turn dangerous in a later Object.assign
 * or merge: drop it on the way in.
 */
export function parseJsonText(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => (key === '__proto__' ? undefined : value));
}
