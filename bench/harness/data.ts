/**
 * Deterministic content for every system under test: the app, PouchDB and the raw floor get the
 * same items and the same bytes for the same seed, so their runs compare like with like.
 */

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/** Incompressible bytes (like a JPEG's), different for every seed: no run can be deduplicated by hash. */
export function randomBytes(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const words = new Uint32Array(Math.ceil(size / 4));
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    words[i] = s;
  }
  return new Uint8Array(words.buffer, 0, size);
}

const WORDS =
  'configured switch ports documented the change logged the ticket replaced faulty cable tested the backup restored user profile escalated to second line checked event logs patched the server agreed the maintenance window explained the risk to the customer updated the asset register'.split(
    ' ',
  );
const METHODS = ['observation', 'professional-discussion', 'practical-demonstration', 'portfolio-product', 'witness-testimony', 'questioning'] as const;
const STATUSES = ['draft', 'submitted', 'submitted', 'accepted', 'referred'] as const;

export interface ItemContent {
  title: string;
  narrative: string;
  activityDate: string;
  method: (typeof METHODS)[number];
  hours: number;
  offTheJob: boolean;
  criterionIds: string[];
}

/** One evidence item's typed content: a title, a narrative of about 400 characters, a date, `mappings` distinct targets. */
export function itemContent(index: number, seed: number, targets: readonly string[], mappings: number): ItemContent {
  const r = rng(seed * 7919 + index + 1);
  const words = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
  const picked = new Set<string>();
  const want = Math.min(mappings, targets.length);
  while (picked.size < want) picked.add(targets[Math.floor(r() * targets.length)]!);
  const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(r() * 700) * 86_400_000).toISOString().slice(0, 10);
  return {
    title: `${index + 1}. ${words(6)}`.slice(0, 120),
    narrative: words(60).slice(0, 400),
    activityDate: day,
    method: METHODS[Math.floor(r() * METHODS.length)]!,
    hours: Math.round(r() * 40) / 10,
    offTheJob: r() < 0.3,
    criterionIds: [...picked],
  };
}

export function statusFor(index: number): (typeof STATUSES)[number] {
  return STATUSES[index % STATUSES.length]!;
}
