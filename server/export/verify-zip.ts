import { unzipSync } from 'fflate';
import { filesFromBytes, verifyExport, type VerifyResult } from '../../src/domain/verify';

/**
 * Verifies an export ZIP as `npm run verify` does (scripts/verify.ts is a thin shell over this, so
 * the tests run exactly the same path). Files are inflated one at a time as the verifier asks for
 * them, so only the ZIP and one file are in memory at once.
 */
export async function verifyZip(zip: Uint8Array): Promise<VerifyResult> {
  let names: string[];
  try {
    names = [];
    // A filter that keeps nothing lists the central directory without inflating anything.
    unzipSync(zip, {
      filter: (file) => {
        names.push(file.name);
        return false;
      },
    });
  } catch (error) {
    return failed(`The file is not a readable ZIP archive (${(error as Error).message}).`);
  }
  const present = new Set(names);
  const read = (path: string): Uint8Array | null => (present.has(path) ? (unzipSync(zip, { filter: (f) => f.name === path })[path] ?? null) : null);

  const manifestBytes = read('manifest.json');
  if (!manifestBytes) return failed('manifest.json is missing from the ZIP, so this is not an ICT Portfolio export (or it was unpacked and packed again without it).');
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes));
  } catch (error) {
    return failed(`manifest.json is not valid JSON (${(error as Error).message}).`);
  }

  const result = await verifyExport(manifest, filesFromBytes(read));
  // Files nobody lists are not tampering with anything signed, but an examiner should know.
  const listed = new Set<string>();
  if (typeof manifest === 'object' && manifest !== null && Array.isArray((manifest as { evidence?: unknown }).evidence))
    for (const item of (manifest as { evidence: Array<{ attachments?: Array<{ path?: unknown }> }> }).evidence)
      for (const a of item.attachments ?? []) if (typeof a.path === 'string') listed.add(a.path);
  for (const name of names)
    if (name.startsWith('files/') && !listed.has(name)) result.notes.push({ about: name, id: name, problem: 'This file is in the ZIP but no evidence item in manifest.json lists it.' });
  return result;
}

function failed(problem: string): VerifyResult {
  return {
    ok: false,
    findings: [{ about: 'The export', id: null, problem }],
    notes: [],
    checked: { files: 0, evidence: 0, decisions: 0, signaturesValid: 0, signedOffItems: 0, keys: 0 },
  };
}
