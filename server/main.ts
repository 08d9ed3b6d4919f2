import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from './app';
import { removeExpiredUploads } from './files/uploads';
import { openDatabase } from './db/database';
import { migrate } from './db/migrate';
import { formatSignIns, seedDemoCentre, seedShippedSpecs } from './seed';

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const dataDir = resolve(process.env.DATA_DIR ?? './data');
const staticDir = resolve(process.env.STATIC_DIR ?? './dist');

mkdirSync(dataDir, { recursive: true });
const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir });
const applied = await migrate(db);
if (applied.length > 0) console.log(`Applied migrations: ${applied.join(', ')}`);

// Every start: a new app version may ship new spec versions; stored versions are never changed.
const specs = await seedShippedSpecs(db);
if (specs.length > 0) console.log(`Added qualification specs: ${specs.join(', ')}`);
// First start only (no users yet): a demo centre to sign in to.
const signIns = await seedDemoCentre(db, new Date());
if (signIns) {
  console.log('Seeded the demo centre "Demo College". Demo sign-ins (change these passwords before real use):');
  console.log(formatSignIns(signIns).replace(/^/gm, '  '));
} else {
  console.log('Demo sign-ins: see the README');
}

const filesDir = resolve(dataDir, 'files');
const app = createApp({ db, filesDir, now: () => new Date() }, { staticDir });
const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
  console.log(`ICT Portfolio centre on http://${host}:${info.port} (database: ${db.kind}${db.kind === 'pglite' ? `, data in ${dataDir}` : ''})`);
});

// Partial uploads past their lifetime go, on start and every hour (server/files/uploads.ts).
const expireUploads = () =>
  removeExpiredUploads(filesDir).then(
    (removed) => removed > 0 && console.log(`Removed ${removed} unfinished upload(s) older than 30 days`),
    (error: unknown) => console.error('Could not remove expired uploads', error),
  );
void expireUploads();
const expiry = setInterval(() => void expireUploads(), 60 * 60 * 1000);
expiry.unref();

async function shutdown(signal: string) {
  console.log(`${signal}: closing`);
  clearInterval(expiry);
  server.close();
  await db.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
