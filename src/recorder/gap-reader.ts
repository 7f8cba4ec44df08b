/**
 * Reads the gaps stream (`<prefix>:results:gaps`) through the recorders' consumer group and hands each authentic
 * report to the sinks (the evidence store records it once per result id), so a lost result becomes a stated cause
 * in the monthly pack. A report whose MAC does not hold is counted and left out: nobody with only Redis access can
 * explain a gap away. Runs beside the recorder on a connection of its own (it blocks on XREADGROUP).
 */
import type { Redis } from 'ioredis';
import type { ResultsMetrics } from '../metrics/results';
import { gapsKey, parseGapEntry, type GapEntry } from '../results/gaps';
import type { Keyring } from '../results/keyring';
import { ensureRecorderGroup, groupSafeTrimPoint, RECORDER_GROUP } from '../results/stream';
import { logger } from '../util/logger';
import type { ResultSink } from '../results/sink';

export interface GapReaderOptions {
  redis: Redis;
  prefix: string;
  keyring?: Keyring;
  sinks: ResultSink[];
  metrics: ResultsMetrics;
  consumer: string;
  /** Reports left unacknowledged this long by a recorder that died are taken over. */
  claimIdleMs: number;
  blockMs?: number;
}

/** Entries per read: each holds up to GAPS_PER_ENTRY gaps, so a read records at most 8,000 in one transaction. */
const BATCH = 16;
/**
 * How often acknowledged reports are trimmed off the stream. The writers' MAXLEN is only the cap for reports nobody
 * has read yet: a full batch takes ~58 KB in Redis, so read ones are not left to pile up to it.
 */
const TRIM_EVERY_MS = 5000;

export class GapReader {
  private running = false;
  private loop?: Promise<void>;
  private readonly key: string;

  constructor(private readonly o: GapReaderOptions) {
    this.key = gapsKey(o.prefix);
  }

  async start(): Promise<void> {
    await ensureRecorderGroup(this.o.redis, this.key);
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Deletes the reports every recorder has acknowledged; returns how many went. */
  async trimAcknowledged(): Promise<number> {
    const point = await groupSafeTrimPoint(this.o.redis, this.key);
    return point ? this.o.redis.xtrim(this.key, 'MINID', point) : 0;
  }

  private async run(): Promise<void> {
    let lastClaim = 0;
    let lastTrim = 0;
    while (this.running) {
      try {
        if (Date.now() - lastTrim > TRIM_EVERY_MS) {
          lastTrim = Date.now();
          await this.trimAcknowledged();
        }
        if (Date.now() - lastClaim > Math.min(this.o.claimIdleMs, 10_000)) {
          lastClaim = Date.now();
          const res = (await this.o.redis.xautoclaim(
            this.key,
            RECORDER_GROUP,
            this.o.consumer,
            this.o.claimIdleMs,
            '0-0',
            'COUNT',
            BATCH,
          )) as [string, Array<[string, string[]] | null>];
          const stale = res[1].filter((e): e is [string, string[]] => Array.isArray(e));
          if (stale.length) await this.handle(stale);
        }
        const res = (await this.o.redis.xreadgroup(
          'GROUP',
          RECORDER_GROUP,
          this.o.consumer,
          'COUNT',
          BATCH,
          'BLOCK',
          this.o.blockMs ?? 1000,
          'STREAMS',
          this.key,
          '>',
        )) as Array<[string, Array<[string, string[]]>]> | null;
        if (res) await this.handle(res[0][1]);
      } catch (err) {
        if (!this.running) break;
        logger().warn({ err: (err as Error).message }, 'gaps reader error; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Records a batch of raw stream entries; a sink failure leaves them pending for redelivery. */
  async handle(entries: Array<[string, string[]]>): Promise<void> {
    const parsed = entries.flatMap(([id, fields]) => parseGapEntry(id, fields, this.o.keyring));
    const authentic: GapEntry[] = [];
    for (const g of parsed) {
      if (g.rejected) {
        logger().error(
          { entry: g.entryId, reason: g.rejected, result: g.id },
          'gap report rejected (not authentic): its cause is not recorded',
        );
        this.o.metrics.gapsRejected.inc({ reason: g.rejected });
      } else authentic.push(g);
    }
    for (const sink of this.o.sinks) if (authentic.length && sink.recordGaps) await sink.recordGaps(authentic);
    for (const g of authentic) this.o.metrics.gapsRecorded.inc({ reason: g.reason });
    await this.o.redis.xack(this.key, RECORDER_GROUP, ...entries.map(([id]) => id));
  }
}
