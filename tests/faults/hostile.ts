import fc from 'fast-check';
import type { z } from 'zod';

/**
 * Hostile inputs for the fault suites: arbitraries that build request bodies shaped like the
 * shared zod schemas (src/domain) but with values chosen to break a server, plus raw JSON and
 * garbage. Bodies are built as objects and turned into JSON text by `toJsonText`, which can also
 * write what JSON.stringify cannot: NaN, Infinity (1e400), huge integers, own `__proto__` keys.
 */

/** A value JSON.stringify cannot produce, written into the text as this raw token. */
export class RawToken {
  constructor(readonly text: string) {}
}

const RAW_TOKENS = ['NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '123456789012345678901234567890', '-0', '1e-400', '0x10', 'undefined'];

/** Own keys that would be dangerous if a later merge treated them as the prototype. */
export const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** JSON text of a value that may contain RawToken leaves and own `__proto__` keys. */
export function toJsonText(value: unknown): string {
  const tokens: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RawToken) {
      tokens.push(v.text);
      return `\u0001RAW${tokens.length - 1}\u0001`;
    }
    return v;
  });
  return (text ?? 'null').replace(/"\\u0001RAW(\d+)\\u0001"/g, (_m, i: string) => tokens[Number(i)]!);
}

/** Nested arrays or objects, deep enough to break naive recursion, written straight as text. */
export function deepNesting(depth: number, kind: 'array' | 'object'): RawToken {
  return new RawToken(kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

/** encodeURIComponent that also takes lone surrogates (as the bytes a careless client would send). */
export function encodeLoose(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s
      .split(/([\ud800-\udfff])/)
      .map((part) => (/^[\ud800-\udfff]$/.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
      .join('');
  }
}

const SQLISH = ["' or '1'='1", "'; drop table records; --", '$1', '\\x00', 'select * from users', "1) or pg_sleep(1)--"];
const PATHISH = ['../../../../etc/passwd', '..%2f..%2f', '%00', '/dev/zero', 'C:\\Windows\\win.ini', '\\\\server\\share'];
const MARKUP = ['<script>alert(1)</script>', '<svg onload=alert(1)>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '{{7*7}}', '${7*7}'];
const ODD_TEXT = ['', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff\ud800', '\u202e\u202dtxt.exe', '\ufeff', 'Z̷̧̛a̸͍l̷g̶o', '🧑🏽‍💻'.repeat(50), 'null', 'true', '[]', '{}', '\r\nX-Injected: 1', 'NaN'];

/** A hostile leaf or small subtree: huge or odd strings, odd numbers, wrong types, deep nesting. */
export function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom<unknown>(...SQLISH, ...PATHISH, ...MARKUP, ...ODD_TEXT),
    fc.constantFrom(...RAW_TOKENS).map((t) => new RawToken(t)),
    fc.constantFrom<unknown>(-1, 0, -0, 1.5, -1e308, 1e308, Number.MAX_SAFE_INTEGER + 2, -Number.MAX_SAFE_INTEGER - 2, 2 ** 31, -(2 ** 31) - 1, 5e-324),
    fc.constantFrom<unknown>(null, true, false, [], {}, [null], { '': '' }),
    fc.string({ unit: 'binary', maxLength: 64 }),
    fc.string({ unit: 'grapheme', maxLength: 64 }),
    fc.integer({ min: 1_000, max: 70_000 }).map((n) => 'x'.repeat(n)),
    fc.integer({ min: 1, max: 300 }).map((n) => '\u00e9\u4e2d\ud83d\ude00'.repeat(n)),
    fc.integer({ min: 50, max: 20_000 }).chain((d) => fc.constantFrom('array' as const, 'object' as const).map((k) => deepNesting(d, k))),
    fc.integer({ min: 100, max: 5_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
  );
}

/**
 * Ids the server holds (users, records, plans...), refreshed by the suite: uuid fields pick from
 * them half the time, so schema-shaped bodies reach the code behind the "no such id" checks.
 */
export const knownIds: string[] = [];

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const checksOf = (d: Def) => ((d.checks as Array<{ _zod: { def: Record<string, unknown> } }> | undefined) ?? []).map((c) => c._zod.def);

/** A plausible value of a string schema: its format, regex and length bounds. */
function stringArb(d: Def): fc.Arbitrary<string> {
  let min = 0;
  let max = 40;
  let format: string | undefined;
  let pattern: RegExp | undefined;
  for (const c of checksOf(d)) {
    if (c.check === 'min_length') min = c.minimum as number;
    if (c.check === 'max_length') max = Math.min(c.maximum as number, 200);
    if (c.check === 'length_equals') min = max = c.length as number;
    if (c.check === 'string_format') {
      format = c.format as string;
      pattern = c.pattern as RegExp | undefined;
    }
  }
  if (format === 'uuid' || format === 'guid')
    return fc.oneof(fc.uuid(), fc.nat().map((i) => (knownIds.length > 0 ? knownIds[i % knownIds.length]! : '00000000-0000-4000-8000-000000000000')));
  if (format === 'email') return fc.emailAddress();
  if (pattern) return fc.stringMatching(pattern).filter((s) => s.length <= 300);
  return fc.string({ minLength: min, maxLength: Math.max(min, max) });
}

function numberArb(d: Def): fc.Arbitrary<number> {
  let min = -1e6;
  let max = 1e6;
  let int = false;
  for (const c of checksOf(d)) {
    if (c.check === 'greater_than') min = (c.value as number) + (c.inclusive ? 0 : 1e-9);
    if (c.check === 'less_than') max = (c.value as number) - (c.inclusive ? 0 : 1e-9);
    if (c.check === 'number_format') int = String(c.format).includes('int');
  }
  if (int) return fc.integer({ min: Math.ceil(Math.max(min, -(2 ** 31))), max: Math.floor(Math.min(max, 2 ** 31)) });
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/**
 * Values shaped by a zod schema, each node replaced with a hostile value with probability
 * 1/(1+hostileWeight⁻¹) and objects given extra and prototype-pollution keys now and then.
 * Good bodies come out often enough that the routes' inner code runs too, not only validation.
 */
export function fromSchema(schema: z.ZodType, hostileWeight = 1, depth = 0): fc.Arbitrary<unknown> {
  const shaped = shapedArb(schema, hostileWeight, depth);
  if (hostileWeight === 0) return shaped;
  return fc.oneof({ weight: 8, arbitrary: shaped }, { weight: hostileWeight, arbitrary: hostileValue() });
}

function shapedArb(schema: z.ZodType, hw: number, depth: number): fc.Arbitrary<unknown> {
  const d = defOf(schema);
  const next = (s: unknown) => fromSchema(s as z.ZodType, hw, depth + 1);
  switch (d.type) {
    case 'string':
      return stringArb(d);
    case 'number':
      return numberArb(d);
    case 'boolean':
      return fc.boolean();
    case 'bigint':
      return fc.bigInt({ min: 0n, max: 2n ** 64n }).map((b) => new RawToken(b.toString()));
    case 'null':
      return fc.constant(null);
    case 'literal':
      return fc.constantFrom(...(d.values as unknown[]));
    case 'enum':
      return fc.constantFrom(...Object.values(d.entries as Record<string, unknown>));
    case 'optional':
      return fc.option(next(d.innerType), { nil: undefined });
    case 'nullable':
      return fc.option(next(d.innerType), { nil: null });
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return fc.option(next(d.innerType), { nil: undefined });
    case 'pipe':
      return next(d.in);
    case 'lazy':
      return depth > 6 ? fc.constant(null) : next((d.getter as () => unknown)());
    case 'array': {
      const el = next(d.element);
      return fc.array(el, { maxLength: depth > 3 ? 2 : 6 });
    }
    case 'tuple':
      return fc.tuple(...(d.items as unknown[]).map(next));
    case 'union':
      return fc.oneof(...(d.options as unknown[]).map(next));
    case 'intersection':
      return next(d.left);
    case 'record':
      return fc.dictionary(fc.string({ maxLength: 20 }), next(d.valueType), { maxKeys: 5 });
    case 'object': {
      const shape = d.shape as Record<string, unknown>;
      const keys = Object.keys(shape);
      return fc
        .tuple(
          fc.tuple(...keys.map((k) => fc.option(next(shape[k]), { nil: undefined, freq: 12 }))),
          fc.option(fc.dictionary(fc.oneof(fc.constantFrom(...POLLUTION_KEYS), fc.string({ maxLength: 12 })), hostileValue(), { maxKeys: 3 }), { freq: 3 }),
        )
        .map(([values, extra]) => {
          const out: Record<string, unknown> = {};
          keys.forEach((k, i) => {
            if (values[i] !== undefined) out[k] = values[i];
          });
          if (extra) for (const [k, v] of Object.entries(extra)) defineOwn(out, k, v);
          return out;
        });
    }
    default:
      // unknown, any, transform, custom...: anything at all.
      return fc.oneof(fc.jsonValue({ maxDepth: 3 }), hostileValue());
  }
}

/** Any JSON text, JSON-ish text that does not parse, or bytes that are not UTF-8 at all. */
export function garbageBody(): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.constantFrom('', ' ', '{', '}', '{"a":', '[1,2', '{"a":1,}', "{'a':1}", 'null', '0', '"str"', '{"a":NaN}', '\u0000', '\ufeff{}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}'),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.constantFrom(new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]), new Uint8Array([0xc3, 0x28]), new Uint8Array([0xed, 0xa0, 0x80])),
  );
}
