import pg from 'pg';
import type { Database, Sql } from './database';

export async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.PG_POOL_SIZE ?? 10) });
  // Surface lost connections in the log instead of crashing the process.
  pool.on('error', (error) => console.error('PostgreSQL pool error', error));
  await pool.query('select 1');
  const query = async <T>(text: string, params?: unknown[]): Promise<T[]> => (await pool.query(text, params)).rows as T[];
  return {
    kind: 'postgres',
    query,
    exec: async (script) => {
      await pool.query(script);
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn({
          query: async <R>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as R[],
          exec: async (script) => {
            await client.query(script);
          },
        });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
