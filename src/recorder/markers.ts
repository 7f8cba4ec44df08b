/**
 * "Already recorded" markers, compact: one Redis hash per check and 2-minute bucket of slots, one field per slot.
 * A bucket holds at most 120 second-aligned slots, under Redis's listpack limit (128 entries), so a marker costs
 * bytes rather than the ~90 B of a key of its own. Each bucket expires `ttlMs` after its last write: the recorder
 * refuses results older than the retention, so a marker only has to outlive that window.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { ProbeResult } from '../results/contract';

export const BUCKET_MS = 120_000;

export class Markers {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  private where(r: ProbeResult): { key: string; field: string } {
    const slot = Date.parse(r.scheduledAt);
    const bucket = Math.floor(slot / BUCKET_MS);
    return { key: `${this.prefix}:recorded:${r.checkId}:${bucket}`, field: String(slot - bucket * BUCKET_MS) };
  }

  /** For each result, whether it was recorded already. */
  async seen(results: ProbeResult[]): Promise<boolean[]> {
    if (!results.length) return [];
    const p = this.redis.pipeline();
    for (const r of results) {
      const { key, field } = this.where(r);
      p.hexists(key, field);
    }
    const out = (await p.exec()) ?? [];
    return out.map(([err, v]) => {
      if (err) throw err;
      return v === 1;
    });
  }

  /** Queues the marker writes on a MULTI, so they commit together with the XACK. */
  mark(tx: ChainableCommander, r: ProbeResult): void {
    const { key, field } = this.where(r);
    tx.hset(key, field, '1');
    tx.pexpire(key, this.ttlMs);
  }
}
