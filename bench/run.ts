/**
 * `npm run bench` (and `npm run bench -- --quick`): builds what it needs, runs each measure with
 * its reference side by side in this one run, prints every figure (min / median / max, the
 * reference, the ratio and the target) and writes bench/results.json. It never fails on a number:
 * it exits non-zero only when a measure could not run at all. See bench/README.md.
 *
 *   --quick          fewer runs and smaller data (under 3 minutes)
 *   --only=a,b       only these measures (shell, coldstart, save, big, sync, badlink, load)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installSignalHandlers, runCleanups } from './lib/cleanup';
import { ROOT } from './lib/procs';
import { summary } from './lib/stats';
import type { Context, Figure } from './lib/types';
import { measureBigPortfolio } from './measures/big-portfolio';
import { measureColdStart } from './measures/cold-start';
import { measureBadLink } from './measures/bad-link';
import { measureLoad } from './measures/load';
import { measureSave } from './measures/save';
import { buildApp, measureShell } from './measures/shell';
import { measureSync } from './measures/sync';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');

const MEASURES: Array<{ key: string; title: string; run: (ctx: Context) => Promise<Figure[]> }> = [
  { key: 'shell', title: '1. App shell bytes', run: measureShell },
  { key: 'coldstart', title: '2. Offline cold start', run: measureColdStart },
  { key: 'save', title: '3. Saving evidence with a 10 MB photo', run: measureSave },
  { key: 'big', title: '4. A big portfolio', run: measureBigPortfolio },
  { key: 'sync', title: '5. Sync: new device and incremental', run: measureSync },
  { key: 'badlink', title: '6. Upload over a bad link', run: measureBadLink },
  { key: 'load', title: '7. The centre under load (PostgreSQL)', run: measureLoad },
];

function fmt(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '–';
  if (unit === 'B') return value >= 10_000 ? `${(value / 1024).toFixed(1)} KiB` : `${Math.round(value)} B`;
  if (unit === 'MiB') return `${value.toFixed(1)} MiB`;
  if (unit === 'ms') return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
  if (unit === 'req/s') return `${Math.round(value)} req/s`;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}

function triple(values: number[] | null, unit: string): string {
  if (!values || values.length === 0) return '–';
  const s = summary(values);
  return `${fmt(s.min, unit)} / ${fmt(s.median, unit)} / ${fmt(s.max, unit)}`;
}

interface ResultRow {
  name: string;
  unit: string;
  ours: number;
  reference: number | null;
  referenceName: string;
  ratio: number | null;
  target: string;
  met: boolean | null;
  runs: number;
  oursMin: number;
  oursMax: number;
  referenceMin: number | null;
  referenceMax: number | null;
  oursRuns: number[];
  referenceRuns: number[] | null;
  note?: string;
  detail?: Record<string, unknown>;
}

function toRow(f: Figure): ResultRow {
  const ours = summary(f.ours);
  const ref = f.reference && f.reference.length > 0 ? summary(f.reference) : null;
  const ratio = ref && ref.median > 0 ? ours.median / ref.median : null;
  let met: boolean | null = null;
  if (f.target) {
    met = true;
    if (f.target.ratioMax !== undefined) met &&= ratio !== null && ratio <= f.target.ratioMax;
    if (f.target.absMax !== undefined) met &&= ours.median <= f.target.absMax;
  }
  return {
    name: f.name,
    unit: f.unit,
    ours: ours.median,
    reference: ref?.median ?? null,
    referenceName: f.referenceName,
    ratio,
    target: f.target?.text ?? 'reported only',
    met,
    runs: Math.min(f.ours.length, f.reference?.length ?? Infinity),
    oursMin: ours.min,
    oursMax: ours.max,
    referenceMin: ref?.min ?? null,
    referenceMax: ref?.max ?? null,
    oursRuns: f.ours,
    referenceRuns: f.reference,
    ...(f.note ? { note: f.note } : {}),
    ...(f.detail ? { detail: f.detail } : {}),
  };
}

function table(rows: ResultRow[]): string {
  const header = ['Measure', 'Ours min / median / max', 'Reference min / median / max', 'Ratio', 'Target', 'Met', 'Runs'];
  const lines = rows.map((r) => [
    r.name,
    triple(r.oursRuns, r.unit),
    r.referenceRuns ? `${triple(r.referenceRuns, r.unit)} (${r.referenceName})` : r.referenceName || '–',
    r.ratio === null ? '–' : `${r.ratio.toFixed(2)}×`,
    r.target,
    r.met === null ? '–' : r.met ? 'yes' : 'NO',
    String(r.runs),
  ]);
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((l) => l[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [row(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(row)].join('\n');
}

async function main(): Promise<number> {
  installSignalHandlers();
  const started = Date.now();
  const out = join(ROOT, 'bench/.out');
  mkdirSync(out, { recursive: true });
  const ctx: Context = {
    quick,
    runs: quick ? 2 : 3,
    out,
    appDir: join(out, 'app'),
    log: (message) => console.log(message),
  };
  const selected = MEASURES.filter((m) => !only || only.includes(m.key));
  console.log(`ICT Portfolio benchmark (${quick ? 'quick' : 'full'}): ${selected.map((m) => m.key).join(', ')}; ${ctx.runs} runs each`);
  const rows: ResultRow[] = [];
  const failures: string[] = [];
  try {
    // Measure 1 builds the app itself (three times); every other measure needs it built once.
    if (!selected.some((m) => m.key === 'shell')) {
      console.log('Building the app and the bench pages…');
      await buildApp(ctx);
    }
    for (const measure of selected) {
      const t0 = Date.now();
      console.log(`\n${measure.title}`);
      try {
        const figures = await measure.run(ctx);
        for (const figure of figures) {
          const row = toRow(figure);
          rows.push(row);
          console.log(`  ${row.name}: ours ${triple(row.oursRuns, row.unit)}; reference ${triple(row.referenceRuns, row.unit)}; ratio ${row.ratio === null ? '–' : row.ratio.toFixed(2)}; target ${row.target}`);
        }
      } catch (error) {
        failures.push(`${measure.title}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        console.error(`  FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      } finally {
        // Nothing one measure started may disturb the next.
        await runCleanups();
      }
      console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } finally {
    await runCleanups();
  }
  const results: Record<string, ResultRow> = {};
  for (const row of rows) results[row.name] = row;
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nResults (${quick ? 'quick' : 'full'} run, ${((Date.now() - started) / 1000).toFixed(0)} s; min / median / max; ratio = our median / reference median):\n`);
  console.log(table(rows));
  for (const row of rows) if (row.note) console.log(`- ${row.name}: ${row.note}`);
  if (failures.length > 0) {
    console.log(`\n${failures.length} measure(s) could not run:\n${failures.map((f) => `- ${f.split('\n')[0]}`).join('\n')}`);
    return 1;
  }
  console.log('\nWrote bench/results.json');
  return 0;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(error);
    await runCleanups();
    process.exit(1);
  },
);
