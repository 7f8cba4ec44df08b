/**
 * Coverage: how much of the period each check was actually observed. For every check the slots its schedule
 * called for are counted from the configuration history (a check counts only while a configuration in force
 * had it enabled), per day, and set against the results recorded that day (the rollups). A missing slot is a gap
 * in monitoring, never a pass: the pack shows the observed share beside the pass rate and lists the gaps, with
 * the share explained by the monitor not running (`#lifecycle`) and the rest as unexplained.
 */
import { CronExpressionParser } from 'cron-parser';
import { nextEverySlot } from '../config/schedule';
import type { AppliedCheck, ConfigRecord } from './config-log';
import type { MonitorDown } from './lifecycle';
import type { RollupRow } from './rollups';
import { startOfDay } from './tz';

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
  const it = CronExpressionParser.parse(s.expression, { currentDate: new Date(a - 1), endDate: new Date(b - 1), tz: s.timezone ?? defaultTz });
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
  /** Missing slots with no recorded cause. */
  unexplained: number;
}

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
export function computeCoverage(input: { days: string[]; timezone: string; from: Date; to: Date; configs: ConfigRecord[]; rollups: RollupRow[]; down: MonitorDown[]; settleMs: number }): Coverage {
  const to = input.to.getTime() - input.settleMs;
  const windows = activeWindows(input.configs, input.from.getTime(), to);
  const runs = new Map(input.rollups.map((r) => [`${r.check_id}\u0000${r.day}`, r.runs]));
  const bounds = input.days.map((day, i) => ({ day, a: startOfDay(day, input.timezone).getTime(), b: i + 1 < input.days.length ? startOfDay(input.days[i + 1], input.timezone).getTime() : input.to.getTime() }));
  const checks: CheckCoverage[] = [];
  const gaps: CoverageGap[] = [];
  for (const [checkId, ws] of [...windows].sort(([x], [y]) => x.localeCompare(y))) {
    const schedule = (w: Window) => parseScheduleText(w.check.schedule);
    let expected = 0;
    let observed = 0;
    for (const { day, a, b } of bounds) {
      let exp = 0;
      let down = 0;
      for (const w of ws) {
        const lo = Math.max(a, w.from);
        const hi = Math.min(b, w.to);
        if (hi <= lo) continue;
        exp += slotsBetween(checkId, schedule(w), lo, hi, input.timezone);
        for (const s of input.down) down += slotsBetween(checkId, schedule(w), Math.max(lo, s.from.getTime()), Math.min(hi, s.to.getTime()), input.timezone);
      }
      if (!exp) continue;
      const recorded = runs.get(`${checkId}\u0000${day}`) ?? 0;
      const filled = Math.min(recorded, exp);
      expected += exp;
      observed += filled;
      const missing = exp - filled;
      if (missing > 0) {
        const monitorDown = Math.min(missing, down);
        gaps.push({ checkId, day, expected: exp, recorded, missing, monitorDown, unexplained: missing - monitorDown });
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
