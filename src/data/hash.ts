/** Above this, the file is hashed in slices so a large video never has to sit in memory whole. */
const WHOLE_FILE_LIMIT = 32 * 1024 * 1024;
const SLICE = 8 * 1024 * 1024;

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function readSlice(blob: Blob): Promise<ArrayBuffer> {
  if (typeof blob.arrayBuffer === 'function') return blob.arrayBuffer();
  return new Response(blob).arrayBuffer();
}

/** SHA-256 of a Blob's bytes as lowercase hex: the attachment's id everywhere. */
export async function sha256OfBlob(blob: Blob, onProgress?: (hashedBytes: number) => void): Promise<string> {
  if (blob.size <= WHOLE_FILE_LIMIT) {
    const digest = await crypto.subtle.digest('SHA-256', await readSlice(blob));
    onProgress?.(blob.size);
    return toHex(digest);
  }
  // Loaded only for files this large: it is not needed on the first screen (bench/README.md, app shell).
  const { createSHA256 } = await import('hash-wasm');
  const hasher = await createSHA256();
  hasher.init();
  for (let offset = 0; offset < blob.size; offset += SLICE) {
    hasher.update(new Uint8Array(await readSlice(blob.slice(offset, offset + SLICE))));
    onProgress?.(Math.min(offset + SLICE, blob.size));
  }
  return hasher.digest('hex');
}
