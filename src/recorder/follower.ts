/**
 * The metrics follower: every recorder reads the whole results stream (XREAD from its own cursor, not through the
 * consumer group) and feeds each authentic result to its own /metrics, so any number of recorders each export every
 * check's series. Evidence stays exactly-once through the group (recorder.ts); this only touches metrics.
 * It verifies each entry's MAC like the group consumer (rejections are counted there, once); results older than
 * the retention are skipped as the group drops them; a result seen again (a worker's at-least-once replay) among
 * the last SLOTS_KEPT slots of its check is not counted twice. Its cursor is reported so trimming waits for it.
 */
import type { Metrics } from '../metrics/definitions';
import type { ProbeResult } from '../results/contract';
import type { ResultStream } from '../results/stream';
import { logger } from '../util/logger';

/** Slots remembered per check for replay detection: bounded memory, O(checks). */
const SLOTS_KEPT = 32;
const REPORT_EVERY_MS = 1000;

export interface FollowerOptions {
  name: string;
  stream: ResultStream;
  metrics: Metrics;
  retentionMs: number;
  batch?: number;
  blockMs?: number;
}

export class MetricsFollower {
  private running = false;
  private loop?: Promise<void>;
  /** Start from the beginning: what is still on the stream (unrecorded or not yet trimmed) is the latest state. */
  private cursor = '0-0';
  private readonly recent = new Map<string, number[]>();

  constructor(private readonly o: FollowerOptions) {}

  async start(): Promise<void> {
    await this.o.stream.reportCursor(this.o.name, this.cursor);
    this.running = true;
    this.loop = this.run();
  }

  /** Ends the loop; `interrupt` cuts a blocking read short (the caller disconnects the follower's connection). */
  async stop(interrupt?: () => void): Promise<void> {
    this.running = false;
    interrupt?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let reported = Date.now();
    while (this.running) {
      try {
        const entries = await this.o.stream.follow(this.cursor, this.o.batch ?? 1024, this.o.blockMs ?? 1000);
        if (entries.length) {
          this.observe(entries.map((e) => e.result));
          this.cursor = entries[entries.length - 1].entryId;
        }
        if (Date.now() - reported >= REPORT_EVERY_MS) {
          reported = Date.now();
          await this.o.stream.reportCursor(this.o.name, this.cursor);
        }
      } catch (err) {
        if (!this.running) break;
        logger().warn({ err: (err as Error).message }, 'metrics follower error; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Records each authentic, fresh, first-seen result in order; rejected entries are undefined. */
  observe(results: Array<ProbeResult | undefined>): void {
    const now = Date.now();
    for (const r of results) {
      if (!r || now - (Date.parse(r.startedAt) + r.durationMs) > this.o.retentionMs) continue;
      let slots = this.recent.get(r.checkId);
      if (!slots) this.recent.set(r.checkId, (slots = []));
      const slot = Date.parse(r.scheduledAt);
      if (slots.includes(slot)) continue;
      slots.push(slot);
      if (slots.length > SLOTS_KEPT) slots.shift();
      this.o.metrics.record(r);
    }
  }
}
