/**
 * A BullMQ worker that runs checks. `error` results are retried with backoff (BullMQ attempts) and only the last
 * attempt's error is published; a `fail` is a real answer and is published at once. A worker killed mid-probe
 * loses its job lock; BullMQ's stalled-job check hands the job to another worker.
 * A job this worker cannot finish — a check its configuration lacks (rolling config change), or a results stream
 * at its cap — is handed back (delayed, no attempt used) until another worker takes it or the slot's claim
 * expires; only then is the slot a gap, counted and listed in the gaps stream.
 */
import { setMaxListeners } from 'node:events';
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Check } from '../config/check';
import type { ResultsMetrics } from '../metrics/results';
import { runCheck } from '../probes/runner';
import { resultId } from '../results/contract';
import { recordGaps } from '../results/gaps';
import { ResultsBacklogError, type ResultStream } from '../results/stream';
import { logger } from '../util/logger';
import { QUEUE_NAME, slotClaimKey, type JobData } from './check-queue';

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

  constructor(private readonly o: WorkerOptions) {
    // Every running job listens on the shutdown signal (and removes its listener when done): up to `concurrency`
    // listeners at once is expected, not a leak, so Node's default warning threshold of 10 is raised to that.
    setMaxListeners(Math.max(10, o.concurrency + 1), this.abort.signal);
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

  private async process(job: Job<JobData>, token?: string): Promise<string> {
    const check = this.o.getCheck(job.data.checkId);
    // Another worker may have the check (its configuration is newer or older than ours): hand the job back.
    if (!check) return this.handBack(job, token, 'unknown_check');
    // No point running a probe whose result the stream would refuse (publish still checks the cap atomically).
    if (await this.streamFull()) return this.handBack(job, token, 'results_backlog');
    const attempt = job.attemptsMade + 1;
    const result = await runCheck(check, { slot: new Date(job.data.slot), attempt, dataDir: this.o.dataDir, signal: this.abort.signal });
    if (this.abort.signal.aborted) {
      // Abandoned at shutdown: leave the job to be retried rather than publish a result we cut short.
      throw new RetryableError('abandoned at shutdown');
    }
    if (result.status === 'error' && attempt < (job.opts.attempts ?? 1)) {
      throw new RetryableError(`${result.errorCode ?? 'error'} (attempt ${attempt}); retrying`);
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
  private async handBack(job: Job<JobData>, token: string | undefined, reason: HandBackReason): Promise<string> {
    const left = await this.o.connection.pttl(slotClaimKey(this.o.prefix, job.data.checkId, job.data.slot));
    if (left > 0) {
      this.o.metrics?.handedBack.inc({ reason });
      logger().debug({ job: job.id, reason, slotClaimMs: left }, 'check job handed back');
      await job.moveToDelayed(Date.now() + Math.min(this.o.handBackDelayMs ?? 2000, left), token);
      throw new DelayedError(`handed back: ${reason}`);
    }
    this.o.metrics?.slotsExpired.inc({ reason });
    const slot = new Date(job.data.slot);
    await recordGaps(
      this.o.connection,
      this.o.prefix,
      [{ id: resultId(job.data.checkId, slot), checkId: job.data.checkId, slot: slot.toISOString(), reason }],
      'slot expired unrun: no worker could run it in time',
      this.o.stream.keyring,
    );
    return 'expired';
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
  }
}
