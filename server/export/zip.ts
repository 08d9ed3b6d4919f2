import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { contentDisposition } from '../files/download';

/**
 * A ZIP written as a stream with fflate, pulled by the HTTP response: the next bytes of a source
 * file are read only when the client has taken the previous ones, so a portfolio of a few hundred
 * MB never sits in memory. fflate writes no ZIP64, so the caller keeps an archive under 4 GiB
 * (see fitsInZip).
 */

export interface ZipSource {
  name: string;
  /** Deflate text; store media as it is (already compressed, and cheaper to stream). */
  compress: boolean;
  data: Uint8Array | AsyncIterable<Uint8Array>;
}

/** Bytes a ZIP without ZIP64 can address, less room for headers and the central directory. */
const ZIP32_LIMIT = 0xffff_ffff - 64 * 1024 * 1024;

export function fitsInZip(sizes: readonly number[]): boolean {
  let total = 0;
  for (const size of sizes) total += size + 200;
  return sizes.length < 60_000 && total < ZIP32_LIMIT;
}

async function* zipChunks(entries: AsyncIterable<ZipSource>, mtime: Date): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((error, chunk) => {
    if (error) failure = error;
    else out.push(chunk);
  });
  function* drain(): Generator<Uint8Array> {
    if (failure) throw failure;
    while (out.length > 0) yield out.shift()!;
  }
  for await (const entry of entries) {
    const file = entry.compress ? new ZipDeflate(entry.name, { level: 6 }) : new ZipPassThrough(entry.name);
    file.mtime = mtime;
    zip.add(file);
    if (entry.data instanceof Uint8Array) {
      file.push(entry.data, true);
    } else {
      for await (const chunk of entry.data) {
        file.push(chunk);
        yield* drain();
      }
      file.push(new Uint8Array(0), true);
    }
    yield* drain();
  }
  zip.end();
  yield* drain();
}

export function zipStream(entries: AsyncIterable<ZipSource>, mtime: Date, onError: (error: unknown) => void): ReadableStream<Uint8Array> {
  const chunks = zipChunks(entries, mtime);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        // Headers are sent by now: the client sees a broken download; the operator sees why.
        onError(error);
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

/** A ZIP streamed as a download: its failures mid-stream are logged under `what` (the client sees a cut download). */
export function zipDownload(entries: AsyncIterable<ZipSource>, mtime: Date, filename: string, what: string): Response {
  const body = zipStream(entries, mtime, (error) => console.error(`${what} ${filename} failed while streaming`, error));
  return new Response(body, {
    status: 200,
    headers: {
      'Content-Type': 'application/zip',
      'Content-Disposition': contentDisposition('attachment', filename),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
