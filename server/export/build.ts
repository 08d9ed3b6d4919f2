import { createHash } from 'node:crypto';
import { exportFilePath } from '../../src/domain/export-manifest';
import { sha256Hex } from '../../src/domain/signing';
import { keyFingerprint, manifestDigest, verifyExport } from '../../src/domain/verify';
import { sealExport } from '../centre-key';
import type { ContentStore } from '../files/store';
import { refuse } from '../http-errors';
import { renderIctTechHtml, renderIndexHtml } from './html';
import type { ExportBundle } from './load';
import { renderReadme } from './readme';
import { fitsInZip, zipDownload, type ZipSource } from './zip';

const text = (value: string) => new TextEncoder().encode(value);

/** The files' bytes as the store gives them, hashed on the way through so index.html can report on them. */
async function* hashed(source: ReadableStream<Uint8Array>, done: (sha256: string) => void): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  const reader = source.getReader();
  try {
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end) break;
      hash.update(value);
      yield value;
    }
    done(hash.digest('hex'));
  } finally {
    // Also when the download is abandoned part-way: closes the file rather than leave it open.
    await reader.cancel();
  }
}

/**
 * The ZIP as a streamed response. Files go first, hashed as they stream; the centre then runs the
 * same verification as `npm run verify` on what it has just written and puts the result at the
 * top of index.html, so a record or file changed in the database or the file store shows up in
 * the export's own page as well as in the verifier.
 */
export async function exportResponse(bundle: ExportBundle, store: ContentStore, filename: string): Promise<Response> {
  const { manifest } = bundle;
  const present: Array<{ sha256: string; size: number }> = [];
  for (const file of bundle.files) {
    const size = await store.size(file.sha256);
    // Listed in the manifest but not held: the export goes ahead and verify names the item.
    if (size === null) console.error(`Export: attachment ${file.sha256} is recorded but missing from the file store`);
    else present.push({ sha256: file.sha256, size });
  }
  // The manifest lists each file at the size the centre holds (the size a device claimed is not
  // evidence of anything), so a verifier can refuse to inflate an entry beyond it.
  const sizes = new Map(present.map((f) => [f.sha256, f.size]));
  for (const item of manifest.evidence) item.attachments = item.attachments.map((a) => ({ ...a, size: sizes.get(a.id) ?? a.size }));
  const manifestText = JSON.stringify(manifest, null, 2);
  const manifestBytes = text(manifestText);
  // The seal covers manifest.json exactly as a reader parses it.
  const manifestSha256 = await manifestDigest(JSON.parse(manifestText));
  if (!fitsInZip([...present.map((f) => f.size), manifestBytes.length * 3]))
    refuse(
      413,
      'too-large',
      'This portfolio is too large for one export file (the ZIP format used holds up to 4 GB). Export an IQA sample instead, or ask the centre to move the largest videos out first.',
    );

  const fingerprints = new Map<string, string>();
  for (const key of manifest.keys) fingerprints.set(key.id, await keyFingerprint(key.publicKey));

  async function* entries(): AsyncGenerator<ZipSource> {
    const hashes = new Map<string, string>();
    for (const file of present) {
      const path = exportFilePath(file.sha256);
      yield { name: path, compress: false, data: hashed(store.read(file.sha256), (sha256) => hashes.set(path, sha256)) };
    }
    yield { name: 'manifest.json', compress: true, data: manifestBytes };
    const checks = await verifyExport(manifest, { sha256: async (path) => hashes.get(path) ?? null }, { seal: 'building' });
    const index = text(renderIndexHtml({ manifest, specs: bundle.specs, icttech: bundle.icttech, fingerprints, checks }));
    const icttech = text(renderIctTechHtml(manifest, bundle.icttech));
    const readme = text(renderReadme(manifest, fingerprints));
    yield { name: 'index.html', compress: true, data: index };
    yield { name: 'icttech.html', compress: true, data: icttech };
    yield { name: 'README.txt', compress: true, data: readme };
    const seal = await sealExport(bundle.centreKey, manifestSha256, { 'index.html': await sha256Hex(index), 'icttech.html': await sha256Hex(icttech), 'README.txt': await sha256Hex(readme) });
    yield { name: 'signature.json', compress: true, data: text(JSON.stringify(seal, null, 2)) };
  }

  return zipDownload(entries(), new Date(manifest.exportedAt), filename, 'Export');
}

/** A file name that says whose export it is and when: eqa-jordan-ellis-2026-11-23.zip. */
export function exportFilename(subject: string, at: Date): string {
  const slug =
    subject
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'portfolio';
  return `eqa-${slug}-${at.toISOString().slice(0, 10)}.zip`;
}
