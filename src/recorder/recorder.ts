/**
 * The recorder: reads results from the stream's consumer group, records each once (metrics and sinks such as the
 * evidence store), then acknowledges it. Idempotent by result id through a Redis marker; at-least-once delivery
 * from the worker side (a retried or recovered job may publish twice) is absorbed here.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Check } from '../config/check';
import type { Metrics } from '../metrics/definitions';
import { RECORDER_GROUP, type ResultStream, type StreamEntry } from '../results/stream';
import { logger } from '../util/logger';
import type { ResultSink } from './sink';

export interface RecorderOptions {
  redis: Redis;
  prefix: string;
  stream: ResultStream;
  metrics: Metrics;
  sinks: ResultSink[];
  getCheck(id: string): Check | undefined;
  /** Pending entries idle this long are taken from a recorder that died. */
  claimIdleMs: number;
  batch?: number;
  blockMs?: number;
}

const MARKER_TTL_SECONDS = 2 * 86_400;

export class Recorder {
  readonly consumer = `${hostname()}-${process.pid}-${Date.now().toString(36)}`;
  private running = false;
  private loop?: Promise<void>;

  constructor(private readonly o: RecorderOptions) {}

  async start(): Promise<void> {
    await this.o.stream.ensureGroup();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    let lastClaim = 0;
    while (this.running) {
      try {
        if (Date.now() - lastClaim > Math.min(this.o.claimIdleMs, 10_000)) {
          lastClaim = Date.now();
          const stale = await this.o.stream.claimStale(this.consumer, this.o.claimIdleMs, this.o.batch ?? 256);
          if (stale.length) await this.handle(stale);
        }
        const entries = await this.o.stream.read(this.consumer, this.o.batch ?? 256, this.o.blockMs ?? 1000);
        if (entries.length) await this.handle(entries);
      } catch (err) {
        if (!this.running) break;
        logger().warn({ err: (err as Error).message }, 'recorder loop error; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private markerKey(id: string): string {
    return `${this.o.prefix}:recorded:${id}`;
  }

  async handle(entries: StreamEntry[]): Promise<void> {
    const valid = entries.filter((e) => e.result);
    for (const bad of entries.filter((e) => !e.result)) {
      logger().error({ entry: bad.entryId }, 'results stream entry is not a valid result; moved to dead letters');
      await this.o.stream.deadLetter(bad, 'invalid result JSON');
      await this.o.stream.ack([bad.entryId]);
    }
    if (!valid.length) return;
    const seen = await this.o.redis.mget(...valid.map((e) => this.markerKey(e.result!.id)));
    // Sinks get the whole batch at once (the evidence sink commits concurrent writes in one transaction); a result
    // whose sink write fails stays unacknowledged and is delivered again. The marker is set only once everything
    // succeeded, so metrics are never touched twice.
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
        logger().error({ result: fresh[i].result!.id, err: (o.reason as Error)?.message }, 'result sink failed; result left pending for redelivery');
      }
    });
    const done = this.o.redis.multi();
    const acks: string[] = [];
    for (let i = 0; i < valid.length; i++) {
      const { entryId, result } = valid[i];
      const r = result!;
      if (seen[i]) {
        this.o.metrics.recorded.inc({ outcome: 'duplicate' });
        acks.push(entryId);
        continue;
      }
      if (failed.has(entryId)) continue;
      this.o.metrics.record(r);
      this.o.metrics.recorded.inc({ outcome: 'recorded' });
      this.o.metrics.recorderLag.set(Math.max(0, Date.now() - (Date.parse(r.startedAt) + r.durationMs)) / 1000);
      done.set(this.markerKey(r.id), '1', 'EX', MARKER_TTL_SECONDS);
      acks.push(entryId);
    }
    if (acks.length) done.xack(this.o.stream.key, RECORDER_GROUP, ...acks);
    await done.exec();
  }
}
