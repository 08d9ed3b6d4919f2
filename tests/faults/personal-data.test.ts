import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { strFromU8, unzipSync, type Unzipped } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErasureStatus, sectionFile, SubjectAccessExport, type SubjectAccessSection } from '../../src/domain/personal-data';
import { SYNC_PROTOCOL_VERSION } from '../../src/domain/sync';
import { seedShippedSpecs } from '../../server/seed';
import { startTestCentre, type TestCentre, type TestUser } from '../server/harness';
import { buildLearner, registerKey, samplingPlan, type BuiltLearner, type SigningKey } from '../server/personal-data-fixture';
import { reportSuite } from './collector';
import { FAULTS_SEED, rng, seedFor, sized } from './scale';

/**
 * Suite 9, personal data. A centre with several learners (files shared by hash between some of
 * them, two assessors' caseloads, IQA plans sampling both) and a learner at another centre. One
 * learner, picked by the seed, asks for their data and is then erased by an admin:
 *   - the export holds every record, version, file and session of theirs (checked by hash
 *     against the database and the file store) and nothing of anyone else;
 *   - erasure before the retention period is refused, at seeded times before it, with the date,
 *     and changes nothing; so are a wrong confirmation, a reason naming them, another centre;
 *   - after the clock passes the period, the erasure leaves nothing of theirs in any table or on
 *     disk (their id survives only as the opaque id of the erasure, its tombstones and the audit
 *     log), every row and file of everyone else is byte-identical, shared bytes stay;
 *   - late pushes from a staff device about them are refused (never applied, never a 5xx), and
 *     staff pulls carry the tombstones;
 *   - the audit log records the export (who, for whom) and the erasure (no name, no email).
 * Escapes are counted, not thrown, and asserted zero at the end; figures go to docs/reliability.md.
 */

const started = Date.now();
const random = rng(seedFor('personal-data'));
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const LEARNERS = sized({ quick: 5, full: 12 });
const EARLY_ATTEMPTS = sized({ quick: 6, full: 30 });
const LATE_PUSHES = sized({ quick: 8, full: 40 });

const stats = { requests: 0, faults: 0, escapes: [] as string[], dataLost: 0, exportFiles: 0, exportRecords: 0, rowsBefore: 0, rowsRemoved: 0, rowsRedacted: 0, filesDeleted: 0, filesKept: 0 };
const escape = (line: string) => stats.escapes.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);

let centre: TestCentre;
let centreId: string;
let admin: TestUser;
let otherAdmin: TestUser;
let assessors: TestUser[];
let assessorKeys: SigningKey[];
let learners: BuiltLearner[];
let outsider: BuiltLearner;
let target: BuiltLearner;
let others: BuiltLearner[];
let erasable: ErasureStatus;

const FIRST = ['Jordan', 'Sam', 'Chloe', 'Ryan', 'Aisha', 'Tomasz', 'Mei', 'Kwame', 'Siobhan', 'Oluwaseun', 'Hannah', 'Dev', 'Zara', 'Lewis'];
const LAST = ['Ellis', 'Patel', 'Wright', 'Murphy', 'Khan', 'Nowak', 'Chen', 'Mensah', 'Byrne', 'Adeyemi', 'Lewis', 'Shah', 'Ahmed', 'Grant'];

async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Response> {
  stats.requests++;
  const response = await centre.request(method, path, options);
  if (response.status >= 500) escape(`${method} ${path}: ${response.status} ${(await response.clone().text()).slice(0, 200)}`);
  return response;
}

// ---------- What the centre holds ----------

/** Every row of every table as JSON text (device sessions without the times that slide on every use). */
async function dumpTables(): Promise<Map<string, Set<string>>> {
  const tables = await centre.db.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`);
  const dump = new Map<string, Set<string>>();
  for (const { table_name } of tables) {
    const rows = await centre.db.query<{ j: string }>(`select (to_jsonb(t) - 'last_seen_at' - 'expires_at')::text as j from ${table_name} t`);
    dump.set(table_name, new Set(rows.map((r) => r.j)));
  }
  return dump;
}

/** Every file under the data directory (the content store and unfinished uploads), by path, with its SHA-256. */
function dumpDisk(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(centre.filesDir, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(centre.filesDir);
  return files;
}

interface Markers {
  /** Strings that identify the person: any one left anywhere is residue. */
  personal: string[];
  /** Opaque ids of their things: allowed only in the erasure's own rows and the audit log. */
  ids: string[];
}

async function markersOf(l: BuiltLearner): Promise<Markers> {
  const sessions = await centre.db.query<{ id: string }>('select id from device_sessions where user_id = $1', [l.learner.id]);
  const unique = await uniqueFiles(l);
  return {
    personal: [l.learner.name, l.learner.email, l.deviceId, ...l.titles, ...unique],
    ids: [l.learner.id, l.enrolmentId, ...l.evidenceIds, ...l.decisions.map((d) => d.id), l.keyId, ...sessions.map((s) => s.id)],
  };
}

/** The learner's files no other learner holds. */
async function uniqueFiles(l: BuiltLearner): Promise<string[]> {
  const rows = await centre.db.query<{ sha256: string }>(
    `select o.sha256 from attachment_owners o where o.learner_id = $1 and not exists (select 1 from attachment_owners p where p.sha256 = o.sha256 and p.learner_id <> $1)`,
    [l.learner.id],
  );
  return rows.map((r) => r.sha256);
}

const mentions = (text: string, markers: readonly string[]) => markers.filter((m) => text.toLowerCase().includes(m.toLowerCase()));

// ---------- Building the centre ----------

beforeAll(async () => {
  centre = await startTestCentre();
  await seedShippedSpecs(centre.db);
  centreId = await centre.createCentre('Personal Data College');
  const otherCentre = await centre.createCentre('Elsewhere College');
  admin = await centre.createUser('admin', centreId, { name: 'Priya Admin' });
  otherAdmin = await centre.createUser('admin', otherCentre);
  assessors = [await centre.createUser('assessor', centreId, { name: 'Tom Okafor' }), await centre.createUser('assessor', centreId, { name: 'Hannah Lewis' })];
  assessorKeys = [await registerKey(centre, assessors[0]!), await registerKey(centre, assessors[1]!)];
  const iqa = await centre.createUser('iqa', centreId, { name: 'Grace Mensah' });

  // Shared bytes: the first pool item is held by the first two learners at least; the rest at random.
  const shared = Array.from({ length: 3 }, (_, i) => new TextEncoder().encode(`site photo ${i} taken by the whole team ${FAULTS_SEED}`));
  learners = [];
  for (let i = 0; i < LEARNERS; i++) {
    const files: Uint8Array[] = [];
    if (i < 2) files.push(shared[0]!);
    for (const bytes of shared.slice(1)) if (random() < 0.4) files.push(bytes);
    for (let f = 0, n = 1 + Math.floor(random() * 3); f < n; f++) files.push(new TextEncoder().encode(`learner ${i} file ${f} ${randomUUID()}`));
    const a = i % 2;
    learners.push(
      await buildLearner(centre, {
        centreId,
        name: `${FIRST[i % FIRST.length]} ${LAST[(i * 5 + 3) % LAST.length]}`,
        assessor: assessors[a]!,
        assessorKey: assessorKeys[a]!,
        files,
        items: 1 + Math.floor(random() * 3),
      }),
    );
  }
  for (const a of assessors) await samplingPlan(centre, centreId, iqa, a);
  const outsiderAssessor = await centre.createUser('assessor', otherCentre);
  outsider = await buildLearner(centre, { centreId: otherCentre, name: 'Morgan Outsider', assessor: outsiderAssessor, assessorKey: await registerKey(centre, outsiderAssessor), files: [shared[0]!], items: 1 });

  // The target always shares bytes with someone: one of the first two.
  target = learners[Math.floor(random() * 2)]!;
  others = [...learners.filter((l) => l !== target), outsider];

  // An upload the target never finished, and one of another learner's: only the target's may go.
  for (const l of [target, others[0]!]) {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    stats.requests++;
    const response = await centre.app.request('/api/files/uploads', {
      method: 'POST',
      headers: { authorization: `Bearer ${l.token}`, 'tus-resumable': '1.0.0', 'upload-length': '1000', 'upload-metadata': `sha256 ${b64('a'.repeat(64))},filename ${b64('half.mp4')},filetype ${b64('video/mp4')}` },
    });
    expect(response.status).toBe(201);
  }
}, 180_000);

afterAll(async () => {
  reportSuite({
    suite: 'personal-data',
    faultsInjected: stats.faults,
    inputsTried: stats.requests,
    escapes: stats.escapes.length,
    dataLost: stats.dataLost,
    durationMs: Date.now() - started,
    seed: FAULTS_SEED,
    details: {
      Learners: LEARNERS + 1,
      'Records and files in the export checked by hash': `${stats.exportRecords} records, ${stats.exportFiles} files`,
      'Erasures refused before the retention period or unconfirmed': EARLY_ATTEMPTS,
      'Late pushes about the erased learner': LATE_PUSHES,
      'Rows compared before and after the erasure': stats.rowsBefore,
      'Rows removed (all the erased learner’s)': stats.rowsRemoved,
      'Audit entries redacted': stats.rowsRedacted,
      'Files deleted / kept because another learner holds them': `${stats.filesDeleted} / ${stats.filesKept}`,
    },
    examples: stats.escapes,
  });
  await centre?.close();
});

// ---------- The suite ----------

describe('personal data: subject access', () => {
  async function exportOf(l: BuiltLearner, token: string): Promise<{ zip: Unzipped; data: SubjectAccessExport; text: string } | null> {
    const response = await call('GET', `/api/personal-data/learners/${l.learner.id}/export`, { token });
    if (response.status !== 200) {
      escape(`export of ${l.learner.name}: ${response.status} ${await response.text()}`);
      return null;
    }
    const zip = unzipSync(new Uint8Array(await response.arrayBuffer()));
    const raw: Record<string, unknown> = {};
    for (const s of Object.keys(SubjectAccessExport.shape) as SubjectAccessSection[]) raw[s] = zip[sectionFile(s)] ? JSON.parse(strFromU8(zip[sectionFile(s)]!)) : undefined;
    const parsed = SubjectAccessExport.safeParse(raw);
    if (!parsed.success) {
      escape(`export of ${l.learner.name} does not match its schema: ${parsed.error.message.slice(0, 200)}`);
      return null;
    }
    if (!zip['README.txt']) escape(`export of ${l.learner.name} has no README.txt`);
    const text = Object.entries(zip)
      .filter(([name]) => !name.startsWith('files/'))
      .map(([, b]) => strFromU8(b))
      .join('\n');
    return { zip, data: parsed.data, text };
  }

  it('holds everything about the learner, checked by hash, and nothing about anyone else', async () => {
    for (const [who, token] of [
      ['the learner', target.token],
      ['an admin', await centre.tokenFor(admin)],
    ] as const) {
      const got = await exportOf(target, token);
      if (!got) continue;
      const { zip, data, text } = got;
      // Every record and version the centre holds for them, as it holds it.
      const records = await centre.db.query<{ entity: string; id: string; h: string }>(
        `select r.entity, r.id, md5(r.data::text || r.revision::text || (select string_agg(v.revision::text || v.data::text, ',' order by v.revision) from record_versions v where v.entity = r.entity and v.id = r.id)) as h
           from records r where r.learner_id = $1`,
        [target.learner.id],
      );
      const held = [...data.profile, ...data.enrolments, ...data.evidence, ...data.decisions];
      for (const r of records) {
        const found = held.find((h) => h.entity === r.entity && h.id === r.id);
        stats.exportRecords++;
        if (!found) {
          escape(`export by ${who} lacks ${r.entity} ${r.id}`);
          continue;
        }
        // Versions compared through PostgreSQL's own text of each JSON, so key order cannot differ.
        const [theirs] = await centre.db.query<{ h: string }>(
          `select md5($1::jsonb::text || $2::text || (select string_agg(x->>'revision' || (x->'data')::text, ',' order by (x->>'revision')::int) from jsonb_array_elements($3::jsonb) x)) as h`,
          [JSON.stringify(found.data), String(found.revision), JSON.stringify(found.versions)],
        );
        if (theirs!.h !== r.h) escape(`export by ${who}: ${r.entity} ${r.id} differs from what the centre holds`);
      }
      if (held.length !== records.length) escape(`export by ${who} has ${held.length} records, the centre ${records.length}`);
      // Every file, byte for byte.
      const owned = await centre.db.query<{ sha256: string }>('select sha256 from attachment_owners where learner_id = $1', [target.learner.id]);
      for (const { sha256 } of owned) {
        stats.exportFiles++;
        const bytes = zip[`files/${sha256}`];
        if (!bytes) escape(`export by ${who} lacks file ${sha256}`);
        else if (createHash('sha256').update(bytes).digest('hex') !== sha256) escape(`export by ${who}: file ${sha256} has other bytes`);
      }
      const zipFiles = Object.keys(zip).filter((n) => n.startsWith('files/'));
      if (zipFiles.length !== owned.length) escape(`export by ${who} carries ${zipFiles.length} files, the learner holds ${owned.length}`);
      const sessions = await centre.db.query<{ id: string }>('select id from device_sessions where user_id = $1', [target.learner.id]);
      for (const s of sessions) if (!data.sessions.some((d) => d.id === s.id)) escape(`export by ${who} lacks session ${s.id}`);
      if (data.account.email !== target.learner.email) escape(`export by ${who}: account email missing`);
      if (/password_hash|passwordHash|token_hash|\$argon2/.test(text)) escape(`export by ${who} holds a password or token hash`);
      // Nothing of anyone else: their ids, names, emails, titles, their own files.
      for (const other of others) {
        const m = await markersOf(other);
        const leaked = mentions(text, [...m.personal, ...m.ids]);
        if (leaked.length > 0) escape(`export by ${who} of ${target.learner.name} mentions ${other.learner.name}'s ${leaked.slice(0, 3).join(', ')}`);
        for (const sha of await uniqueFiles(other)) if (zip[`files/${sha}`]) escape(`export by ${who} carries ${other.learner.name}'s file ${sha}`);
      }
    }
    // Others may not have it.
    for (const token of [others[0]!.token, await centre.tokenFor(assessors[0]!), await centre.tokenFor(otherAdmin)]) {
      stats.faults++;
      const response = await call('GET', `/api/personal-data/learners/${target.learner.id}/export`, { token });
      if (response.status !== 403 && response.status !== 404) escape(`export of ${target.learner.name} by someone else answered ${response.status}`);
    }
    const audited = await centre.db.query<{ user_id: string }>(`select user_id from audit_log where action = 'subject-access-export' and record_id = $1 order by id`, [target.learner.id]);
    if (audited.map((a) => a.user_id).join() !== [target.learner.id, admin.id].join()) escape(`the exports were audited as ${JSON.stringify(audited)}`);
    expect(stats.exportRecords).toBeGreaterThan(0);
  });
});

describe('personal data: erasure', () => {
  it('is refused before the retention period, unconfirmed, or from another centre, and changes nothing', async () => {
    const statusToken = await centre.tokenFor(admin);
    const status = await call('GET', `/api/personal-data/learners/${target.learner.id}/erasure`, { token: statusToken });
    erasable = ErasureStatus.parse(await status.json());
    expect(erasable.erasable).toBe(false);
    const from = new Date(`${erasable.erasableFrom}T00:00:00Z`).getTime();
    const earliest = new Date(erasable.retentionFrom).getTime();
    // Times before the period ends, the last one a minute before; each with an admin signed in then.
    const times = Array.from({ length: EARLY_ATTEMPTS }, (_, i) => new Date(i === 0 ? from - 60_000 : earliest + Math.floor(random() * (from - earliest))));
    const tokens: string[] = [];
    for (const t of times) {
      centre.now.value = t;
      tokens.push(await centre.tokenFor(admin));
    }
    const laterToken = await (async () => {
      centre.now.value = new Date(from + 86_400_000);
      return centre.tokenFor(admin);
    })();
    const outsiderToken = await centre.tokenFor(otherAdmin);
    const before = await dumpTables();
    const disk = dumpDisk();

    const body = { reason: 'Retention period over; learner left the programme.', confirmName: target.learner.name };
    for (const [i, t] of times.entries()) {
      centre.now.value = t;
      stats.faults++;
      const response = await call('POST', `/api/personal-data/learners/${target.learner.id}/erase`, { token: tokens[i]!, body });
      const answer = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
      const day = new Date(from).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
      if (response.status !== 409 || answer.error !== 'retention-period' || !answer.message?.includes(day)) escape(`early erasure at ${t.toISOString()}: ${response.status} ${JSON.stringify(answer)}`);
    }
    // After the period, but not confirmed, or with a reason that names them, or by another centre.
    centre.now.value = new Date(from + 86_400_000);
    const refusals: Array<[string, { reason: string; confirmName: string }, string]> = [
      [laterToken, { ...body, confirmName: pick(others.slice(0, -1)).learner.name }, 'a wrong name'],
      [laterToken, { ...body, confirmName: '' }, 'no name'],
      [laterToken, { reason: `${target.learner.name} asked to be forgotten`, confirmName: target.learner.name }, 'a reason naming them'],
      [laterToken, { reason: `Asked by ${target.learner.email}`, confirmName: target.learner.name }, 'a reason with their email'],
      [laterToken, { reason: 'too short', confirmName: target.learner.name }, 'a short reason'],
      [outsiderToken, body, 'another centre'],
    ];
    for (const [token, request, what] of refusals) {
      stats.faults++;
      const response = await call('POST', `/api/personal-data/learners/${target.learner.id}/erase`, { token, body: request });
      if (response.status < 400 || response.status >= 500) escape(`erasure with ${what} answered ${response.status}`);
      const answer = (await response.json().catch(() => null)) as { error?: string; message?: string } | null;
      if (!answer?.error || !answer.message) escape(`erasure with ${what}: no readable refusal`);
    }

    const after = await dumpTables();
    for (const [table, rows] of before) {
      const now = after.get(table)!;
      const gone = [...rows].filter((r) => !now.has(r));
      const added = [...now].filter((r) => !rows.has(r));
      if (gone.length > 0) {
        stats.dataLost += gone.length;
        escape(`a refused erasure changed ${gone.length} rows of ${table}: ${gone[0]!.slice(0, 200)}`);
      }
      if (added.length > 0) escape(`a refused erasure added ${added.length} rows to ${table}: ${added[0]!.slice(0, 200)}`);
    }
    const diskAfter = dumpDisk();
    for (const [path, sha] of disk) if (diskAfter.get(path) !== sha) {
      stats.dataLost++;
      escape(`a refused erasure changed file ${path}`);
    }
  });

  it('after the period leaves nothing of the learner, and every row and file of everyone else as it was', async () => {
    centre.now.value = new Date(new Date(`${erasable.erasableFrom}T00:00:00Z`).getTime() + Math.floor(random() * 400) * 86_400_000);
    const adminToken = await centre.tokenFor(admin);
    const assessorOfTarget = assessors[learners.indexOf(target) % 2]!;
    const staffDevice = randomUUID();
    const assessorToken = await centre.tokenFor(assessorOfTarget, staffDevice);
    const markers = await markersOf(target);
    const before = await dumpTables();
    const disk = dumpDisk();
    const targetFiles = new Set(await uniqueFiles(target));
    const sharedFiles = (await centre.db.query<{ sha256: string }>('select sha256 from attachment_owners where learner_id = $1', [target.learner.id])).map((r) => r.sha256).filter((h) => !targetFiles.has(h));
    // The target's unfinished upload: its bytes and its metadata file (tus keeps the uploader there).
    const targetUploads = new Set<string>();
    for (const path of disk.keys()) {
      if (!path.startsWith('uploads') || !path.endsWith('.json')) continue;
      const meta = JSON.parse(readFileSync(join(centre.filesDir, path), 'utf8')) as { metadata?: { uploader?: string } };
      if (meta.metadata?.uploader === target.learner.id) targetUploads.add(path).add(path.slice(0, -'.json'.length));
    }
    stats.rowsBefore = [...before.values()].reduce((n, rows) => n + rows.size, 0);

    const response = await call('POST', `/api/personal-data/learners/${target.learner.id}/erase`, {
      token: adminToken,
      body: { reason: 'Retention period over; learner left the programme.', confirmName: target.learner.name },
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const result = (await response.json()) as { filesDeleted: number; filesKept: number; auditEntriesRedacted: number };
    stats.filesDeleted = result.filesDeleted;
    stats.filesKept = result.filesKept;
    stats.rowsRedacted = result.auditEntriesRedacted;
    if (result.filesKept !== sharedFiles.length || result.filesKept === 0) escape(`kept ${result.filesKept} shared files, expected ${sharedFiles.length}`);

    const after = await dumpTables();
    const ERASURE_TABLES = new Set(['erasures', 'erased_records']);
    for (const [table, rows] of before) {
      const now = after.get(table)!;
      for (const row of rows) {
        if (now.has(row)) continue;
        // Gone or changed: it must have been about the target.
        if (mentions(row, [...markers.personal, ...markers.ids]).length === 0) {
          stats.dataLost++;
          escape(`erasure changed or removed a row not about the learner in ${table}: ${row.slice(0, 240)}`);
        } else stats.rowsRemoved++;
      }
      for (const row of now) {
        if (rows.has(row)) continue;
        const redacted = table === 'audit_log' && row.includes('"redacted": "erasure"');
        const erasureEntry = table === 'audit_log' && row.includes('"action": "learner-erased"');
        if (!ERASURE_TABLES.has(table) && !redacted && !erasureEntry) escape(`erasure added a row to ${table}: ${row.slice(0, 240)}`);
      }
      // Nothing personal left anywhere; the opaque ids only in the erasure's rows and the audit log.
      for (const row of now) {
        const personal = mentions(row, markers.personal);
        if (personal.length > 0) escape(`after erasure ${table} still holds ${personal.join(', ')}: ${row.slice(0, 240)}`);
        if (!ERASURE_TABLES.has(table) && table !== 'audit_log') {
          const ids = mentions(row, markers.ids);
          if (ids.length > 0) escape(`after erasure ${table} still names ${ids.join(', ')}: ${row.slice(0, 240)}`);
        }
      }
    }
    const erasedEntry = [...after.get('audit_log')!].find((r) => r.includes('"action": "learner-erased"'));
    if (!erasedEntry) escape('the erasure is not in the audit log');
    else if (!erasedEntry.includes(admin.id) || !erasedEntry.includes(target.learner.id)) escape(`the erasure's audit entry does not say who erased whom: ${erasedEntry}`);

    // Disk: exactly the target's own files and their unfinished upload go.
    const diskAfter = dumpDisk();
    for (const [path, sha] of disk) {
      const mine = targetFiles.has(sha) || targetUploads.has(path);
      if (diskAfter.get(path) === sha) {
        if (targetFiles.has(sha)) escape(`file ${path} of the erased learner is still on disk`);
        continue;
      }
      if (!mine) {
        stats.dataLost++;
        escape(`erasure removed or changed ${path}, not the erased learner's`);
      }
    }
    for (const sha of sharedFiles) if (![...diskAfter.values()].includes(sha)) {
      stats.dataLost++;
      escape(`shared file ${sha} was deleted`);
    }
    const uploadsLeft = [...diskAfter.keys()].filter((p) => p.startsWith('uploads') && p.endsWith('.json'));
    for (const p of uploadsLeft) if (readFileSync(join(centre.filesDir, p), 'utf8').includes(target.learner.id)) escape(`the erased learner's unfinished upload ${p} is still there`);
    if (uploadsLeft.length !== 1) escape(`expected the other learner's unfinished upload to stay, found ${uploadsLeft.length}`);

    // Late pushes from the assessor's tablet about the learner: refused, never applied, never a 5xx.
    const recordIds = [...target.evidenceIds];
    for (let i = 0; i < LATE_PUSHES; i++) {
      stats.faults++;
      const kind = i % 4;
      const mutation =
        kind === 0
          ? { entity: 'evidence', recordId: pick(recordIds), op: 'upsert', baseRevision: 2, patch: { narrative: 'typed offline after the erasure' } }
          : kind === 1
            ? { entity: 'evidence', recordId: randomUUID(), op: 'upsert', baseRevision: 0, patch: { enrolmentId: target.enrolmentId, title: 'An observation recorded offline', kind: 'observation', status: 'submitted' } }
            : kind === 2
              ? { entity: 'decision', recordId: randomUUID(), op: 'upsert', baseRevision: 0, patch: { ...target.decisions[1]!, id: undefined } }
              : { entity: 'evidence', recordId: pick(recordIds), op: 'delete', baseRevision: 2, patch: { deletedAt: new Date().toISOString() } };
      const push = await call('POST', '/api/sync/push', {
        token: assessorToken,
        body: { protocol: SYNC_PROTOCOL_VERSION, deviceId: staffDevice, mutations: [{ id: randomUUID(), createdAt: new Date().toISOString(), ...mutation }] },
      });
      if (push.status !== 200) {
        escape(`late push answered ${push.status}`);
        continue;
      }
      const [answer] = ((await push.json()) as { results: Array<{ status: string; message?: string }> }).results;
      if (answer?.status !== 'rejected' || !answer.message) escape(`late push about the erased learner was ${answer?.status}: ${JSON.stringify(answer).slice(0, 200)}`);
    }
    const resurrected = await centre.db.query(`select entity, id from records where learner_id = $1 or id = any($2::text[])`, [target.learner.id, recordIds]);
    if (resurrected.length > 0) escape(`late pushes brought back ${resurrected.length} records`);
    const pull = await call('GET', '/api/sync/pull?since=0', { token: assessorToken });
    const changes = ((await pull.json()) as { changes: Array<{ id: string; deleted: boolean }> }).changes;
    for (const id of [target.learner.id, target.enrolmentId, ...target.evidenceIds, ...target.decisions.map((d) => d.id)])
      if (!changes.some((c) => c.id === id && c.deleted)) escape(`the assessor's pull carries no tombstone for ${id}`);
    if (changes.some((c) => c.deleted && mentions(JSON.stringify(c), markers.personal).length > 0)) escape('a tombstone carries personal data');
    // The learner's own device is signed out, and asking again finds no one.
    if ((await call('GET', '/api/sync/pull?since=0', { token: target.token })).status !== 401) escape("the erased learner's device can still pull");
    if ((await call('POST', `/api/personal-data/learners/${target.learner.id}/erase`, { token: adminToken, body: { reason: 'Retention period over again.', confirmName: target.learner.name } })).status !== 404)
      escape('a second erasure did not answer 404');
  });

  it('found no escapes and lost no data', () => {
    expect(stats.escapes).toEqual([]);
    expect(stats.dataLost).toBe(0);
  });
});
