/**
 * A BullMQ worker that runs checks. `error` results are retried with backoff (BullMQ attempts) and only the last
 * attempt's error is published; a `fail` is a real answer and is published at once. A worker killed mid-probe
 * loses its job lock; BullMQ's stalled-job check hands the job to another worker.
 * A job this worker cannot finish — a check its configuration lacks (rolling config change), or a results stream
 * at its cap — is handed back (delayed, no attempt used) until another worker takes it or the slot's claim
 * expires; only then is the slot a gap, counted and listed in the gaps stream.
 *
 * A batch job (several slots, `scheduler.checksPerJob`) runs its slots side by side and publishes their results in
 * one call; a slot in `error` with retries left, or whose check this worker lacks, is split off into a job of its own
 * (check-queue.ts), which then takes the path above. `worker.concurrency` bounds probes in flight, batched or not.
 * A batch run twice (its worker died after publishing) publishes its results twice: the recorder and the metrics
 * follower count a replayed slot once, as for any at-least-once redelivery.
 */
import { setMaxListeners } from 'node:events';
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Check } from '../config/check';
import type { ResultsMetrics } from '../metrics/results';
import { runCheck } from '../probes/runner';
import { resultId, type ProbeResult } from '../results/contract';
import { recordGaps } from '../results/gaps';
import { ResultsBacklogError, type ResultStream } from '../results/stream';
import { logger } from '../util/logger';
import { Permits } from '../util/permits';
import { CheckQueue, isBatch, QUEUE_NAME, slotClaimKey, type BatchJob, type JobData, type SlotJob, type SlotRef } from './check-queue';

export type HandBackReason = 'unknown_check' | 'results_backlog';

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  dataDir: string;
  stream: ResultStream;
  getCheck(id: string): Check | undefined;
  metrics?: ResultsMetrics;
  /** How long a handed-back job waits before it is offered again (default 2 s). */
  handBackDelayMs?: number;
  /** First retry delay of a slot split off a batch (worker.retryBackoff; default 1 s). */
  retryBackoffMs?: number;
  /** Where split-off slots are added (default: a queue on `connection`). */
  queue?: CheckQueue;
}

/** How long one answer to "is the results stream full?" is reused. */
const FULL_CHECK_MS = 250;

/** Thrown to make BullMQ retry an `error` result; carries nothing secret. */
class RetryableError extends Error {
  override name = 'RetryableError';
}

export class CheckWorker {
  readonly worker: Worker<JobData>;
  private readonly abort = new AbortController();
  private full?: { at: number; answer: Promise<boolean> };
  private readonly permits: Permits;
  private readonly queue: CheckQueue;
  /** Set when this worker made its own queue (closed with it). */
  private readonly ownQueue: boolean;

  constructor(private readonly o: WorkerOptions) {
    // Every running job listens on the shutdown signal (and removes its listener when done): up to `concurrency`
    // listeners at once is expected, not a leak, so Node's default warning threshold of 10 is raised to that.
    setMaxListeners(Math.max(10, o.concurrency + 1), this.abort.signal);
    this.permits = new Permits(o.concurrency);
    this.ownQueue = !o.queue;
    this.queue = o.queue ?? new CheckQueue(o.connection, o.prefix);
    this.worker = new Worker<JobData>(QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: o.connection,
      prefix: o.prefix,
      concurrency: o.concurrency,
      lockDuration: o.lockDurationMs,
      stalledInterval: o.stalledIntervalMs,
      maxStalledCount: 2,
      autorun: true,
    });
    this.worker.on('error', (err) => logger().warn({ err: err.message }, 'worker connection error'));
    this.worker.on('failed', (job, err) => {
      if (job && !(err instanceof RetryableError) && !(err instanceof DelayedError))
        logger().warn({ job: job.id, err: err.message }, 'check job failed');
    });
  }

  private process(job: Job<JobData>, token?: string): Promise<string> {
    return isBatch(job.data) ? this.processBatch(job as Job<BatchJob>, token) : this.processSlot(job as Job<SlotJob>, token);
  }

  private run(check: Check, slot: number, attempt: number): Promise<ProbeResult> {
    return this.permits.with(() => runCheck(check, { slot: new Date(slot), attempt, dataDir: this.o.dataDir, signal: this.abort.signal }));
  }

  private async processSlot(job: Job<SlotJob>, token?: string): Promise<string> {
    const check = this.o.getCheck(job.data.checkId);
    // Another worker may have the check (its configuration is newer or older than ours): hand the job back.
    if (!check) return this.handBack(job, token, 'unknown_check');
    // No point running a probe whose result the stream would refuse (publish still checks the cap atomically).
    if (await this.streamFull()) return this.handBack(job, token, 'results_backlog');
    const result = await this.run(check, job.data.slot, job.attemptsMade + 1 + (job.data.attemptsBefore ?? 0));
    if (this.abort.signal.aborted) {
      // Abandoned at shutdown: leave the job to be retried rather than publish a result we cut short.
      throw new RetryableError('abandoned at shutdown');
    }
    // The check's retries decide, not the job's attempts: a job split off a batch by a worker without the check
    // carries one attempt, and a check's retries may have been raised since its slot was enqueued.
    if (result.status === 'error' && result.attempt < check.retries + 1) {
      if (job.attemptsMade + 1 < (job.opts.attempts ?? 1))
        throw new RetryableError(`${result.errorCode ?? 'error'} (attempt ${result.attempt}); retrying`);
      return this.retryInPlace(job, token, result);
    }
    try {
      await this.o.stream.publish(result);
    } catch (e) {
      if (e instanceof ResultsBacklogError) {
        this.full = { at: Date.now(), answer: Promise.resolve(true) };
        return this.handBack(job, token, 'results_backlog');
      }
      throw e;
    }
    return result.status;
  }

  /**
   * The next attempt of a slot whose job has no BullMQ attempt left: the same job, delayed by the backoff BullMQ
   * would use (retryBackoff × 2^(attempt-1)), with one more attempt counted in its data (moveToDelayed uses none).
   */
  private async retryInPlace(job: Job<SlotJob>, token: string | undefined, result: ProbeResult): Promise<never> {
    await job.updateData({ ...job.data, attemptsBefore: (job.data.attemptsBefore ?? 0) + 1 });
    await job.moveToDelayed(Date.now() + (this.o.retryBackoffMs ?? 1000) * 2 ** (result.attempt - 1), token);
    throw new DelayedError(`${result.errorCode ?? 'error'} (attempt ${result.attempt}); retrying`);
  }

  /**
   * Runs a batch's slots side by side and publishes their results in one call. A slot in `error` with retries left
   * is published later by its own job (split off with the attempts left); so is a slot whose check this worker lacks.
   */
  private async processBatch(job: Job<BatchJob>, token?: string): Promise<string> {
    const known: Array<{ ref: SlotRef; check: Check }> = [];
    const unknown: SlotRef[] = [];
    for (const ref of job.data.slots) {
      const check = this.o.getCheck(ref.checkId);
      if (check) known.push({ ref, check });
      else unknown.push(ref);
    }
    if (known.length && (await this.streamFull())) return this.handBackBatch(job, token);
    const results = await Promise.all(known.map(({ ref, check }) => this.run(check, ref.slot, 1)));
    if (this.abort.signal.aborted) throw new RetryableError('abandoned at shutdown');
    const publish: ProbeResult[] = [];
    const retry: Array<{ ref: SlotRef; check: Check }> = [];
    results.forEach((result, i) => (result.status === 'error' && known[i].check.retries > 0 ? retry.push(known[i]) : publish.push(result)));
    try {
      await this.o.stream.publishMany(publish);
    } catch (e) {
      if (e instanceof ResultsBacklogError) {
        this.full = { at: Date.now(), answer: Promise.resolve(true) };
        return this.handBackBatch(job, token);
      }
      throw e;
    }
    const backoff = this.o.retryBackoffMs ?? 1000;
    await Promise.all([
      ...retry.map(({ ref, check }) => this.queue.addRetry(check, ref.slot, 1, backoff)),
      ...unknown.map((ref) => this.queue.addAlone(ref)),
    ]);
    return `published ${publish.length}, retrying ${retry.length}, handed on ${unknown.length}`;
  }

  /**
   * Whether the results stream is at its cap, asked at most every FULL_CHECK_MS and shared by concurrent jobs: one
   * XLEN per interval instead of one round trip per job. A stale "not full" only means the probe runs and its publish
   * is refused (handed back then); a stale "full" hands a job back one check early.
   */
  private streamFull(): Promise<boolean> {
    if (!this.full || Date.now() - this.full.at > FULL_CHECK_MS) {
      const at = Date.now();
      const answer = this.o.stream.isFull();
      // A failed ask is not cached: the next job asks again.
      answer.catch(() => (this.full = undefined));
      this.full = { at, answer };
    }
    return this.full.answer;
  }

  /**
   * Delays the job (BullMQ moveToDelayed: no attempt used) while the scheduler's claim on its slot lives; once the
   * claim is gone the slot is expired: a logged, counted gap, and the job completes so it is not retried forever.
   */
  private async handBack(job: Job<SlotJob>, token: string | undefined, reason: HandBackReason): Promise<string> {
    const left = await this.o.connection.pttl(slotClaimKey(this.o.prefix, job.data.checkId, job.data.slot));
    if (left > 0) return this.delay(job, token, reason, left);
    await this.expire([job.data], reason);
    return 'expired';
  }

  /**
   * A batch the results stream refused: its slots whose claims ran out are gaps; the rest stay in the job (its data
   * rewritten without the expired ones, so none is both a gap and a result), delayed like a single slot's job.
   */
  private async handBackBatch(job: Job<BatchJob>, token: string | undefined): Promise<string> {
    const slots = job.data.slots;
    const p = this.o.connection.pipeline();
    for (const s of slots) p.pttl(slotClaimKey(this.o.prefix, s.checkId, s.slot));
    const lefts = ((await p.exec()) ?? []).map(([err, v]) => (err ? 0 : Number(v)));
    const alive = slots.filter((_s, i) => lefts[i] > 0);
    const expired = slots.filter((_s, i) => !(lefts[i] > 0));
    if (expired.length) await this.expire(expired, 'results_backlog');
    if (!alive.length) return 'expired';
    if (expired.length) await job.updateData({ slots: alive });
    return this.delay(job, token, 'results_backlog', Math.max(...lefts));
  }

  private async delay(job: Job<JobData>, token: string | undefined, reason: HandBackReason, claimLeftMs: number): Promise<never> {
    this.o.metrics?.handedBack.inc({ reason });
    logger().debug({ job: job.id, reason, slotClaimMs: claimLeftMs }, 'check job handed back');
    await job.moveToDelayed(Date.now() + Math.min(this.o.handBackDelayMs ?? 2000, claimLeftMs), token);
    throw new DelayedError(`handed back: ${reason}`);
  }

  private async expire(slots: SlotRef[], reason: HandBackReason): Promise<void> {
    this.o.metrics?.slotsExpired.inc({ reason }, slots.length);
    await recordGaps(
      this.o.connection,
      this.o.prefix,
      slots.map((s) => {
        const slot = new Date(s.slot);
        return { id: resultId(s.checkId, slot), checkId: s.checkId, slot: slot.toISOString(), reason };
      }),
      'slot expired unrun: no worker could run it in time',
      this.o.stream.keyring,
    );
  }

  /**
   * Stops taking jobs and waits for running ones up to `graceMs`; then aborts the rest, whose jobs are picked up
   * again (retry or stalled-job recovery) by another worker.
   */
  async close(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const graceful = this.worker.close().then(() => 'closed' as const);
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
    const outcome = await Promise.race([graceful, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      logger().warn({ graceMs }, 'shutdown grace period over; abandoning in-flight checks');
      this.abort.abort(new Error('worker shutting down'));
      await this.worker.close(true);
    }
    if (this.ownQueue) await this.queue.close();
  }
}
