/**
 * How big a fault run is. `quick` (default) keeps `npm test` inside CI's budget; `full` is the
 * release run (the bad-input suite sends at least 10,000 requests). Suites size themselves with
 * `sized({ quick, full })`. FAULTS_SEED replays a run: every suite derives its randomness from it.
 */
export type FaultsScale = 'quick' | 'full';

const raw = (process.env.FAULTS_SCALE ?? 'quick').toLowerCase();
if (raw !== 'quick' && raw !== 'full') throw new Error(`FAULTS_SCALE is "quick" or "full", not "${raw}"`);
export const FAULTS_SCALE: FaultsScale = raw;

export const FAULTS_SEED: number = process.env.FAULTS_SEED ? Number(process.env.FAULTS_SEED) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isSafeInteger(FAULTS_SEED)) throw new Error(`FAULTS_SEED is a whole number, not "${process.env.FAULTS_SEED}"`);

export function sized<T>(sizes: { quick: T; full: T }): T {
  return sizes[FAULTS_SCALE];
}

/** A seed for one part of a suite, stable for a given FAULTS_SEED (FNV-1a of the label). */
export function seedFor(label: string): number {
  let h = 0x811c9dc5 ^ FAULTS_SEED;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A seeded generator (xorshift32): the same FAULTS_SEED replays the same run. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}
