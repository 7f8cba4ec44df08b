/**
 * The gaps record: every result id that will never be recorded (an authentic result that waited past the
 * retention, a slot that expired unrun) is appended to the `<prefix>:results:gaps` stream with its reason.
 * It is the hook the evidence side reads to turn a loss into a stated gap instead of silence. An id listed here
 * may still be in the evidence store (a replay of a recorded result expires too): the store's own row wins.
 */
import type { Redis } from 'ioredis';
import { logger } from '../util/logger';

export type GapReason = 'expired' | 'unknown_check' | 'results_backlog';

export interface Gap {
  /** The result id (`<checkId>@<slot ISO>`), or the stream entry id when the entry named no result. */
  id: string;
  checkId: string;
  /** ISO-8601 slot, '' when unknown. */
  slot: string;
  reason: GapReason;
}

/** Gap entries kept: bounded by count, not age, so a reader that is away for a while still finds them. */
export const GAPS_MAX_LEN = 100_000;

export function gapsKey(prefix: string): string {
  return `${prefix}:results:gaps`;
}

export async function recordGaps(redis: Redis, prefix: string, gaps: Gap[], what: string): Promise<void> {
  if (!gaps.length) return;
  const p = redis.pipeline();
  for (const g of gaps) p.xadd(gapsKey(prefix), 'MAXLEN', '~', String(GAPS_MAX_LEN), '*', 'id', g.id, 'check', g.checkId, 'slot', g.slot, 'reason', g.reason, 'at', new Date().toISOString());
  await p.exec();
  for (const g of gaps) logger().warn({ result: g.id, check: g.checkId, slot: g.slot, reason: g.reason }, what);
}

/** Reads the gaps record (oldest first); for the evidence side and tests. */
export async function readGaps(redis: Redis, prefix: string, count = 1000): Promise<Array<Gap & { at: string }>> {
  const entries = await redis.xrange(gapsKey(prefix), '-', '+', 'COUNT', count);
  return entries.map(([, f]) => {
    const o: Record<string, string> = {};
    for (let i = 0; i + 1 < f.length; i += 2) o[f[i]] = f[i + 1];
    return { id: o.id, checkId: o.check, slot: o.slot, reason: o.reason as GapReason, at: o.at };
  });
}
