/**
 * What the drivers return, made identical: the one place where values cross between JavaScript and either
 * database. PostgreSQL (`pg`) already returns Date for timestamptz, boolean and parsed jsonb; int8 is read as a
 * number by its type parser (postgres.ts). SQLite keeps timestamps as ISO text, booleans as 0/1 and json as text,
 * so its rows are converted by the column's declared type, or for computed columns (`min(scheduled_at) AS
 * first_failure_at`) by the name the store gives them.
 */
import { textOf } from '../../util/narrow';

/** Computed columns the store selects under these names hold timestamps / booleans / json. */
const TIME_NAMES = new Set([
  'recorded_at',
  'scheduled_at',
  'started_at',
  'starts_at',
  'expires_at',
  'ended_at',
  'first_failure_at',
  'last_failure_at',
  'first_run_at',
  'last_run_at',
  'first_seen_at',
  'last_seen_at',
  'built_at',
  'applied_at',
]);
const BOOL_NAMES = new Set(['final']);
const JSON_NAMES = new Set(['duration_hist']);

export type Convert = ((v: unknown) => unknown) | undefined;

const toDate: Convert = (v) => (v === null || v === undefined || v instanceof Date ? v : new Date(typeof v === 'number' ? v : textOf(v)));
const toBool: Convert = (v) => (v === null || v === undefined ? v : Boolean(v));
const toJson: Convert = (v) => (typeof v === 'string' ? JSON.parse(v) : v);

/** How to convert one SQLite result column, from its declared type (null for expressions) and its name. */
export function sqliteConverter(name: string, declared: string | null): Convert {
  const t = declared?.toLowerCase() ?? '';
  if (t === 'timestamptz' || (!t && TIME_NAMES.has(name))) return toDate;
  if (t === 'boolean' || (!t && BOOL_NAMES.has(name))) return toBool;
  if (t === 'jsonb' || (!t && JSON_NAMES.has(name))) return toJson;
  return undefined;
}

export function convertRow(row: Record<string, unknown>, converters: Array<[string, Convert]>): Record<string, unknown> {
  for (const [name, c] of converters) if (c) row[name] = c(row[name]);
  return row;
}

/** A JavaScript value as SQLite binds it: Date → ISO text (UTC, ms), boolean → 0/1, arrays/objects → JSON. */
export function sqliteParam(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new TypeError('an invalid Date cannot be stored');
    return v.toISOString();
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}
