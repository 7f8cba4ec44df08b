/**
 * The recorder: reads results from the stream's consumer group, records each once in the sinks (such as the
 * evidence store), then acknowledges it. Its /metrics come from its metrics follower (follower.ts), which reads the
 * whole stream, so every recorder exports every check. Idempotent by result id through Redis markers; at-least-once delivery
 * from the worker side (a retried or recovered job may publish twice) is absorbed here. Entries whose MAC does
 * not verify are dead-lettered and counted, never recorded. A result older than the retention is dropped as a
 * counted, logged gap: its marker may be gone, so recording it could record a replay twice.
 * A recorder with no sinks (evidence disabled) stores nothing, so it consumes the group only while no recorder that
 * stores results has run within the retention (stream.storingKey): in a mixed configuration it leaves every result
 * to the one that stores evidence, also while that one restarts, instead of acknowledging results away.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Check } from '../config/check';
import type { Metrics } from '../metrics/definitions';
import type { ProbeResult } from '../results/contract';
import { recordGaps } from '../results/gaps';
import { RECORDER_GROUP, type ResultStream, type StreamEntry } from '../results/stream';
import { logger } from '../util/logger';
import { MetricsFollower } from './follower';
import { Markers } from './markers';
import type { ResultSink } from '../results/sink';

export interface RecorderOptions {
  redis: Redis;
  /**
   * The follower's connection (it blocks on XREAD). The monitor passes one of its named, watched connections so
   * /readyz sees it; without one the recorder opens a copy of `redis` named after it with "-follower".
   */
  followRedis?: Redis;
  prefix: string;
  stream: ResultStream;
  /** The recorder's own counters (recorded, duplicate, rejected, lag); results reach metrics as a sink. */
  metrics: Metrics;
  /** Written in order for each result; a sink that must see a result only once (metrics) goes last. */
  sinks: ResultSink[];
  getCheck(id: string): Check | undefined;
  /** Pending entries idle this long are taken from a recorder that died. */
  claimIdleMs: number;
  /** How long a result may wait to be recorded (results.retention); older ones are dropped as gaps. */
  retentionMs?: number;
  /** Markers outlive the retention by this much (results.clockSkew). */
  clockSkewMs?: number;
  /** How often acknowledged entries are trimmed off the stream. */
  trimEveryMs?: number;
  batch?: number;
  blockMs?: number;
}

/** Markers outlive the retention by this much, so a worker clock ahead of the recorder's cannot open a replay window. */
const DEFAULT_CLOCK_SKEW_MS = 5 * 60_000;
const DEFAULT_RETENTION_MS = 86_400_000;

/** How long a small read waits for more before it is recorded (see run()). */
const LINGER_MS = 20;

const finishedAt = (r: ProbeResult) => Date.parse(r.startedAt) + r.durationMs;

export class Recorder {
  readonly consumer = `${hostname()}-${process.pid}-${Date.now().toString(36)}`;
  private running = false;
  private loop?: Promise<void>;
  private readonly markers: Markers;
  private readonly retentionMs: number;
  /** The follower blocks on XREAD, so it has a connection of its own (same endpoint and options). */
  private readonly followConn: Redis;
  private readonly follower: MetricsFollower;
  /** Whether this recorder writes results anywhere (a sink); one that does not must not acknowledge them away. */
  readonly stores: boolean;
  /** A recorder that stores nothing: whether it last found a storing recorder in charge (logged on each change). */
  private deferring = false;

  constructor(private readonly o: RecorderOptions) {
    this.retentionMs = o.retentionMs ?? DEFAULT_RETENTION_MS;
    this.stores = o.sinks.length > 0;
    this.markers = new Markers(o.redis, o.prefix, this.retentionMs + (o.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS));
    if (o.followRedis) this.followConn = o.followRedis;
    else {
      const name = o.redis.options.connectionName;
      this.followConn = o.redis.duplicate(name ? { connectionName: `${name}-follower` } : {});
      this.followConn.on('error', (err) => logger().warn({ conn: 'follower', err: err.message }, 'redis connection error'));
    }
    this.follower = new MetricsFollower({
      name: this.consumer,
      stream: o.stream.on(this.followConn),
      metrics: o.metrics,
      retentionMs: this.retentionMs,
      blockMs: o.blockMs,
    });
  }

  async start(): Promise<void> {
    await this.o.stream.ensureGroup();
    if (this.stores) await this.o.stream.claimStoring(this.consumer, this.retentionMs);
    await this.follower.start();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([this.loop, this.follower.stop(() => this.followConn.disconnect())]);
    await this.o.stream.forgetCursor(this.consumer).catch(() => undefined);
  }

  private async run(): Promise<void> {
    let lastClaim = 0;
    let lastTrim = 0;
    while (this.running) {
      try {
        if (Date.now() - lastTrim > (this.o.trimEveryMs ?? 5000)) {
          lastTrim = Date.now();
          if (this.stores) await this.o.stream.claimStoring(this.consumer, this.retentionMs);
          await this.o.stream.trimAcknowledged();
        }
        if (!this.stores && (await this.deferToStoring())) {
          await new Promise((r) => setTimeout(r, this.o.blockMs ?? 1000));
          continue;
        }
        if (Date.now() - lastClaim > Math.min(this.o.claimIdleMs, 10_000)) {
          lastClaim = Date.now();
          const stale = await this.o.stream.claimStale(this.consumer, this.o.claimIdleMs, this.o.batch ?? 256);
          if (stale.length) await this.handle(stale);
        }
        const batch = this.o.batch ?? 256;
        let entries = await this.o.stream.read(this.consumer, batch, this.o.blockMs ?? 1000);
        // A small read waits LINGER_MS for more: a store transaction costs the same fixed statements whatever its
        // size, so fewer, larger batches cost the store less, for at most LINGER_MS of recording latency.
        if (this.stores && entries.length && entries.length < batch / 2) {
          await new Promise((r) => setTimeout(r, LINGER_MS));
          entries = entries.concat(await this.o.stream.read(this.consumer, batch - entries.length, 0));
        }
        if (entries.length) await this.handle(entries);
      } catch (err) {
        if (!this.running) break;
        logger().warn({ err: (err as Error).message }, 'recorder loop error; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** For a recorder that stores nothing: whether a storing recorder is in charge of the group (logged on change). */
  private async deferToStoring(): Promise<boolean> {
    const by = await this.o.stream.storedBy();
    if (Boolean(by) !== this.deferring) {
      this.deferring = Boolean(by);
      if (by)
        logger().warn(
          { storedBy: by },
          'another recorder stores results (evidence): this one, with evidence disabled, leaves the results group to it and only exports metrics (evidence off everywhere on purpose: DEL <prefix>:results:storing)',
        );
      else logger().info('no recorder has stored results within the retention: this one consumes the results group');
    }
    return this.deferring;
  }

  async handle(entries: StreamEntry[]): Promise<void> {
    const settled: string[] = [];
    for (const bad of entries.filter((e) => e.rejected || !e.result)) {
      const reason = bad.rejected ?? 'invalid';
      logger().error({ entry: bad.entryId, reason }, 'results stream entry rejected (not an authentic result); moved to dead letters');
      await this.o.stream.deadLetter(bad, reason);
      this.o.metrics.results.rejected.inc({ reason });
      settled.push(bad.entryId);
    }
    const now = Date.now();
    const authentic = entries.filter((e) => e.result);
    const expired = authentic.filter((e) => now - finishedAt(e.result!) > this.retentionMs);
    if (expired.length) {
      await recordGaps(
        this.o.redis,
        this.o.prefix,
        expired.map(({ result: r }) => ({ id: r!.id, checkId: r!.checkId, slot: r!.scheduledAt, reason: 'expired' })),
        'result older than the results retention: dropped, not recorded',
        this.o.stream.keyring,
      );
      this.o.metrics.results.dropped.inc({ reason: 'expired' }, expired.length);
      settled.push(...expired.map((e) => e.entryId));
    }
    await this.o.stream.ack(settled);
    const valid = authentic.filter((e) => now - finishedAt(e.result!) <= this.retentionMs);
    if (!valid.length) return;
    const seen = await this.markers.seen(valid.map((e) => e.result!));
    // A copy within the same batch (a replay XADDed right behind the original) is a duplicate too.
    const inBatch = new Set<string>();
    valid.forEach(({ result }, i) => {
      if (inBatch.has(result!.id)) seen[i] = true;
      inBatch.add(result!.id);
    });
    // Sinks get the whole batch at once (the evidence sink commits concurrent writes in one transaction); a result
    // whose sink write fails stays unacknowledged and is delivered again. The marker is set only once everything
    // succeeded, so no sink records a result twice. Check metrics are the follower's, not this path's.
    const fresh = valid.filter((_e, i) => !seen[i]);
    const outcomes = await Promise.allSettled(
      fresh.map(async ({ result }) => {
        for (const sink of this.o.sinks) await sink.write(result!, this.o.getCheck(result!.checkId));
      }),
    );
    const failed = new Set<string>();
    outcomes.forEach((o, i) => {
      if (o.status === 'rejected') {
        failed.add(fresh[i].entryId);
        logger().error(
          { result: fresh[i].result!.id, err: (o.reason as Error)?.message },
          'result sink failed; result left pending for redelivery',
        );
      }
    });
    const done = this.o.redis.multi();
    const acks: string[] = [];
    const marked: ProbeResult[] = [];
    let duplicates = 0;
    for (let i = 0; i < valid.length; i++) {
      const { entryId, result } = valid[i];
      if (seen[i]) {
        duplicates += 1;
        acks.push(entryId);
        continue;
      }
      if (failed.has(entryId)) continue;
      marked.push(result!);
      acks.push(entryId);
    }
    // A recorder that stores nothing acknowledges only while no storing recorder is in charge; else it leaves all.
    if (!this.stores && !(await this.o.stream.ackUnlessStored(acks))) {
      await this.deferToStoring();
      return;
    }
    const markersSet = this.markers.mark(done, marked);
    if (acks.length && this.stores) done.xack(this.o.stream.key, RECORDER_GROUP, ...acks);
    const replies = await done.exec();
    if (replies?.every(([err]) => !err)) markersSet();
    // Counters once per batch, not once per result (the lag is the batch's last result's).
    if (duplicates) this.o.metrics.recorded.inc({ outcome: 'duplicate' }, duplicates);
    const recorded = marked.length > 0;
    if (recorded) {
      const last = marked[marked.length - 1];
      this.o.metrics.recorded.inc({ outcome: 'recorded' }, marked.length);
      this.o.metrics.recorderLag.set(Math.max(0, Date.now() - finishedAt(last)) / 1000);
    }
    if (recorded) this.o.metrics.results.lastRecorded.set(Date.now() / 1000);
  }
}
