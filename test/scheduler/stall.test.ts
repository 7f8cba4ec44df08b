/**
 * A scheduler whose event loop stalls for longer than its checks' interval (a synchronous loop here; in production a
 * long GC pause, a starved CPU or a stopped process): before this, the slots in between were never fired and showed
 * in the pack as missing without a cause. Now the latest missed slot is fired late and the older ones are claimed and
 * reported as signed `scheduler_stalled` gaps — for `every` schedules (the scheduler's heap) and cron schedules
 * (node-cron's missed executions) — so every slot of every check is exactly one of a job or a gap, none twice.
 */
import { Metrics } from '../../src/metrics/definitions';
import { CheckQueue } from '../../src/queue/check-queue';
import { readGaps } from '../../src/results/gaps';
import { Keyring } from '../../src/results/keyring';
import { Scheduler } from '../../src/scheduler/scheduler';
import { expectEverySlotOnce, schedulerBed, type SchedulerBed } from './helpers';

const CHECKS = 12;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scheduler: a stalled event loop', () => {
  let bed: SchedulerBed;
  const keyring = Keyring.ephemeral();

  beforeAll(async () => {
    bed = await schedulerBed(CHECKS, 'st');
  }, 30_000);
  afterAll(() => bed.stop());

  it('fires the latest missed slot late and reports the older ones as signed gaps, every slot once', async () => {
    const prefix = 'stall';
    const queue = new CheckQueue(bed.conn(), prefix);
    const metrics = new Metrics();
    const scheduler = new Scheduler({ queue, metrics, retryBackoffMs: 100, keyring });
    const set = bed.checks();
    // One more check on a cron schedule with seconds: node-cron's own missed-execution path.
    const cronCheck = { ...set.checks[0], id: 'st-cron', schedule: { kind: 'cron' as const, expression: '* * * * * *' } };
    scheduler.apply({ ...set, checks: [...set.checks, cronCheck] });
    await sleep(1600);
    // The stall: nothing else runs on this event loop for 4.5 s (four to five one-second slots of every check).
    const until = Date.now() + 4500;
    while (Date.now() < until) {
      /* busy */
    }
    await sleep(2200);
    await scheduler.stop();

    const admin = bed.conn();
    const jobs = await admin.lrange(`${prefix}:checks:wait`, 0, -1);
    const gaps = await readGaps(admin, prefix, 100_000, keyring);
    const gapIds = gaps.map((g) => `${g.checkId}@${Date.parse(g.slot)}`);
    for (const g of gaps) {
      expect(g.rejected).toBeUndefined();
      expect(g.reason).toBe('scheduler_stalled');
    }
    // Every check missed at least three slots as gaps (4.5 s stall, the latest slot fired late), cron included.
    const perCheck = new Map<string, number>();
    for (const g of gaps) perCheck.set(g.checkId, (perCheck.get(g.checkId) ?? 0) + 1);
    expect(perCheck.size).toBe(CHECKS + 1);
    for (const [check, n] of perCheck) expect([check, n >= 3 && n <= 5, n]).toEqual([check, true, n]);
    // Jobs and gaps are disjoint and together each check's consecutive slots: nothing missing, nothing twice.
    expect(jobs.filter((j) => gapIds.includes(j))).toEqual([]);
    expectEverySlotOnce([...jobs, ...gapIds], CHECKS + 1);
    const expired = (await metrics.results.slotsExpired.get()).values.find((v) => v.labels.reason === 'scheduler_stalled');
    expect(expired?.value).toBe(gaps.length);
    await queue.close();
  }, 60_000);
});
