/**
 * One interface over the two backends: SQLite (better-sqlite3, the embedded default under `<dataDir>/evidence`)
 * and PostgreSQL (`pg`, when DATABASE_URL is set). Statements use `$1…` parameters on both; the few constructs
 * the two spell differently come from `dialect` (src/evidence/db/dialect.ts), never from `if (kind === …)`.
 *
 * Values come back alike from both (src/evidence/db/rows.ts): timestamps as Date, booleans as boolean, json
 * columns parsed, integers as numbers. Parameters may be Date, boolean, number, string, null or arrays of text
 * (for `dialect.list`); each driver encodes them for its database.
 */
import type { Dialect } from './dialect';

export type Row = Record<string, unknown>;

export interface Queryable {
  readonly dialect: Dialect;
  query<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a statement that returns no rows; resolves to the number of rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
}

export type BackendKind = 'sqlite' | 'postgres';

export interface EvidenceDb extends Queryable {
  readonly kind: BackendKind;
  /** The SQLite file or the PostgreSQL URL without its password: what error messages name. */
  readonly location: string;
  /**
   * Runs `fn` in one write transaction, alone on this connection; rolls back if it throws. SQLite takes the
   * database's write lock at BEGIN (IMMEDIATE), so writers in other processes wait their turn instead of failing
   * half-way; PostgreSQL locks rows as statements reach them (`dialect.forUpdate`).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on one consistent read-only snapshot (PostgreSQL REPEATABLE READ READ ONLY; SQLite a read
   * transaction on a separate connection, so writers beside it carry on): a pack's chain heads are exactly the
   * state its rollups and records were read from.
   */
  snapshot<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Cheap round trip: can the store take a write right now (SQLite writes one meta row; PostgreSQL answers a
   * query)? Throws EvidenceStoreError naming the location if not. Used by the recorder while the store is down.
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}
