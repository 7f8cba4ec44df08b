/**
 * The gaps record's batches on real Redis: 1,203 gaps go as three signed entries and read back in order; an entry
 * whose signed batch was altered, or whose MAC is under an unknown key, is rejected whole (never some of its gaps);
 * an entry written before batching (`kind: "gap"`) is still read; a signed batch is never taken for a result. Read
 * batches are trimmed by the recorder (a full one is ~58 KB in Redis), never one left pending; the writers' cap holds.
 */
import IORedis from 'ioredis';
import { Registry } from 'prom-client';
import { ResultsMetrics } from '../../src/metrics/results';
import { GapReader } from '../../src/recorder/gap-reader';
import {
  gapsKey,
  GAPS_MAX_LEN,
  GAPS_PER_ENTRY,
  parseGapEntry,
  readGaps,
  recordGaps,
  type Gap,
  type GapEntry,
} from '../../src/results/gaps';
import { Keyring } from '../../src/results/keyring';
import { RECORDER_GROUP } from '../../src/results/stream';
import { validResult } from '../../src/results/validate';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis';

const gap = (i: number): Gap => {
  const slot = new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString();
  return { id: `c${i % 7}@${slot}`, checkId: `c${i % 7}`, slot, reason: i % 2 ? 'queue_full' : 'scheduler_stalled' };
};

describe('gaps stream batches', () => {
  const prefix = testPrefix('gaps');
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const keyring = Keyring.ephemeral();
  afterAll(async () => {
    await dropPrefix(prefix);
    redis.disconnect();
  });

  it('writes 1,203 gaps as three signed entries and reads every one back in order', async () => {
    const gaps = Array.from({ length: 1203 }, (_v, i) => gap(i));
    await recordGaps(redis, prefix, gaps, 'test', keyring, { summary: true });
    const entries = await redis.xrange(gapsKey(prefix), '-', '+');
    expect(entries.map(([, f]) => f[f.indexOf('n') + 1])).toEqual([String(GAPS_PER_ENTRY), String(GAPS_PER_ENTRY), '203']);
    const read = await readGaps(redis, prefix, 100, keyring);
    expect(read.map(({ id, checkId, slot, reason }) => ({ id, checkId, slot, reason }))).toEqual(gaps);
    expect(read.every((g) => g.rejected === undefined)).toBe(true);
    // The signed bytes are never a result.
    for (const [, f] of entries) expect(validResult(JSON.parse(f[f.indexOf('r') + 1]))).toBe(false);
  });

  it('rejects an altered batch or a foreign key whole, and still reads a single gap written before batching', () => {
    const raw = JSON.stringify({ kind: 'gaps', at: '2026-12-01T00:00:00.000Z', gaps: [[gap(1).id, 'c1', gap(1).slot, 'queue_full']] });
    const { kid, mac } = keyring.sign(raw);
    const fields = (r: string, k = kid, m = mac) => ['n', '1', 'id', gap(1).id, 'r', r, 'k', k, 'm', m];
    expect(parseGapEntry('1-0', fields(raw), keyring)).toEqual([
      { entryId: '1-0', id: gap(1).id, checkId: 'c1', slot: gap(1).slot, reason: 'queue_full', at: '2026-12-01T00:00:00.000Z' },
    ]);
    // One gap's reason changed after signing: the whole entry is rejected.
    const altered = raw.replace('queue_full', 'expired');
    expect(parseGapEntry('1-0', fields(altered), keyring).map((g) => g.rejected)).toEqual(['bad_mac']);
    const foreign = new Keyring(new Map([['main', Buffer.alloc(32, 9)]]), 'main').sign(raw);
    expect(parseGapEntry('1-0', fields(raw, foreign.kid, foreign.mac), keyring).map((g) => g.rejected)).toEqual(['unknown_key']);
    expect(parseGapEntry('1-0', ['id', 'x'], keyring).map((g) => g.rejected)).toEqual(['unsigned']);
    // A signed batch with one malformed row is rejected whole.
    const bad = JSON.stringify({
      kind: 'gaps',
      at: 'x',
      gaps: [
        [gap(1).id, 'c1', gap(1).slot, 'queue_full'],
        ['y', 'c', 'not a date', 'expired'],
      ],
    });
    const sb = keyring.sign(bad);
    expect(parseGapEntry('1-0', fields(bad, sb.kid, sb.mac), keyring).map((g) => g.rejected)).toEqual(['invalid']);
    // Written before batching: one gap, kind "gap".
    const old = JSON.stringify({
      kind: 'gap',
      id: gap(2).id,
      check: 'c2',
      slot: gap(2).slot,
      reason: 'expired',
      at: '2026-11-30T00:00:00.000Z',
    });
    const so = keyring.sign(old);
    expect(parseGapEntry('2-0', ['id', gap(2).id, 'r', old, 'k', so.kid, 'm', so.mac], keyring)).toEqual([
      { entryId: '2-0', id: gap(2).id, checkId: 'c2', slot: gap(2).slot, reason: 'expired', at: '2026-11-30T00:00:00.000Z' },
    ]);
  });

  it('the recorder trims the batches it read (memory back to nothing), never one left pending by a failed store', async () => {
    const p = `${prefix}:trim`;
    const gaps = Array.from({ length: 20 * GAPS_PER_ENTRY }, (_v, i) => gap(i));
    await recordGaps(redis, p, gaps, 'test', keyring, { summary: true });
    const full = Number(await redis.call('MEMORY', 'USAGE', gapsKey(p), 'SAMPLES', '0'));
    expect(full).toBeGreaterThan(20 * 40_000); // the ~58 KB per full batch that made read ones worth trimming
    const stored: GapEntry[] = [];
    let failures = 1;
    const sink = {
      name: 'capture',
      write: async () => undefined,
      recordGaps: async (batch: GapEntry[]) => {
        if (failures-- > 0) throw new Error('store down'); // the first delivery stays pending
        stored.push(...batch);
      },
    };
    const reader = new GapReader({
      redis,
      prefix: p,
      keyring,
      sinks: [sink],
      metrics: new ResultsMetrics(new Registry()),
      consumer: 'r1',
      claimIdleMs: 60_000,
      blockMs: 100,
    });
    await reader.start();
    try {
      const until = Date.now() + 15_000;
      while (stored.length < 20 * GAPS_PER_ENTRY - 16 * GAPS_PER_ENTRY && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      // The first read (16 entries) failed and is pending: the trim keeps it and everything after it.
      await reader.trimAcknowledged();
      expect(await redis.xlen(gapsKey(p))).toBe(20);
      await reader.stop();
      // Redelivered (as after a restart) and stored: now every entry was acknowledged and the stream can go empty.
      const pending = (await redis.xreadgroup('GROUP', RECORDER_GROUP, 'r1', 'STREAMS', gapsKey(p), '0')) as Array<
        [string, Array<[string, string[]]>]
      >;
      await reader.handle(pending[0][1]);
      expect(stored).toHaveLength(20 * GAPS_PER_ENTRY);
      expect(await reader.trimAcknowledged()).toBe(20);
      expect(await redis.xlen(gapsKey(p))).toBe(0);
    } finally {
      await reader.stop();
    }
  });

  it('unread reports are capped at GAPS_MAX_LEN entries (about 230 MB of full batches at most)', async () => {
    const p = `${prefix}:cap`;
    const pipe = redis.pipeline();
    for (let i = 0; i < GAPS_MAX_LEN + 600; i++) pipe.xadd(gapsKey(p), 'MAXLEN', '~', String(GAPS_MAX_LEN), '*', 'n', '1');
    await pipe.exec();
    // The writers' own call, once more: the stream stays within a node (100 entries) of the cap.
    await recordGaps(redis, p, [gap(1)], 'test', keyring);
    const n = await redis.xlen(gapsKey(p));
    expect(n).toBeGreaterThanOrEqual(GAPS_MAX_LEN);
    expect(n).toBeLessThanOrEqual(GAPS_MAX_LEN + 100);
  });
});
