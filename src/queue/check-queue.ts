/**
 * The BullMQ queue of check runs. A job carries only the check id and the slot; its id is derived from both.
 * Before adding, a scheduler claims the slot with an atomic SET NX on a key that outlives the job (TTL of two
 * intervals, at least 2 minutes), so every slot is enqueued once however many schedulers run, even after
 * removeOnComplete has deleted the finished job.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Check } from '../config/check';

export const QUEUE_NAME = 'checks';

export interface JobData {
  checkId: string;
  /** Slot time, unix ms. */
  slot: number;
}

/** BullMQ ids must not contain ':'; check ids cannot either (see CHECK_ID). */
export function jobIdFor(checkId: string, slot: number): string {
  return `${checkId}@${slot}`;
}

/** The scheduler's claim on a slot; while it lives the slot may still run (workers hand jobs back until then). */
export function slotClaimKey(prefix: string, checkId: string, slot: number): string {
  return `${prefix}:slot:${jobIdFor(checkId, slot)}`;
}

export interface EnqueueOptions {
  retryBackoffMs: number;
}

export interface Enqueued {
  outcomes: Array<'enqueued' | 'duplicate'>;
  /** Jobs in the wait list once this batch was added (read in the claim round trip, so approximate). */
  waiting: number;
}

/** A slot's claim lives two intervals, at least 2 minutes: longer than any job of it waits for a worker. */
function claimTtlMs(check: Check): number {
  return Math.max(check.intervalMs * 2, 120_000);
}

export class CheckQueue {
  readonly queue: Queue<JobData>;

  constructor(
    /** The connection jobs are added on (the scheduler writes its gap reports with it too). */
    readonly redis: Redis,
    readonly prefix: string,
  ) {
    this.queue = new Queue<JobData>(QUEUE_NAME, { connection: redis, prefix });
    this.queue.on('error', () => undefined);
  }

  /** Returns 'enqueued', or 'duplicate' when another scheduler already claimed this slot. */
  async enqueue(check: Check, slot: number, opts: EnqueueOptions): Promise<'enqueued' | 'duplicate'> {
    return (await this.enqueueMany([{ check, slot }], opts)).outcomes[0];
  }

  /** Jobs waiting for a worker (BullMQ's wait list; retries and hand-backs wait in its delayed set instead). */
  async waiting(): Promise<number> {
    return this.redis.llen(this.queue.keys.wait);
  }

  /**
   * Claims many slots in one round trip (a pipeline of SET NX, and the wait list's length) and adds the claimed ones
   * in one more (addBulk): two round trips per batch instead of two per slot. Outcomes are in input order; `waiting`
   * is the wait list's length with this batch added. A failed add rejects the whole call (its slots stay claimed, as
   * with a single add that fails after its claim).
   */
  async enqueueMany(slots: Array<{ check: Check; slot: number }>, opts: EnqueueOptions): Promise<Enqueued> {
    if (!slots.length) return { outcomes: [], waiting: 0 };
    const { claimed, llen } = await this.claim(slots, '1', true);
    const outcomes = claimed.map((ok) => (ok ? ('enqueued' as const) : ('duplicate' as const)));
    const jobs = slots
      .filter((_s, i) => outcomes[i] === 'enqueued')
      .map(({ check, slot }) => ({
        name: 'check',
        data: { checkId: check.id, slot },
        opts: {
          jobId: jobIdFor(check.id, slot),
          attempts: check.retries + 1,
          backoff: { type: 'exponential', delay: opts.retryBackoffMs },
          // The slot claim, not the finished job, deduplicates, and the result is on the results stream: a completed
          // job is deleted at once (one DEL inside BullMQ's finish script, instead of keeping a tail of finished jobs
          // whose age and count trimming ran a range query and a removal on every completion).
          removeOnComplete: true,
          removeOnFail: { age: 86_400, count: 20_000 },
        },
      }));
    if (jobs.length) await this.queue.addBulk(jobs);
    return { outcomes, waiting: llen + jobs.length };
  }

  /**
   * One pipeline of SET NX on the slots' claims (value '1' for a slot enqueued, '0' for one shed), optionally with the
   * wait list's length (0 when that read failed): whether each claim was this call's, in input order.
   */
  private async claim(
    slots: Array<{ check: Check; slot: number }>,
    value: '0' | '1',
    withLength = false,
  ): Promise<{ claimed: boolean[]; llen: number }> {
    const p = this.redis.pipeline();
    for (const { check, slot } of slots) p.set(slotClaimKey(this.prefix, check.id, slot), value, 'PX', claimTtlMs(check), 'NX');
    if (withLength) p.llen(this.queue.keys.wait);
    const answers = (await p.exec()) ?? [];
    const [llenErr, llen] = withLength ? (answers.pop() ?? [null, 0]) : [null, 0];
    const claimed = answers.map(([err, v]) => {
      if (err) throw err;
      return v === 'OK';
    });
    return { claimed, llen: llenErr ? 0 : Number(llen) };
  }

  /**
   * Claims slots that will never be enqueued (the scheduler shed them), so no other scheduler enqueues them later.
   * Returns the slots this call claimed: those are gaps; a slot another scheduler had claimed was enqueued by it.
   */
  async claimUnrun(slots: Array<{ check: Check; slot: number }>): Promise<Array<{ check: Check; slot: number }>> {
    if (!slots.length) return [];
    const { claimed } = await this.claim(slots, '0');
    return slots.filter((_s, i) => claimed[i]);
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children');
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
