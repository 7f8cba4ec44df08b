/**
 * The bounded queue, on a private Redis: with no worker running, the wait list never holds more than
 * scheduler.maxBacklog jobs; the scheduler holds at most one slot per check; a held slot whose check fires again is
 * shed — claimed, counted and reported as a signed `queue_full` gap — and every fired slot ends up exactly one of: a
 * job, a gap, or held (enqueued at stop). With two schedulers a slot is never both a job and a gap, nor two gaps.
 * When a worker drains the queue, held slots are enqueued and shedding stops.
 */
import { Worker } from 'bullmq';
import { Metrics } from '../../src/metrics/definitions';
import { CheckQueue, QUEUE_NAME } from '../../src/queue/check-queue';
import { readGaps } from '../../src/results/gaps';
import { Keyring } from '../../src/results/keyring';
import { Scheduler } from '../../src/scheduler/scheduler';
import { expectEverySlotOnce, schedulerBed, type SchedulerBed } from './helpers';

const CHECKS = 40;
const MAX_BACKLOG = 25;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function value(metrics: Metrics, name: 'enqueued' | 'slotsExpired', label: string): Promise<number> {
  const m = name === 'enqueued' ? metrics.enqueued : metrics.results.slotsExpired;
  return (await m.get()).values.find((v) => Object.values(v.labels).includes(label))?.value ?? 0;
}

describe('scheduler: bounded queue (scheduler.maxBacklog)', () => {
  let bed: SchedulerBed;
  const keyring = Keyring.ephemeral();
  const conn = () => bed.conn();

  beforeAll(async () => {
    bed = await schedulerBed(CHECKS, 'q');
  }, 30_000);
  afterAll(() => bed.stop());

  function schedulers(prefix: string, n: number) {
    return Array.from({ length: n }, () => {
      const queue = new CheckQueue(conn(), prefix);
      const metrics = new Metrics();
      return { queue, metrics, scheduler: new Scheduler({ queue, metrics, retryBackoffMs: 100, maxBacklog: MAX_BACKLOG, keyring }) };
    });
  }

  /** Every slot as `<check>@<slot ms>`: jobs (wait list) and gaps (gaps stream), checked to be disjoint. */
  async function outcome(prefix: string) {
    const admin = conn();
    const jobs = await admin.lrange(`${prefix}:checks:wait`, 0, -1);
    const gaps = await readGaps(admin, prefix, 100_000, keyring);
    const gapIds = gaps.map((g) => `${g.checkId}@${Date.parse(g.slot)}`);
    return { admin, jobs, gaps, gapIds };
  }

  it('no worker: the queue stays at the bound, one slot per check is held, the rest are shed as signed gaps', async () => {
    const prefix = 'bl-one';
    const [p] = schedulers(prefix, 1);
    p.scheduler.apply(bed.checks());
    const waits: number[] = [];
    for (let i = 0; i < 32; i++) {
      await sleep(100);
      waits.push(await p.queue.waiting());
    }
    const held = (await p.metrics.heldSlots.get()).values[0]?.value ?? 0;
    await p.scheduler.stop();
    const { jobs, gaps, gapIds } = await outcome(prefix);
    // The bound held at every look while running (the old scheduler put 40 jobs a second in it).
    expect(Math.max(...waits)).toBeLessThanOrEqual(MAX_BACKLOG);
    expect(Math.max(...waits)).toBe(MAX_BACKLOG);
    // Held: at most one per check, and the checks not in the queue had one.
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(CHECKS);
    // 40 checks a second for 3.2 s: ~128 slots; 25 queued, up to 40 held (enqueued at stop), the rest shed.
    expect(gaps.length).toBeGreaterThanOrEqual(40);
    for (const g of gaps) {
      expect(g.rejected).toBeUndefined();
      expect(g.reason).toBe('queue_full');
      expect(g.id).toBe(`${g.checkId}@${g.slot}`);
    }
    // Each shed slot is claimed (no other scheduler can enqueue it later), counted twice over, and listed once.
    for (const g of gaps.slice(0, 20)) expect(await conn().get(`${prefix}:slot:${g.checkId}@${Date.parse(g.slot)}`)).toBe('0');
    expect(await value(p.metrics, 'enqueued', 'shed')).toBe(gaps.length);
    expect(await value(p.metrics, 'slotsExpired', 'queue_full')).toBe(gaps.length);
    expect(await value(p.metrics, 'enqueued', 'enqueued')).toBe(jobs.length);
    // Nothing fired was lost or doubled: jobs and gaps are disjoint and together every check's consecutive slots.
    expect(jobs.filter((j) => gapIds.includes(j))).toEqual([]);
    expectEverySlotOnce([...jobs, ...gapIds], CHECKS);
    await p.queue.close();
  }, 60_000);

  it('two schedulers: a slot is a job or a gap, never both, never twice', async () => {
    const prefix = 'bl-two';
    const parts = schedulers(prefix, 2);
    for (const p of parts) {
      p.scheduler.apply(bed.checks());
      await sleep(10);
    }
    await sleep(3200);
    await Promise.all(parts.map((p) => p.scheduler.stop()));
    const { jobs, gaps, gapIds } = await outcome(prefix);
    expect(gaps.length).toBeGreaterThan(0);
    expect(new Set(gapIds).size).toBe(gapIds.length);
    expect(jobs.filter((j) => gapIds.includes(j))).toEqual([]);
    expectEverySlotOnce([...jobs, ...gapIds], CHECKS);
    let shed = 0;
    for (const p of parts) shed += await value(p.metrics, 'enqueued', 'shed');
    expect(shed).toBe(gaps.length);
    await Promise.all(parts.map((p) => p.queue.close()));
  }, 60_000);

  it('a worker that keeps up: held slots are enqueued and nothing more is shed', async () => {
    const prefix = 'bl-drain';
    const [p] = schedulers(prefix, 1);
    p.scheduler.apply(bed.checks());
    // Overloaded first (no worker) for 1.5 s, then a worker takes every job at once.
    await sleep(1500);
    const ran: string[] = [];
    const worker = new Worker(
      QUEUE_NAME,
      async (job) => {
        ran.push(job.id ?? '');
        await Promise.resolve();
      },
      { connection: conn(), prefix, concurrency: 50, removeOnComplete: { count: 0 } },
    );
    await sleep(1000);
    const shedThen = await value(p.metrics, 'enqueued', 'shed');
    await sleep(2000);
    const shedLater = await value(p.metrics, 'enqueued', 'shed');
    const held = (await p.metrics.heldSlots.get()).values[0]?.value ?? 0;
    await p.scheduler.stop();
    await worker.close();
    // Caught up: no check waits in the scheduler, and no slot was shed in the last 2 s (40 slots a second fired).
    expect(held).toBe(0);
    expect(shedLater).toBe(shedThen);
    expect(ran.length).toBeGreaterThanOrEqual(2 * CHECKS);
    const { gapIds } = await outcome(prefix);
    expect(ran.filter((j) => gapIds.includes(j))).toEqual([]);
    await p.queue.close();
  }, 60_000);

  it('checksPerJob 4: the bound counts jobs; every fired slot is in exactly one job or one gap', async () => {
    // 400 checks a second, so each 20 ms enqueue window gathers several slots to share jobs.
    const big = await schedulerBed(400, 'qb');
    try {
      const prefix = 'bl-batch';
      const queue = new CheckQueue(big.conn(), prefix);
      const metrics = new Metrics();
      const scheduler = new Scheduler({ queue, metrics, retryBackoffMs: 100, maxBacklog: MAX_BACKLOG, checksPerJob: 4, keyring });
      scheduler.apply(big.checks());
      const waits: number[] = [];
      for (let i = 0; i < 24; i++) {
        await sleep(100);
        waits.push(await queue.waiting());
      }
      await scheduler.stop();
      const admin = big.conn();
      const jobs = await admin.lrange(`${prefix}:checks:wait`, 0, -1);
      const queued: string[] = [];
      for (const id of jobs) {
        const data = JSON.parse((await admin.hget(`${prefix}:checks:${id}`, 'data')) ?? '{}') as {
          slots?: Array<{ checkId: string; slot: number }>;
        };
        queued.push(...(data.slots?.map((x) => `${x.checkId}@${x.slot}`) ?? [id]));
      }
      const gaps = await readGaps(admin, prefix, 100_000, keyring);
      const gapIds = gaps.map((g) => `${g.checkId}@${Date.parse(g.slot)}`);
      // The bound is in jobs, and held while running; the jobs hold more slots than that.
      expect(Math.max(...waits)).toBeLessThanOrEqual(MAX_BACKLOG);
      expect(queued.length).toBeGreaterThan(MAX_BACKLOG);
      expect(gaps.length).toBeGreaterThan(0);
      // A slot is a job's or a gap, never both, never twice, none missing.
      expect(queued.filter((id) => gapIds.includes(id))).toEqual([]);
      expectEverySlotOnce([...queued, ...gapIds], 400);
      await queue.close();
    } finally {
      await big.stop();
    }
  }, 60_000);
});
