/**
 * "Already recorded" markers, compact: one Redis hash per check and 2-minute bucket of slots, one field per slot.
 * A bucket holds at most 120 second-aligned slots, under Redis's listpack limit (128 entries), so a marker costs
 * bytes rather than the ~90 B of a key of its own. Each bucket expires at least `ttlMs` after its last write: the
 * recorder refuses results older than the retention, so a marker only has to outlive that window.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { ProbeResult } from '../results/contract';

export const BUCKET_MS = 120_000;
/**
 * A bucket's expiry is set REFRESH_MS beyond `ttlMs`, so writes to it in the next REFRESH_MS / 2 (by this recorder)
 * need no PEXPIRE of their own: a 1-second check's bucket takes 120 writes and about 24 PEXPIREs, not 120. The
 * other half is margin for the time between deciding and the write reaching Redis (a slow or queued MULTI).
 */
export const REFRESH_MS = 10_000;

export class Markers {
  /** Bucket key → when (before its EXEC) this recorder last committed a PEXPIRE on it. */
  private readonly expirySetAt = new Map<string, number>();
  private lastPrune = Date.now();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
    private readonly refreshMs = REFRESH_MS,
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

  /**
   * Queues the marker writes on a MULTI, so they commit together with the XACK; call the returned function once
   * the MULTI has committed. A bucket whose expiry this recorder committed less than refreshMs / 2 before `now`
   * gets no PEXPIRE: that expiry is at least `now` + ttlMs + refreshMs / 2, so this write keeps a full ttlMs as long
   * as it reaches Redis within refreshMs / 2.
   */
  mark(tx: ChainableCommander, results: ProbeResult[], now = Date.now()): () => void {
    this.prune(now);
    const refreshed = new Set<string>();
    for (const r of results) {
      const { key, field } = this.where(r);
      tx.hset(key, field, '1');
      if (refreshed.has(key) || now - (this.expirySetAt.get(key) ?? -Infinity) < this.refreshMs / 2) continue;
      tx.pexpire(key, this.ttlMs + this.refreshMs);
      refreshed.add(key);
    }
    return () => {
      for (const key of refreshed) this.expirySetAt.set(key, now);
    };
  }

  /** Forgets expiries older than refreshMs (bounded memory: about one entry per check written to lately). */
  private prune(now: number): void {
    if (now - this.lastPrune < this.refreshMs) return;
    this.lastPrune = now;
    for (const [key, at] of this.expirySetAt) if (now - at >= this.refreshMs) this.expirySetAt.delete(key);
  }
}
