/**
 * Daily rollups per check (runs, passes, warns, fails, waived, errors, p50/p95 duration, a duration histogram,
 * first/last failure) and per finding, computed from the raw results of a day in one SQL pass. A day is sealed (final) once it is
 * over plus a grace period; reports read rollups only, and raw rows may then be dropped after the retention
 * period. The seal ties a final rollup to the hash of the last result it counted, so verify can still check
 * it after the raw rows are gone.
 */
import type { EvidenceDb, Queryable } from './db/types';
import { BUCKET_SQL, histogramText, parseHistogram, type DurationHistogram } from './duration-histogram';
import { canonicalJson, sha256Hex } from './hash';

/** The aggregate of one (check, day), as compare/verify recompute it. */
export const ROLLUP_SELECT = `
  SELECT stream AS check_id, day, max(element) AS element, max(type) AS type,
    count(*)::int AS runs,
    (count(*) FILTER (WHERE effective_status = 'pass'))::int AS passes,
    (count(*) FILTER (WHERE effective_status = 'warn'))::int AS warns,
    (count(*) FILTER (WHERE effective_status = 'fail'))::int AS fails,
    (count(*) FILTER (WHERE effective_status = 'waived'))::int AS waived,
    (count(*) FILTER (WHERE effective_status = 'error'))::int AS errors,
    (percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms))::float8 AS p50_ms,
    (percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms))::float8 AS p95_ms,
    min(scheduled_at) FILTER (WHERE status = 'fail') AS first_failure_at,
    max(scheduled_at) FILTER (WHERE status = 'fail') AS last_failure_at,
    min(scheduled_at) AS first_run_at, max(scheduled_at) AS last_run_at,
    (array_agg(hash ORDER BY seq DESC))[1] AS last_hash,
    (SELECT jsonb_object_agg(b::text, n) FROM (SELECT ${BUCKET_SQL('h.duration_ms')} AS b, count(*)::int AS n
       FROM evidence_results h WHERE h.day = evidence_results.day AND h.stream = evidence_results.stream GROUP BY 1) x) AS duration_hist
  FROM evidence_results`;

/** The aggregate of each failing or warning finding of a (check, day). */
export const FINDING_SELECT = `
  SELECT r.stream AS check_id, r.day, f->>'id' AS finding_id,
    (array_agg(f->>'severity' ORDER BY r.scheduled_at DESC))[1] AS severity,
    CASE WHEN bool_or(f->>'status' = 'fail') THEN 'fail' ELSE 'warn' END AS status,
    count(*)::int AS occurrences,
    (count(*) FILTER (WHERE (r.body::jsonb -> 'waivedFindings') ? (f->>'id')))::int AS waived,
    min(r.scheduled_at) AS first_seen_at, max(r.scheduled_at) AS last_seen_at,
    left((array_agg(f->>'message' ORDER BY r.scheduled_at DESC))[1], 1000) AS message
  FROM evidence_results r CROSS JOIN LATERAL jsonb_array_elements(r.body::jsonb -> 'result' -> 'findings') f`;
export const FINDING_GROUP = `AND f->>'status' IN ('fail', 'warn') GROUP BY r.stream, r.day, f->>'id'`;

export interface RollupRow {
  check_id: string;
  day: string;
  element: string;
  type: string;
  runs: number;
  passes: number;
  warns: number;
  fails: number;
  waived: number;
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
  first_failure_at: Date | null;
  last_failure_at: Date | null;
  first_run_at: Date | null;
  last_run_at: Date | null;
  last_hash: string | null;
  /** Non-empty duration buckets; null for rows rolled up before histograms were kept. */
  duration_hist?: DurationHistogram | string | null;
  final?: boolean;
  seal?: string | null;
}

const ROLLUP_FIELDS = ['element', 'type', 'runs', 'passes', 'warns', 'fails', 'waived', 'errors', 'p50_ms', 'p95_ms', 'first_failure_at', 'last_failure_at', 'first_run_at', 'last_run_at', 'last_hash'] as const;

/** Float and time fields compared with a tolerance: percentiles pass through float8 on two drivers. */
export function rollupDiff(stored: RollupRow, fresh: RollupRow): string | undefined {
  for (const f of ROLLUP_FIELDS) {
    const a = stored[f] as unknown;
    const b = fresh[f] as unknown;
    if (a instanceof Date || b instanceof Date) {
      if ((a ? new Date(a as Date).getTime() : null) !== (b ? new Date(b as Date).getTime() : null)) return f;
    } else if (typeof a === 'number' || typeof b === 'number') {
      if (a === null || b === null || Math.abs(Number(a) - Number(b)) > 1e-6 * Math.max(1, Math.abs(Number(b)))) return f;
    } else if (a !== b) return f;
  }
  // A row rolled up before histograms were kept has none to compare (its seal covers that it has none).
  if (stored.duration_hist != null && histogramText(parseHistogram(stored.duration_hist)) !== histogramText(parseHistogram(fresh.duration_hist))) return 'duration_hist';
  return undefined;
}

/**
 * The seal of a final rollup: its numbers, its duration histogram and the hash of the last result it counted.
 * A row without a histogram (rolled up before they were kept) seals exactly as before, so its seal still holds;
 * a histogram added, removed or edited after sealing breaks the seal.
 */
export function sealOf(r: RollupRow): string {
  const numbers: Record<string, unknown> = { check_id: r.check_id, day: r.day };
  for (const f of ROLLUP_FIELDS) {
    const v = r[f] as unknown;
    numbers[f] = v instanceof Date ? v.toISOString() : typeof v === 'number' ? Number(v.toFixed(6)) : v;
  }
  const hist = parseHistogram(r.duration_hist);
  if (hist) numbers.duration_hist = hist;
  return sha256Hex(canonicalJson(numbers));
}

/** Recomputes the rollups of the given days from raw rows; `final` seals them. */
export async function computeRollups(db: EvidenceDb, days: string[], final: boolean): Promise<number> {
  let n = 0;
  for (const day of days) {
    n += await db.transaction(async (tx) => {
      const rows = await tx.query<RollupRow & Record<string, unknown>>(`${ROLLUP_SELECT} WHERE day = $1 GROUP BY stream, day`, [day]);
      for (const r of rows) await upsertRollup(tx, r, final);
      await tx.query(`DELETE FROM evidence_finding_rollups WHERE day = $1`, [day]);
      await tx.query(`INSERT INTO evidence_finding_rollups (check_id, day, finding_id, severity, status, occurrences, waived, first_seen_at, last_seen_at, message) ${FINDING_SELECT} WHERE r.day = $1 ${FINDING_GROUP}`,
        [day],
      );
      return rows.length;
    });
  }
  return n;
}

export async function upsertRollup(tx: Queryable, r: RollupRow, final: boolean): Promise<void> {
  await tx.query(
    `INSERT INTO evidence_rollups (check_id, day, element, type, runs, passes, warns, fails, waived, errors, p50_ms, p95_ms,
       first_failure_at, last_failure_at, first_run_at, last_run_at, last_hash, final, seal, duration_hist)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20::text::jsonb)
     ON CONFLICT (check_id, day) DO UPDATE SET element = EXCLUDED.element, type = EXCLUDED.type, runs = EXCLUDED.runs,
       passes = EXCLUDED.passes, warns = EXCLUDED.warns, fails = EXCLUDED.fails, waived = EXCLUDED.waived, errors = EXCLUDED.errors,
       p50_ms = EXCLUDED.p50_ms, p95_ms = EXCLUDED.p95_ms, first_failure_at = EXCLUDED.first_failure_at,
       last_failure_at = EXCLUDED.last_failure_at, first_run_at = EXCLUDED.first_run_at, last_run_at = EXCLUDED.last_run_at,
       last_hash = EXCLUDED.last_hash, final = EXCLUDED.final, seal = EXCLUDED.seal, duration_hist = EXCLUDED.duration_hist`,
    [r.check_id, r.day, r.element, r.type, r.runs, r.passes, r.warns, r.fails, r.waived, r.errors, r.p50_ms, r.p95_ms,
      r.first_failure_at, r.last_failure_at, r.first_run_at, r.last_run_at, r.last_hash, final, final ? sealOf(r) : null,
      histogramText(parseHistogram(r.duration_hist))],
  );
}

/**
 * The days among `days` that hold raw results and whose rollups are missing or not final. Index probes per day,
 * not a scan of the raw rows (a month of 1,000 one-minute checks is 43 M rows).
 */
export async function unsealedDays(db: Queryable, days: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const day of days) {
    const [r] = await db.query<{ raw: boolean; n: number; open: number }>(
      `SELECT EXISTS (SELECT 1 FROM evidence_results WHERE day = $1) AS raw,
         (SELECT count(*) FROM evidence_rollups WHERE day = $1)::int AS n,
         (SELECT count(*) FROM evidence_rollups WHERE day = $1 AND NOT final)::int AS open`,
      [day],
    );
    if (r.raw && (Number(r.n) === 0 || Number(r.open) > 0)) out.push(day);
  }
  return out;
}
