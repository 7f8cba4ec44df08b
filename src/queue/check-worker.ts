/**
 * A BullMQ worker that runs checks. `error` results are retried with backoff (BullMQ attempts) and only the last
 * attempt's error is published; a `fail` is a real answer and is published at once. A worker killed mid-probe
 * loses its job lock; BullMQ's stalled-job check hands the job to another worker.
 */
import { setMaxListeners } from 'node:events';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Check } from '../config/check';
import { runCheck } from '../probes/runner';
import type { ResultStream } from '../results/stream';
import { logger } from '../util/logger';
import { QUEUE_NAME, type JobData } from './check-queue';

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  dataDir: string;
  stream: ResultStream;
  getCheck(id: string): Check | undefined;
}

/** Thrown to make BullMQ retry an `error` result; carries nothing secret. */
class RetryableError extends Error {
  override name = 'RetryableError';
}

export class CheckWorker {
  readonly worker: Worker<JobData>;
  private readonly abort = new AbortController();

  constructor(private readonly o: WorkerOptions) {
    // Every running job listens on the shutdown signal (and removes its listener when done): up to `concurrency`
    // listeners at once is expected, not a leak, so Node's default warning threshold of 10 is raised to that.
    setMaxListeners(Math.max(10, o.concurrency + 1), this.abort.signal);
    this.worker = new Worker<JobData>(QUEUE_NAME, (job) => this.process(job), {
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
      if (job && !(err instanceof RetryableError)) logger().warn({ job: job.id, err: err.message }, 'check job failed');
    });
  }

  private async process(job: Job<JobData>): Promise<string> {
    const check = this.o.getCheck(job.data.checkId);
    if (!check) {
      // The check left the configuration after this slot was enqueued: nothing to run or record.
      throw new UnrecoverableError(`check ${job.data.checkId} is not in this worker's configuration`);
    }
    const attempt = job.attemptsMade + 1;
    const result = await runCheck(check, { slot: new Date(job.data.slot), attempt, dataDir: this.o.dataDir, signal: this.abort.signal });
    if (this.abort.signal.aborted) {
      // Abandoned at shutdown: leave the job to be retried rather than publish a result we cut short.
      throw new RetryableError('abandoned at shutdown');
    }
    if (result.status === 'error' && attempt < (job.opts.attempts ?? 1)) {
      throw new RetryableError(`${result.errorCode ?? 'error'} (attempt ${attempt}); retrying`);
    }
    await this.o.stream.publish(result);
    return result.status;
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
