/**
 * Fires every enabled check on its schedule and enqueues (check id, slot). Cron schedules are node-cron tasks; the
 * slot is the second node-cron fired for. `every` schedules sit in one min-heap with a single timer, each check at a
 * stable offset inside its interval (see config/schedule.ts), so 10,000 checks cost one timer, not 10,000.
 * Several schedulers may run: the queue's slot claim makes each slot enqueued once. Slots fired within COALESCE_MS
 * of each other are enqueued as one batch (one claim pipeline, one addBulk), not one round trip each.
 *
 * The queue is bounded (`scheduler.maxBacklog` jobs waiting for a worker): when workers fall behind, fired slots are
 * held here, oldest first, at most one per check, and enqueued as room frees. A held slot whose check fires again
 * is shed: claimed so no other scheduler enqueues it, counted, and reported in the gaps stream (reason
 * `queue_full`) — a gap with its cause, instead of a queue (and Redis memory) that grows without bound while every
 * result arrives later than the last.
 *
 * A scheduler that stalls (its event loop or process held up for longer than an interval) fires the latest slot it
 * missed late, and reports the older ones as `scheduler_stalled` gaps (claimed first, so a slot another scheduler
 * enqueued is not one), so the pack names their cause instead of showing them missing without one.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Check, CheckSet } from '../config/check';
import { nextEverySlot } from '../config/schedule';
import type { Metrics } from '../metrics/definitions';
import type { CheckQueue } from '../queue/check-queue';
import { resultId } from '../results/contract';
import { recordGaps } from '../results/gaps';
import type { Keyring } from '../results/keyring';
import { logger } from '../util/logger';
import { SlotHeap } from './slot-heap';

/** At most this many slots per claim pipeline and addBulk. */
const ENQUEUE_BATCH = 500;
/**
 * How long a fired slot may wait for others to join its batch. `every` slots are spread across their interval, so
 * 1,000 checks a second fire about one per millisecond: without this window each batch held one or two slots and
 * every slot paid for a pipeline and a MULTI of its own (the scheduler's main cost in the profile). The window adds
 * at most this much to the schedule lag.
 */
export const COALESCE_MS = 20;
/** While slots are held, how often the wait list's length is read again to see whether room has freed. */
export const HOLD_POLL_MS = 100;
/**
 * Missed slots listed as gaps per check and stall (the latest ones): a stall of more intervals than this is an
 * outage of the scheduler, logged with its count; the slots beyond it show in the pack as missing without a cause.
 */
export const MISSED_LISTED_PER_CHECK = 100;

export interface SchedulerOptions {
  queue: CheckQueue;
  metrics?: Metrics;
  retryBackoffMs: number;
  /** Most jobs waiting for a worker; beyond it fired slots are held here (0: no bound, the queue grows). */
  maxBacklog?: number;
  /** Most slots per job (default 1). */
  checksPerJob?: number;
  /** Signs the gap reports of shed slots (the results key), so the evidence names their cause. */
  keyring?: Keyring;
}

interface Fired {
  check: Check;
  slot: number;
}

export class Scheduler {
  private tasks: ScheduledTask[] = [];
  private readonly heap = new SlotHeap<Check>();
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private inFlight = new Set<Promise<void>>();
  private batch: Fired[] = [];
  private flushTimer?: NodeJS.Timeout;
  /** Jobs waiting for a worker, as last read (with each batch's claims, or by the hold poll). */
  private waiting = 0;
  /** Slots waiting here for room in the queue, by check id, oldest first. */
  private readonly held = new Map<string, Fired>();
  private holdTimer?: NodeJS.Timeout;

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
        // node-cron skips the slots a stall made it miss (more than a second late) and names each: they are gaps.
        task.on('execution:missed', (ctx) => {
          const slot = Math.floor(ctx.date.getTime() / 1000) * 1000;
          this.reportUnrun([{ check, slot }], 'scheduler_stalled');
        });
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
    const missed: Fired[] = [];
    for (let e = this.heap.peek(); e && e.at <= now; e = this.heap.peek()) {
      this.heap.pop();
      if (e.item.schedule.kind !== 'every') {
        this.fire(e.item, e.at);
        continue;
      }
      // After a stall longer than the interval the latest slot due is fired (late) and the ones before it are gaps.
      const interval = e.item.schedule.intervalMs;
      const latest = e.at + Math.floor((now - e.at) / interval) * interval;
      const count = (latest - e.at) / interval;
      if (count > MISSED_LISTED_PER_CHECK)
        logger().warn(
          { check: e.item.id, missed: count, listed: MISSED_LISTED_PER_CHECK },
          'the scheduler stalled for more intervals than it lists as gaps: the older slots stay missing without a cause',
        );
      for (let at = Math.max(e.at, latest - MISSED_LISTED_PER_CHECK * interval); at < latest; at += interval)
        missed.push({ check: e.item, slot: at });
      this.fire(e.item, latest);
      // The next slot is one interval on (no re-hash of the check id per fire).
      this.heap.push({ at: latest + interval, item: e.item });
    }
    if (missed.length) this.reportUnrun(missed, 'scheduler_stalled');
    this.arm();
  }

  /**
   * Slots fired within COALESCE_MS are enqueued together (one claim pipeline and one addBulk); a full batch goes at
   * once.
   */
  private fire(check: Check, slot: number): void {
    this.batch.push({ check, slot });
    if (this.batch.length === ENQUEUE_BATCH) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      setImmediate(() => this.flush());
    } else if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), COALESCE_MS);
  }

  /** Most slots per job. */
  private get perJob(): number {
    return Math.max(1, this.o.checksPerJob ?? 1);
  }

  /**
   * Enqueues what was fired, as far as the queue has room: the rest is held (behind slots held before), and a held
   * slot whose check fired again is shed.
   */
  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const fresh = this.batch.splice(0);
    // Room in slots: the backlog counts jobs, and a job holds up to checksPerJob slots.
    const room = this.o.maxBacklog ? Math.max(0, this.o.maxBacklog - this.waiting) * this.perJob : Infinity;
    let send = fresh;
    const shed: Fired[] = [];
    if (this.held.size || fresh.length > room) {
      for (const f of fresh) {
        const older = this.held.get(f.check.id);
        if (older) shed.push(older);
        this.held.delete(f.check.id);
        this.held.set(f.check.id, f);
      }
      send = [];
      for (const [id, f] of this.held) {
        if (send.length >= room) break;
        send.push(f);
        this.held.delete(id);
      }
      if (this.held.size) this.pollRoom();
    }
    this.o.metrics?.heldSlots.set(this.held.size);
    // Counted as sent, so the next flush before this one's answer does not overfill the queue.
    this.waiting += Math.ceil(send.length / this.perJob);
    for (let i = 0; i < send.length; i += ENQUEUE_BATCH) this.send(send.slice(i, i + ENQUEUE_BATCH));
    if (shed.length) this.reportUnrun(shed, 'queue_full');
  }

  private send(batch: Fired[]): void {
    const p = this.o.queue
      .enqueueMany(batch, { retryBackoffMs: this.o.retryBackoffMs, checksPerJob: this.perJob })
      .then(({ outcomes, waiting }) => {
        this.waiting = waiting;
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

  /** While slots are held: reads the wait list's length every HOLD_POLL_MS and enqueues as far as it has room. */
  private pollRoom(): void {
    if (this.holdTimer || this.stopped) return;
    this.holdTimer = setTimeout(() => {
      const p = this.o.queue
        .waiting()
        .then((n) => {
          this.waiting = n;
        })
        .catch((err: unknown) => logger().warn({ err: (err as Error).message }, 'could not read the queue length; slots stay held'))
        .finally(() => {
          this.holdTimer = undefined;
          this.inFlight.delete(p);
          if (this.stopped) return;
          if (this.batch.length || this.held.size) this.flush();
        });
      this.inFlight.add(p);
    }, HOLD_POLL_MS);
  }

  /**
   * Claims slots that will never be enqueued (shed, or missed in a stall) — a slot another scheduler enqueued is not
   * a gap — and reports the claimed ones as gaps with their cause.
   */
  private reportUnrun(slots: Fired[], reason: 'queue_full' | 'scheduler_stalled'): void {
    for (let i = 0; i < slots.length; i += ENQUEUE_BATCH) {
      const part = slots.slice(i, i + ENQUEUE_BATCH);
      const p = this.o.queue
        .claimUnrun(part)
        .then(async (ours) => {
          if (reason === 'queue_full') this.o.metrics?.enqueued.inc({ outcome: 'shed' }, ours.length);
          this.o.metrics?.results.slotsExpired.inc({ reason }, ours.length);
          await recordGaps(
            this.o.queue.redis,
            this.o.queue.prefix,
            ours.map(({ check, slot }) => ({
              id: resultId(check.id, new Date(slot)),
              checkId: check.id,
              slot: new Date(slot).toISOString(),
              reason,
            })),
            reason === 'queue_full'
              ? `slots shed unrun: the queue held scheduler.maxBacklog (${String(this.o.maxBacklog)}) jobs until each check's next slot came due`
              : 'slots missed unrun: the scheduler stalled (its process or event loop held up) past them',
            this.o.keyring,
            { summary: true },
          );
        })
        .catch((err: unknown) => {
          this.o.metrics?.enqueued.inc({ outcome: 'error' }, part.length);
          for (const { check, slot } of part)
            logger().error({ check: check.id, slot, reason, err: (err as Error).message }, 'could not report an unrun slot');
        })
        .finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
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
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    // Slots already fired are still enqueued (as before batching, when each fire started its enqueue at once), held
    // ones too: at most one per check, and a scheduler that stops must not turn them into gaps.
    const all = [...this.held.values(), ...this.batch.splice(0)];
    this.held.clear();
    this.o.metrics?.heldSlots.set(0);
    for (let i = 0; i < all.length; i += ENQUEUE_BATCH) this.send(all.slice(i, i + ENQUEUE_BATCH));
    // Twice: a hold poll or shed under way may have started a send.
    await Promise.allSettled([...this.inFlight]);
    await Promise.allSettled([...this.inFlight]);
  }
}
