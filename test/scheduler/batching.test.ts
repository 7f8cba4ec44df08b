/**
 * The scheduler's enqueue batches, on a private Redis (its INFO commandstats are this test's alone): slots fired
 * close together share one enqueueMany call (one claim pipeline, one addBulk), every fired slot becomes exactly one
 * job, and a batch whose slots another scheduler partly claimed first loses none and doubles none. With
 * `scheduler.checksPerJob`, the slots of an enqueue batch share jobs: each fired slot is in exactly one job, and the
 * commands Redis runs per slot fall with it.
 */
import type IORedis from 'ioredis';
import { Metrics } from '../../src/metrics/definitions';
import { CheckQueue } from '../../src/queue/check-queue';
import { COALESCE_MS, Scheduler } from '../../src/scheduler/scheduler';
import { expectEverySlotOnce, schedulerBed, type SchedulerBed } from './helpers';

const CHECKS = 500;
const RUN_MS = 3200;

async function commandCalls(r: IORedis): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of (await r.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1], Number(m[2]));
  return out;
}

/** Every job id in the queue's wait list, as `<check>@<slot>`. */
async function jobIds(r: IORedis, prefix: string): Promise<string[]> {
  return r.lrange(`${prefix}:checks:wait`, 0, -1);
}

async function counter(metrics: Metrics, outcome: string): Promise<number> {
  return (await metrics.enqueued.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

describe('scheduler enqueue batches', () => {
  let bed: SchedulerBed;
  const conn = () => bed.conn();

  beforeAll(async () => {
    bed = await schedulerBed(CHECKS, 'b');
  }, 30_000);
  afterAll(() => bed.stop());

  /** Runs `n` schedulers on one prefix for RUN_MS; returns what each counted and what Redis holds. */
  async function run(prefix: string, n: number, checksPerJob = 1) {
    const set = bed.checks();
    const admin = conn();
    const before = await commandCalls(admin);
    const parts = Array.from({ length: n }, () => {
      const queue = new CheckQueue(conn(), prefix);
      const metrics = new Metrics();
      const batches = jest.spyOn(queue, 'enqueueMany');
      return { queue, metrics, batches, scheduler: new Scheduler({ queue, metrics, retryBackoffMs: 100, checksPerJob }) };
    });
    // A second scheduler starts half a window later, so its batches straddle the first one's (as two hosts' would).
    for (const p of parts) {
      p.scheduler.apply(set);
      await new Promise((r) => setTimeout(r, COALESCE_MS / 2));
    }
    await new Promise((r) => setTimeout(r, RUN_MS));
    // stop() enqueues what was fired but not yet flushed: nothing fired may be lost at shutdown either.
    await Promise.all(parts.map((p) => p.scheduler.stop()));
    const after = await commandCalls(admin);
    const delta = (c: string) => (after.get(c) ?? 0) - (before.get(c) ?? 0);
    const jobs = await jobIds(admin, prefix);
    // A batch job's slots are in its data (`{"slots":[{checkId, slot}, …]}`); a single slot's job is its id.
    const ids: string[] = [];
    const sizes: number[] = [];
    for (const id of jobs) {
      const data = JSON.parse((await admin.hget(`${prefix}:checks:${id}`, 'data')) ?? '{}') as {
        slots?: Array<{ checkId: string; slot: number }>;
      };
      const slots = data.slots?.map((x) => `${x.checkId}@${x.slot}`) ?? [id];
      ids.push(...slots);
      sizes.push(slots.length);
    }
    const counts = await Promise.all(
      parts.map(async (p) => ({ enqueued: await counter(p.metrics, 'enqueued'), duplicate: await counter(p.metrics, 'duplicate') })),
    );
    for (const p of parts) expect(await counter(p.metrics, 'error')).toBe(0);
    await Promise.all(parts.map((p) => p.queue.close()));
    const batches = parts.flatMap((p) => p.batches.mock.calls.map(([slots]) => slots.length));
    return {
      ids,
      counts,
      claims: delta('set'),
      batches,
      admin,
      jobs: sizes,
      commands: [...after.keys()].reduce((a, c) => a + delta(c), 0),
    };
  }

  it('slots fired within the window share a claim pipeline and an addBulk; each fired slot is one job', async () => {
    const { ids, counts, claims, batches, admin } = await run('batch-one', 1);
    // 500 checks a second for 3.2 s: at least two full rounds.
    expect(ids.length).toBeGreaterThanOrEqual(2 * CHECKS);
    expectEverySlotOnce(ids, CHECKS);
    // Nothing lost: every claim (SET NX) became a job, and the scheduler counted each as enqueued.
    expect(claims).toBe(ids.length);
    expect(counts[0]).toEqual({ enqueued: ids.length, duplicate: 0 });
    // Batched: at 500 slots/s a 20 ms window gathers about 10 slots; a batch per event-loop turn (the old rule)
    // held one or two at this rate. The guard is wide: 4 slots per batch on average, none above the cap of 500.
    expect(batches.reduce((a, b) => a + b, 0)).toBe(claims);
    expect(claims / batches.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...batches)).toBeLessThanOrEqual(500);
    // The window's cost in lag: a job is created within COALESCE_MS of its slot (median; wide guard for load).
    const lags: number[] = [];
    for (const id of ids.slice(0, 200)) {
      const created = Number(await admin.hget(`batch-one:checks:${id}`, 'timestamp'));
      lags.push(created - Number(id.split('@')[1]));
    }
    lags.sort((a, b) => a - b);
    expect(lags[0]).toBeGreaterThanOrEqual(0);
    expect(lags[Math.floor(lags.length / 2)]).toBeLessThan(COALESCE_MS + 200);
  }, 60_000);

  it('two schedulers: batches the other partly claimed first lose no slot and double none', async () => {
    const { ids, counts, claims } = await run('batch-two', 2);
    expect(ids.length).toBeGreaterThanOrEqual(2 * CHECKS);
    expectEverySlotOnce(ids, CHECKS);
    const enqueued = counts[0].enqueued + counts[1].enqueued;
    const duplicate = counts[0].duplicate + counts[1].duplicate;
    // Every job was enqueued by exactly one of them, and every claim attempt is one of the two outcomes.
    expect(enqueued).toBe(ids.length);
    expect(enqueued + duplicate).toBe(claims);
    // Both won some slots and lost some: the batches really were split between them.
    expect(Math.min(counts[0].enqueued, counts[1].enqueued)).toBeGreaterThan(0);
    expect(duplicate).toBeGreaterThan(0);
  }, 60_000);

  it('checksPerJob 8: each fired slot is in exactly one job of up to 8, at a fraction of the Redis commands per slot', async () => {
    const single = await run('batch-single', 1);
    const batched = await run('batch-eight', 1, 8);
    expect(batched.ids.length).toBeGreaterThanOrEqual(2 * CHECKS);
    expectEverySlotOnce(batched.ids, CHECKS);
    expect(batched.claims).toBe(batched.ids.length);
    expect(batched.counts[0]).toEqual({ enqueued: batched.ids.length, duplicate: 0 });
    expect(Math.max(...batched.jobs)).toBeLessThanOrEqual(8);
    // About 10 slots per enqueue batch at this rate: most jobs are batches (wide guard).
    expect(batched.ids.length / batched.jobs.length).toBeGreaterThanOrEqual(3);
    // Commands Redis ran per slot enqueued (BullMQ's add script counts each of its calls): a job per slot takes
    // about 8 (SET NX, then HMSET, INCR, LPUSH, XADD, …); shared by 8 slots, well under half of that.
    const perSlot = (r: { commands: number; ids: string[] }) => r.commands / r.ids.length;
    expect(perSlot(batched)).toBeLessThan(perSlot(single) / 2);
  }, 90_000);
});
