import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';

/**
 * Where attachment bytes live, addressed by their SHA-256. The centre reads and writes them only
 * through this interface, so an S3-compatible store can replace the disk one.
 */
export interface ContentStore {
  /** Size in bytes, or null when the store does not hold these bytes. */
  size(sha256: string): Promise<number | null>;
  /** Takes a local file whose hash has been checked into the store; the local file is gone afterwards. */
  adopt(sha256: string, localPath: string): Promise<void>;
  /** The bytes, or the inclusive byte range of them. */
  read(sha256: string, range?: { start: number; end: number }): ReadableStream<Uint8Array>;
  /** Deletes the bytes (an erasure, once no one holds them any more); bytes already gone are fine. */
  remove(sha256: string): Promise<void>;
}

/** `${root}/<first two hex>/<hash>`: a fan-out so no directory grows to millions of entries. */
export function diskContentStore(root: string): ContentStore {
  const pathOf = (sha256: string) => {
    // The hash is validated by every caller; this guards the path against anything else.
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`Not a SHA-256 hash: ${sha256}`);
    return join(root, sha256.slice(0, 2), sha256);
  };
  return {
    async size(sha256) {
      try {
        return (await stat(pathOf(sha256))).size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async adopt(sha256, localPath) {
      const target = pathOf(sha256);
      if ((await this.size(sha256)) !== null) {
        // Same hash, same bytes: keep the copy we have and drop the duplicate.
        await unlink(localPath);
        return;
      }
      await mkdir(dirname(target), { recursive: true });
      // A rename within one file system is atomic: readers see no file or the whole file.
      await rename(localPath, target);
    },
    read(sha256, range) {
      const stream = createReadStream(pathOf(sha256), range ? { start: range.start, end: range.end } : {});
      return Readable.toWeb(stream) as ReadableStream<Uint8Array>;
    },
    async remove(sha256) {
      try {
        await unlink(pathOf(sha256));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    },
  };
}

/** SHA-256 of a file, streamed: a 4 GB video is never held in memory. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
