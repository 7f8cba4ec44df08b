/**
 * The BullMQ queue of check runs. A job carries only check ids and slots; its id is derived from them.
 * Before adding, a scheduler claims each slot with an atomic SET NX on a key that outlives the job (TTL of two
 * intervals, at least 2 minutes), so every slot is enqueued once however many schedulers run, even after
 * removeOnComplete has deleted the finished job.
 *
 * A job runs one slot, or (`scheduler.checksPerJob` > 1) up to that many slots claimed together: one BullMQ job —
 * one add, one claim by a worker, one completion, their events — for several checks, which is most of what a check
 * costs Redis and the processes around it (docs/scaling.md). A slot of a batch that needs a retry is split off into a
 * job of its own (see check-worker.ts), so retries keep their per-slot attempts and backoff.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Check } from '../config/check';

export const QUEUE_NAME = 'checks';

export interface SlotRef {
  checkId: string;
  /** Slot time, unix ms. */
  slot: number;
}

/** A job of one slot. */
export interface SlotJob extends SlotRef {
  /** Attempts a batch already spent on this slot (a retry split off a batch); absent on a slot enqueued alone. */
  attemptsBefore?: number;
}

/** A job of several slots claimed together (`scheduler.checksPerJob` > 1). */
export interface BatchJob {
  slots: SlotRef[];
}

export type JobData = SlotJob | BatchJob;

export function isBatch(data: JobData): data is BatchJob {
  return Array.isArray((data as BatchJob).slots);
}

/** BullMQ ids must not contain ':'; check ids cannot either (see CHECK_ID). */
export function jobIdFor(checkId: string, slot: number): string {
  return `${checkId}@${slot}`;
}

/** A batch's id: its first slot's with the number of slots (never a single slot's id, so a split-off retry is free). */
export function batchJobIdFor(slots: SlotRef[]): string {
  return `${jobIdFor(slots[0].checkId, slots[0].slot)}+${slots.length}`;
}

/** Attempts of a batch job: BullMQ retries the whole batch only after an unexpected failure (a Redis error). */
export const BATCH_ATTEMPTS = 3;

/**
 * What becomes of every job once it ends. The slot claim, not the finished job, deduplicates, and the result is on
 * the results stream: a completed job is deleted at once (one DEL inside BullMQ's finish script, instead of keeping a
 * tail of finished jobs whose age and count trimming ran a range query and a removal on every completion).
 */
const ENDED = { removeOnComplete: true, removeOnFail: { age: 86_400, count: 20_000 } };

/** The scheduler's claim on a slot; while it lives the slot may still run (workers hand jobs back until then). */
export function slotClaimKey(prefix: string, checkId: string, slot: number): string {
  return `${prefix}:slot:${jobIdFor(checkId, slot)}`;
}

export interface EnqueueOptions {
  retryBackoffMs: number;
  /** Most slots per job (default 1: a job per slot). */
  checksPerJob?: number;
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
    const ours = slots.filter((_s, i) => outcomes[i] === 'enqueued');
    const perJob = Math.max(1, opts.checksPerJob ?? 1);
    const jobs = [];
    for (let i = 0; i < ours.length; i += perJob) {
      const part = ours.slice(i, i + perJob);
      jobs.push(
        part.length === 1 ? this.slotJob(part[0].check, part[0].slot, opts.retryBackoffMs) : this.batchJob(part, opts.retryBackoffMs),
      );
    }
    if (jobs.length) await this.queue.addBulk(jobs);
    return { outcomes, waiting: llen + jobs.length };
  }

  /** A job of one slot: attempts are the check's retries + 1, minus what a batch already spent on it. */
  private slotJob(check: Check, slot: number, retryBackoffMs: number, attemptsBefore = 0) {
    return {
      name: 'check',
      data: attemptsBefore ? { checkId: check.id, slot, attemptsBefore } : { checkId: check.id, slot },
      opts: {
        jobId: jobIdFor(check.id, slot),
        attempts: Math.max(1, check.retries + 1 - attemptsBefore),
        backoff: { type: 'exponential', delay: retryBackoffMs },
        ...ENDED,
        ...(attemptsBefore ? { delay: retryBackoffMs } : {}),
      },
    };
  }

  private batchJob(part: Array<{ check: Check; slot: number }>, retryBackoffMs: number) {
    const slots = part.map(({ check, slot }) => ({ checkId: check.id, slot }));
    return {
      name: 'checks',
      data: { slots },
      opts: {
        jobId: batchJobIdFor(slots),
        attempts: BATCH_ATTEMPTS,
        backoff: { type: 'exponential', delay: retryBackoffMs },
        ...ENDED,
      },
    };
  }

  /**
   * Adds a slot a batch ran in `error` as a job of its own, after the first retry delay, with the attempts the batch
   * left it. Its id is the slot's: adding it again (a batch run twice after a worker died) is a no-op while it lives.
   */
  async addRetry(check: Check, slot: number, attemptsBefore: number, retryBackoffMs: number): Promise<void> {
    const j = this.slotJob(check, slot, retryBackoffMs, attemptsBefore);
    await this.queue.add(j.name, j.data, j.opts);
  }

  /**
   * Adds a slot of a batch as a job of its own, without its check (this worker's configuration lacks it): one
   * attempt, handed back like any job whose check is unknown until a worker that has it takes it.
   */
  async addAlone(ref: SlotRef): Promise<void> {
    await this.queue.add(
      'check',
      { checkId: ref.checkId, slot: ref.slot },
      { jobId: jobIdFor(ref.checkId, ref.slot), attempts: 1, ...ENDED },
    );
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
