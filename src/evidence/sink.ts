/**
 * The recorder's evidence sink. The composition root (src/monitor/evidence.ts) calls:
 *   const sink = await EvidenceSink.open({ dataDir, databaseUrl, onHealth: (backend, up) => gauge.set(...) });
 *   await sink.recordConfig(checkSet.hash, checkSet.checks);   // at start and after every reload
 *   await sink.write(result, check);                           // per result; idempotent by result.id
 *   await sink.writeMany(batch.map((result) => ({ result, check })));  // a delivery batch: one transaction
 *   await sink.close();
 * Writes arriving together are committed together (group commit, up to 500 per transaction), so the store keeps
 * up with the pipeline; each write() resolves only once its result is durable. If a batch fails, its results are
 * retried one by one so a single bad result cannot hold the others back; the failing one rejects and stays
 * unacknowledged. The sink also seals closed days and applies retention every `maintainEveryMs` (default 1 h).
 *
 * The store going away (PostgreSQL stopped, disk full, file read-only, locked too long) never ends the process:
 * the sink marks the store down (`onHealth(backend, false)`, which the root points at `pengawas_evidence_store_up`;
 * `health()` for /readyz), rejects writes at once
 * so their results stay pending in Redis, and tries the store again with exponential backoff (0.5 s … 30 s).
 * Once a write or a ping succeeds it is up again, and the recorder's redelivery records every pending result
 * exactly once (writes are idempotent by result id).
 */
import type { Check } from '../config/check';
import { EvidenceStoreDownError } from '../errors';
import type { ResultSink } from '../results/sink';
import type { ProbeResult } from '../results/contract';
import type { GapEntry } from '../results/gaps';
import { logger } from '../util/logger';
import { recordLostResults } from './outages';
import { EvidenceStore, type EvidenceStoreOptions } from './store';

interface Pending {
  result: ProbeResult;
  check?: Check;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const BATCH = 500;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30_000;

export interface EvidenceSinkOptions {
  /** Seal closed days and apply retention this often (default 1 h; 0 = never). */
  maintainEveryMs?: number;
  /** Called with the store's backend on open and whenever the store goes down or comes back. */
  onHealth?: (backend: string, up: boolean) => void;
}

export interface StoreHealth {
  up: boolean;
  /** Why the store is down (the last error), while it is. */
  reason?: string;
  since: Date;
}

export class EvidenceSink implements ResultSink {
  readonly name = 'evidence';
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private maintaining = false;
  private down: { reason: string; since: Date; retryAt: number; backoffMs: number; timer?: NodeJS.Timeout } | undefined;
  private readonly upSince = new Date();
  private closed = false;

  private readonly onHealth: (backend: string, up: boolean) => void;

  constructor(
    readonly store: EvidenceStore,
    opts: EvidenceSinkOptions = {},
  ) {
    this.onHealth = opts.onHealth ?? (() => undefined);
    const every = opts.maintainEveryMs ?? 3_600_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.maintain(), every);
      this.timer.unref();
    }
    this.onHealth(store.kind, true);
  }

  /** Whether the store accepts writes; /readyz answers 503 with the reason while it does not. */
  health(): StoreHealth {
    return this.down ? { up: false, reason: this.down.reason, since: this.down.since } : { up: true, since: this.upSince };
  }

  private markDown(err: Error): void {
    const backoffMs = this.down ? Math.min(this.down.backoffMs * 2, BACKOFF_MAX_MS) : BACKOFF_MIN_MS;
    if (!this.down) logger().error({ err: err.message }, 'evidence store down; results stay pending and are recorded once it is back');
    if (this.down?.timer) clearTimeout(this.down.timer);
    this.down = { reason: err.message, since: this.down?.since ?? new Date(), retryAt: Date.now() + backoffMs, backoffMs };
    this.onHealth(this.store.kind, false);
    // Probe it even when no result arrives, so /readyz and the gauge recover on their own.
    this.down.timer = setTimeout(() => void this.probe(), backoffMs);
    this.down.timer.unref();
  }

  private markUp(): void {
    if (!this.down) return;
    if (this.down.timer) clearTimeout(this.down.timer);
    logger().info({ downMs: Date.now() - this.down.since.getTime() }, 'evidence store is back');
    this.down = undefined;
    this.onHealth(this.store.kind, true);
  }

  private async probe(): Promise<void> {
    if (this.closed || !this.down) return;
    try {
      await this.store.db.ping();
      this.markUp();
    } catch (err) {
      this.markDown(err as Error);
    }
  }

  static async open(opts: EvidenceStoreOptions & EvidenceSinkOptions): Promise<EvidenceSink> {
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

  /** Reports of lost results (the gaps stream): recorded once per result id, so the pack can name the cause. */
  async recordGaps(gaps: GapEntry[]): Promise<void> {
    const added = await recordLostResults(this.store.db, gaps);
    if (added) logger().info({ added }, 'lost results recorded as gaps in the evidence store');
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
      if (this.down && Date.now() < this.down.retryAt) {
        const err = new EvidenceStoreDownError(
          `evidence store down, next attempt in ${Math.ceil((this.down.retryAt - Date.now()) / 1000)} s: ${this.down.reason}`,
        );
        for (const p of batch) p.reject(err);
        continue;
      }
      try {
        await this.store.writeResults(batch);
        this.markUp();
        for (const p of batch) p.resolve();
      } catch (err) {
        if (err instanceof EvidenceStoreDownError) {
          this.markDown(err);
          for (const p of batch) p.reject(err);
        } else if (batch.length === 1) batch[0].reject(err);
        else {
          for (const p of batch) {
            await this.store.writeResults([p]).then(p.resolve, (e: unknown) => {
              if (e instanceof EvidenceStoreDownError) this.markDown(e);
              p.reject(e);
            });
          }
        }
      }
    }
    this.flushing = undefined;
  }

  /** `beforeClose` runs once every pending write is durable, before the store closes (the recorder's `stopped`). */
  async close(opts: { beforeClose?: () => Promise<void> } = {}): Promise<void> {
    this.closed = true;
    if (this.down?.timer) clearTimeout(this.down.timer);
    if (this.timer) clearInterval(this.timer);
    await this.flushing;
    await opts
      .beforeClose?.()
      .catch((err: unknown) => logger().warn({ err: (err as Error).message }, 'could not record the stop in the evidence store'));
    await this.store.close();
  }
}
