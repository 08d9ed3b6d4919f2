import { createHash } from 'node:crypto';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import { SEALED_PAGES, type SealedPage } from '../../src/domain/export-manifest';
import { verifyExport, type ExportFiles, type VerifyResult } from '../../src/domain/verify';

/**
 * Verifies an export ZIP as `npm run verify` does (scripts/verify.ts is a thin shell over this, so
 * the tests run exactly the same path). The ZIP may come from anyone, so it is read defensively:
 *  - the central directory is read once; every entry's declared sizes are checked before a byte is
 *    inflated, and inflating stops at the declared size (a zip bomb is refused, not expanded);
 *  - manifest.json is capped at MAX_MANIFEST_BYTES, signature.json at MAX_SIGNATURE_BYTES, each
 *    page at MAX_PAGE_BYTES, and each attachment at the size manifest.json lists for it;
 *  - files and pages are hashed as they inflate, so only the ZIP and manifest.json are in memory;
 *  - duplicate entry names (also differing only in case, which collide when unpacked on Windows or
 *    macOS), unsafe paths, encrypted or oddly compressed entries are refused, so what a person
 *    unpacks and reads is what was verified.
 */

export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
export const MAX_SIGNATURE_BYTES = 64 * 1024;
export const MAX_PAGE_BYTES = 512 * 1024 * 1024;

export interface VerifyZipOptions {
  /** The centre key fingerprint the reader trusts (--centre-key). */
  centreKey?: string | null;
}

interface Entry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  offset: number;
}

class ZipError extends Error {}

/** Reads the central directory (ZIP64 included) without inflating anything. */
function readDirectory(zip: Uint8Array): Entry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => {
    const value = view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('an entry declares an impossible size');
    return Number(value);
  };
  let eocd = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--)
    if (u32(at) === 0x06054b50) {
      eocd = at;
      break;
    }
  if (eocd < 0) throw new ZipError('no end of central directory record');
  let count = u16(eocd + 10);
  let dirSize = u32(eocd + 12);
  let dirOffset = u32(eocd + 16);
  if ((count === 0xffff || dirOffset === 0xffffffff || dirSize === 0xffffffff) && eocd >= 20 && u32(eocd - 20) === 0x07064b50) {
    const z64 = u64(eocd - 12);
    if (z64 + 56 > zip.length || u32(z64) !== 0x06064b50) throw new ZipError('a broken ZIP64 end of central directory record');
    count = u64(z64 + 32);
    dirSize = u64(z64 + 40);
    dirOffset = u64(z64 + 48);
  }
  if (dirOffset + dirSize > zip.length) throw new ZipError('the central directory lies outside the file');
  const entries: Entry[] = [];
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || u32(at) !== 0x02014b50) throw new ZipError('a broken central directory entry');
    const flags = u16(at + 8);
    const method = u16(at + 10);
    let compressedSize = u32(at + 20);
    let size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let offset = u32(at + 42);
    if (at + 46 + nameLength + extraLength + commentLength > zip.length) throw new ZipError('a central directory entry runs past the end of the file');
    const name = new TextDecoder('utf-8', { fatal: false }).decode(zip.subarray(at + 46, at + 46 + nameLength));
    // ZIP64 extended information: the 8-byte fields present are those whose 4-byte field is all ones, in this order.
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; ) {
      const id = u16(e);
      const length = u16(e + 2);
      if (id === 0x0001) {
        let f = e + 4;
        if (size === 0xffffffff) (size = u64(f)), (f += 8);
        if (compressedSize === 0xffffffff) (compressedSize = u64(f)), (f += 8);
        if (offset === 0xffffffff) offset = u64(f);
      }
      e += 4 + length;
    }
    entries.push({ name, method, flags, compressedSize, size, offset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The entry's compressed bytes, after checking its local header agrees with the directory. */
function rawData(zip: Uint8Array, entry: Entry): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  if (entry.offset + 30 > zip.length || view.getUint32(entry.offset, true) !== 0x04034b50) throw new ZipError(`the local header of ${entry.name} is missing`);
  const nameLength = view.getUint16(entry.offset + 26, true);
  const extraLength = view.getUint16(entry.offset + 28, true);
  const localName = new TextDecoder().decode(zip.subarray(entry.offset + 30, entry.offset + 30 + nameLength));
  if (localName !== entry.name) throw new ZipError(`the entry listed as ${entry.name} is stored under another name (${localName})`);
  const start = entry.offset + 30 + nameLength + extraLength;
  if (start + entry.compressedSize > zip.length) throw new ZipError(`${entry.name} runs past the end of the file`);
  return zip.subarray(start, start + entry.compressedSize);
}

/** Inflates a small entry whole, never beyond its declared size. */
function readWhole(zip: Uint8Array, entry: Entry): Uint8Array {
  const data = rawData(zip, entry);
  const bytes = entry.method === 0 ? data : inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size) });
  if (bytes.length !== entry.size) throw new ZipError(`${entry.name} does not hold the ${entry.size} bytes its directory entry declares`);
  return bytes;
}

/** SHA-256 of an entry, inflated as a stream and stopped at its declared size. */
async function hashEntry(zip: Uint8Array, entry: Entry): Promise<string> {
  const data = rawData(zip, entry);
  const hash = createHash('sha256');
  if (entry.method === 0) {
    if (data.length !== entry.size) throw new ZipError(`${entry.name} does not hold the ${entry.size} bytes its directory entry declares`);
    return hash.update(data).digest('hex');
  }
  return new Promise((resolve, reject) => {
    const inflate = createInflateRaw();
    let total = 0;
    inflate.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > entry.size) {
        inflate.destroy();
        reject(new ZipError(`${entry.name} inflates to more than the ${entry.size} bytes its directory entry declares`));
        return;
      }
      hash.update(chunk);
    });
    inflate.on('error', (error) => reject(new ZipError(`${entry.name} cannot be inflated (${error.message})`)));
    inflate.on('end', () => (total === entry.size ? resolve(hash.digest('hex')) : reject(new ZipError(`${entry.name} does not hold the ${entry.size} bytes its directory entry declares`))));
    inflate.end(data);
  });
}

/** A path that unpacks where it says: relative, no . or .. segments, no backslashes or drive letters. */
function safeName(name: string): boolean {
  if (name.length === 0 || name.length > 1024 || name.startsWith('/') || name.includes('\\') || /^[A-Za-z]:/.test(name) || name.includes('\0')) return false;
  const parts = name.replace(/\/$/, '').split('/');
  return parts.every((p) => p !== '' && p !== '.' && p !== '..');
}

const MiB = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;

export async function verifyZip(zip: Uint8Array, options: VerifyZipOptions = {}): Promise<VerifyResult> {
  let entries: Entry[];
  try {
    entries = readDirectory(zip);
  } catch (error) {
    return failed(`The file is not a readable ZIP archive (${(error as Error).message}).`);
  }
  const byName = new Map<string, Entry>();
  const folded = new Map<string, string>();
  const offsets = new Set<number>();
  for (const entry of entries) {
    if (!safeName(entry.name)) return failed(`The ZIP holds an entry with an unsafe name (${JSON.stringify(entry.name.slice(0, 200))}): it would unpack outside its folder or over another file.`);
    if (byName.has(entry.name)) return failed(`The ZIP holds two entries named ${entry.name}: a reader unpacking it may see one while verify checks the other.`);
    const lower = entry.name.toLowerCase();
    if (folded.has(lower)) return failed(`The ZIP holds entries named ${folded.get(lower)} and ${entry.name}, which are the same file when unpacked on Windows or macOS.`);
    if (offsets.has(entry.offset) && !entry.name.endsWith('/')) return failed(`The ZIP has two entries sharing the same data (${entry.name}): it has been crafted, not made by the centre.`);
    if (entry.flags & 1) return failed(`${entry.name} is encrypted; exports are never encrypted.`);
    if (entry.method !== 0 && entry.method !== 8) return failed(`${entry.name} uses compression method ${entry.method}; exports use only stored or deflated entries.`);
    byName.set(entry.name, entry);
    folded.set(lower, entry.name);
    offsets.add(entry.offset);
  }

  const manifestEntry = byName.get('manifest.json');
  if (!manifestEntry) return failed('manifest.json is missing from the ZIP, so this is not an ICT Portfolio export (or it was unpacked and packed again without it).');
  if (manifestEntry.size > MAX_MANIFEST_BYTES)
    return failed(`manifest.json declares ${MiB(manifestEntry.size)} uncompressed, more than the ${MiB(MAX_MANIFEST_BYTES)} an export's manifest may be: it was not inflated (a ZIP bomb, or not an export).`);
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(readWhole(zip, manifestEntry)));
  } catch (error) {
    return failed(`manifest.json is not valid JSON (${(error as Error).message}).`);
  }

  let signature: unknown = null;
  const signatureEntry = byName.get('signature.json');
  if (signatureEntry) {
    if (signatureEntry.size > MAX_SIGNATURE_BYTES) return failed(`signature.json declares ${signatureEntry.size} bytes, far more than a centre seal: it was not inflated.`);
    try {
      signature = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(readWhole(zip, signatureEntry)));
    } catch (error) {
      signature = { unreadable: (error as Error).message };
    }
  }

  const early: VerifyResult['findings'] = [];
  const pages = {} as Record<SealedPage, string | null>;
  for (const page of SEALED_PAGES) {
    const entry = byName.get(page);
    if (!entry) pages[page] = null;
    else if (entry.size > MAX_PAGE_BYTES) {
      pages[page] = 'too-large';
      early.push({ about: page, id: page, problem: `${page} declares ${MiB(entry.size)} uncompressed, more than the ${MiB(MAX_PAGE_BYTES)} a page may be: it was not inflated.` });
    } else {
      try {
        pages[page] = await hashEntry(zip, entry);
      } catch (error) {
        pages[page] = 'unreadable';
        early.push({ about: page, id: page, problem: (error as Error).message });
      }
    }
  }

  // Attachments: each is capped at the size manifest.json lists for it (the file store's size, sealed by the centre).
  const listedSize = new Map<string, number>();
  const listed = new Set<string>();
  if (typeof manifest === 'object' && manifest !== null && Array.isArray((manifest as { evidence?: unknown }).evidence))
    for (const item of (manifest as { evidence: Array<{ attachments?: Array<{ path?: unknown; size?: unknown }> }> }).evidence)
      for (const a of Array.isArray(item?.attachments) ? item.attachments : [])
        if (typeof a?.path === 'string') {
          listed.add(a.path);
          if (typeof a.size === 'number') listedSize.set(a.path, Math.max(listedSize.get(a.path) ?? 0, a.size));
        }
  const files: ExportFiles = {
    async sha256(path) {
      const entry = byName.get(path);
      if (!entry) return null;
      const cap = listedSize.get(path);
      if (cap === undefined || entry.size !== cap) {
        early.push({
          about: path,
          id: path,
          problem: `The file declares ${entry.size} bytes in the ZIP, but manifest.json lists ${cap ?? 'no size'} for it: it was not inflated.`,
        });
        return 'not-read';
      }
      try {
        return await hashEntry(zip, entry);
      } catch (error) {
        early.push({ about: path, id: path, problem: (error as Error).message });
        return 'not-read';
      }
    },
  };

  const result = await verifyExport(manifest, files, { seal: { signature, pages }, centreKey: options.centreKey ?? null });
  result.findings.unshift(...early);
  result.ok = result.findings.length === 0;
  // Entries nobody lists or seals are not tampering with anything signed, but an examiner should know.
  const known = new Set<string>(['manifest.json', 'signature.json', ...SEALED_PAGES]);
  for (const { name } of entries) {
    if (name.endsWith('/') || known.has(name) || listed.has(name)) continue;
    result.notes.push({
      about: name,
      id: name,
      problem: name.startsWith('files/') ? 'This file is in the ZIP but no evidence item in manifest.json lists it.' : 'This file is not part of the export and is not covered by the centre’s seal.',
    });
  }
  return result;
}

function failed(problem: string): VerifyResult {
  return {
    ok: false,
    findings: [{ about: 'The export', id: null, problem }],
    notes: [],
    centreKey: null,
    checked: { files: 0, evidence: 0, decisions: 0, signaturesValid: 0, signedOffItems: 0, keys: 0 },
  };
}
