/**
 * The numbers of a pack, computed once from MonthData so the HTML, the CSV files and OCSF all agree.
 * Pass rate = (pass + warn) / (pass + warn + fail + waived): a waived result is not a pass, and `error` results
 * (the monitor could not decide) are left out of the rate and shown on their own.
 */
import { ELEMENT_IDS, ELEMENTS, type ElementId } from '../../elements';
import type { AppliedCheck } from '../config-log';
import { computeCoverage, coverageRatio, type CoverageGap } from '../coverage';
import type { MonitorDown } from '../lifecycle';
import type { RedisDownSpan } from '../outages';
import { clipFor } from '../maintenance';
import { histogramPercentile, mergeHistograms, parseHistogram, type DurationHistogram } from '../duration-histogram';
import type { RollupRow } from '../rollups';
import type { FindingDay, IncidentRow, MonthData } from './data';

export type PercentileMethod = 'histogram' | 'daily-approximation';

export type DayState = 'pass' | 'warn' | 'fail' | 'waived' | 'error' | 'none';

export interface Counts {
  runs: number;
  passes: number;
  warns: number;
  fails: number;
  waived: number;
  errors: number;
}

export interface CheckSummary extends Counts {
  checkId: string;
  name: string;
  element: string;
  type: string;
  passRate: number | null;
  /**
   * The period's p50/p95: from the merged daily duration histograms (within 4.9% of the exact value), or, when a
   * day of the check was rolled up before histograms were kept, the median of the daily medians and the worst
   * daily p95 (percentiles of days cannot be merged exactly).
   */
  p50Ms: number | null;
  p95Ms: number | null;
  percentileMethod: PercentileMethod | null;
  firstFailureAt: Date | null;
  lastFailureAt: Date | null;
  lastRunAt: Date | null;
  failureMs: number;
  incidents: number;
  days: DayState[];
  /** Slots the schedule called for while the check was configured, and those a recorded result filled. */
  expectedSlots: number;
  observedSlots: number;
  /** Observed share of the period (observed / expected); null when the configuration history has no schedule for it. */
  coverage: number | null;
}

export interface ElementSummary extends Counts {
  element: ElementId;
  checks: number;
  passRate: number | null;
  failureMs: number;
  coverage: number | null;
}

export type Delta = 'new' | 'still_failing' | 'resolved' | 'not_observed';

export interface FindingSummary {
  checkId: string;
  element: string;
  findingId: string;
  severity: string;
  status: 'fail' | 'warn';
  occurrences: number;
  waived: number;
  firstSeenAt: Date | null;
  lastSeenAt: Date | null;
  message: string;
  /** Still failing in the check's last result of the period. */
  openAtEnd: boolean;
  delta: Delta;
}

export interface PackSummary {
  totals: Counts & { checks: number; passRate: number | null; failureMs: number; coverage: number | null };
  checks: CheckSummary[];
  elements: ElementSummary[];
  findings: FindingSummary[];
  delta: Record<Delta, number>;
  appliedChecks: AppliedCheck[];
  empty: boolean;
  /** Days on which a check has fewer results than its schedule called for, with the causes the store knows. */
  gaps: CoverageGap[];
  monitorDown: MonitorDown[];
  redisDown: RedisDownSpan[];
}

/** Slots this close to the build time are not expected yet: their result may still be on its way. */
const SETTLE_MARGIN_MS = 120_000;

const zero = (): Counts => ({ runs: 0, passes: 0, warns: 0, fails: 0, waived: 0, errors: 0 });

function add(a: Counts, r: Counts): void {
  a.runs += r.runs;
  a.passes += r.passes;
  a.warns += r.warns;
  a.fails += r.fails;
  a.waived += r.waived;
  a.errors += r.errors;
}

export function passRate(c: Counts): number | null {
  const decided = c.passes + c.warns + c.fails + c.waived;
  return decided ? (c.passes + c.warns) / decided : null;
}

function dayState(r: RollupRow | undefined): DayState {
  if (!r || !r.runs) return 'none';
  if (r.fails) return 'fail';
  if (r.waived) return 'waived';
  if (r.warns) return 'warn';
  if (r.errors === r.runs) return 'error';
  return 'pass';
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A period's p50/p95 from its daily rollups: merged histograms when every day has one, else the approximation. */
export function periodPercentiles(rows: RollupRow[]): { p50Ms: number | null; p95Ms: number | null; method: PercentileMethod | null } {
  const timed = rows.filter((r) => r.runs > 0 && r.p50_ms !== null);
  if (!timed.length) return { p50Ms: null, p95Ms: null, method: null };
  const hists = timed.map((r) => parseHistogram(r.duration_hist));
  if (hists.every((h): h is DurationHistogram => h !== null)) {
    const merged = mergeHistograms(hists);
    return { p50Ms: histogramPercentile(merged, 0.5), p95Ms: histogramPercentile(merged, 0.95), method: 'histogram' };
  }
  const p95s = timed.map((r) => Number(r.p95_ms)).filter((x) => !Number.isNaN(x));
  return {
    p50Ms: median(timed.map((r) => Number(r.p50_ms))),
    p95Ms: p95s.length ? Math.max(...p95s) : null,
    method: 'daily-approximation',
  };
}

export function overlapMs(i: IncidentRow, from: Date, to: Date): number {
  const start = Math.max(new Date(i.started_at).getTime(), from.getTime());
  const end = Math.min(i.ended_at ? new Date(i.ended_at).getTime() : to.getTime(), to.getTime());
  return Math.max(0, end - start);
}

export function summarise(d: MonthData): PackSummary {
  const applied = d.configs.length ? d.configs[d.configs.length - 1].checks : [];
  const appliedById = new Map(applied.map((c) => [c.id, c]));
  const byCheck = new Map<string, RollupRow[]>();
  for (const r of d.rollups) byCheck.set(r.check_id, [...(byCheck.get(r.check_id) ?? []), r]);
  const ids = new Set([...byCheck.keys(), ...applied.filter((c) => c.enabled).map((c) => c.id)]);
  const failureBy = new Map<string, { ms: number; n: number }>();
  for (const i of d.incidents) {
    const f = failureBy.get(i.check_id) ?? { ms: 0, n: 0 };
    f.ms += overlapMs(i, d.from, d.to);
    f.n += 1;
    failureBy.set(i.check_id, f);
  }
  const settleMs = d.complete ? 0 : Math.max(0, ...d.configs.flatMap((c) => c.checks.map((k) => k.timeoutMs))) + SETTLE_MARGIN_MS;
  const coverage = computeCoverage({
    days: d.month.days,
    timezone: d.timezone,
    from: d.from,
    to: d.to,
    configs: d.configs,
    rollups: d.rollups,
    down: d.monitorDown,
    redisDown: d.redisDown,
    lost: d.lost,
    settleMs,
    // A check's windows by its latest configured element and labels (a window covers a check, an element, a label or all).
    maintenance: (checkId) => {
      const c = appliedById.get(checkId);
      return clipFor(d.maintenance, { id: checkId, element: c?.element ?? '', labels: c?.labels }, d.from, d.to);
    },
  });
  const coverageBy = new Map(coverage.checks.map((c) => [c.checkId, c]));
  for (const c of coverage.checks) ids.add(c.checkId);
  const checks: CheckSummary[] = [...ids].sort().map((checkId) => {
    const rows = byCheck.get(checkId) ?? [];
    const c = zero();
    for (const r of rows) add(c, r);
    const byDay = new Map(rows.map((r) => [r.day, r]));
    const cfg = appliedById.get(checkId);
    const fails = rows.map((r) => r.first_failure_at).filter(Boolean) as Date[];
    const lasts = rows.map((r) => r.last_failure_at).filter(Boolean) as Date[];
    const runs = rows.map((r) => r.last_run_at).filter(Boolean) as Date[];
    const pct = periodPercentiles(rows);
    return {
      checkId,
      name: cfg?.name ?? checkId,
      element: rows[0]?.element ?? cfg?.element ?? 'unknown',
      type: rows[0]?.type ?? cfg?.type ?? 'unknown',
      ...c,
      passRate: passRate(c),
      p50Ms: pct.p50Ms,
      p95Ms: pct.p95Ms,
      percentileMethod: pct.method,
      firstFailureAt: fails.length ? new Date(Math.min(...fails.map((x) => new Date(x).getTime()))) : null,
      lastFailureAt: lasts.length ? new Date(Math.max(...lasts.map((x) => new Date(x).getTime()))) : null,
      lastRunAt: runs.length ? new Date(Math.max(...runs.map((x) => new Date(x).getTime()))) : null,
      failureMs: failureBy.get(checkId)?.ms ?? 0,
      incidents: failureBy.get(checkId)?.n ?? 0,
      days: d.month.days.map((day) => dayState(byDay.get(day))),
      expectedSlots: coverageBy.get(checkId)?.expected ?? 0,
      observedSlots: coverageBy.get(checkId)?.observed ?? 0,
      coverage: coverageBy.get(checkId)?.ratio ?? null,
    };
  });
  const elements: ElementSummary[] = ELEMENT_IDS.map((element) => {
    const mine = checks.filter((c) => c.element === element);
    const c = zero();
    for (const m of mine) add(c, m);
    const cov = coverageRatio(coverage.checks.filter((x) => x.element === element));
    return {
      element,
      checks: mine.length,
      ...c,
      passRate: passRate(c),
      failureMs: mine.reduce((s, m) => s + m.failureMs, 0),
      coverage: cov,
    };
  });
  const totals = zero();
  for (const c of checks) add(totals, c);
  const findings = summariseFindings(d.findings, d.previousFindings, checks);
  const delta: Record<Delta, number> = { new: 0, still_failing: 0, resolved: 0, not_observed: 0 };
  for (const f of findings) delta[f.delta] += 1;
  return {
    totals: {
      ...totals,
      checks: checks.length,
      passRate: passRate(totals),
      failureMs: checks.reduce((s, c) => s + c.failureMs, 0),
      coverage: coverageRatio(coverage.checks),
    },
    checks,
    elements,
    findings,
    delta,
    appliedChecks: applied,
    empty: d.rollups.length === 0,
    gaps: coverage.gaps,
    monitorDown: coverage.down,
    redisDown: d.redisDown,
  };
}

function summariseFindings(month: FindingDay[], previous: FindingDay[], checks: CheckSummary[]): FindingSummary[] {
  const checkBy = new Map(checks.map((c) => [c.checkId, c]));
  const key = (f: { check_id: string; finding_id: string }) => `${f.check_id}\u0000${f.finding_id}`;
  const agg = new Map<string, FindingSummary>();
  for (const f of month) {
    const k = key(f);
    const first = new Date(f.first_seen_at);
    const last = new Date(f.last_seen_at);
    const a = agg.get(k);
    if (!a) {
      agg.set(k, {
        checkId: f.check_id,
        element: checkBy.get(f.check_id)?.element ?? 'unknown',
        findingId: f.finding_id,
        severity: f.severity,
        status: f.status as 'fail' | 'warn',
        occurrences: f.occurrences,
        waived: f.waived,
        firstSeenAt: first,
        lastSeenAt: last,
        message: f.message,
        openAtEnd: false,
        delta: 'new',
      });
      continue;
    }
    a.occurrences += f.occurrences;
    a.waived += f.waived;
    if (f.status === 'fail') a.status = 'fail';
    if (first < a.firstSeenAt!) a.firstSeenAt = first;
    if (last >= a.lastSeenAt!) {
      a.lastSeenAt = last;
      a.severity = f.severity;
      a.message = f.message;
    }
  }
  const before = new Set(previous.map(key));
  for (const [k, a] of agg) {
    const lastRun = checkBy.get(a.checkId)?.lastRunAt;
    a.openAtEnd = Boolean(lastRun && a.lastSeenAt && a.lastSeenAt.getTime() >= lastRun.getTime());
    a.delta = !before.has(k) ? 'new' : a.openAtEnd ? 'still_failing' : 'resolved';
  }
  // Failing last month and not seen at all this month: resolved if the check ran, otherwise not observed.
  const seenPrev = new Map<string, FindingDay>();
  for (const f of previous) seenPrev.set(key(f), f);
  for (const [k, f] of seenPrev) {
    if (agg.has(k)) continue;
    const ran = (checkBy.get(f.check_id)?.runs ?? 0) > 0;
    agg.set(k, {
      checkId: f.check_id,
      element: checkBy.get(f.check_id)?.element ?? 'unknown',
      findingId: f.finding_id,
      severity: f.severity,
      status: f.status as 'fail' | 'warn',
      occurrences: 0,
      waived: 0,
      firstSeenAt: null,
      lastSeenAt: null,
      message: f.message,
      openAtEnd: false,
      delta: ran ? 'resolved' : 'not_observed',
    });
  }
  return [...agg.values()].sort((a, b) => a.checkId.localeCompare(b.checkId) || a.findingId.localeCompare(b.findingId));
}

export function elementName(id: string, lang: 'en' | 'id'): string {
  return (ELEMENTS as Record<string, { name: { en: string; id: string } }>)[id]?.name[lang] ?? id;
}
