/**
 * The comparison peer's server: express-pouchdb (CouchDB's HTTP API over PouchDB with the leveldb
 * adapter, as `pouchdb-server` is, see ../shared/TOOLCHAIN.md) at /db, and the benchmark's
 * pages at /__bench, on one origin so the browser's PouchDB needs no CORS.
 *   PORT, DATA_DIR (leveldb files, config and log), BENCH_PAGES (the built __bench directory)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import expressPouchDB from 'express-pouchdb';
import PouchDBCore from 'pouchdb-core';
import leveldb from 'pouchdb-adapter-leveldb';
import http from 'pouchdb-adapter-http';
import mapreduce from 'pouchdb-mapreduce';
import replication from 'pouchdb-replication';

const port = Number(process.env.PORT ?? 5984);
const dataDir = process.env.DATA_DIR!;
mkdirSync(dataDir, { recursive: true });
const PouchDB = PouchDBCore.plugin(leveldb).plugin(http).plugin(mapreduce).plugin(replication).defaults({ prefix: `${dataDir}/` });

const app = express();
app.use('/__bench', express.static(process.env.BENCH_PAGES!));
app.use(
  '/db',
  expressPouchDB(PouchDB, {
    mode: 'minimumForPouchDB',
    configPath: join(dataDir, 'config.json'),
    logPath: join(dataDir, 'log.txt'),
  }),
);
const server = app.listen(port, '127.0.0.1', () => console.log(`express-pouchdb on http://127.0.0.1:${port}/db`));
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
