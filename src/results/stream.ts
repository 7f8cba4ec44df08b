/**
 * The results stream: workers XADD each result with a MAC (see keyring.ts); recorders read it through a consumer
 * group and XACK only after the result is recorded, so a recorder that crashes loses nothing (its pending entries
 * are claimed by the next). Nothing unacknowledged is ever trimmed: the stream is cut only below the group's
 * oldest pending or undelivered entry, nor below what a live metrics follower (every recorder has one) has read, and a
 * full stream refuses new results (back-pressure) instead of dropping.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ProbeResult } from './contract';
import type { Keyring } from './keyring';
import { validResult } from './validate';
import { VerifiedEntries } from './verified-entries';

export const RECORDER_GROUP = 'recorders';

/** Why an entry on the results stream is not accepted as a result (bounded metric label values). */
export type RejectReason = 'unsigned' | 'unknown_key' | 'bad_mac' | 'invalid';

/** The stream holds results.maxLength entries: the worker keeps its job and hands it back to run later. */
export class ResultsBacklogError extends Error {
  override name = 'ResultsBacklogError';
}

export interface StreamEntry {
  entryId: string;
  /** The `r` field: the exact bytes the MAC covers. */
  raw: string;
  /** Set only when the MAC verified and the bytes are a valid result. */
  result?: ProbeResult;
  /** Why the entry is not accepted (it goes to the dead-letter stream). */
  rejected?: RejectReason;
}

// XLEN and XADD in one script: two workers cannot both pass the check and overshoot the cap.
const PUBLISH = `if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return false end
return redis.call('XADD', KEYS[1], '*', 'r', ARGV[2], 'k', ARGV[3], 'm', ARGV[4])`;
/** Called by its SHA1 (EVALSHA): the script text is sent and hashed only when Redis does not have it yet. */
const PUBLISH_SHA = createHash('sha1').update(PUBLISH).digest('hex');
// A job of several slots publishes its results in one script: refused whole while the stream is at its cap (so the
// cap can be passed by at most the entries of one call, never by a growing amount).
const PUBLISH_MANY = `if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return false end
local ids = {}
for i = 2, #ARGV, 3 do ids[#ids + 1] = redis.call('XADD', KEYS[1], '*', 'r', ARGV[i], 'k', ARGV[i + 1], 'm', ARGV[i + 2]) end
return ids`;
const PUBLISH_MANY_SHA = createHash('sha1').update(PUBLISH_MANY).digest('hex');
// A recorder that stores nothing acknowledges only while no storing recorder has claimed the group (see storingKey).
const ACK_UNLESS_STORED = `if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
return redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))`;
const ACK_UNLESS_STORED_SHA = createHash('sha1').update(ACK_UNLESS_STORED).digest('hex');

/** A follower's cursor older than this is a follower that died: trimming stops waiting for it. */
export const FOLLOWER_STALE_MS = 60_000;

/** Creates the recorders' consumer group on `key` from the start of the stream; an existing group is kept. */
export async function ensureRecorderGroup(redis: Redis, key: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', key, RECORDER_GROUP, '0', 'MKSTREAM');
  } catch (e) {
    if (!(e instanceof Error) || !e.message.includes('BUSYGROUP')) throw e;
  }
}

export class ResultStream {
  readonly key: string;
  readonly deadKey: string;
  /** Hash of follower → `<last read id> <unix ms>`: each recorder's metrics cursor (see recorder/follower.ts). */
  readonly cursorsKey: string;
  /**
   * Set (for the results retention) by every recorder that stores results, such as the evidence store: while it
   * exists a recorder that stores nothing neither reads nor acknowledges through the group, so a mixed configuration
   * cannot acknowledge away results that evidence was to keep (even while the storing recorder restarts).
   */
  readonly storingKey: string;

  /** Shared with every copy made by on(): the group reader and the metrics follower verify each entry once. */
  private readonly verified: VerifiedEntries;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly o: { keyring?: Keyring; maxLength?: number; verified?: VerifiedEntries } = {},
  ) {
    this.verified = o.verified ?? new VerifiedEntries();
    this.key = `${prefix}:results`;
    this.deadKey = `${prefix}:results:dead`;
    this.cursorsKey = `${prefix}:results:cursors`;
    this.storingKey = `${prefix}:results:storing`;
  }

  /** The keys this stream signs and verifies with (gap reports are signed with the same ones). */
  get keyring(): Keyring | undefined {
    return this.o.keyring;
  }

  private get maxLength(): number {
    return this.o.maxLength ?? 200_000;
  }

  /** Signs and appends a result; throws ResultsBacklogError when the stream is at its cap. */
  async publish(result: ProbeResult): Promise<string> {
    const id = (await this.script(PUBLISH, PUBLISH_SHA, [this.key], this.signed([result]))) as string | null;
    if (!id) throw this.backlog();
    return id;
  }

  /**
   * Signs and appends several results in one round trip, all or none: throws ResultsBacklogError when the stream is
   * at its cap (it may then pass the cap by these entries, at most `scheduler.checksPerJob` − 1 more than one).
   */
  async publishMany(results: ProbeResult[]): Promise<string[]> {
    if (!results.length) return [];
    const ids = (await this.script(PUBLISH_MANY, PUBLISH_MANY_SHA, [this.key], this.signed(results))) as string[] | null;
    if (!ids) throw this.backlog();
    return ids;
  }

  /** The cap, then `raw, kid, mac` per result. */
  private signed(results: ProbeResult[]): string[] {
    const keyring = this.o.keyring;
    if (!keyring) throw new Error('this results stream has no keyring to sign with');
    const args = [String(this.maxLength)];
    for (const result of results) {
      const raw = JSON.stringify(result);
      const { kid, mac } = keyring.sign(raw);
      args.push(raw, kid, mac);
    }
    return args;
  }

  /** Runs a script by its SHA1 (EVALSHA): its text is sent only when Redis does not have it (a restart, a flush). */
  private script(text: string, sha: string, keys: string[], args: string[]): Promise<unknown> {
    return this.redis.evalsha(sha, keys.length, ...keys, ...args).catch((e: unknown) => {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return this.redis.eval(text, keys.length, ...keys, ...args);
    });
  }

  private backlog(): ResultsBacklogError {
    return new ResultsBacklogError(`the results stream holds ${this.maxLength} entries (results.maxLength): recorders are behind or down`);
  }

  async length(): Promise<number> {
    return this.redis.xlen(this.key);
  }

  async isFull(): Promise<boolean> {
    return (await this.length()) >= this.maxLength;
  }

  /** Creates the consumer group from the start of the stream, so results published before any recorder ran count. */
  async ensureGroup(): Promise<void> {
    await ensureRecorderGroup(this.redis, this.key);
  }

  /** New entries for `consumer` through the group, waiting up to `blockMs` for one (0: what is there, no wait). */
  async read(consumer: string, count: number, blockMs: number): Promise<StreamEntry[]> {
    const res = (
      blockMs > 0
        ? await this.redis.xreadgroup('GROUP', RECORDER_GROUP, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.key, '>')
        : await this.redis.xreadgroup('GROUP', RECORDER_GROUP, consumer, 'COUNT', count, 'STREAMS', this.key, '>')
    ) as Array<[string, Array<[string, string[]]>]> | null;
    return res ? res[0][1].map((e) => this.parse(e)) : [];
  }

  /** Every entry after `after` (not through the group): a recorder's metrics follower reads the whole stream. */
  async follow(after: string, count: number, blockMs: number): Promise<StreamEntry[]> {
    const res = await this.redis.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.key, after);
    return res ? res[0][1].map((e) => this.parse(e)) : [];
  }

  /** Records how far a follower has read, so trimming keeps what it has not read yet (while it reports). */
  async reportCursor(follower: string, after: string): Promise<void> {
    await this.redis.hset(this.cursorsKey, follower, `${after} ${Date.now()}`);
  }

  /** A follower that stopped cleanly: trimming need not wait for it. */
  async forgetCursor(follower: string): Promise<void> {
    await this.redis.hdel(this.cursorsKey, follower);
  }

  /** The same stream (same keyring) on another connection, e.g. one that may block on XREAD. */
  on(redis: Redis): ResultStream {
    return new ResultStream(redis, this.prefix, { ...this.o, verified: this.verified });
  }

  /** Takes over entries another (dead) recorder left unacknowledged for at least `minIdleMs`. */
  async claimStale(consumer: string, minIdleMs: number, count: number): Promise<StreamEntry[]> {
    const res = (await this.redis.xautoclaim(this.key, RECORDER_GROUP, consumer, minIdleMs, '0-0', 'COUNT', count)) as [
      string,
      Array<[string, string[]] | null>,
    ];
    return res[1].filter((e): e is [string, string[]] => Array.isArray(e)).map((e) => this.parse(e));
  }

  async ack(entryIds: string[]): Promise<void> {
    if (entryIds.length) await this.redis.xack(this.key, RECORDER_GROUP, ...entryIds);
  }

  /** Marks the group as one whose results are stored, for `forMs` (see storingKey); `by` names the recorder. */
  async claimStoring(by: string, forMs: number): Promise<void> {
    await this.redis.set(this.storingKey, by, 'PX', Math.max(1, Math.round(forMs)));
  }

  /** Who stores this group's results (a recorder's name), or null when no storing recorder ran within the retention. */
  async storedBy(): Promise<string | null> {
    return this.redis.get(this.storingKey);
  }

  /**
   * Acknowledges for a recorder that stores nothing, atomically only while no storing recorder claims the group;
   * false when one does (the entries stay pending, and the storing recorder claims them once they are idle).
   */
  async ackUnlessStored(entryIds: string[]): Promise<boolean> {
    if (!entryIds.length) return true;
    const n = await this.script(ACK_UNLESS_STORED, ACK_UNLESS_STORED_SHA, [this.key, this.storingKey], [RECORDER_GROUP, ...entryIds]);
    return n !== -1;
  }

  /** Keeps the rejected bytes and the reason for an operator to inspect; never the key. */
  async deadLetter(entry: StreamEntry, reason: string): Promise<void> {
    await this.redis.xadd(
      this.deadKey,
      'MAXLEN',
      '~',
      '10000',
      '*',
      'raw',
      entry.raw.slice(0, 65_536),
      'reason',
      reason,
      'entry',
      entry.entryId,
    );
  }

  async pending(): Promise<number> {
    try {
      const summary = (await this.redis.xpending(this.key, RECORDER_GROUP)) as [number, ...unknown[]];
      return summary[0] || 0;
    } catch {
      return 0;
    }
  }

  /**
   * The id below which every entry was delivered and acknowledged: the oldest pending entry, else the one after the
   * group's last delivered. Undefined while no recorder group exists or it has read nothing (then nothing may go).
   */
  async safeTrimPoint(): Promise<string | undefined> {
    return groupSafeTrimPoint(this.redis, this.key);
  }

  /**
   * Deletes acknowledged entries that every live follower has read (XTRIM MINID at the lower of the group's safe
   * point and the followers' cursors); returns how many went. A follower silent for FOLLOWER_STALE_MS is forgotten.
   */
  async trimAcknowledged(): Promise<number> {
    let point = await this.safeTrimPoint();
    if (!point) return 0;
    const cursors = await this.redis.hgetall(this.cursorsKey);
    const stale: string[] = [];
    for (const [follower, value] of Object.entries(cursors)) {
      const [after, at] = value.split(' ');
      if (!/^\d+-\d+$/.test(after ?? '') || Date.now() - Number(at) > FOLLOWER_STALE_MS) stale.push(follower);
      else if (compareIds(nextId(after), point) < 0) point = nextId(after);
    }
    if (stale.length) await this.redis.hdel(this.cursorsKey, ...stale);
    return this.redis.xtrim(this.key, 'MINID', point);
  }

  private parse([entryId, fields]: [string, string[]]): StreamEntry {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
    const raw = f.r ?? '';
    if (!f.k || !f.m) return { entryId, raw, rejected: 'unsigned' };
    const known = this.verified.get(entryId, raw);
    if (known) return { entryId, raw, result: known };
    const verdict = this.o.keyring ? this.o.keyring.verify(f.k, raw, f.m) : 'unknown_key';
    if (verdict !== 'ok') return { entryId, raw, rejected: verdict };
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return { entryId, raw, rejected: 'invalid' };
    }
    if (!validResult(value)) return { entryId, raw, rejected: 'invalid' };
    this.verified.set(entryId, raw, value);
    return { entryId, raw, result: value };
  }
}

function pairs(list: unknown[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i + 1 < list.length; i += 2) o[String(list[i])] = list[i + 1];
  return o;
}

/**
 * The id below which every entry of `key` was delivered to the recorders' group and acknowledged: the oldest pending
 * entry, else the one after the group's last delivered; undefined while there is no stream, no group or nothing read.
 */
export async function groupSafeTrimPoint(redis: Redis, key: string): Promise<string | undefined> {
  let groups: unknown[][];
  try {
    groups = (await redis.xinfo('GROUPS', key)) as unknown[][];
  } catch {
    return undefined; // no stream yet
  }
  const group = groups.map(pairs).find((g) => g.name === RECORDER_GROUP);
  if (!group) return undefined;
  const delivered = String(group['last-delivered-id']);
  if (Number(group.pending) > 0) {
    const summary = (await redis.xpending(key, RECORDER_GROUP)) as [number, string | null, ...unknown[]];
    if (summary[1] && compareIds(summary[1], delivered) <= 0) return summary[1];
  }
  // Nothing pending: the last delivered entry is acknowledged too, so it may go (MINID keeps ids >= point).
  return delivered === '0-0' ? undefined : nextId(delivered);
}

/** The smallest id after `id` (MINID at it keeps everything after `id`). */
function nextId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${BigInt(seq) + 1n}`;
}

/** Orders stream ids `<ms>-<seq>` numerically (string order is wrong: "9-0" > "10-0"). */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}
