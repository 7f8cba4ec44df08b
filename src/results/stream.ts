/**
 * The results stream: workers XADD each result; recorders read it through a consumer group and XACK only after
 * the result is recorded, so a recorder that crashes loses nothing (its pending entries are claimed by the next).
 */
import type { Redis } from 'ioredis';
import type { ProbeResult } from './contract';

export const RECORDER_GROUP = 'recorders';

export interface StreamEntry {
  entryId: string;
  /** Undefined when the entry is not a valid result (it is moved to the dead-letter stream). */
  result?: ProbeResult;
  raw: string;
}

export class ResultStream {
  readonly key: string;
  readonly deadKey: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly maxLen = 200_000,
  ) {
    this.key = `${prefix}:results`;
    this.deadKey = `${prefix}:results:dead`;
  }

  async publish(result: ProbeResult): Promise<string> {
    return (await this.redis.xadd(this.key, 'MAXLEN', '~', String(this.maxLen), '*', 'r', JSON.stringify(result))) as string;
  }

  /** Creates the consumer group from the start of the stream, so results published before any recorder ran count. */
  async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.key, RECORDER_GROUP, '0', 'MKSTREAM');
    } catch (e) {
      if (!String((e as Error).message).includes('BUSYGROUP')) throw e;
    }
  }

  async read(consumer: string, count: number, blockMs: number): Promise<StreamEntry[]> {
    const res = (await this.redis.xreadgroup('GROUP', RECORDER_GROUP, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.key, '>')) as
      | Array<[string, Array<[string, string[]]>]>
      | null;
    return res ? res[0][1].map(parse) : [];
  }

  /** Takes over entries another (dead) recorder left unacknowledged for at least `minIdleMs`. */
  async claimStale(consumer: string, minIdleMs: number, count: number): Promise<StreamEntry[]> {
    const res = (await this.redis.xautoclaim(this.key, RECORDER_GROUP, consumer, minIdleMs, '0-0', 'COUNT', count)) as [string, Array<[string, string[]] | null>];
    return res[1].filter((e): e is [string, string[]] => Array.isArray(e)).map(parse);
  }

  async ack(entryIds: string[]): Promise<void> {
    if (entryIds.length) await this.redis.xack(this.key, RECORDER_GROUP, ...entryIds);
  }

  async deadLetter(entry: StreamEntry, reason: string): Promise<void> {
    await this.redis.xadd(this.deadKey, 'MAXLEN', '~', '10000', '*', 'raw', entry.raw.slice(0, 65_536), 'reason', reason);
  }

  async pending(): Promise<number> {
    try {
      const summary = (await this.redis.xpending(this.key, RECORDER_GROUP)) as [number, ...unknown[]];
      return Number(summary[0]) || 0;
    } catch {
      return 0;
    }
  }
}

function parse([entryId, fields]: [string, string[]]): StreamEntry {
  const i = fields.indexOf('r');
  const raw = i >= 0 ? fields[i + 1] : '';
  try {
    const result = JSON.parse(raw) as ProbeResult;
    if (typeof result?.id !== 'string' || typeof result.checkId !== 'string' || typeof result.status !== 'string') throw new Error('not a result');
    return { entryId, result, raw };
  } catch {
    return { entryId, raw };
  }
}
