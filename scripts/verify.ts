import { readFile } from 'node:fs/promises';
import { verifyZip } from '../server/export/verify-zip';
import { formatFinding } from '../src/domain/verify';

/**
 * npm run verify -- FILE.zip [--centre-key FINGERPRINT]
 * Checks an EQA export (server/export/verify-zip.ts, src/domain/verify.ts): prints each problem
 * naming the item and exits 1, or prints a summary and exits 0. Exit 2: the file could not be read.
 * With --centre-key, the export must be sealed by the centre key with that RFC 7638 fingerprint;
 * without it, the fingerprint of the key that sealed it is printed for the reader to compare with
 * the one their centre published.
 */
const USAGE = 'Usage: npm run verify -- FILE.zip [--centre-key FINGERPRINT]';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let path: string | null = null;
  let pinned: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--centre-key') {
      pinned = args[++i] ?? null;
      if (!pinned) {
        console.error(`--centre-key needs the fingerprint your centre published.\n${USAGE}`);
        return 2;
      }
    } else if (arg.startsWith('--centre-key=')) pinned = arg.slice('--centre-key='.length);
    else if (path === null && !arg.startsWith('--')) path = arg;
    else {
      console.error(USAGE);
      return 2;
    }
  }
  if (!path) {
    console.error(USAGE);
    return 2;
  }
  let zip: Uint8Array;
  try {
    zip = new Uint8Array(await readFile(path));
  } catch (error) {
    console.error(`Cannot read ${path}: ${(error as Error).message}`);
    return 2;
  }
  const result = await verifyZip(zip, { centreKey: pinned });
  for (const note of result.notes) console.log(`Note: ${formatFinding(note)}`);
  const key = result.centreKey;
  if (key && !pinned)
    console.log(
      `Sealed by the centre key of ${key.centreName} with fingerprint ${key.fingerprint}.\n` +
        'Compare it with the fingerprint your centre published: anyone can seal an export with a key of their own, so only that comparison shows it came from the centre.\n' +
        `(Run again with --centre-key ${key.fingerprint} to have it checked for you.)`,
    );
  else if (key?.pinned) console.log(`Sealed by the centre key you gave (${key.fingerprint}), of ${key.centreName}.`);
  const c = result.checked;
  const summary = `${c.files} files, ${c.evidence} evidence items, ${c.decisions} decisions (${c.signaturesValid} signatures valid), ${c.signedOffItems} signed-off items, ${c.keys} keys`;
  if (!result.ok) {
    for (const finding of result.findings) console.error(`PROBLEM: ${formatFinding(finding)}`);
    console.error(`\n${path} FAILED verification: ${result.findings.length} problem${result.findings.length === 1 ? '' : 's'} (checked ${summary}).`);
    return 1;
  }
  console.log(
    `${path} verified: ${summary}. The centre's seal covers the manifest and pages, every key is certified by the centre, every file matches its SHA-256, every signature verifies with its signer's key, and every signed-off item is as it was signed.`,
  );
  return 0;
}

process.exitCode = await main();
