/**
 * The recorder's evidence sink. The lead's recorder calls:
 *   const sink = await EvidenceSink.open({ dataDir: settings.dataDir, databaseUrl: process.env.DATABASE_URL });
 *   await sink.recordConfig(checkSet.hash, checkSet.checks);   // at start and after every reload
 *   await sink.write(result, check);                           // per result; idempotent by result.id
 *   await sink.writeMany(batch.map((result) => ({ result, check })));  // a delivery batch: one transaction
 *   await sink.close();
 * Writes arriving together are committed together (group commit, up to 500 per transaction), so the store keeps
 * up with the pipeline; each write() resolves only once its result is durable. If a batch fails, its results are
 * retried one by one so a single bad result cannot hold the others back; the failing one rejects and stays
 * unacknowledged. The sink also seals closed days and applies retention every `maintainEveryMs` (default 1 h).
 */
import type { Check } from '../config/check';
import type { ResultSink } from '../recorder/sink';
import type { ProbeResult } from '../results/contract';
import { logger } from '../util/logger';
import { EvidenceStore, type EvidenceStoreOptions } from './store';

interface Pending {
  result: ProbeResult;
  check?: Check;
  resolve(): void;
  reject(e: unknown): void;
}

const BATCH = 500;

export class EvidenceSink implements ResultSink {
  readonly name = 'evidence';
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private maintaining = false;

  constructor(
    readonly store: EvidenceStore,
    opts: { maintainEveryMs?: number } = {},
  ) {
    const every = opts.maintainEveryMs ?? 3_600_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.maintain(), every);
      this.timer.unref();
    }
  }

  static async open(opts: EvidenceStoreOptions & { maintainEveryMs?: number }): Promise<EvidenceSink> {
    return new EvidenceSink(await EvidenceStore.open(opts), opts);
  }

  write(result: ProbeResult, check: Check | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ result, check, resolve, reject });
      if (!this.flushing) this.flushing = this.drain();
    });
  }

  /**
   * Writes a whole delivery batch in as few transactions as possible; one outcome per item (undefined = stored
   * or already stored, an Error = leave that result unacknowledged). Calling write() for each item without
   * awaiting in between has the same effect.
   */
  async writeMany(items: Array<{ result: ProbeResult; check?: Check }>): Promise<Array<Error | undefined>> {
    const settled = await Promise.allSettled(items.map((i) => this.write(i.result, i.check)));
    return settled.map((s) => (s.status === 'fulfilled' ? undefined : (s.reason as Error)));
  }

  async recordConfig(hash: string, checks: Check[]): Promise<void> {
    await this.flushing;
    await this.store.recordConfig(hash, checks);
  }

  /** Seals closed days and drops raw rows past retention; errors are logged, the next run retries. */
  async maintain(now = new Date()): Promise<void> {
    if (this.maintaining) return;
    this.maintaining = true;
    try {
      const out = await this.store.maintain(now);
      if (out.sealedDays || out.prunedRows) logger().info({ ...out }, 'evidence store maintained');
    } catch (err) {
      logger().warn({ err }, 'evidence store maintenance failed; will retry');
    } finally {
      this.maintaining = false;
    }
  }

  private async drain(): Promise<void> {
    // Let writes issued in the same tick join the batch.
    await new Promise((r) => setImmediate(r));
    while (this.pending.length) {
      const batch = this.pending.splice(0, BATCH);
      try {
        await this.store.writeResults(batch);
        for (const p of batch) p.resolve();
      } catch (err) {
        if (batch.length === 1) batch[0].reject(err);
        else for (const p of batch) await this.store.writeResults([p]).then(p.resolve, p.reject);
      }
    }
    this.flushing = undefined;
  }

  /** `beforeClose` runs once every pending write is durable, before the store closes (the recorder's `stopped`). */
  async close(opts: { beforeClose?: () => Promise<void> } = {}): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flushing;
    await opts.beforeClose?.().catch((err: Error) => logger().warn({ err: err.message }, 'could not record the stop in the evidence store'));
    await this.store.close();
  }
}
