/**
 * Coverage: how much of the period each check was actually observed. For every check the slots its schedule
 * called for are counted from the configuration history (a check counts only while a configuration in force
 * had it enabled), per day, and set against the results recorded that day (the rollups). A missing slot is a gap
 * in monitoring, never a pass: the pack shows the observed share beside the pass rate and lists the gaps with
 * their causes where the store knows them — the monitor not running (`#lifecycle` sessions), a maintenance window,
 * Redis down (outages a recorder recorded), results reported lost on the authenticated gaps stream (dropped past
 * the retention or at the stream's cap, or a slot no worker could run) — and the rest as unexplained.
 */
import { CronExpressionParser } from 'cron-parser';
import { nextEverySlot } from '../config/schedule';
import type { AppliedCheck, ConfigRecord } from './config-log';
import type { MonitorDown } from './lifecycle';
import type { LostResult, RedisDownSpan } from './outages';
import type { RollupRow } from './rollups';
import { dayOf, startOfDay } from './tz';

/** A cron schedule firing more often than this many times in a window is counted from its interval instead. */
const MAX_CRON_STEPS = 50_000;

type ParsedSchedule = { kind: 'every'; intervalMs: number } | { kind: 'cron'; expression: string; timezone?: string };

/** Reads back `AppliedCheck.schedule` (the text the loader wrote: `every 60s`, `*\/5 * * * *`, `0 2 * * * (Asia/Jakarta)`). */
export function parseScheduleText(text: string): ParsedSchedule {
  const every = /^every (\d+(?:\.\d+)?)s$/.exec(text);
  if (every) return { kind: 'every', intervalMs: Math.round(Number(every[1]) * 1000) };
  const tz = /^(.*) \(([^()]+)\)$/.exec(text);
  return tz ? { kind: 'cron', expression: tz[1], timezone: tz[2] } : { kind: 'cron', expression: text };
}

/** Slots of a schedule in [a, b) (epoch ms). */
export function slotsBetween(checkId: string, s: ParsedSchedule, a: number, b: number, defaultTz: string): number {
  if (b <= a) return 0;
  if (s.kind === 'every') {
    const first = nextEverySlot(checkId, s.intervalMs, a - 1);
    return first >= b ? 0 : Math.floor((b - 1 - first) / s.intervalMs) + 1;
  }
  const it = CronExpressionParser.parse(s.expression, {
    currentDate: new Date(a - 1),
    endDate: new Date(b - 1),
    tz: s.timezone ?? defaultTz,
  });
  let n = 0;
  while (it.hasNext()) {
    it.next();
    if (++n >= MAX_CRON_STEPS) {
      const step = (b - a) / n;
      return Math.round((b - a) / step);
    }
  }
  return n;
}

export interface CheckCoverage {
  checkId: string;
  element: string;
  expected: number;
  /** Recorded results that fill expected slots (capped per day at the day's expected count). */
  observed: number;
  /** observed / expected; null when nothing was expected (the check was not configured in the period). */
  ratio: number | null;
}

export interface CoverageGap {
  checkId: string;
  day: string;
  expected: number;
  recorded: number;
  missing: number;
  /** Missing slots that fell while no recorder was running (`#lifecycle`). */
  monitorDown: number;
  /** Missing slots inside a maintenance window for the check. */
  maintenance: number;
  /** Missing slots that fell while a recorder could not reach Redis. */
  redisDown: number;
  /** Results reported lost: waited past the results retention or refused at the stream's cap. */
  resultsDropped: number;
  /** Slots reported expired unrun: no worker that knew the check took them in time, or shed while workers were behind. */
  slotsExpired: number;
  /** Missing slots with no recorded cause. */
  unexplained: number;
}

/** Maintenance windows in force for a check (a hook for maintenance records; none when absent). */
export type MaintenanceFor = (checkId: string) => Array<{ from: Date; to: Date }>;

export interface Coverage {
  checks: CheckCoverage[];
  gaps: CoverageGap[];
  down: MonitorDown[];
}

interface Window {
  from: number;
  to: number;
  check: AppliedCheck;
}

/** Where each check was configured and enabled, from the configuration history (oldest first). */
function activeWindows(configs: ConfigRecord[], from: number, to: number): Map<string, Window[]> {
  const out = new Map<string, Window[]>();
  configs.forEach((c, i) => {
    const a = Math.max(Date.parse(c.appliedAt), from);
    const b = Math.min(i + 1 < configs.length ? Date.parse(configs[i + 1].appliedAt) : to, to);
    if (b <= a) return;
    for (const check of c.checks) if (check.enabled) out.set(check.id, [...(out.get(check.id) ?? []), { from: a, to: b, check }]);
  });
  return out;
}

/**
 * `settleMs`: slots this close to the end of an unfinished period are not expected yet (their result may still be
 * on its way); the caller passes the longest check timeout plus a margin.
 */
export function computeCoverage(input: {
  days: string[];
  timezone: string;
  from: Date;
  to: Date;
  configs: ConfigRecord[];
  rollups: RollupRow[];
  down: MonitorDown[];
  settleMs: number;
  redisDown?: RedisDownSpan[];
  lost?: LostResult[];
  maintenance?: MaintenanceFor;
}): Coverage {
  const to = input.to.getTime() - input.settleMs;
  const windows = activeWindows(input.configs, input.from.getTime(), to);
  const runs = new Map(input.rollups.map((r) => [`${r.check_id}\u0000${r.day}`, r.runs]));
  const bounds = input.days.map((day, i) => ({
    day,
    a: startOfDay(day, input.timezone).getTime(),
    b: i + 1 < input.days.length ? startOfDay(input.days[i + 1], input.timezone).getTime() : input.to.getTime(),
  }));
  const checks: CheckCoverage[] = [];
  const gaps: CoverageGap[] = [];
  const lostBy = new Map<string, { dropped: number; expired: number }>();
  for (const l of input.lost ?? []) {
    const k = `${l.checkId}\u0000${dayOf(l.slot, input.timezone)}`;
    const c = lostBy.get(k) ?? { dropped: 0, expired: 0 };
    // Never run (no worker took it in time, or the scheduler shed it): expired unrun; otherwise a result was dropped.
    if (l.reason === 'unknown_check' || l.reason === 'queue_full' || l.reason === 'scheduler_stalled') c.expired += 1;
    else c.dropped += 1;
    lostBy.set(k, c);
  }
  for (const [checkId, ws] of [...windows].sort(([x], [y]) => x.localeCompare(y))) {
    const schedule = (w: Window) => parseScheduleText(w.check.schedule);
    let expected = 0;
    let observed = 0;
    const maintenance = input.maintenance?.(checkId) ?? [];
    for (const { day, a, b } of bounds) {
      let exp = 0;
      let down = 0;
      let maint = 0;
      let redis = 0;
      for (const w of ws) {
        const lo = Math.max(a, w.from);
        const hi = Math.min(b, w.to);
        if (hi <= lo) continue;
        const within = (spans: Array<{ from: Date; to: Date }>) =>
          spans.reduce(
            (n, s) => n + slotsBetween(checkId, schedule(w), Math.max(lo, s.from.getTime()), Math.min(hi, s.to.getTime()), input.timezone),
            0,
          );
        exp += slotsBetween(checkId, schedule(w), lo, hi, input.timezone);
        down += within(input.down);
        maint += within(maintenance);
        redis += within(input.redisDown ?? []);
      }
      if (!exp) continue;
      const recorded = runs.get(`${checkId}\u0000${day}`) ?? 0;
      const filled = Math.min(recorded, exp);
      expected += exp;
      observed += filled;
      const missing = exp - filled;
      if (missing > 0) {
        // Causes in order, each taking at most what the ones before left: spans first (the monitor off explains
        // results it then dropped), then the per-result reports.
        let left = missing;
        const take = (n: number) => {
          const t = Math.min(left, n);
          left -= t;
          return t;
        };
        const lost = lostBy.get(`${checkId}\u0000${day}`);
        const monitorDown = take(down);
        const inMaintenance = take(maint);
        const redisDown = take(redis);
        const resultsDropped = take(lost?.dropped ?? 0);
        const slotsExpired = take(lost?.expired ?? 0);
        gaps.push({
          checkId,
          day,
          expected: exp,
          recorded,
          missing,
          monitorDown,
          maintenance: inMaintenance,
          redisDown,
          resultsDropped,
          slotsExpired,
          unexplained: left,
        });
      }
    }
    checks.push({ checkId, element: ws[ws.length - 1].check.element, expected, observed, ratio: expected ? observed / expected : null });
  }
  return { checks, gaps, down: input.down };
}

/** Observed share of a set of checks (an element, or all): slots observed over slots expected. */
export function coverageRatio(cs: CheckCoverage[]): number | null {
  const expected = cs.reduce((s, c) => s + c.expected, 0);
  return expected ? cs.reduce((s, c) => s + c.observed, 0) / expected : null;
}
