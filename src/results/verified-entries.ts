/**
 * Results stream entries this process has already verified (MAC) and parsed, by stream id. A recorder reads every
 * entry twice — through the consumer group for evidence and in its metrics follower for /metrics — and the second
 * read reuses the first's work instead of checking the MAC and parsing the JSON again. An entry is reused only when
 * its bytes are exactly those verified (a stream deleted and refilled with the same ids by someone with Redis access
 * gets no free pass). Bounded: the oldest entries make room. The cached result is shared by both readers: read-only.
 */
import type { ProbeResult } from './contract';

/** Enough for the group's and the follower's batches (256 and 1,024) to overlap at full rate: ~1 KB each. */
const KEPT = 4096;

export class VerifiedEntries {
  private readonly byId = new Map<string, { raw: string; result: ProbeResult }>();

  /** The result verified for this entry id when its bytes are the same `raw`. */
  get(entryId: string, raw: string): ProbeResult | undefined {
    const hit = this.byId.get(entryId);
    return hit && hit.raw === raw ? hit.result : undefined;
  }

  set(entryId: string, raw: string, result: ProbeResult): void {
    if (this.byId.size >= KEPT) {
      const oldest = this.byId.keys().next();
      if (!oldest.done) this.byId.delete(oldest.value);
    }
    this.byId.set(entryId, { raw, result });
  }

  get size(): number {
    return this.byId.size;
  }
}
