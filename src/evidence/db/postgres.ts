/**
 * PostgreSQL through `pg`: the backend for several recorders or hosts sharing one store, and for access control
 * by database roles (docs/security.md). A lost server never crashes the process: idle and checked-out clients
 * both have error listeners, and every failure reaches the caller as an EvidenceStoreError naming the server.
 */
import { Pool, types, type CustomTypesConfig, type PoolClient } from 'pg';
import { EvidenceStoreDownError, EvidenceStoreError } from '../../errors';
import { POSTGRES } from './dialect';
import type { EvidenceDb, Queryable } from './types';

// int8 as JS numbers (counts and sequence numbers stay far below 2^53), as SQLite returns them. Set per pool,
// not globally, so other users of `pg` in the process keep the driver's defaults.
const typeParsers: CustomTypesConfig = {
  getTypeParser: (oid, format) => (oid === types.builtins.INT8 ? (v: string) => Number(v) : (types.getTypeParser(oid, format) as unknown)),
};

/** The URL as messages may show it: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'DATABASE_URL (unparsable)';
  }
}

// Connection-level failures (server gone, refused, auth): the store is unavailable, not the statement wrong.
const CONNECTION_CODES =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|EPIPE|57P0[1-3]|08\d{3}|53\d{3}|28P01|28000|3D000|25006)$/;

function wrap(where: string, e: unknown): unknown {
  const err = e as Error & { code?: string };
  if (err instanceof EvidenceStoreError) return err;
  // A role without write access (an auditor's, or a recorder whose grants were taken away): not this result's fault.
  if (err.code === '42501')
    return new EvidenceStoreDownError(
      `evidence database ${where}: ${err.message}; this database role may not do that (roles and GRANTs: docs/security.md)`,
      { cause: e },
    );
  if (
    CONNECTION_CODES.test(err.code ?? '') ||
    /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      err.message,
    )
  ) {
    return new EvidenceStoreDownError(
      `evidence database ${where} is unreachable (${err.message}); check that PostgreSQL runs and DATABASE_URL is right`,
      { cause: e },
    );
  }
  return e;
}

export function openPostgres(url: string, opts: { max?: number } = {}): EvidenceDb {
  const where = redactUrl(url);
  const pool = new Pool({
    connectionString: url,
    max: opts.max ?? 4,
    connectionTimeoutMillis: 10_000,
    statement_timeout: 600_000,
    types: typeParsers,
  });
  // An idle client that loses its server must not crash the process; the next query reports the problem.
  pool.on('error', () => undefined);
  const q = (c: { query: Pool['query'] }): Queryable => ({
    dialect: POSTGRES,
    async query<R>(sql: string, params: unknown[] = []) {
      try {
        return (await c.query(sql, params)).rows as R[];
      } catch (e) {
        throw wrap(where, e);
      }
    },
    async run(sql: string, params: unknown[] = []) {
      try {
        return (await c.query(sql, params)).rowCount ?? 0;
      } catch (e) {
        throw wrap(where, e);
      }
    },
  });
  const inTransaction = async <T>(begin: string, fn: (tx: Queryable) => Promise<T>): Promise<T> => {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      throw wrap(where, e);
    }
    // A checked-out client whose server goes away emits 'error'; without a listener that kills the process.
    let lost: Error | undefined;
    const onError = (e: Error) => (lost = e);
    client.on('error', onError);
    try {
      await client.query(begin);
      const out = await fn(q(client));
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw wrap(where, e);
    } finally {
      client.off('error', onError);
      // A broken connection goes back destroyed, not into the pool.
      client.release(lost ?? undefined);
    }
  };
  return {
    kind: 'postgres',
    location: where,
    ...q(pool),
    transaction: (fn) => inTransaction('BEGIN', fn),
    snapshot: (fn) => inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn),
    async ping() {
      await q(pool).query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}
