/**
 * One interface over the two backends: PostgreSQL (`pg`, when DATABASE_URL is set) and PGlite (Postgres in
 * WASM, the embedded default). Both speak the same SQL, so the store has one set of migrations and queries.
 * Driver differences are hidden here: bigint/numeric come back as strings from `pg` and numbers from PGlite,
 * so queries cast what they read (`::int`, `::float8`) and days are text.
 */
export type Row = Record<string, unknown>;

export interface Queryable {
  query<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface EvidenceDb extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction; rolls back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}
