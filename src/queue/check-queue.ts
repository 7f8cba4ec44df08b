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

export class CheckQueue {
  readonly queue: Queue<JobData>;

  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
  ) {
    this.queue = new Queue<JobData>(QUEUE_NAME, { connection: redis, prefix });
    this.queue.on('error', () => undefined);
  }

  /** Returns 'enqueued', or 'duplicate' when another scheduler already claimed this slot. */
  async enqueue(check: Check, slot: number, opts: EnqueueOptions): Promise<'enqueued' | 'duplicate'> {
    return (await this.enqueueMany([{ check, slot }], opts))[0];
  }

  /**
   * Claims many slots in one round trip (a pipeline of SET NX) and adds the claimed ones in one more (addBulk):
   * two round trips per batch instead of two per slot. Outcomes are in input order; a failed add rejects the whole
   * call (its slots stay claimed, as with a single add that fails after its claim).
   */
  async enqueueMany(slots: Array<{ check: Check; slot: number }>, opts: EnqueueOptions): Promise<Array<'enqueued' | 'duplicate'>> {
    if (!slots.length) return [];
    const claims = this.redis.pipeline();
    for (const { check, slot } of slots)
      claims.set(slotClaimKey(this.prefix, check.id, slot), '1', 'PX', Math.max(check.intervalMs * 2, 120_000), 'NX');
    const answers = (await claims.exec()) ?? [];
    const outcomes = answers.map(([err, v]) => {
      if (err) throw err;
      return v === 'OK' ? ('enqueued' as const) : ('duplicate' as const);
    });
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
    return outcomes;
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children');
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
