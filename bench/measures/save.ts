import { statSync } from 'node:fs';
import { join } from 'node:path';
import { launchProfile, openBenchPage } from '../lib/browser';
import { ENROL_4520_03 } from '../lib/app-pages';
import { writePhoto } from '../lib/files';
import { serveStatic } from '../lib/static-server';
import { median } from '../lib/stats';
import type { Context, Figure } from '../lib/types';

type Bench = {
  seedPortfolio(o: unknown): Promise<unknown>;
  prepareItem(): Promise<string>;
  saveAttachment(id: string): Promise<{ ms: number; attachments: number; size: number }>;
  hashOnly(): Promise<number>;
  rawPut(key: string): Promise<{ ms: number }>;
};

/**
 * 3. Saving evidence with a 10 MB photo. The photo is a real PNG file on disk, picked through a
 * file input (a disk-backed File, as from the photo picker). Ours: the editor's save path,
 * addAttachments(item, [file]) (SHA-256 of the bytes, then the Blob, the link, history and outbox
 * in one transaction) until that transaction has committed. Reference: one raw IndexedDB put of
 * the same File until its transaction completes. A new photo each run, so nothing is deduplicated.
 */
export async function measureSave(ctx: Context): Promise<Figure[]> {
  const bytes = 10_000_000;
  const server = await serveStatic(ctx.appDir);
  const profile = await launchProfile('save');
  const dir = join(ctx.out, 'photos');
  try {
    const page = profile.page;
    await openBenchPage(page, `${server.url}/__bench/harness.html`);
    const bench = <T>(fn: (b: Bench, arg: T) => unknown, arg: T) => page.evaluate(fn as never, arg);
    await page.evaluate((o) => (window as unknown as { bench: Bench }).bench.seedPortfolio(o), {
      ...ENROL_4520_03,
      items: 5,
      mappingsPerItem: 3,
      withCompetences: false,
      seed: 3,
      via: 'repository',
    });
    void bench;
    const ours: number[] = [];
    const reference: number[] = [];
    const hash: number[] = [];
    const runs = ctx.quick ? 3 : 5;
    // One warm-up (the first IndexedDB blob write of a profile creates its blob directory).
    for (let run = -1; run < runs; run++) {
      const path = writePhoto(dir, `photo-${run + 1}.png`, bytes, 1000 + run);
      await page.setInputFiles('#file', path);
      const id = await page.evaluate(() => (window as unknown as { bench: Bench }).bench.prepareItem());
      const first = run % 2 === 0 ? 'ours' : 'raw';
      const results: Record<string, number> = {};
      for (const which of first === 'ours' ? ['ours', 'raw'] : ['raw', 'ours']) {
        if (which === 'ours') results.ours = (await page.evaluate((id) => (window as unknown as { bench: Bench }).bench.saveAttachment(id), id)).ms;
        else results.raw = (await page.evaluate((key) => (window as unknown as { bench: Bench }).bench.rawPut(key), `photo-${run}`)).ms;
      }
      const hashMs = await page.evaluate(() => (window as unknown as { bench: Bench }).bench.hashOnly());
      if (run < 0) continue;
      ours.push(results.ours!);
      reference.push(results.raw!);
      hash.push(hashMs);
      ctx.log(`  run ${run + 1}/${runs}: addAttachments ${Math.round(results.ours!)} ms, raw put ${Math.round(results.raw!)} ms (hash alone ${Math.round(hashMs)} ms; ${statSync(path).size} B)`);
    }
    return [
      {
        name: 'Save evidence with a 10 MB photo',
        unit: 'ms',
        ours,
        reference,
        referenceName: 'raw IndexedDB put of the same File',
        target: { ratioMax: 1.3, text: '≤ 1.3× raw put' },
        note: 'addAttachments (hash + one transaction) to commit vs one raw put to complete; disk-backed File from a file input',
        detail: { bytes, medianHashOnlyMs: median(hash), hashOnlyRuns: hash },
      },
    ];
  } finally {
    await profile.close();
    await server.close();
  }
}
