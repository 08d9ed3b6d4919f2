import { readFile } from 'node:fs/promises';
import { verifyZip } from '../server/export/verify-zip';
import { formatFinding } from '../src/domain/verify';

/**
 * npm run verify -- FILE.zip
 * Checks an EQA export (server/export/verify-zip.ts, src/domain/verify.ts): prints each problem
 * naming the item and exits 1, or prints a summary and exits 0. Exit 2: the file could not be read.
 */
async function main(): Promise<number> {
  const path = process.argv[2];
  if (!path || process.argv.length > 3) {
    console.error('Usage: npm run verify -- FILE.zip');
    return 2;
  }
  let zip: Uint8Array;
  try {
    zip = new Uint8Array(await readFile(path));
  } catch (error) {
    console.error(`Cannot read ${path}: ${(error as Error).message}`);
    return 2;
  }
  const result = await verifyZip(zip);
  for (const note of result.notes) console.log(`Note: ${formatFinding(note)}`);
  const c = result.checked;
  const summary = `${c.files} files, ${c.evidence} evidence items, ${c.decisions} decisions (${c.signaturesValid} signatures valid), ${c.signedOffItems} signed-off items, ${c.keys} keys`;
  if (!result.ok) {
    for (const finding of result.findings) console.error(`PROBLEM: ${formatFinding(finding)}`);
    console.error(`\n${path} FAILED verification: ${result.findings.length} problem${result.findings.length === 1 ? '' : 's'} (checked ${summary}).`);
    return 1;
  }
  console.log(`${path} verified: ${summary}. Every file matches its SHA-256, every signature verifies with its signer's key, and every signed-off item is as it was signed.`);
  return 0;
}

process.exitCode = await main();
