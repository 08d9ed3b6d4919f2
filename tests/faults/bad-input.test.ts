import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CreateEnrolmentRequest, CreateUserRequest, MAX_SPEC_BYTES, SetCaseloadRequest, UpdateUserRequest } from '../../src/domain/admin';
import { AuditQuery } from '../../src/domain/audit';
import { EraseLearnerRequest } from '../../src/domain/personal-data';
import { SignInRequest } from '../../src/domain/auth';
import { SamplingPlan, UnlockEvidenceRequest } from '../../src/domain/sampling';
import { RegisterKeyRequest } from '../../src/domain/signoff';
import { parseSpec } from '../../src/domain/specs';
import { PullQuery, PushRequest, SYNC_PROTOCOL_VERSION } from '../../src/domain/sync';
import { createDeviceSession } from '../../server/auth/sessions';
import type { Role } from '../../server/context';
import { sha256OfFile } from '../../server/files/store';
import { MAX_UPLOAD_BYTES } from '../../server/files/uploads';
import { MAX_JSON_BYTES } from '../../server/http-errors';
import { writeRecord } from '../../server/records';
import { ROUTES, type RouteRule } from '../../server/routes/index';
import { MAX_PUSH_BYTES } from '../../server/routes/sync';
import { seedShippedSpecs } from '../../server/seed';
import { startTestCentre, type TestCentre, type TestUser } from '../server/harness';
import { reportSuite } from './collector';
import { FAULTS_SEED, seedFor, sized } from './scale';
import { encodeLoose, fromSchema, garbageBody, hostileValue, knownIds, POLLUTION_KEYS, RawToken, toJsonText } from './hostile';

/**
 * Suite 6, bad input. Every route in server/routes/index.ts ROUTES is called, as every kind of
 * caller, with requests made by fast-check: bodies shaped by the shared zod schemas but holding
 * hostile values, arbitrary JSON and garbage bytes, odd query strings, path parameters and
 * headers. Every answer must follow the rules in `check` (no 5xx; a refusal is a 4xx JSON
 * {error, message} a person can read; the security headers are there; files are served safely).
 * Escapes are collected rather than thrown, so one run counts all of them; the suite fails at the
 * end if there is any, and docs/reliability.md gets the figures either way.
 */

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

// ---------- What each route reads ----------

type BodyKind = z.ZodType | 'none' | 'spec' | 'tus' | 'revoke-reason';

/**
 * The body each route reads, keyed as ROUTES. Every route that can carry a body (POST, PUT,
 * PATCH, ALL) must be listed (a test below fails otherwise); 'none' is a route that reads none.
 */
const BODIES: Record<string, BodyKind> = {
  'POST /api/auth/sign-in': SignInRequest,
  'POST /api/auth/sign-out': 'none',
  'POST /api/auth/sessions/:id/revoke': 'none',
  'POST /api/admin/users': CreateUserRequest,
  'PATCH /api/admin/users/:id': UpdateUserRequest,
  'PUT /api/admin/caseloads/:assessorId': SetCaseloadRequest,
  'POST /api/admin/enrolments': CreateEnrolmentRequest,
  'POST /api/admin/specs': 'spec',
  'POST /api/admin/sessions/:id/revoke': 'none',
  'POST /api/admin/evidence/:id/unlock': UnlockEvidenceRequest,
  'POST /api/sync/push': PushRequest,
  'ALL /api/files/uploads': 'tus',
  'ALL /api/files/uploads/:id': 'tus',
  'POST /api/keys': RegisterKeyRequest,
  'POST /api/keys/:id/revoke': 'revoke-reason',
  'POST /api/iqa/plans': SamplingPlan,
  'PUT /api/iqa/plans/:id': SamplingPlan,
  'POST /api/personal-data/learners/:learnerId/erase': EraseLearnerRequest,
};

/** The most each body-reading route accepts before answering 413. */
const LIMITS: Record<string, number> = {
  'POST /api/admin/specs': MAX_SPEC_BYTES,
  'POST /api/sync/push': MAX_PUSH_BYTES,
  'POST /api/keys/:id/revoke': 4096,
};
const limitOf = (k: string) => LIMITS[k] ?? MAX_JSON_BYTES;

/** Query strings the routes read (others get random keys only). */
const QUERIES: Record<string, z.ZodType> = {
  'GET /api/sync/pull': PullQuery,
  'GET /api/audit': AuditQuery,
  'GET /api/iqa/locks': z.object({ learnerId: z.string().uuid().optional() }),
  'GET /api/files/sha256/:hash': z.object({ name: z.string().min(1).max(255).optional() }),
};

// ---------- The centre and its callers ----------

const CALLERS = ['learner', 'assessor', 'iqa', 'admin', 'other-centre admin', 'signed-out', 'bad-token'] as const;
type Who = (typeof CALLERS)[number];
type Signed = Exclude<Who, 'signed-out' | 'bad-token'>;
const ROLE_OF: Record<Signed, Role> = { learner: 'learner', assessor: 'assessor', iqa: 'iqa', admin: 'admin', 'other-centre admin': 'admin' };

let centre: TestCentre;
let centreId: string;
const users = {} as Record<Signed, TestUser> & { otherLearner: TestUser; otherCentreLearner: TestUser };
const tokens = {} as Record<Signed, string>;
const spec403Text = readFileSync('qualifications/4520-03.json', 'utf8');
const spec403 = JSON.parse(spec403Text) as Record<string, unknown>;

const pools = {
  users: [] as string[],
  sessions: [] as string[],
  keys: [] as string[],
  plans: [] as string[],
  records: [] as string[],
  hashes: [] as string[],
  uploads: [] as string[],
  specs: [] as Array<{ id: string; version: number }>,
};

// ---------- Figures ----------

const started = Date.now();
const stats = {
  requests: 0,
  byClass: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, thrown: 0 } as Record<string, number>,
  byRoute: new Map<string, number>(),
  byRouteWho: new Set<string>(),
  oversized: 0,
  tus: 0,
  downloads: 0,
  specImports: 0,
  serverLogs: 0,
  escapes: [] as string[],
  dataLost: 0,
};
const escape = (line: string) => stats.escapes.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);

/** Anything a server logs with console.error while the fuzz runs is a fault it met: counted as an escape. */
const consoleErrors: string[] = [];

// ---------- Sending and checking ----------

interface Attempt {
  routeKey: string;
  who: Who;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array | ReadableStream<Uint8Array>;
  /** For the message checks: what the request said (hostile text may come back quoted). */
  sentText: string;
}

const BAD_AUTH = ['Bearer', 'Bearer ', 'Bearer x', `Bearer ${'A'.repeat(64)}`, `Bearer ${'a'.repeat(129)}`, 'Basic dXNlcjpwYXNz', `bearer ${'b'.repeat(40)}`, `Bearer ${'c'.repeat(40)} extra`, 'Bearer ../../../../'];

function authHeader(who: Who, pick: number): string | undefined {
  if (who === 'signed-out') return undefined;
  if (who === 'bad-token') return BAD_AUTH[pick % BAD_AUTH.length];
  return `Bearer ${tokens[who]}`;
}

/** The message rules: a sentence, no stack trace, no SQL or driver text (unless the caller sent that very text). */
function unreadable(message: unknown, sent: string): string | null {
  if (typeof message !== 'string' || message.trim().length < 8) return 'empty or missing message';
  if (/\n\s+at .+:\d+:\d+|\bat (async )?[\w$.<>]+ \([^)]*:\d+:\d+\)/.test(message)) return 'stack trace in message';
  if (message.length > 8000) return `message of ${message.length} characters`;
  const leaks = [
    /syntax error at or near/i,
    /relation "[^"]+"/i,
    /column "[^"]+"/i,
    /violates [\w-]+ constraint/i,
    /duplicate key value/i,
    /invalid input syntax for/i,
    /\bselect\b[\s\S]{0,80}\bfrom\b/i,
    /\binsert into\b/i,
    /\bpglite\b|\bpostgres\b|node_modules|\.ts:\d+/i,
    /\[object Object\]/,
  ];
  for (const pattern of leaks) if (pattern.test(message) && !pattern.test(sent)) return `internal text in message (${pattern})`;
  return null;
}

function csp(headers: Headers): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (headers.get('content-security-policy') ?? '').split(';')) {
    const [name, ...rest] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), rest.join(' '));
  }
  return out;
}

/** Attachment types as stored, by hash, for the download checks. */
const storedTypes = new Map<string, string>();

async function send(a: Attempt): Promise<{ status: number; text: string; headers: Headers } | null> {
  stats.requests++;
  stats.byRoute.set(a.routeKey, (stats.byRoute.get(a.routeKey) ?? 0) + 1);
  stats.byRouteWho.add(`${a.routeKey} ${a.who}`);
  const label = `${a.method} ${a.path.slice(0, 160)} as ${a.who}`;
  let response: Response;
  try {
    const init: RequestInit & { duplex?: 'half' } = { method: a.method, headers: a.headers };
    if (a.body !== undefined) {
      init.body = a.body as BodyInit;
      if (a.body instanceof ReadableStream) init.duplex = 'half';
    }
    response = await centre.app.request(a.path, init);
  } catch (error) {
    // A request the fetch API itself will not build (a GET with a body, a bad header) never reaches a server.
    if (error instanceof TypeError && /header|URL|body|method|Request/i.test(error.message) && !/stack/i.test(error.message)) {
      stats.requests--;
      return null;
    }
    stats.byClass.thrown!++;
    escape(`${label}: the app threw ${(error as Error).message}`);
    return null;
  }
  const status = response.status;
  stats.byClass[`${Math.floor(status / 100)}xx`] = (stats.byClass[`${Math.floor(status / 100)}xx`] ?? 0) + 1;
  let text = '';
  try {
    text = a.method === 'HEAD' ? '' : await response.text();
  } catch (error) {
    escape(`${label}: the answer's body failed to stream (${(error as Error).message})`);
  }
  const h = response.headers;
  const fail = (why: string) => escape(`${label}: ${status} ${why} | ${text.slice(0, 200)}`);

  if (status >= 500) fail('server error');
  if (status < 200) fail('informational status');
  if (h.get('x-content-type-options') !== 'nosniff') fail('no X-Content-Type-Options: nosniff');
  const policy = csp(h);
  if (!policy.has('default-src')) fail('no Content-Security-Policy');
  if (policy.get('script-src')?.includes("'unsafe-inline'") || policy.get('script-src')?.includes("'unsafe-eval'")) fail('script-src allows inline script');

  if (status >= 400 && a.method !== 'HEAD') {
    let parsed: unknown;
    let isJson = true;
    try {
      parsed = JSON.parse(text);
    } catch {
      isJson = false;
      fail('refusal is not JSON');
    }
    if (isJson) {
      const body = (parsed && typeof parsed === 'object' ? parsed : {}) as { error?: unknown; message?: unknown };
      if (typeof body.error !== 'string' || !/^[a-z0-9-]{2,60}$/.test(body.error)) fail('refusal has no error code');
      const why = unreadable(body.message, a.sentText);
      if (why) fail(why);
    }
    if (!/^application\/json/.test(h.get('content-type') ?? '')) fail(`refusal served as ${h.get('content-type')}`);
  }

  // Attachment bytes: the stored type, never sniffed, sandboxed, a download unless image/video/audio (not SVG).
  const hashMatch = /^\/api\/files\/sha256\/([0-9a-f]{64})(?:\?|$)/.exec(a.path);
  if (hashMatch && (status === 200 || status === 206 || status === 304)) {
    stats.downloads++;
    const stored = storedTypes.get(hashMatch[1]!) ?? (await storedType(hashMatch[1]!));
    const type = h.get('content-type') ?? '';
    if (status !== 304 && type !== stored) fail(`served as "${type}", stored as "${stored}"`);
    const sandbox = policy.get('sandbox');
    if (sandbox === undefined || /allow-scripts|allow-same-origin/.test(sandbox)) fail('file response not sandboxed');
    if (policy.get('default-src') !== "'none'") fail("file response without default-src 'none'");
    const base = stored.split(';')[0]!.trim();
    const inline = /^(image|video|audio)\//.test(base) && base !== 'image/svg+xml';
    const disposition = h.get('content-disposition') ?? '';
    if (!disposition.startsWith(inline ? 'inline' : 'attachment')) fail(`${stored} served with Content-Disposition "${disposition}"`);
    if (/[\r\n]/.test(disposition)) fail('line break in Content-Disposition');
  }
  return { status, text, headers: h };
}

async function storedType(hash: string): Promise<string> {
  const [row] = await centre.db.query<{ type: string }>('select type from attachments where sha256 = $1', [hash]);
  const type = row?.type ?? '(not stored)';
  storedTypes.set(hash, type);
  return type;
}

// ---------- Request plans, made by fast-check ----------

const PARAM_HOSTILE = ['', '0', '-1', 'null', 'undefined', '..', '%2e%2e', '%00', '%', '%zz', '%E0%A4%A', "1'or'1'='1", 'a'.repeat(300), '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '9'.repeat(40), '1e9', 'NaN', '4520-03', '4520-03.json', 'x/../../etc'];
const RAW_PARAMS = new Set(['%00', '%', '%zz', '%E0%A4%A', '%2e%2e', '..']);

function poolFor(name: string): string[] {
  if (name === 'hash') return pools.hashes;
  if (name === 'planId') return pools.plans;
  if (name === 'learnerId' || name === 'assessorId') return pools.users;
  if (name === 'version') return pools.specs.map((s) => String(s.version));
  return [...pools.users, ...pools.sessions, ...pools.keys, ...pools.plans, ...pools.records, ...pools.uploads, ...pools.specs.map((s) => s.id)];
}

function paramArb(name: string): fc.Arbitrary<string> {
  const pool = poolFor(name);
  const fromPool = pool.length > 0 ? fc.constantFrom(...pool) : fc.uuid();
  return fc
    .oneof(
      { weight: 6, arbitrary: fromPool },
      { weight: 2, arbitrary: fc.uuid() },
      { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-f]{64}$/) },
      { weight: 2, arbitrary: fc.constantFrom(...PARAM_HOSTILE) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    )
    .map((v) => (RAW_PARAMS.has(v) ? v : encodeLoose(v)));
}

const QUERY_KEYS = ['since', 'limit', 'learnerId', 'recordId', 'before', 'name', 'id', '__proto__', 'constructor', 'q', ''];

function queryArb(routeKey: string): fc.Arbitrary<string> {
  const schema = QUERIES[routeKey];
  const pairs: fc.Arbitrary<Array<[string, string]>> = fc.array(
    fc.tuple(
      fc.constantFrom(...QUERY_KEYS),
      fc.oneof(
        fc.constantFrom('0', '-1', '1', '500', '501', '1e3', '9223372036854775808', '99999999999999999999', 'NaN', 'Infinity', '', 'true', '[]', "' or 1=1--"),
        fc.uuid(),
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        fc.integer({ min: 100, max: 3000 }).map((n) => 'q'.repeat(n)),
      ),
    ),
    { maxLength: 4 },
  );
  const shaped = schema
    ? fromSchema(schema).map((v) =>
        v && typeof v === 'object' && !Array.isArray(v)
          ? Object.entries(v as Record<string, unknown>).map(([k, x]): [string, string] => [k, typeof x === 'string' ? x : toJsonText(x)])
          : [],
      )
    : fc.constant([] as Array<[string, string]>);
  return fc.tuple(shaped, pairs, fc.boolean()).map(([a, b, raw]) => {
    const all = [...a, ...b];
    if (all.length === 0) return '';
    const enc = (s: string) => (raw ? encodeLoose(s).replace(/%([0-9A-F]{2})/g, (m, h: string) => (/[#\s&%+=?]/.test(String.fromCharCode(parseInt(h, 16))) || parseInt(h, 16) > 0x7e ? m : String.fromCharCode(parseInt(h, 16)))) : encodeLoose(s));
    return `?${all.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')}`;
  });
}

/** The real 4520-03 spec with one to three hostile changes at random places. */
function hostileSpecArb(): fc.Arbitrary<string | Uint8Array> {
  const mutated = fc
    .tuple(
      fc.array(fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.constantFrom('set', 'delete', 'pollute', 'nest'), hostileValue()), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 2, max: 1_000_000 }),
    )
    .map(([changes, version]) => {
      const spec = structuredClone(spec403);
      spec.version = version;
      for (const [path, op, value] of changes) {
        let node: unknown = spec;
        for (let i = 0; i < path.length; i++) {
          if (!node || typeof node !== 'object') break;
          const keys = Object.keys(node as object);
          if (keys.length === 0) break;
          const k = keys[path[i]! % keys.length]!;
          const last = i === path.length - 1 || !(node as Record<string, unknown>)[k] || typeof (node as Record<string, unknown>)[k] !== 'object';
          if (last) {
            const target = node as Record<string, unknown>;
            if (op === 'set') target[k] = value;
            else if (op === 'delete') delete target[k];
            else if (op === 'pollute') Object.defineProperty(target, POLLUTION_KEYS[path[0]! % 3]!, { value: { polluted: true, toString: 'x' }, enumerable: true, configurable: true, writable: true });
            else target[k] = { a: { b: { c: [[[[[[[[[[value]]]]]]]]]] } } };
            break;
          }
          node = (node as Record<string, unknown>)[k];
        }
      }
      return toJsonText(spec);
    });
  const malformed = fc.oneof(
    fc.nat({ max: spec403Text.length - 1 }).map((n) => spec403Text.slice(0, n)),
    fc.constantFrom(`\ufeff${spec403Text}`, `${spec403Text}garbage`, spec403Text.replace('"version": 1', '"version": NaN'), spec403Text.replace(/"id"/, '"__proto__": {"isAdmin": true}, "id"'), '[]', 'null', '"a spec"', '{}'),
  );
  return fc.oneof({ weight: 5, arbitrary: mutated }, { weight: 2, arbitrary: malformed }, { weight: 1, arbitrary: garbageBody() });
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

function tusHeadersArb(): fc.Arbitrary<Record<string, string>> {
  const meta = fc.oneof(
    fc.tuple(fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.constantFrom('', 'zz', '0'.repeat(63))), fc.string({ maxLength: 300 }), fc.oneof(fc.constantFrom('text/html', 'image/svg+xml', 'image/png', 'application/octet-stream', ''), fc.string({ maxLength: 300 }))).map(
      ([sha, name, type]) => `sha256 ${b64(sha)},filename ${b64(name)},filetype ${b64(type)}`,
    ),
    fc.constantFrom('', 'sha256', 'sha256 !!!notbase64', 'a b c d', ',,,', 'uploader ' + b64('someone-else'), `sha256 ${b64('0'.repeat(64))},filename ${b64('a')},filetype ${b64('x')},uploader ${b64(randomUUID())}`),
    fc.stringMatching(/^[\x20-\x7e]{0,120}$/),
  );
  return fc
    .record(
      {
        'tus-resumable': fc.constantFrom('1.0.0', '1.0.0', '1.0.0', '0.2.2', '', 'x'),
        'upload-length': fc.oneof(fc.integer({ min: 0, max: 4096 }).map(String), fc.constantFrom('-1', '1.5', 'abc', '', String(MAX_UPLOAD_BYTES + 1), '99999999999999999999', '1e3', ' 5')),
        'upload-metadata': meta,
        'upload-offset': fc.oneof(fc.integer({ min: 0, max: 5000 }).map(String), fc.constantFrom('-1', 'x', '')),
        'upload-defer-length': fc.constant('1'),
        'upload-concat': fc.constantFrom('partial', 'final;/api/files/uploads/abc', 'final;http://evil.example/x'),
        'content-type': fc.constantFrom('application/offset+octet-stream', 'application/json', 'text/plain'),
        'x-http-method-override': fc.constantFrom('DELETE', 'PATCH', 'GET'),
      },
      { requiredKeys: ['tus-resumable'] },
    )
    .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>);
}

interface Plan {
  who: Who;
  authPick: number;
  method: string;
  params: Record<string, string>;
  query: string;
  body: string | Uint8Array | undefined;
  headers: Record<string, string>;
}

function allowedCallers(rule: RouteRule): Who[] {
  if (rule.access === 'public') return [...CALLERS];
  if (rule.access === 'signed-in') return ['learner', 'assessor', 'iqa', 'admin', 'other-centre admin'];
  const roles = rule.access;
  return (['learner', 'assessor', 'iqa', 'admin', 'other-centre admin'] as const).filter((w) => roles.includes(ROLE_OF[w]));
}

function planArb(rule: RouteRule): fc.Arbitrary<Plan> {
  const k = key(rule);
  const kind: BodyKind = BODIES[k] ?? 'none';
  const allowed = allowedCallers(rule);
  const who = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...allowed) }, { weight: 1, arbitrary: fc.constantFrom(...CALLERS) });
  const names = [...rule.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const params = names.length > 0 ? fc.tuple(...names.map(paramArb)).map((vs) => Object.fromEntries(names.map((n, i) => [n, vs[i]!]))) : fc.constant({});
  const otherMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
  const method =
    rule.method === 'ALL'
      ? fc.constantFrom('POST', 'POST', 'PATCH', 'PATCH', 'HEAD', 'DELETE', 'OPTIONS', 'GET', 'PUT')
      : fc.oneof({ weight: 12, arbitrary: fc.constant(rule.method) }, { weight: 1, arbitrary: fc.constantFrom(...otherMethods) }, { weight: rule.method === 'GET' ? 1 : 0, arbitrary: fc.constant('HEAD') });
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: fc.constantFrom('', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/xml', '*/*') },
  );
  let body: fc.Arbitrary<string | Uint8Array | undefined>;
  if (kind === 'tus') body = fc.oneof(fc.constant(undefined), fc.uint8Array({ maxLength: 2048 }), fc.constantFrom('hello', '{"a":1}'));
  else if (kind === 'spec') body = hostileSpecArb();
  else if (kind === 'none') body = fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: garbageBody() });
  else if (kind === 'revoke-reason')
    body = fc.oneof(fc.constant(undefined), fromSchema(z.object({ reason: z.string().max(500) })).map(toJsonText), garbageBody());
  else body = fc.oneof({ weight: 6, arbitrary: fromSchema(kind).map(toJsonText) }, { weight: 2, arbitrary: garbageBody() }, { weight: 1, arbitrary: fc.constant(undefined) });
  const headers = kind === 'tus' ? tusHeadersArb() : contentType.map((t): Record<string, string> => (t ? { 'content-type': t } : {}));
  const extra = fc.option(
    fc.record(
      {
        range: fc.constantFrom('bytes=0-0', 'bytes=-1', 'bytes=5-1', 'bytes=0-', 'bytes=99999999999999999999-', 'bytes=0-1,2-3', 'bytes=-0', 'items=0-1', 'bytes=abc'),
        'if-none-match': fc.constantFrom('*', '"x"', 'W/"y"', ''),
        'x-forwarded-for': fc.constantFrom('1.2.3.4', 'not-an-ip', '::1, 10.0.0.1', "'; drop table users; --"),
        accept: fc.constantFrom('text/html', '*/*', 'application/json'),
      },
      { requiredKeys: [] },
    ),
    { freq: 3 },
  );
  return fc
    .record({ who, authPick: fc.nat(), method, params, query: queryArb(k), body, headers, extra })
    .map(({ extra: x, ...plan }) => ({ ...plan, headers: { ...plan.headers, ...(x ?? {}) } as Record<string, string> }));
}

function attemptOf(rule: RouteRule, plan: Plan): Attempt {
  const path = rule.path.replace(/:(\w+)/g, (_m, n: string) => plan.params[n] ?? '') + plan.query;
  const headers = { ...plan.headers };
  const auth = authHeader(plan.who, plan.authPick);
  if (auth !== undefined) headers.authorization = auth;
  const noBody = plan.method === 'GET' || plan.method === 'HEAD';
  const body = noBody ? undefined : plan.body;
  const sentText = `${decodeURIComponentSafe(path)} ${typeof body === 'string' ? body : body ? Buffer.from(body).toString('latin1') : ''} ${Object.values(headers).join(' ')}`;
  return { routeKey: key(rule), who: plan.who, method: plan.method, path, headers, ...(body !== undefined ? { body } : {}), sentText };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------- Keeping the callers able to call ----------

/** Routes that can sign a caller out, disable them or change their role: after a 2xx the callers are healed. */
const DISRUPTIVE = new Set(['POST /api/auth/sign-out', 'POST /api/auth/sessions/:id/revoke', 'POST /api/admin/sessions/:id/revoke', 'PATCH /api/admin/users/:id', 'PUT /api/admin/caseloads/:assessorId']);

async function heal(): Promise<void> {
  for (const who of Object.keys(ROLE_OF) as Signed[]) {
    const u = users[who];
    await centre.db.query('update users set disabled_at = null, role = $2 where id = $1', [u.id, u.role]);
    tokens[who] = await centre.tokenFor(u);
  }
  await centre.db.query('insert into caseloads (assessor_id, learner_id) values ($1, $2) on conflict do nothing', [users.assessor.id, users.learner.id]);
}

async function refreshPools(): Promise<void> {
  const ids = async (sql: string) => (await centre.db.query<{ id: string }>(sql)).map((r) => r.id);
  pools.users = await ids('select id::text as id from users order by id');
  pools.sessions = await ids('select id::text as id from device_sessions order by id desc limit 30');
  pools.keys = await ids('select id::text as id from signing_keys order by id');
  pools.plans = await ids('select id::text as id from sampling_plans order by id');
  pools.records = await ids(`select id from records where id ~ '^[0-9a-f-]{36}$' order by id limit 60`);
  pools.hashes = await ids('select sha256 as id from attachments order by sha256');
  pools.specs = await centre.db.query<{ id: string; version: number }>('select id, version from qualification_specs order by id, version');
  try {
    pools.uploads = readdirSync(join(centre.filesDir, 'uploads')).filter((f) => /^[0-9a-f]{32}$/.test(f));
  } catch {
    pools.uploads = [];
  }
  knownIds.length = 0;
  knownIds.push(...pools.users, ...pools.sessions, ...pools.keys, ...pools.plans, ...pools.records);
}

// ---------- Fixture ----------

async function uploadAs(token: string, bytes: Buffer, filename: string, filetype: string): Promise<string> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const response = await centre.app.request('/api/files/uploads', {
    method: 'POST',
    body: new Uint8Array(bytes),
    headers: {
      authorization: `Bearer ${token}`,
      'tus-resumable': '1.0.0',
      'upload-length': String(bytes.length),
      'upload-metadata': `sha256 ${b64(sha256)},filename ${b64(filename)},filetype ${b64(filetype)}`,
      'content-type': 'application/offset+octet-stream',
    },
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return sha256;
}

async function portfolio(learner: TestUser, hashes: string[] = []): Promise<void> {
  const enrolmentId = randomUUID();
  const at = '2026-11-20T09:00:00.000Z';
  await centre.db.transaction(async (tx) => {
    const base = { centreId: learner.centreId, learnerId: learner.id, byUser: learner.id, deviceId: null };
    await writeRecord(tx, { ...base, entity: 'profile', id: learner.id, data: { name: learner.name, employer: '' } });
    await writeRecord(tx, {
      ...base,
      entity: 'enrolment',
      id: enrolmentId,
      data: { learnerId: learner.id, qualificationId: '4520-03', qualificationVersion: 1, optionalUnitIds: [], startDate: '2026-03-02', plannedEndDate: '2027-09-30', plannedOffTheJobHoursPerWeek: 6, createdAt: at, updatedAt: at },
    });
    await writeRecord(tx, {
      ...base,
      entity: 'evidence',
      id: randomUUID(),
      data: {
        enrolmentId,
        status: 'draft',
        title: 'Network install <script>alert(1)</script>',
        narrative: 'Ünïcödé 🧑🏽‍💻',
        activityDate: null,
        method: null,
        hours: 0,
        offTheJob: false,
        attachments: hashes.map((sha256, i) => ({ id: sha256, name: `file-${i}`, type: 'application/octet-stream', size: 1 })),
        criterionIds: [],
        createdAt: at,
        updatedAt: at,
        deletedAt: null,
      },
    });
  });
}

/** Types a learner could declare for a file, including the ones that carry script. */
const ATTACHMENT_TYPES = ['text/html', 'image/svg+xml', 'IMAGE/SVG+XML', 'application/xhtml+xml', 'text/xml', 'application/javascript', 'image/png', 'video/mp4', 'audio/mpeg', 'application/pdf', 'text/html;charset=utf-8', 'multipart/x-mixed-replace', '', 'image/svg+xml ', 'text/plain'];
const SCRIPTED = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><script>fetch("/api/auth/me")</script></svg>';

beforeAll(async () => {
  centre = await startTestCentre();
  await seedShippedSpecs(centre.db);
  centreId = await centre.createCentre('Fuzz College');
  const otherCentreId = await centre.createCentre('Other College');
  users.learner = await centre.createUser('learner', centreId);
  users.otherLearner = await centre.createUser('learner', centreId);
  users.assessor = await centre.createUser('assessor', centreId);
  users.iqa = await centre.createUser('iqa', centreId);
  users.admin = await centre.createUser('admin', centreId);
  users['other-centre admin'] = await centre.createUser('admin', otherCentreId);
  users.otherCentreLearner = await centre.createUser('learner', otherCentreId);
  await centre.db.query('insert into caseloads (assessor_id, learner_id) values ($1, $2)', [users.assessor.id, users.learner.id]);
  for (const who of Object.keys(ROLE_OF) as Signed[]) tokens[who] = await centre.tokenFor(users[who]);

  const hashes: string[] = [];
  for (const [i, type] of ATTACHMENT_TYPES.entries()) hashes.push(await uploadAs(tokens.learner, Buffer.from(`${SCRIPTED}<!-- ${i} -->`), `evil-${i}.svg`, type));
  await portfolio(users.learner, hashes);
  await portfolio(users.otherLearner);
  await portfolio(users.otherCentreLearner);
  await centre.db.query(`insert into sampling_plans (id, centre_id, iqa_id, assessor_id, percentage, stage) values ($1, $2, $3, $4, 10, 'interim')`, [randomUUID(), centreId, users.iqa.id, users.assessor.id]);
  await refreshPools();
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    consoleErrors.push(args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(' '));
  });
  before = await snapshot();
}, 120_000);

// ---------- Data lost ----------

interface Snapshot {
  records: Map<string, number>;
  specs: Map<string, string>;
  audit: number;
}
let before: Snapshot;

async function snapshot(): Promise<Snapshot> {
  const records = new Map((await centre.db.query<{ k: string; revision: number }>(`select entity || ':' || id as k, revision from records`)).map((r) => [r.k, Number(r.revision)]));
  const specs = new Map((await centre.db.query<{ k: string; h: string }>(`select id || '@' || version as k, md5(spec::text) as h from qualification_specs`)).map((r) => [r.k, r.h]));
  const [{ n }] = (await centre.db.query<{ n: number }>('select count(*)::int as n from audit_log')) as [{ n: number }];
  return { records, specs, audit: n };
}

/** Records, stored spec versions and audit entries that were there before and are not (or went back), and files whose bytes are gone or changed. */
async function countDataLost(): Promise<number> {
  const after = await snapshot();
  let lost = 0;
  for (const [k, revision] of before.records) {
    const now = after.records.get(k);
    if (now === undefined || now < revision) {
      lost++;
      escape(`data lost: record ${k} (revision ${revision} → ${now ?? 'gone'})`);
    }
  }
  for (const [k, h] of before.specs)
    if (after.specs.get(k) !== h) {
      lost++;
      escape(`data lost: stored spec ${k} changed`);
    }
  if (after.audit < before.audit) {
    lost += before.audit - after.audit;
    escape(`data lost: ${before.audit - after.audit} audit entries gone`);
  }
  for (const { sha256, size } of await centre.db.query<{ sha256: string; size: string }>('select sha256, size from attachments')) {
    const path = join(centre.filesDir, 'sha256', sha256.slice(0, 2), sha256);
    let ok = false;
    try {
      ok = statSync(path).size === Number(size) && (await sha256OfFile(path)) === sha256;
    } catch {
      ok = false;
    }
    if (!ok) {
      lost++;
      escape(`data lost: attachment ${sha256} bytes missing or changed`);
    }
  }
  return lost;
}

/** Bytes under the uploads directory, and any upload holding more than it declared. */
function uploadsOnDisk(): { bytes: number; files: number; overDeclared: string[] } {
  const dir = join(centre.filesDir, 'uploads');
  let bytes = 0;
  let files = 0;
  const overDeclared: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return { bytes, files, overDeclared };
  }
  for (const name of names) {
    const size = statSync(join(dir, name)).size;
    bytes += size;
    files++;
    if (/^[0-9a-f]{32}$/.test(name)) {
      try {
        const info = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { size?: number };
        if (typeof info.size === 'number' && size > info.size) overDeclared.push(`${name}: ${size} bytes on disk, ${info.size} declared`);
      } catch {
        // No bookkeeping (finished or removed): nothing declared to compare with.
      }
    }
  }
  return { bytes, files, overDeclared };
}

let finalDone = false;
let disk = { bytes: 0, files: 0, overDeclared: [] as string[] };
/** Once, at the end: server logs, data lost, what the uploads left on disk. */
async function finalChecks(): Promise<void> {
  if (finalDone || !centre || !before) return;
  finalDone = true;
  stats.serverLogs = consoleErrors.length;
  for (const line of consoleErrors.slice(0, 5)) escape(`server logged an error: ${line.slice(0, 300)}`);
  if (consoleErrors.length > 5) escape(`… and ${consoleErrors.length - 5} more server errors logged`);
  stats.dataLost = await countDataLost();
  disk = uploadsOnDisk();
  for (const o of disk.overDeclared) escape(`upload over its declared length: ${o}`);
  // Every escape in full, for whoever fixes them (test-results/ is not committed).
  mkdirSync('test-results/faults', { recursive: true });
  writeFileSync('test-results/faults/bad-input-escapes.txt', [...stats.escapes, '--- server log ---', ...consoleErrors].join('\n'));
}

afterAll(async () => {
  await finalChecks();
  vi.restoreAllMocks();
  const c = stats.byClass;
  reportSuite({
    suite: 'bad-input',
    faultsInjected: stats.requests,
    inputsTried: stats.requests,
    escapes: stats.escapes.length,
    dataLost: stats.dataLost,
    durationMs: Date.now() - started,
    seed: FAULTS_SEED,
    details: {
      'Requests': stats.requests,
      'Routes in ROUTES': ROUTES.length,
      'Distinct routes called': stats.byRoute.size,
      'Route × caller pairs called': stats.byRouteWho.size,
      'Fewest requests on one route': Math.min(...[...stats.byRoute.values()]),
      '2xx answers': c['2xx'] ?? 0,
      '3xx answers': c['3xx'] ?? 0,
      '4xx answers': c['4xx'] ?? 0,
      '5xx answers': c['5xx'] ?? 0,
      'Requests the app threw on': c.thrown ?? 0,
      'Oversized bodies sent (413 expected)': stats.oversized,
      'tus upload requests': stats.tus,
      'Attachment downloads checked': stats.downloads,
      'Hostile spec imports': stats.specImports,
      'Server errors logged': stats.serverLogs,
      'Upload directory after the run': `${disk.files} files, ${disk.bytes.toLocaleString('en-GB')} bytes`,
    },
    examples: stats.escapes,
  });
  await centre?.close();
});

// ---------- The tests ----------

describe('bad input: the fuzz covers every route', () => {
  it('knows the body of every route that can carry one', () => {
    const missing = ROUTES.filter((r) => ['POST', 'PUT', 'PATCH', 'ALL'].includes(r.method) && !BODIES[key(r)]).map(key);
    expect(missing, 'add the route to BODIES in tests/faults/bad-input.test.ts').toEqual([]);
    const stale = Object.keys(BODIES).filter((k) => !ROUTES.some((r) => key(r) === k));
    expect(stale).toEqual([]);
  });
});

const PER_ROUTE = sized({ quick: 36, full: 300 });
const BATCH = 20;

describe('bad input: every route, every caller', () => {
  it.each(ROUTES.map((r) => ({ rule: r, label: key(r) })))('$label', async ({ rule }) => {
    const k = key(rule);
    for (let done = 0; done < PER_ROUTE; done += BATCH) {
      await refreshPools();
      const plans = fc.sample(planArb(rule), { seed: seedFor(`${k}#${done}`), numRuns: Math.min(BATCH, PER_ROUTE - done) });
      for (const plan of plans) {
        const attempt = attemptOf(rule, plan);
        if (BODIES[k] === 'tus') stats.tus++;
        if (BODIES[k] === 'spec' && attempt.method === 'POST') stats.specImports++;
        const answer = await send(attempt);
        if (answer && answer.status < 300 && DISRUPTIVE.has(k)) await heal();
      }
    }
    expect(stats.byRoute.get(k) ?? 0).toBeGreaterThan(0);
  }, 600_000);
});

describe('bad input: oversized bodies', () => {
  /** A body of `total` bytes made as it is read, counting how much the server pulled. */
  function countingStream(total: number): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    chunk[0] = 0x7b;
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) return controller.close();
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        controller.enqueue(n === chunk.length ? chunk : chunk.slice(0, n));
      },
    });
    return { stream, pulled: () => sent };
  }

  const bodyRoutes = ROUTES.filter((r) => BODIES[key(r)] && BODIES[key(r)] !== 'tus');
  it.each(bodyRoutes.map((r) => ({ rule: r, label: key(r) })))('$label refuses a body over its limit early', async ({ rule }) => {
    const k = key(rule);
    const limit = limitOf(k);
    const reads = BODIES[k] !== 'none';
    const who = allowedCallers(rule).find((w) => w !== 'signed-out' && w !== 'bad-token' && w !== 'other-centre admin') ?? 'signed-out';
    await refreshPools();
    const path = rule.path.replace(/:(\w+)/g, (_m, n: string) => (n === 'id' && k.includes('/keys/') ? pools.keys[0] ?? randomUUID() : randomUUID()));
    const auth = authHeader(who, 0);
    // Told the size up front: refused on the header alone.
    stats.oversized++;
    const big = 'a'.repeat(limit + 1);
    const declared = await send({ routeKey: k, who, method: rule.method, path, headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body: big, sentText: '' });
    if (reads && declared && declared.status !== 413) escape(`${k}: ${limit + 1} bytes answered ${declared.status}, not 413`);
    // Not told (chunked), or the length lies: refused once the limit is passed, without reading the rest.
    for (const lie of [undefined, '10']) {
      stats.oversized++;
      const total = limit + sized({ quick: 4, full: 32 }) * 1024 * 1024;
      const { stream, pulled } = countingStream(total);
      const answer = await send({
        routeKey: k,
        who,
        method: rule.method,
        path,
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}), ...(lie ? { 'content-length': lie } : {}) },
        body: stream,
        sentText: '',
      });
      if (reads && answer && answer.status !== 413) escape(`${k}: a streamed body of ${total} bytes${lie ? ` declared as ${lie}` : ''} answered ${answer.status}, not 413`);
      if (pulled() > limit + 256 * 1024) escape(`${k}: read ${pulled()} bytes of an oversized body (limit ${limit})`);
    }
    if (DISRUPTIVE.has(k)) await heal();
  });
});

describe('bad input: attachments', () => {
  const tusHeaders = (token: string, length: string, extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${token}`,
    'tus-resumable': '1.0.0',
    'upload-length': length,
    'upload-metadata': `sha256 ${b64('0'.repeat(64))},filename ${b64('big.mp4')},filetype ${b64('video/mp4')}`,
    ...extra,
  });

  it('refuses an upload over the limit before any byte is written', async () => {
    const disk = uploadsOnDisk();
    for (const length of [String(MAX_UPLOAD_BYTES + 1), String(MAX_UPLOAD_BYTES * 4), '9999999999999999']) {
      stats.tus++;
      const answer = await send({ routeKey: 'ALL /api/files/uploads', who: 'learner', method: 'POST', path: '/api/files/uploads', headers: tusHeaders(tokens.learner, length), sentText: '' });
      if (answer?.status !== 413) escape(`an upload declaring ${length} bytes answered ${answer?.status}, not 413`);
      else if (!/GB/.test(JSON.parse(answer.text).message as string)) escape('the 413 of an upload does not say the limit');
    }
    const after = uploadsOnDisk();
    expect(after.files).toBe(disk.files);
    expect(after.bytes).toBe(disk.bytes);
  });

  it('never stores more than an upload declared', async () => {
    // Creation with upload: 1 MB of bytes for a 10-byte file.
    stats.tus++;
    const first = await send({
      routeKey: 'ALL /api/files/uploads',
      who: 'learner',
      method: 'POST',
      path: '/api/files/uploads',
      headers: tusHeaders(tokens.learner, '10', { 'content-type': 'application/offset+octet-stream' }),
      body: new Uint8Array(1024 * 1024),
      sentText: '',
    });
    expect(first && first.status < 500).toBe(true);
    // A 10-byte upload, then PATCHes far beyond it: declared, not declared (streamed), and lying.
    stats.tus++;
    const created = await centre.app.request('/api/files/uploads', { method: 'POST', headers: tusHeaders(tokens.learner, '10') });
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    const id = location.split('/').pop()!;
    for (const [length, lie] of [[1024 * 1024, undefined], [8 * 1024 * 1024, '5'], [8 * 1024 * 1024, null]] as const) {
      stats.tus++;
      const chunk = new Uint8Array(64 * 1024);
      let sent = 0;
      const body =
        lie === undefined
          ? new Uint8Array(length)
          : new ReadableStream<Uint8Array>({
              pull(controller) {
                if (sent >= length) return controller.close();
                sent += chunk.length;
                controller.enqueue(chunk);
              },
            });
      await send({
        routeKey: 'ALL /api/files/uploads/:id',
        who: 'learner',
        method: 'PATCH',
        path: `/api/files/uploads/${id}`,
        headers: { authorization: `Bearer ${tokens.learner}`, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', ...(lie ? { 'content-length': lie } : {}) },
        body,
        sentText: '',
      });
    }
    const disk = uploadsOnDisk();
    expect(disk.overDeclared).toEqual([]);
    const onDisk = (() => {
      try {
        return statSync(join(centre.filesDir, 'uploads', id)).size;
      } catch {
        return 0;
      }
    })();
    expect(onDisk).toBeLessThanOrEqual(10);
  });

  it('serves every stored type safely: its own type, nosniff, sandboxed, a download unless image/video/audio', async () => {
    // The fixture's files (declared as HTML, SVG, script...) and files with random declared types.
    const extra = fc.sample(fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^[a-z]{1,8}\/[a-z0-9.+-]{1,20}$/)), { seed: seedFor('types'), numRuns: sized({ quick: 15, full: 60 }) });
    for (const [i, type] of extra.entries()) {
      stats.tus++;
      await uploadAs(tokens.learner, Buffer.from(`${SCRIPTED} random type ${i} ${type}`), `random-${i}`, type).catch(() => escape(`upload of a file declared "${type}" was refused`));
    }
    await refreshPools();
    expect(pools.hashes.length).toBeGreaterThanOrEqual(ATTACHMENT_TYPES.length);
    const names = ['evidence.html', 'a"b\r\nSet-Cookie: x=1', 'ünï 🧑🏽‍💻.svg', '../../etc/passwd', 'x'.repeat(255)];
    for (const [i, hash] of pools.hashes.entries()) {
      for (const method of ['GET', 'HEAD']) {
        const name = names[i % names.length]!;
        const answer = await send({
          routeKey: 'GET /api/files/sha256/:hash',
          who: 'learner',
          method,
          path: `/api/files/sha256/${hash}?name=${encodeURIComponent(name)}`,
          headers: { authorization: `Bearer ${tokens.learner}` },
          sentText: name,
        });
        // The learner holds all of these files; anything else than the bytes is an escape.
        if (answer && answer.status !== 200) escape(`own file ${hash} answered ${answer.status}`);
      }
    }
    const scripted = await Promise.all(['text/html', 'image/svg+xml'].map(async (t) => (await centre.db.query<{ sha256: string }>('select sha256 from attachments where type = $1', [t]))[0]?.sha256));
    for (const hash of scripted) {
      const response = await centre.app.request(`/api/files/sha256/${hash}`, { headers: { authorization: `Bearer ${tokens.learner}` } });
      expect(response.headers.get('content-disposition')).toMatch(/^attachment/);
      expect(response.headers.get('content-security-policy')).toMatch(/(^|;\s*)sandbox(;|$)/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});

describe('bad input: spec imports', () => {
  it('refuses malformed or hostile specs with a clear message, and keeps what is stored', async () => {
    const samples = fc.sample(hostileSpecArb(), { seed: seedFor('specs'), numRuns: sized({ quick: 60, full: 400 }) });
    for (const body of samples) {
      stats.specImports++;
      const answer = await send({
        routeKey: 'POST /api/admin/specs',
        who: 'admin',
        method: 'POST',
        path: '/api/admin/specs',
        headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
        body,
        sentText: typeof body === 'string' ? body : '',
      });
      if (!answer) continue;
      if (![201, 400, 409, 413].includes(answer.status)) escape(`a spec import answered ${answer.status}`);
      if (answer.status === 400) {
        const { error, message } = JSON.parse(answer.text) as { error: string; message: string };
        if (!['invalid-json', 'invalid-spec', 'invalid-encoding'].includes(error)) escape(`a spec refused as "${error}"`);
        if (!/spec|JSON|UTF-8/i.test(message)) escape(`a spec refusal that does not say what is wrong: ${message.slice(0, 120)}`);
      }
    }
    // Whatever was accepted is a valid spec, and every stored spec still loads and lists.
    for (const { id, version } of await centre.db.query<{ id: string; version: number }>('select id, version from qualification_specs')) {
      const answer = await send({ routeKey: 'GET /api/specs/:id/:version', who: 'learner', method: 'GET', path: `/api/specs/${encodeURIComponent(id)}/${version}`, headers: { authorization: `Bearer ${tokens.learner}` }, sentText: '' });
      if (answer?.status !== 200) escape(`stored spec ${id}@${version} answered ${answer?.status}`);
      else expect(() => parseSpec(JSON.parse(answer.text), `${id}@${version}`)).not.toThrow();
    }
    const list = await send({ routeKey: 'GET /api/admin/specs', who: 'admin', method: 'GET', path: '/api/admin/specs', headers: { authorization: `Bearer ${tokens.admin}` }, sentText: '' });
    expect(list?.status).toBe(200);
  });
});

describe('bad input: what the fuzz left behind still reads', () => {
  it('answers every GET route, for every caller, on the data the fuzz wrote', async () => {
    await heal();
    await refreshPools();
    const pick = <T,>(xs: T[], n: number) => xs.filter((_, i) => i % Math.max(1, Math.floor(xs.length / n)) === 0).slice(0, n);
    for (const rule of ROUTES.filter((r) => r.method === 'GET')) {
      const names = [...rule.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      const combos: Array<Record<string, string>> = [{}];
      for (const n of names) {
        const values = n === 'version' ? ['1'] : pick(poolFor(n), 6);
        combos.splice(0, combos.length, ...combos.flatMap((c) => values.map((v) => ({ ...c, [n]: v }))));
      }
      const queries = rule.path === '/api/audit' ? pick(pools.users, 6).map((u) => `?learnerId=${u}`) : rule.path === '/api/sync/pull' ? ['?since=0', '?since=0&limit=1'] : [''];
      for (const who of allowedCallers(rule).filter((w) => w !== 'bad-token' && w !== 'signed-out'))
        for (const combo of combos.slice(0, 12))
          for (const q of queries) {
            const path = rule.path.replace(/:(\w+)/g, (_m, n: string) => encodeURIComponent(combo[n] ?? '')) + q;
            await send({ routeKey: key(rule), who, method: 'GET', path, headers: { authorization: authHeader(who, 0)! }, sentText: '' });
          }
    }
  }, 600_000);
});

describe('bad input: the verdict', () => {
  it('found no escapes and lost no data', async () => {
    await finalChecks();
    const lost = stats.dataLost;
    const uncovered = ROUTES.map(key).filter((k) => !stats.byRoute.has(k));
    expect(uncovered, 'routes never called').toEqual([]);
    expect(lost, 'data lost').toBe(0);
    expect(stats.escapes.slice(0, 20), `${stats.escapes.length} escapes`).toEqual([]);
  });
});

// Reserved for the raw-token writer: keep the import used when no schema needs it.
void RawToken;
void SYNC_PROTOCOL_VERSION;
void createDeviceSession;
