import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CentreEnrolmentList, CentreUserList, type CreateEnrolmentRequest } from '../../src/domain/admin';
import { SignInResponse } from '../../src/domain/auth';
import { todayIso } from '../../src/domain/dates';
import { Evidence } from '../../src/domain/evidence';
import type { QualificationSpec } from '../../src/domain/qualification';
import { enrolmentProblem } from '../../server/enrolments';
import { formatSignIns, seedDemoCentre, seedShippedSpecs, type DemoSignIn } from '../../server/seed';
import { loadSpec, readShippedSpecs } from '../../server/specs';
import { startTestCentre, TEST_DB_KIND, type TestCentre } from './harness';

let centre: TestCentre;
let signIns: DemoSignIn[];
let adminToken: string;

beforeAll(async () => {
  centre = await startTestCentre();
  expect((await seedShippedSpecs(centre.db)).sort()).toEqual(['4520-02@1', '4520-03@1', '4520-04@1', 'icttech@1']);
  // Two centre processes starting together on one empty database: exactly one seeds.
  const results = await Promise.all([seedDemoCentre(centre.db, centre.now.value), seedDemoCentre(centre.db, centre.now.value)]);
  expect(results.filter((r) => r !== null)).toHaveLength(1);
  signIns = results.find((r) => r !== null)!;
  const admin = signIns.find((s) => s.role === 'admin')!;
  const response = await centre.request('POST', '/api/auth/sign-in', { body: { email: admin.email, password: admin.password, deviceId: randomUUID() } });
  adminToken = SignInResponse.parse(await response.json()).token;
});
afterAll(async () => {
  await centre.close();
});

async function enrolments() {
  return CentreEnrolmentList.parse(await (await centre.request('GET', '/api/admin/enrolments', { token: adminToken })).json()).enrolments;
}

describe('shipped specs', () => {
  it('are all valid and are added once', async () => {
    expect(readShippedSpecs().map((s) => s.id)).toEqual(['4520-02', '4520-03', '4520-04', 'icttech']);
    expect(await seedShippedSpecs(centre.db)).toEqual([]);
  });
});

describe('the demo centre', () => {
  it('is seeded only while there are no users', async () => {
    expect(await seedDemoCentre(centre.db, centre.now.value)).toBeNull();
    const [row] = await centre.db.query<{ n: number }>(`select count(*)::int as n from centres where name = 'Demo College'`);
    expect(row?.n).toBe(1);
  });

  it('has an admin, two assessors, an IQA and four learners, each able to sign in with the printed password', async () => {
    expect(signIns.map((s) => s.role).sort()).toEqual(['admin', 'assessor', 'assessor', 'iqa', 'learner', 'learner', 'learner', 'learner']);
    for (const s of signIns) {
      expect(s.password.length).toBeGreaterThanOrEqual(10);
      const response = await centre.request('POST', '/api/auth/sign-in', { body: { email: s.email, password: s.password, deviceId: randomUUID() } });
      expect(response.status, s.email).toBe(200);
      expect(SignInResponse.parse(await response.json()).user).toMatchObject({ role: s.role, name: s.name, centreName: 'Demo College' });
    }
    const table = formatSignIns(signIns);
    for (const s of signIns) expect(table).toContain(`${s.email}  `);
    expect(table.split('\n')).toHaveLength(signIns.length + 1);
  });

  it('gives each assessor two learners and every learner an assessor', async () => {
    const { users } = CentreUserList.parse(await (await centre.request('GET', '/api/admin/users', { token: adminToken })).json());
    const assessors = users.filter((u) => u.role === 'assessor');
    expect(assessors.map((a) => a.caseload.length)).toEqual([2, 2]);
    for (const learner of users.filter((u) => u.role === 'learner')) expect(learner.assessors).toHaveLength(1);
  });

  it('enrols the learners on 4520-02, -03, -03 and -04 by the rules an admin must follow', async () => {
    const list = await enrolments();
    expect(list.map((e) => e.qualificationId).sort()).toEqual(['4520-02', '4520-03', '4520-03', '4520-04']);
    for (const e of list) {
      const spec = (await loadSpec(centre.db, e.qualificationId, e.qualificationVersion)) as QualificationSpec;
      expect(e.startDate <= spec.lastRegistrationDate, `${e.learnerName} starts before ${spec.id} closed`).toBe(true);
      const request: CreateEnrolmentRequest = { ...e };
      expect(enrolmentProblem(spec, request, todayIso(centre.now.value))).toBeNull();
      const optional = new Set(spec.units.filter((u) => !u.mandatory).map((u) => u.id));
      expect(e.optionalUnitIds.every((id) => optional.has(id))).toBe(true);
    }
    const by = (id: string) => list.filter((e) => e.qualificationId === id);
    expect(by('4520-03')[0]?.optionalUnitIds).toEqual(['J/601/3507', 'A/601/3293', 'D/500/7332', 'M/500/7383', 'L/502/1114', 'J/601/3247']);
    const spec02 = (await loadSpec(centre.db, '4520-02', 1)) as QualificationSpec;
    const level2Options = spec02.units.filter((u) => !u.mandatory && u.level === 2).map((u) => u.id);
    expect(by('4520-02')[0]?.optionalUnitIds.sort()).toEqual(level2Options.sort());
    expect(by('4520-04')[0]?.startDate).toMatch(/^2023-/);
  });

  it('gives every learner, and only learners, a profile record', async () => {
    const learners = signIns.filter((s) => s.role === 'learner').map((s) => s.name).sort();
    const profiles = await centre.db.query<{ name: string; role: string; employer: string }>(
      `select r.data->>'name' as name, r.data->>'employer' as employer, u.role from records r join users u on u.id = r.id::uuid where r.entity = 'profile'`,
    );
    expect(profiles.map((p) => p.name).sort()).toEqual(learners);
    expect(profiles.every((p) => p.role === 'learner' && p.employer === '')).toBe(true);
  });

  it('has evidence, drafts and submitted, mapped to criteria of the units each learner takes', async () => {
    const rows = await centre.db.query<{ id: string; learner_id: string; data: Record<string, unknown> }>(`select id, learner_id, data from records where entity = 'evidence'`);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const list = await enrolments();
    const statuses = new Set<string>();
    for (const row of rows) {
      const evidence = Evidence.omit({ id: true, dirty: true, serverRevision: true }).strict().parse(row.data);
      statuses.add(evidence.status);
      const enrolment = list.find((e) => e.id === evidence.enrolmentId);
      expect(enrolment?.learnerId, evidence.title).toBe(row.learner_id);
      const spec = (await loadSpec(centre.db, enrolment!.qualificationId, enrolment!.qualificationVersion)) as QualificationSpec;
      const taken = spec.units.filter((u) => u.mandatory || enrolment!.optionalUnitIds.includes(u.id));
      const criteria = new Set(taken.flatMap((u) => u.outcomes.flatMap((o) => o.criteria.map((c) => c.id))));
      expect(evidence.criterionIds.length).toBeGreaterThan(0);
      for (const id of evidence.criterionIds) expect(criteria.has(id), `${evidence.title}: ${id}`).toBe(true);
    }
    expect([...statuses].sort()).toEqual(['draft', 'submitted']);
  });
});

// The process itself, as `npm start` runs it after the build: seeds and prints on the first run only.
// It always runs on PGlite (its default), so it is run once, in the PGlite pass.
describe.skipIf(TEST_DB_KIND !== 'pglite')('server/main.ts', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ictp-main-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts the centre on a free port, waits for it to listen, and returns what it printed once stopped. */
  async function runOnce(check: (base: string) => Promise<void>): Promise<string> {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', STATIC_DIR: join(dataDir, 'no-dist') };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const base = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (match) {
            clearInterval(timer);
            resolve(match[1]!);
          }
        }, 100);
        void exited.then(() => {
          clearInterval(timer);
          reject(new Error(`The centre exited before listening:\n${output}`));
        });
      });
      await check(base);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    return output;
  }

  it('prints the demo sign-ins on the first run only', { timeout: 90_000 }, async () => {
    let printed: DemoSignIn | undefined;
    const first = await runOnce(async (base) => {
      expect(await (await fetch(`${base}/api/health`)).json()).toEqual({ ok: true, db: 'pglite' });
      printed = signIns.find((s) => s.role === 'assessor');
      const response = await fetch(`${base}/api/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: printed!.email, password: printed!.password, deviceId: randomUUID() }),
      });
      expect(response.status).toBe(200);
    });
    expect(first).toContain('Demo College');
    for (const s of signIns) expect(first).toMatch(new RegExp(`${s.email.replace(/\./g, '\\.')}\\s+${s.password}\\s+${s.role}`));

    const second = await runOnce(async () => undefined);
    expect(second).toContain('Demo sign-ins: see the README');
    expect(second).not.toContain(printed!.password);
  });
});
