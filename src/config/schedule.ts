/**
 * Schedules: a cron expression (5 fields, or 6 with seconds) fired by node-cron, or `every: <duration>`.
 * `every` slots are aligned to the epoch and shifted by a stable per-check offset (a hash of the id), the way
 * Prometheus spreads scrapes, so 10,000 checks on `every: 1m` do not all fire in the same millisecond.
 */
import { createHash } from 'node:crypto';
import cron from 'node-cron';
import { CronExpressionParser } from 'cron-parser';

export type Schedule = { kind: 'cron'; expression: string; timezone?: string } | { kind: 'every'; intervalMs: number };

export function validateCron(expression: string): string | undefined {
  const detail = cron.validateDetailed(expression);
  if (detail.valid) return undefined;
  return (
    detail.errors.map((e) => `${e.field}${e.value !== undefined ? ` "${e.value}"` : ''}: ${e.message}`).join('; ') ||
    'invalid cron expression'
  );
}

/** The stable offset of a check inside its interval, in [0, intervalMs). */
export function phaseOffsetMs(checkId: string, intervalMs: number): number {
  const h = createHash('sha1').update(checkId).digest().readUInt32BE(0);
  return Math.floor((h / 0x1_0000_0000) * intervalMs);
}

/** The first slot strictly after `after` for an `every` schedule. */
export function nextEverySlot(checkId: string, intervalMs: number, after: number): number {
  const offset = phaseOffsetMs(checkId, intervalMs);
  const n = Math.floor((after - offset) / intervalMs) + 1;
  return n * intervalMs + offset;
}

/** The nominal interval between runs, in seconds (for staleness alerts); cron uses the gap between its next two runs. */
export function intervalSeconds(s: Schedule, now = new Date()): number {
  if (s.kind === 'every') return s.intervalMs / 1000;
  const it = CronExpressionParser.parse(s.expression, { currentDate: now, tz: s.timezone });
  const a = it.next().getTime();
  const b = it.next().getTime();
  return (b - a) / 1000;
}
