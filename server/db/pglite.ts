import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Sql } from './database';

/** PostgreSQL in-process, so `npm start` needs nothing installed. `memory` keeps it in RAM (tests). */
export async function openPglite(dataDir: string | 'memory'): Promise<Database> {
  let pg: PGlite;
  if (dataDir === 'memory') pg = new PGlite();
  else {
    const dir = join(dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    pg = new PGlite(dir);
  }
  await pg.waitReady;
  const query = async <T>(text: string, params?: unknown[]): Promise<T[]> => (await pg.query<T>(text, params)).rows;
  return {
    kind: 'pglite',
    query,
    exec: async (script) => {
      await pg.exec(script);
    },
    // PGlite has one connection and queues transactions behind each other.
    transaction: <T>(fn: (tx: Sql) => Promise<T>) =>
      pg.transaction((tx) =>
        fn({
          query: async <R>(text: string, params?: unknown[]) => (await tx.query<R>(text, params)).rows,
          exec: async (script) => {
            await tx.exec(script);
          },
        }),
      ),
    close: () => pg.close(),
  };
}
