/**
 * Daily rollups per check (runs, passes, warns, fails, waived, errors; runs in maintenance are runs minus these; p50/p95 duration, a duration histogram,
 * first/last failure) and per finding, computed from the raw results of a day in one SQL pass. A day is sealed (final) once it is
 * over plus a grace period; reports read rollups only, and raw rows may then be dropped after the retention
 * period. The seal ties a final rollup to the hash of the last result it counted, so verify can still check
 * it after the raw rows are gone.
 */
import type { Dialect } from './db/dialect';
import type { EvidenceDb, Queryable } from './db/types';
import { BUCKET_SQL, histogramText, parseHistogram, type DurationHistogram } from './duration-histogram';
import { canonicalJson, sha256Hex } from './hash';

/** The aggregate of each (check, day) of raw results matching `where` (on `evidence_results`), as compare/verify recompute it. */
export function rollupSelect(d: Dialect, where: string): string {
  const same = `h.stream = evidence_results.stream AND h.day = evidence_results.day`;
  const count = (status: string) => `CAST(count(*) FILTER (WHERE effective_status = '${status}') AS integer)`;
  return `
  SELECT stream AS check_id, day, max(element) AS element, max(type) AS type,
    CAST(count(*) AS integer) AS runs,
    ${count('pass')} AS passes, ${count('warn')} AS warns, ${count('fail')} AS fails, ${count('waived')} AS waived, ${count('error')} AS errors,
    CAST(${d.percentile('duration_ms', 0.5)} AS double precision) AS p50_ms,
    CAST(${d.percentile('duration_ms', 0.95)} AS double precision) AS p95_ms,
    min(scheduled_at) FILTER (WHERE status = 'fail' AND effective_status <> 'maintenance') AS first_failure_at,
    max(scheduled_at) FILTER (WHERE status = 'fail' AND effective_status <> 'maintenance') AS last_failure_at,
    min(scheduled_at) AS first_run_at, max(scheduled_at) AS last_run_at,
    (SELECT h.hash FROM evidence_results h WHERE ${same} ORDER BY h.seq DESC LIMIT 1) AS last_hash,
    (SELECT ${d.jsonObjectAgg('b', 'n')} FROM (SELECT ${BUCKET_SQL(d, 'h.duration_ms')} AS b, CAST(count(*) AS integer) AS n
       FROM evidence_results h WHERE ${same} GROUP BY 1) x) AS duration_hist
  FROM evidence_results WHERE ${where} GROUP BY stream, day`;
}

/**
 * The aggregate of each failing or warning finding of a (check, day), over raw results `r` matching `where`. A result
 * that carries the same finding id twice (one per flow or scope) counts once: occurrences are results, not instances. The
 * latest severity and message (by scheduled time, then chain order, then the first instance in the result) come from a
 * window, which both backends have.
 */
export function findingSelect(d: Dialect, where: string): string {
  const f = (name: string) => d.jsonField('f', name);
  return `
  SELECT check_id, day, finding_id, max(latest_severity) AS severity,
    CASE WHEN max(CASE WHEN fstatus = 'fail' THEN 1 ELSE 0 END) = 1 THEN 'fail' ELSE 'warn' END AS status,
    CAST(count(DISTINCT seq) AS integer) AS occurrences, CAST(count(DISTINCT CASE WHEN w = 1 THEN seq END) AS integer) AS waived,
    min(scheduled_at) AS first_seen_at, max(scheduled_at) AS last_seen_at,
    substr(max(latest_message), 1, 1000) AS message
  FROM (SELECT r.stream AS check_id, r.day, r.seq, ${f('id')} AS finding_id, ${f('status')} AS fstatus, r.scheduled_at,
          CASE WHEN ${d.jsonHasKey('r.body', ['waivedFindings'], f('id'))} THEN 1 ELSE 0 END AS w,
          first_value(${f('severity')}) OVER latest AS latest_severity,
          first_value(${f('message')}) OVER latest AS latest_message
        FROM evidence_results r ${d.jsonArrayJoin('r.body', ['result', 'findings'], 'f')}
        WHERE ${where} AND ${f('status')} IN ('fail', 'warn')
        WINDOW latest AS (PARTITION BY r.stream, r.day, ${f('id')} ORDER BY r.scheduled_at DESC, r.seq DESC, ${d.jsonArrayIndex('f')} ASC)) x
  GROUP BY check_id, day, finding_id`;
}

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

const ROLLUP_FIELDS = [
  'element',
  'type',
  'runs',
  'passes',
  'warns',
  'fails',
  'waived',
  'errors',
  'p50_ms',
  'p95_ms',
  'first_failure_at',
  'last_failure_at',
  'first_run_at',
  'last_run_at',
  'last_hash',
] as const;

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
  if (
    stored.duration_hist != null &&
    histogramText(parseHistogram(stored.duration_hist)) !== histogramText(parseHistogram(fresh.duration_hist))
  )
    return 'duration_hist';
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
      const rows = await tx.query<RollupRow & Record<string, unknown>>(rollupSelect(tx.dialect, 'day = $1'), [day]);
      for (const r of rows) await upsertRollup(tx, r, final);
      await tx.run(`DELETE FROM evidence_finding_rollups WHERE day = $1`, [day]);
      await tx.run(
        `INSERT INTO evidence_finding_rollups (check_id, day, finding_id, severity, status, occurrences, waived, first_seen_at, last_seen_at, message) ${findingSelect(tx.dialect, 'r.day = $1')}`,
        [day],
      );
      return rows.length;
    });
  }
  return n;
}

export async function upsertRollup(tx: Queryable, r: RollupRow, final: boolean): Promise<void> {
  await tx.run(
    `INSERT INTO evidence_rollups (check_id, day, element, type, runs, passes, warns, fails, waived, errors, p50_ms, p95_ms,
       first_failure_at, last_failure_at, first_run_at, last_run_at, last_hash, final, seal, duration_hist)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, ${tx.dialect.json('$20')})
     ON CONFLICT (check_id, day) DO UPDATE SET element = EXCLUDED.element, type = EXCLUDED.type, runs = EXCLUDED.runs,
       passes = EXCLUDED.passes, warns = EXCLUDED.warns, fails = EXCLUDED.fails, waived = EXCLUDED.waived, errors = EXCLUDED.errors,
       p50_ms = EXCLUDED.p50_ms, p95_ms = EXCLUDED.p95_ms, first_failure_at = EXCLUDED.first_failure_at,
       last_failure_at = EXCLUDED.last_failure_at, first_run_at = EXCLUDED.first_run_at, last_run_at = EXCLUDED.last_run_at,
       last_hash = EXCLUDED.last_hash, final = EXCLUDED.final, seal = EXCLUDED.seal, duration_hist = EXCLUDED.duration_hist`,
    [
      r.check_id,
      r.day,
      r.element,
      r.type,
      r.runs,
      r.passes,
      r.warns,
      r.fails,
      r.waived,
      r.errors,
      r.p50_ms,
      r.p95_ms,
      r.first_failure_at,
      r.last_failure_at,
      r.first_run_at,
      r.last_run_at,
      r.last_hash,
      final,
      final ? sealOf(r) : null,
      histogramText(parseHistogram(r.duration_hist)),
    ],
  );
}

/**
 * The days among `days` that hold raw results and whose rollups are missing or not final. Index probes per day,
 * not a scan of the raw rows (a month of 1,000 one-minute checks is 43 M rows).
 */
export async function unsealedDays(db: Queryable, days: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const day of days) {
    const [r] = await db.query<{ raw: boolean | number; n: number; open: number }>(
      `SELECT EXISTS (SELECT 1 FROM evidence_results WHERE day = $1) AS raw,
         CAST((SELECT count(*) FROM evidence_rollups WHERE day = $1) AS integer) AS n,
         CAST((SELECT count(*) FROM evidence_rollups WHERE day = $1 AND NOT final) AS integer) AS open`,
      [day],
    );
    if (r.raw && (r.n === 0 || r.open > 0)) out.push(day);
  }
  return out;
}
