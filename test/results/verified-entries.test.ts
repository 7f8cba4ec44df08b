/**
 * The recorder's two readers of the results stream (consumer group and metrics follower) verify each entry once:
 * the second read of the same entry reuses the first's result without another MAC check. An entry whose bytes differ
 * from what was verified under its id (the stream deleted and refilled with the same ids by someone with Redis
 * access) is checked again and rejected. The cache stays bounded.
 */
import IORedis from 'ioredis';
import type { ProbeResult } from '../../src/results/contract';
import { Keyring } from '../../src/results/keyring';
import { ResultStream } from '../../src/results/stream';
import { VerifiedEntries } from '../../src/results/verified-entries';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis';

const result = (i: number): ProbeResult => ({
  id: `c-${i}@2026-12-01T00:00:00.000Z`,
  checkId: `c-${i}`,
  type: 'http',
  element: 'efficiency',
  target: 'http://127.0.0.1:9/',
  scheduledAt: '2026-12-01T00:00:00.000Z',
  startedAt: '2026-12-01T00:00:00.005Z',
  attempt: 1,
  status: 'pass',
  durationMs: 3,
  findings: [],
  measurements: {},
});

describe('results stream: each entry verified once per process', () => {
  const prefix = testPrefix('verified');
  const a = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const b = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  afterAll(async () => {
    a.disconnect();
    b.disconnect();
    await dropPrefix(prefix);
  });

  it('the follower reuses what the group reader verified; changed bytes under a known id are verified again', async () => {
    const keyring = Keyring.ephemeral();
    const group = new ResultStream(a, prefix, { keyring });
    const follower = group.on(b);
    await group.ensureGroup();
    for (let i = 0; i < 5; i++) await group.publish(result(i));
    const verify = jest.spyOn(keyring, 'verify');
    const read = await group.read('r1', 100, 100);
    expect(read.map((e) => e.result?.checkId)).toEqual(['c-0', 'c-1', 'c-2', 'c-3', 'c-4']);
    expect(verify).toHaveBeenCalledTimes(5);
    const followed = await follower.follow('0-0', 100, 100);
    expect(followed.map((e) => e.result?.checkId)).toEqual(['c-0', 'c-1', 'c-2', 'c-3', 'c-4']);
    // No MAC check the second time: the same result objects.
    expect(verify).toHaveBeenCalledTimes(5);
    expect(followed[2].result).toBe(read[2].result);

    // Someone with Redis access deletes the stream and writes a different result under an id already verified,
    // reusing a genuine MAC: the bytes differ, so it is checked again and rejected.
    const first = read[0];
    const genuine = await a.xrange(group.key, first.entryId, first.entryId);
    const fields = genuine[0][1];
    const forged = JSON.stringify({ ...result(0), status: 'fail' });
    await a.del(group.key);
    const m = fields[fields.indexOf('m') + 1];
    const k = fields[fields.indexOf('k') + 1];
    await a.xadd(group.key, first.entryId, 'r', forged, 'k', k, 'm', m);
    const again = await follower.follow('0-0', 100, 100);
    expect(again).toHaveLength(1);
    expect(again[0].result).toBeUndefined();
    expect(again[0].rejected).toBe('bad_mac');
    expect(verify).toHaveBeenCalledTimes(6);
  });

  it('keeps at most 4,096 entries, dropping the oldest', () => {
    const v = new VerifiedEntries();
    for (let i = 0; i < 5000; i++) v.set(`${i}-0`, `raw${i}`, result(i));
    expect(v.size).toBe(4096);
    expect(v.get('0-0', 'raw0')).toBeUndefined();
    expect(v.get('4999-0', 'raw4999')?.checkId).toBe('c-4999');
    expect(v.get('4999-0', 'other bytes')).toBeUndefined();
  });
});
