/**
 * A mergeable histogram of probe durations, kept with each daily rollup so a month's (or any period's) p50/p95 can
 * be computed after the raw rows are gone: percentiles of days cannot be merged, histograms can (add the counts).
 *
 * Buckets are fixed and defined here once, log-spaced by RATIO = 1.1 from 1 ms:
 *   index 0            underflow, duration < 1 ms (and anything not a number)
 *   index i, 1..N      1.1^(i-1) ms <= duration < 1.1^i ms
 *   index N + 1        overflow, duration >= 1.1^N ms (N = 123, 1.1^123 ≈ 123.4 s, past the 120 s probe limit)
 * The SQL below assigns the buckets (so the same code fills them on PostgreSQL and SQLite); the store keeps the
 * non-empty buckets as a jsonb object { "index": count }.
 *
 * Error bound: a percentile is read as percentile_cont reads sorted values, with each value replaced by its
 * bucket's geometric midpoint. A midpoint is within sqrt(1.1) - 1 ≈ 4.9% of every value of its bucket, and a
 * weighted mean of two such estimates stays within the same ratio of the weighted mean of the true values, so
 * the result is within 4.9% of the exact percentile_cont of the raw durations, for durations from 1 ms to 123 s.
 */
import type { Dialect } from './db/dialect';
import { asObject } from '../util/narrow';

export const RATIO = 1.1;
export const BUCKETS = Math.ceil(Math.log(120_000) / Math.log(RATIO)); // 123 regular buckets
export const OVERFLOW = BUCKETS + 1;
/** The largest relative error of a percentile read from a histogram (durations 1 ms – 123 s). */
export const MAX_RELATIVE_ERROR = Math.sqrt(RATIO) - 1;

/** Counts per non-empty bucket index. */
export type DurationHistogram = Record<string, number>;

const LN_RATIO = Math.log(RATIO).toPrecision(17);
const OVERFLOW_MS = RATIO ** BUCKETS;

/**
 * SQL: the bucket of `duration_ms`. NaN sorts above every number in PostgreSQL, so `NOT (d >= 1)` keeps ln() away
 * from zero and negatives, and NaN and infinity land in the overflow bucket.
 */
export const BUCKET_SQL = (d: Dialect, col: string) =>
  `CASE WHEN NOT (${col} >= 1) THEN 0 WHEN ${col} >= ${OVERFLOW_MS.toPrecision(17)} THEN ${OVERFLOW}
   ELSE ${d.least(`CAST(floor(ln(${col}) / ${LN_RATIO}) AS integer) + 1`, String(OVERFLOW))} END`;

/** Lower and upper bound (ms) of a bucket. */
export function bucketBounds(i: number): [number, number] {
  if (i <= 0) return [0, 1];
  if (i >= OVERFLOW) return [OVERFLOW_MS, Infinity];
  return [RATIO ** (i - 1), RATIO ** i];
}

/** The value a bucket stands for: its geometric midpoint (underflow: 0.5 ms; overflow: its lower bound). */
export function bucketValue(i: number): number {
  if (i <= 0) return 0.5;
  if (i >= OVERFLOW) return OVERFLOW_MS;
  return RATIO ** (i - 0.5);
}

/** A stored histogram (jsonb parsed by the driver, or its text) as counts by index; null when there is none. */
export function parseHistogram(v: unknown): DurationHistogram | null {
  if (v === null || v === undefined) return null;
  const o = asObject(typeof v === 'string' ? JSON.parse(v) : v);
  const out: DurationHistogram = {};
  for (const k of Object.keys(o).sort((a, b) => Number(a) - Number(b))) {
    const n = Number(o[k]);
    if (n > 0) out[String(Number(k))] = n;
  }
  return out;
}

/** The same histogram always gives the same text (sorted by index): what seals and comparisons use. */
export function histogramText(h: DurationHistogram | null): string | null {
  if (!h) return null;
  const keys = Object.keys(h)
    .map(Number)
    .sort((a, b) => a - b);
  return JSON.stringify(Object.fromEntries(keys.map((k) => [String(k), h[String(k)]])));
}

export function mergeHistograms(hs: DurationHistogram[]): DurationHistogram {
  const out: DurationHistogram = {};
  for (const h of hs) for (const [k, n] of Object.entries(h)) out[k] = (out[k] ?? 0) + n;
  return out;
}

/** The histogram of a list of durations, as the SQL would fill it (for tests and tools). */
export function histogramOf(durations: number[]): DurationHistogram {
  const out: DurationHistogram = {};
  for (const d of durations) {
    const i = !(d >= 1) ? 0 : d >= OVERFLOW_MS ? OVERFLOW : Math.min(Math.floor(Math.log(d) / Math.log(RATIO)) + 1, OVERFLOW);
    out[String(i)] = (out[String(i)] ?? 0) + 1;
  }
  return out;
}

/**
 * The p-quantile (0..1) as percentile_cont would give it over the sorted durations, each replaced by its bucket's
 * value: rank h = p·(n−1), interpolated linearly between the values of ranks ⌊h⌋ and ⌈h⌉. Null when empty.
 */
export function histogramPercentile(h: DurationHistogram, p: number): number | null {
  const buckets = Object.entries(h)
    .map(([k, n]) => [Number(k), n] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((s, [, n]) => s + n, 0);
  if (!total) return null;
  const rank = p * (total - 1);
  const valueAt = (r: number): number => {
    let seen = 0;
    for (const [i, n] of buckets) {
      seen += n;
      if (r < seen) return bucketValue(i);
    }
    return bucketValue(buckets[buckets.length - 1][0]);
  };
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = valueAt(lo);
  return hi === lo ? a : a + (rank - lo) * (valueAt(hi) - a);
}
