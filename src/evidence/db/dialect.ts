/**
 * The SQL that PostgreSQL and SQLite spell differently, in one place. Everything else the store runs is written
 * once in the subset both accept: `CAST(x AS integer)` rather than `x::int`, aggregate `FILTER (WHERE …)`,
 * `ON CONFLICT … DO UPDATE SET … = EXCLUDED.…`, `UPDATE t AS a … FROM …`, window functions, `substr`.
 *
 * Each helper returns a SQL fragment; parameters stay `$n`. Timestamps are `timestamptz` on PostgreSQL and ISO-8601
 * UTC text with milliseconds on SQLite (`YYYY-MM-DDTHH:MM:SS.sssZ`, which sorts as time does); the drivers turn
 * Date parameters into that text and the text back into Date.
 */
export interface Dialect {
  readonly name: 'postgres' | 'sqlite';
  /** Column default for "now" in a timestamptz column. */
  readonly now: string;
  /** A 64-bit auto-numbered primary key column type. */
  readonly serialKey: string;
  /** Appended to a SELECT that reads rows the transaction will update (SQLite: the whole database is locked). */
  readonly forUpdate: string;
  /** A statement run first in the migration transaction so two processes cannot migrate at once, if needed. */
  readonly migrationLock: string | null;
  /** A query returning `n`, 1 when the table exists (in the current schema), else 0. */
  tableCount(table: string): string;
  /** After rows were inserted with explicit ids into a table with an auto-numbered `id`: continue after them. */
  resetSerial(table: string): string | null;
  /** A table of one text column `value` from a parameter bound to an array of strings. */
  list(param: string): string;
  /** A table `alias(col…)` from a parameter bound to JSON text: an array of objects with those keys. */
  rows(param: string, alias: string, cols: Record<string, 'text' | 'bigint'>): string;
  /** The larger / smaller of two values, ignoring NULL (PostgreSQL's greatest/least). */
  greatest(a: string, b: string): string;
  least(a: string, b: string): string;
  /** A parameter used where a timestamp is expected (PostgreSQL cannot infer it inside greatest()). */
  ts(param: string): string;
  /** A parameter (JSON text or NULL) stored into a jsonb column. */
  json(param: string): string;
  /** Continuous percentile (0..1) of `expr` over the group, interpolated as PostgreSQL's percentile_cont. */
  percentile(expr: string, p: number): string;
  /** Aggregates key/value pairs into one JSON object (keys as text). */
  jsonObjectAgg(key: string, value: string): string;
  /** Joins each element of the JSON array at `path` (keys from the top) of text column `col` as `alias`. */
  jsonArrayJoin(col: string, path: string[], alias: string): string;
  /** Field `name` of an element joined by jsonArrayJoin, as text. */
  jsonField(alias: string, name: string): string;
  /** The position (from 0 or 1, increasing in array order) of an element joined by jsonArrayJoin. */
  jsonArrayIndex(alias: string): string;
  /** True when the JSON object at `path` of text column `col` has the key given by SQL expression `key`. */
  jsonHasKey(col: string, path: string[], key: string): string;
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

export const POSTGRES: Dialect = {
  name: 'postgres',
  now: 'now()',
  serialKey: 'bigserial',
  forUpdate: ' FOR UPDATE',
  migrationLock: 'SELECT pg_advisory_xact_lock(7243001)',
  tableCount: (t) =>
    `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ${quote(t)}`,
  resetSerial: (t) => `SELECT setval(pg_get_serial_sequence(${quote(t)}, 'id'), coalesce((SELECT max(id) FROM ${t}), 0) + 1, false)`,
  list: (p) => `unnest(${p}::text[]) AS list(value)`,
  rows: (p, alias, cols) =>
    `jsonb_to_recordset(${p}::jsonb) AS ${alias}(${Object.entries(cols)
      .map(([c, t]) => `${c} ${t}`)
      .join(', ')})`,
  greatest: (a, b) => `greatest(${a}, ${b})`,
  least: (a, b) => `least(${a}, ${b})`,
  ts: (p) => `${p}::timestamptz`,
  json: (p) => `${p}::text::jsonb`,
  percentile: (e, p) => `percentile_cont(${p}) WITHIN GROUP (ORDER BY ${e})`,
  jsonObjectAgg: (k, v) => `jsonb_object_agg(${k}::text, ${v})`,
  // The element is column `alias` of table `alias_o`, so `alias->>'x'` still reads it and `alias_i` is its position.
  jsonArrayJoin: (col, path, alias) =>
    `CROSS JOIN LATERAL jsonb_array_elements(${col}::jsonb${path.map((k) => ` -> ${quote(k)}`).join('')}) WITH ORDINALITY AS ${alias}_o(${alias}, ${alias}_i)`,
  jsonField: (alias, name) => `${alias}->>${quote(name)}`,
  jsonArrayIndex: (alias) => `${alias}_i`,
  jsonHasKey: (col, path, key) => `(${col}::jsonb${path.map((k) => ` -> ${quote(k)}`).join('')}) ? (${key})`,
};

const jsonPath = (path: string[]) => quote(`$${path.map((k) => `.${k}`).join('')}`);

export const SQLITE: Dialect = {
  name: 'sqlite',
  now: `(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`,
  serialKey: 'INTEGER',
  forUpdate: '',
  migrationLock: null,
  tableCount: (t) => `SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ${quote(t)}`,
  resetSerial: () => null, // INTEGER PRIMARY KEY continues after the largest id by itself
  list: (p) => `json_each(${p})`,
  rows: (p, alias, cols) =>
    `(SELECT ${Object.keys(cols)
      .map((c) => `value ->> ${quote(c)} AS ${c}`)
      .join(', ')} FROM json_each(${p})) AS ${alias}`,
  // SQLite's scalar max/min return NULL when any argument is NULL; PostgreSQL's greatest/least skip NULLs.
  greatest: (a, b) => `max(coalesce(${a}, ${b}), coalesce(${b}, ${a}))`,
  least: (a, b) => `min(coalesce(${a}, ${b}), coalesce(${b}, ${a}))`,
  ts: (p) => p,
  json: (p) => p,
  // Built into SQLite since 3.47 (better-sqlite3 12 ships 3.5x): the same linear interpolation between ranks.
  percentile: (e, p) => `percentile_cont(${e}, ${p})`,
  jsonObjectAgg: (k, v) => `json_group_object(CAST(${k} AS text), ${v})`,
  jsonArrayJoin: (col, path, alias) => `CROSS JOIN json_each(${col}, ${jsonPath(path)}) AS ${alias}`,
  jsonField: (alias, name) => `(${alias}.value ->> ${quote(name)})`,
  jsonArrayIndex: (alias) => `${alias}.key`,
  jsonHasKey: (col, path, key) => `EXISTS (SELECT 1 FROM json_each(${col}, ${jsonPath(path)}) AS k WHERE k.key = (${key}))`,
};
