import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FAULTS_SCALE, FAULTS_SEED } from './scale';

/**
 * Where every fault suite reports. A suite calls `reportSuite` once, at the end of its run; the
 * figures go into docs/reliability.json (the last run of each suite, kept across runs of other
 * suites) and docs/reliability.md is rewritten from it. A suite is one file under tests/faults/
 * with a `SUITES` entry below, so the document lists suites not written yet as such.
 */

export interface SuiteFigures {
  /** Key from SUITES. */
  suite: SuiteId;
  /** Faults the suite caused (crashes, dropped requests, hostile requests...). */
  faultsInjected: number;
  /** Inputs it tried (requests, operations, sequences). */
  inputsTried: number;
  /** Answers or outcomes that broke a rule (a 5xx, an unreadable refusal, a missing header...). Must be 0. */
  escapes: number;
  /** Records or bytes that were there before and are not after. Must be 0. */
  dataLost: number;
  durationMs: number;
  seed: number;
  /** Suite-specific figures, printed as a small table. */
  details?: Record<string, string | number>;
  /** The first escapes, as one line each, for the report. */
  examples?: string[];
}

export const SUITES = {
  'crash-during-sync': '1. Crash during sync',
  'bad-network': '2. Bad network',
  'device-crash': '3. Crash on the device',
  'concurrent-edits': '4. Concurrent edits',
  'full-disk': '5. Full disk',
  'bad-input': '6. Bad input',
  access: '7. Access control',
  tampering: '8. Tampering',
  'personal-data': '9. Personal data',
} as const;
export type SuiteId = keyof typeof SUITES;

interface Stored extends SuiteFigures {
  scale: string;
  finishedAt: string;
}

const JSON_PATH = process.env.FAULTS_REPORT_JSON ?? 'docs/reliability.json';
const MD_PATH = process.env.FAULTS_REPORT_MD ?? 'docs/reliability.md';

/** Per suite, the last run at each scale: CI's quick runs do not hide the last full run. */
type Runs = Partial<Record<'quick' | 'full', Stored>>;

function load(): Record<string, Runs> {
  if (!existsSync(JSON_PATH)) return {};
  try {
    const raw = JSON.parse(readFileSync(JSON_PATH, 'utf8')) as Record<string, Runs | Stored>;
    // One run per suite (the first format): file it under its scale.
    for (const [id, v] of Object.entries(raw)) if ('suite' in v) raw[id] = { [(v as Stored).scale]: v } as Runs;
    return raw as Record<string, Runs>;
  } catch {
    return {};
  }
}

export function reportSuite(figures: SuiteFigures): void {
  const all = load();
  all[figures.suite] = { ...all[figures.suite], [FAULTS_SCALE]: { ...figures, scale: FAULTS_SCALE, finishedAt: new Date().toISOString(), examples: figures.examples?.slice(0, 10) } };
  mkdirSync(dirname(JSON_PATH), { recursive: true });
  writeFileSync(JSON_PATH, `${JSON.stringify(all, null, 2)}\n`);
  writeFileSync(MD_PATH, render(all));
}

const n = (v: number) => v.toLocaleString('en-GB');

export function render(all: Record<string, Runs>): string {
  const lines = [
    '# Reliability: faults, bad input and access control',
    '',
    'Written by `npm run test:faults` (tests/faults/): the figures of the last run of each suite at each size.',
    '`FAULTS_SCALE=quick` (the default, part of `npm test`) or `FAULTS_SCALE=full` sets the size; `FAULTS_SEED=<seed>` replays a run.',
    "An escape is an answer or outcome that broke one of the suite's rules; a run with any escape, or any data lost, fails.",
    '',
    '| Suite | Scale | Faults injected | Inputs tried | Escapes | Data lost | Run time | Seed | Last run |',
    '|---|---|--:|--:|--:|--:|--:|--:|---|',
  ];
  const runsOf = (id: string) => (['full', 'quick'] as const).map((scale) => all[id]?.[scale]).filter((s): s is Stored => s !== undefined);
  for (const [id, title] of Object.entries(SUITES)) {
    const runs = runsOf(id);
    if (runs.length === 0) lines.push(`| ${title} | not written yet | | | | | | | |`);
    for (const s of runs)
      lines.push(
        `| ${title} | ${s.scale} | ${n(s.faultsInjected)} | ${n(s.inputsTried)} | ${n(s.escapes)} | ${n(s.dataLost)} | ${(s.durationMs / 1000).toFixed(1)} s | ${s.seed} | ${s.finishedAt.slice(0, 16).replace('T', ' ')} UTC |`,
      );
  }
  for (const [id, title] of Object.entries(SUITES)) {
    for (const s of runsOf(id)) {
      if (!s.details && !s.examples?.length) continue;
      lines.push('', `## ${title} (${s.scale})`, '');
      if (s.details) {
        lines.push('| Figure | Value |', '|---|--:|');
        for (const [k, v] of Object.entries(s.details)) lines.push(`| ${k} | ${typeof v === 'number' ? n(v) : v} |`);
      }
      if (s.examples?.length) {
        lines.push('', 'Escapes of that run (first 10):', '');
        for (const e of s.examples) lines.push(`- \`${e.replace(/`/g, "'").replace(/\n/g, ' ')}\``);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

export { FAULTS_SCALE, FAULTS_SEED };
