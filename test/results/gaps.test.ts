/**
 * The gaps record's batches on real Redis: 1,203 gaps go as three signed entries and read back in order; an entry
 * whose signed batch was altered, or whose MAC is under an unknown key, is rejected whole (never some of its gaps);
 * an entry written before batching (`kind: "gap"`) is still read; a signed batch is never taken for a result.
 */
import IORedis from 'ioredis';
import { gapsKey, GAPS_PER_ENTRY, parseGapEntry, readGaps, recordGaps, type Gap } from '../../src/results/gaps';
import { Keyring } from '../../src/results/keyring';
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
});
