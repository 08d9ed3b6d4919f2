/**
 * The comparison peer: PouchDB in the same Chromium, holding the same items and photos as the
 * app's device, syncing with express-pouchdb (bench/pouch-server.ts) on the page's own origin.
 */
import PouchDB from 'pouchdb-browser';
import { itemContent, randomBytes, statusFor } from './data';

const now = () => performance.now();
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- pouchdb-browser ships no types
type Db = any;
const dbs = new Map<string, Db>();
const local = (name: string) => {
  let db = dbs.get(name);
  if (!db) dbs.set(name, (db = new PouchDB(name)));
  return db;
};

interface PouchSeed {
  name: string;
  items: number;
  attachments: number;
  attachmentBytes: number;
  mappingsPerItem: number;
  seed: number;
  pool: string[];
}

/** The device's own work: one document per item, the photo as an attachment of its item. */
async function seed(o: PouchSeed) {
  const db = local(o.name);
  const t0 = now();
  for (let start = 0; start < o.items; start += 50) {
    const docs = [];
    for (let i = start; i < Math.min(o.items, start + 50); i++) {
      const doc: Record<string, unknown> = {
        _id: `evidence-${String(i).padStart(6, '0')}`,
        type: 'evidence',
        status: statusFor(i),
        createdAt: new Date().toISOString(),
        ...itemContent(i, o.seed, o.pool, o.mappingsPerItem),
      };
      if (i < o.attachments)
        doc._attachments = {
          [`photo-${i + 1}.jpg`]: { content_type: 'image/jpeg', data: new Blob([randomBytes(o.attachmentBytes, o.seed * 100_003 + i)], { type: 'image/jpeg' }) },
        };
      docs.push(doc);
    }
    const results = (await db.bulkDocs(docs)) as Array<{ error?: string }>;
    const failed = results.find((r) => r.error);
    if (failed) throw new Error(`PouchDB seed failed: ${JSON.stringify(failed)}`);
  }
  return { ms: now() - t0 };
}

/** One-shot two-way sync (what a PouchDB app runs when it comes online), to completion. */
async function sync(o: { name: string; remote: string }) {
  const db = local(o.name);
  const t0 = now();
  const result = await db.sync(o.remote);
  return { ms: now() - t0, pushed: result.push?.docs_written ?? 0, pulled: result.pull?.docs_written ?? 0 };
}

async function change(o: { name: string; n: number; tag: string }) {
  const db = local(o.name);
  const ids = Array.from({ length: o.n }, (_, i) => `evidence-${String(i).padStart(6, '0')}`);
  const found = (await db.allDocs({ keys: ids, include_docs: true })) as { rows: unknown[] };
  const docs = found.rows.map((row) => {
    const doc = (row as { doc: { narrative: string } }).doc;
    return { ...doc, narrative: `${doc.narrative.slice(0, 300)} (revised ${o.tag})` };
  });
  await db.bulkDocs(docs);
  return { changed: docs.length };
}

/** Documents the server holds (listed, not doc_count: see TOOLCHAIN.md) and its attachment count. */
async function remoteCounts(remote: string) {
  const db: Db = new PouchDB(remote);
  const all = (await db.allDocs()) as { rows: unknown[] };
  const withFiles = (await db.allDocs({ include_docs: true })) as { rows: unknown[] };
  const attachments = withFiles.rows.reduce((n: number, r) => n + Object.keys((r as { doc?: { _attachments?: object } }).doc?._attachments ?? {}).length, 0);
  return { docs: all.rows.length, attachments };
}

const api = { seed, sync, change, remoteCounts };
(window as unknown as { benchPouch: typeof api }).benchPouch = api;
document.documentElement.dataset.benchReady = '1';
