/**
 * Fires every enabled check on its schedule and enqueues (check id, slot). Cron schedules are node-cron tasks; the
 * slot is the second node-cron fired for. `every` schedules sit in one min-heap with a single timer, each check at a
 * stable offset inside its interval (see config/schedule.ts), so 10,000 checks cost one timer, not 10,000.
 * Several schedulers may run: the queue's slot claim makes each slot enqueued once. Slots due in the same turn of
 * the event loop are enqueued as one batch (one claim pipeline, one addBulk), not one round trip each.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Check, CheckSet } from '../config/check';
import { nextEverySlot } from '../config/schedule';
import type { Metrics } from '../metrics/definitions';
import type { CheckQueue } from '../queue/check-queue';
import { logger } from '../util/logger';
import { SlotHeap } from './slot-heap';

/** At most this many slots per claim pipeline and addBulk. */
const ENQUEUE_BATCH = 500;

export interface SchedulerOptions {
  queue: CheckQueue;
  metrics?: Metrics;
  retryBackoffMs: number;
}

export class Scheduler {
  private tasks: ScheduledTask[] = [];
  private readonly heap = new SlotHeap<Check>();
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private inFlight = new Set<Promise<void>>();
  private batch: Array<{ check: Check; slot: number }> = [];

  constructor(private readonly o: SchedulerOptions) {}

  /**
   * Replaces the schedule with the given checks (start and reload). `runNow` also fires every check once at the
   * current second (the demo, so results show within seconds); with several schedulers their claims still agree.
   */
  apply(set: CheckSet, opts: { runNow?: boolean } = {}): void {
    this.clear();
    this.stopped = false;
    const now = Date.now();
    if (opts.runNow) for (const check of set.checks) if (check.enabled) this.fire(check, Math.floor(now / 1000) * 1000);
    for (const check of set.checks) {
      if (!check.enabled) continue;
      const s = check.schedule;
      if (s.kind === 'every') {
        this.heap.push({ at: nextEverySlot(check.id, s.intervalMs, now), item: check });
      } else {
        const task = cron.schedule(
          s.expression,
          (ctx) => {
            // node-cron reports the second it fired for; that is the slot.
            const slot = Math.floor(ctx.date.getTime() / 1000) * 1000;
            this.fire(check, slot);
          },
          { name: check.id, timezone: s.timezone, noOverlap: false, suppressMissedWarning: true },
        );
        this.tasks.push(task);
      }
    }
    this.arm();
  }

  private arm(): void {
    clearTimeout(this.timer);
    const next = this.heap.peek();
    if (!next || this.stopped) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next.at - Date.now()));
  }

  private tick(): void {
    const now = Date.now();
    for (let e = this.heap.peek(); e && e.at <= now; e = this.heap.peek()) {
      this.heap.pop();
      this.fire(e.item, e.at);
      if (e.item.schedule.kind === 'every') {
        this.heap.push({ at: nextEverySlot(e.item.id, e.item.schedule.intervalMs, now), item: e.item });
      }
    }
    this.arm();
  }

  /** Slots fired in this turn of the event loop are enqueued together (one claim pipeline and one addBulk). */
  private fire(check: Check, slot: number): void {
    this.batch.push({ check, slot });
    if (this.batch.length === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const batch = this.batch.splice(0, ENQUEUE_BATCH);
    if (this.batch.length) setImmediate(() => this.flush());
    if (!batch.length) return;
    const p = this.o.queue
      .enqueueMany(batch, { retryBackoffMs: this.o.retryBackoffMs })
      .then((outcomes) => {
        let enqueued = 0;
        for (const o of outcomes) if (o === 'enqueued') enqueued += 1;
        this.o.metrics?.enqueued.inc({ outcome: 'enqueued' }, enqueued);
        this.o.metrics?.enqueued.inc({ outcome: 'duplicate' }, outcomes.length - enqueued);
      })
      .catch((err: unknown) => {
        this.o.metrics?.enqueued.inc({ outcome: 'error' }, batch.length);
        for (const { check, slot } of batch)
          logger().error({ check: check.id, slot, err: (err as Error).message }, 'could not enqueue check');
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private clear(): void {
    clearTimeout(this.timer);
    for (const t of this.tasks) void t.destroy();
    this.tasks = [];
    this.heap.clear();
  }

  /** Stops firing and waits for enqueues already under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clear();
    // Slots already fired are still enqueued (as before batching, when each fire started its enqueue at once).
    while (this.batch.length) this.flush();
    await Promise.allSettled([...this.inFlight]);
  }
}
