/**
 * The gaps record: every result id that will never be recorded (an authentic result that waited past the
 * retention, a slot that expired unrun) is appended to the `<prefix>:results:gaps` stream with its reason, in
 * batches of up to GAPS_PER_ENTRY per entry, signed like a result (HMAC with the results key, see keyring.ts) so
 * that nobody with only Redis access can explain a gap away. The recorder reads it (`src/recorder/gap-reader.ts`)
 * into the evidence store, where the monthly pack names the cause of each missing slot. An id listed here may still
 * be in the evidence store (a replay of a recorded result expires too): the store's own row wins.
 */
import type { Redis } from 'ioredis';
import { logger } from '../util/logger';
import type { Keyring, VerifyOutcome } from './keyring';

/**
 * `expired`: an authentic result waited past the retention; `unknown_check` / `results_backlog`: workers handed a
 * job back until its slot's claim ran out; `queue_full`: the scheduler never enqueued the slot (the queue was at
 * scheduler.maxBacklog until the check's next slot came due); `scheduler_stalled`: the scheduler's process or event
 * loop was held up past the slot (it fires the latest slot it missed late; the older ones are these gaps).
 */
export const GAP_REASONS = ['expired', 'unknown_check', 'results_backlog', 'queue_full', 'scheduler_stalled'] as const;
export type GapReason = (typeof GAP_REASONS)[number];

export interface Gap {
  /** The result id (`<checkId>@<slot ISO>`), or the stream entry id when the entry named no result. */
  id: string;
  checkId: string;
  /** ISO-8601 slot, '' when unknown. */
  slot: string;
  reason: GapReason;
}

/** A gap as read back: when it was reported, and whether its MAC held. */
export interface GapEntry extends Gap {
  entryId: string;
  at: string;
  /** Set when the entry cannot be trusted (no MAC, unknown key, bad MAC, not a gap record). */
  rejected?: Exclude<VerifyOutcome, 'ok'> | 'unsigned' | 'invalid';
}

/**
 * Gap entries kept for a reader that is away (read ones are trimmed by the recorder, gap-reader.ts): bounded by count,
 * not age. A full batch of GAPS_PER_ENTRY gaps takes about 58 KB in Redis (MEMORY USAGE, measured), so 4,000 entries
 * bound the stream at about 230 MB while holding up to 2 million unread gaps (100,000 entries could reach 5.8 GB).
 */
export const GAPS_MAX_LEN = 4000;
/** Gaps per stream entry: one XADD and one MAC for a batch (an overloaded scheduler sheds hundreds a second). */
export const GAPS_PER_ENTRY = 500;

export function gapsKey(prefix: string): string {
  return `${prefix}:results:gaps`;
}

/**
 * The signed bytes: a JSON object that is never a valid result (`kind: "gaps"`, a batch of [id, check, slot, reason]),
 * so entries cannot be swapped. Entries written before batching hold one gap (`kind: "gap"`) and are still read.
 */
function gapsRaw(gaps: Gap[], at: string): string {
  return JSON.stringify({ kind: 'gaps', at, gaps: gaps.map((g) => [g.id, g.checkId, g.slot, g.reason]) });
}

/**
 * Appends gaps (and logs each, or with `summary` one line for the lot: shedding under overload lists thousands).
 * Signed when this process has a signing key; an unsigned entry is still listed for people and tests reading the
 * stream, but the evidence side will not take its word for a cause.
 */
export async function recordGaps(
  redis: Redis,
  prefix: string,
  gaps: Gap[],
  what: string,
  keyring?: Keyring,
  opts: { summary?: boolean } = {},
): Promise<void> {
  if (!gaps.length) return;
  const p = redis.pipeline();
  const at = new Date().toISOString();
  for (let i = 0; i < gaps.length; i += GAPS_PER_ENTRY) {
    const batch = gaps.slice(i, i + GAPS_PER_ENTRY);
    const raw = gapsRaw(batch, at);
    const signed = keyring?.signWith !== undefined ? keyring.sign(raw) : undefined;
    // Beside the signed bytes, for people reading the stream: how many, the first one, and its reason.
    const fields = ['n', String(batch.length), 'id', batch[0].id, 'check', batch[0].checkId, 'reason', batch[0].reason, 'at', at, 'r', raw];
    if (signed) fields.push('k', signed.kid, 'm', signed.mac);
    p.xadd(gapsKey(prefix), 'MAXLEN', '~', String(GAPS_MAX_LEN), '*', ...fields);
  }
  const answers = (await p.exec()) ?? [];
  for (const [err] of answers) if (err) throw err;
  if (opts.summary) {
    const checks = new Set(gaps.map((g) => g.checkId));
    logger().warn({ slots: gaps.length, checks: checks.size, reason: gaps[0].reason, first: gaps[0].id }, what);
    return;
  }
  for (const g of gaps) logger().warn({ result: g.id, check: g.checkId, slot: g.slot, reason: g.reason }, what);
}

/**
 * One stream entry as the gaps it lists, its MAC checked against `keyring` (no keyring: nothing is trusted). An entry
 * that cannot be trusted is one gap marked `rejected` (its plain fields, for the log), never the gaps it claims.
 */
export function parseGapEntry(entryId: string, fields: string[], keyring?: Keyring): GapEntry[] {
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) o[fields[i]] = fields[i + 1];
  const listed: GapEntry = {
    entryId,
    id: o.id ?? '',
    checkId: o.check ?? '',
    slot: o.slot ?? '',
    reason: o.reason as GapReason,
    at: o.at ?? '',
  };
  const reject = (rejected: NonNullable<GapEntry['rejected']>): GapEntry[] => [{ ...listed, rejected }];
  if (!o.r || !o.k || !o.m) return reject('unsigned');
  const verdict = keyring ? keyring.verify(o.k, o.r, o.m) : 'unknown_key';
  if (verdict !== 'ok') return reject(verdict);
  let g: Record<string, unknown>;
  try {
    g = JSON.parse(o.r) as Record<string, unknown>;
  } catch {
    return reject('invalid');
  }
  const at = typeof g.at === 'string' ? g.at : '';
  // A single gap (written before batching) is a batch of one.
  const rows = g.kind === 'gaps' ? g.gaps : g.kind === 'gap' ? [[g.id, g.check, g.slot, g.reason]] : undefined;
  if (!at || !Array.isArray(rows) || !rows.length) return reject('invalid');
  const out: GapEntry[] = [];
  for (const row of rows) {
    const gap = gapOf(row);
    if (!gap) return reject('invalid');
    // The signed JSON is the truth; the plain fields beside it are for people reading the stream.
    out.push({ entryId, ...gap, at });
  }
  return out;
}

/** One signed row `[id, check, slot, reason]`, or undefined when it is not one. */
function gapOf(row: unknown): Gap | undefined {
  if (!Array.isArray(row) || row.length !== 4 || !row.every((v) => typeof v === 'string')) return undefined;
  const [id, checkId, slot, reason] = row;
  if (!id || !checkId || !(GAP_REASONS as readonly string[]).includes(reason)) return undefined;
  if (slot !== '' && Number.isNaN(Date.parse(slot))) return undefined;
  return { id, checkId, slot, reason: reason as GapReason };
}

/** Reads the gaps record (oldest first, `count` stream entries of up to GAPS_PER_ENTRY gaps each); for tests and people. */
export async function readGaps(redis: Redis, prefix: string, count = 1000, keyring?: Keyring): Promise<GapEntry[]> {
  const entries = await redis.xrange(gapsKey(prefix), '-', '+', 'COUNT', count);
  return entries.flatMap(([entryId, f]) => parseGapEntry(entryId, f, keyring));
}
