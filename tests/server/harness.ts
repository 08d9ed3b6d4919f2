import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createApp } from '../../server/app';
import { hashPassword } from '../../server/auth/passwords';
import { createDeviceSession } from '../../server/auth/sessions';
import type { AppEnv, Role } from '../../server/context';
import type { Database } from '../../server/db/database';
import { migrate } from '../../server/db/migrate';
import { openPglite } from '../../server/db/pglite';
import { openPostgres } from '../../server/db/postgres';

/**
 * The same server suite runs on PGlite (default) and on a real PostgreSQL when
 * TEST_DATABASE_URL is set (CI sets it): each test file gets its own fresh database.
 */
export const TEST_DB_KIND: 'pglite' | 'postgres' = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: Role;
  centreId: string;
  name: string;
}

export interface TestCentre {
  db: Database;
  app: Hono<AppEnv>;
  filesDir: string;
  now: { value: Date };
  createCentre(name?: string): Promise<string>;
  createUser(role: Role, centreId: string, options?: { name?: string; email?: string; password?: string }): Promise<TestUser>;
  /** A device session for the user, as sign-in would make. */
  tokenFor(user: TestUser, deviceId?: string): Promise<string>;
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

async function openTestDatabase(): Promise<{ db: Database; drop: () => Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const db = await openPglite('memory');
    return { db, drop: async () => undefined };
  }
  const name = `ictp_test_${randomUUID().replace(/-/g, '')}`;
  const admin = await openPostgres(adminUrl);
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString());
  return {
    db,
    drop: async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}

export async function startTestCentre(): Promise<TestCentre> {
  const { db, drop } = await openTestDatabase();
  await migrate(db);
  const filesDir = mkdtempSync(join(tmpdir(), 'ictp-files-'));
  const now = { value: new Date('2026-11-23T10:00:00Z') };
  const app = createApp({ db, filesDir, now: () => now.value });
  let counter = 0;
  return {
    db,
    app,
    filesDir,
    now,
    async createCentre(name = 'Test College') {
      const id = randomUUID();
      await db.query('insert into centres (id, name) values ($1, $2)', [id, name]);
      return id;
    },
    async createUser(role, centreId, options = {}) {
      const id = randomUUID();
      const n = ++counter;
      const user: TestUser = {
        id,
        role,
        centreId,
        name: options.name ?? `${role} ${n}`,
        email: options.email ?? `${role}${n}-${id.slice(0, 8)}@example.org`,
        password: options.password ?? `correct horse ${n}`,
      };
      await db.query('insert into users (id, centre_id, email, name, role, password_hash) values ($1, $2, $3, $4, $5, $6)', [
        id,
        centreId,
        user.email,
        user.name,
        role,
        await hashPassword(user.password),
      ]);
      return user;
    },
    async tokenFor(user, deviceId = randomUUID()) {
      return (await createDeviceSession(db, user.id, deviceId, 'test device', now.value)).token;
    },
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      }
      return app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    },
    async close() {
      await db.close();
      await drop();
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
}
