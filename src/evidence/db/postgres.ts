/** PostgreSQL through `pg`: the backend for several recorders or hosts sharing one store. */
import { Pool, types } from 'pg';
import type { EvidenceDb, Queryable, Row } from './types';

// int8 as JS numbers (counts and sequence numbers stay far below 2^53), the way PGlite returns them. Set per
// pool, not globally, so other users of `pg` in the process keep the driver's defaults.
const typeParsers = {
  getTypeParser: ((oid: number, format?: string) => (oid === 20 ? (v: string) => Number(v) : types.getTypeParser(oid, format as 'text'))) as typeof types.getTypeParser,
};

export function openPostgres(url: string, opts: { max?: number } = {}): EvidenceDb {
  const pool = new Pool({ connectionString: url, max: opts.max ?? 4, connectionTimeoutMillis: 10_000, statement_timeout: 600_000, types: typeParsers });
  // An idle client that loses its server must not crash the process; the next query reports the problem.
  pool.on('error', () => undefined);
  return {
    kind: 'postgres',
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pool.query(sql, params)).rows as T[];
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = { query: async <R>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as R[] };
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
