/**
 * The "already recorded" markers on a private Redis (its INFO commandstats are this test's alone): every bucket
 * outlives its last write by at least the TTL, while writes inside the refresh window send no PEXPIRE of their own;
 * an expiry whose MULTI was not confirmed is not trusted.
 */
import IORedis from 'ioredis';
import type { ProbeResult } from '../../src/results/contract';
import { BUCKET_MS, Markers } from '../../src/recorder/markers';
import { startRedisChild, type RedisChild } from '../helpers/redis-server';

const TTL_MS = 2000;
const REFRESH = 1000;

/** A result for `check` at `slot`: the fields the markers read. */
function result(check: string, slot: number): ProbeResult {
  const at = new Date(slot).toISOString();
  return {
    id: `${check}@${at}`,
    checkId: check,
    type: 'http',
    element: 'efficiency',
    target: 'http://127.0.0.1/',
    status: 'pass',
    scheduledAt: at,
    startedAt: at,
    durationMs: 1,
    attempt: 1,
    findings: [],
    measurements: {},
  };
}

async function calls(r: IORedis, cmd: string): Promise<number> {
  return Number(new RegExp(`^cmdstat_${cmd}:calls=(\\d+)`, 'm').exec(await r.info('commandstats'))?.[1] ?? 0);
}

describe('recorded markers', () => {
  let redis: RedisChild;
  let r: IORedis;

  beforeAll(async () => {
    redis = await startRedisChild(['--appendonly', 'no']);
    r = new IORedis({ port: redis.port, host: '127.0.0.1' });
  }, 30_000);

  afterAll(async () => {
    r.disconnect();
    await redis.stop();
  });

  it('each bucket outlives its last write by the TTL; writes inside the refresh window send no PEXPIRE', async () => {
    const markers = new Markers(r, 'mk', TTL_MS, REFRESH);
    // Slots one second apart inside one 2-minute bucket, written one batch every 50 ms for 2 s (as a 1-second
    // check's results arrive, sped up).
    const base = Math.floor(Date.now() / BUCKET_MS) * BUCKET_MS;
    const key = `mk:recorded:c1:${base / BUCKET_MS}`;
    const before = await calls(r, 'pexpire');
    const writes = 40;
    for (let i = 0; i < writes; i++) {
      const tx = r.multi();
      const committed = markers.mark(tx, [result('c1', base + i * 1000)]);
      const replies = await tx.exec();
      expect(replies?.every(([err]) => !err)).toBe(true);
      committed();
      const written = Date.now(); // the HSET ran before this
      const asked = Date.now();
      const pttl = await r.pttl(key);
      // The expiry (asked + pttl at least) is no earlier than the write plus the TTL.
      expect(asked + pttl).toBeGreaterThanOrEqual(written + TTL_MS);
      expect(await r.hexists(key, String(i * 1000))).toBe(1);
      await new Promise((res) => setTimeout(res, 50));
    }
    const pexpires = (await calls(r, 'pexpire')) - before;
    // One PEXPIRE per half refresh window (2 s of writes / 500 ms, plus load slack), not one per write.
    expect(pexpires).toBeGreaterThanOrEqual(2);
    expect(pexpires).toBeLessThanOrEqual(writes / 3);
    // Once writes stop, the bucket goes (after at most TTL + refresh).
    await new Promise((res) => setTimeout(res, TTL_MS + REFRESH + 200));
    expect(await r.exists(key)).toBe(0);
  }, 30_000);

  it('one batch with several slots of one bucket sends one PEXPIRE; an unconfirmed MULTI leaves the next batch to send it', async () => {
    const markers = new Markers(r, 'mk2', TTL_MS, 60_000);
    const base = Math.floor(Date.now() / BUCKET_MS) * BUCKET_MS;
    const before = await calls(r, 'pexpire');
    const tx = r.multi();
    markers.mark(tx, [result('c2', base), result('c2', base + 1000), result('c3', base)]);
    await tx.exec();
    expect((await calls(r, 'pexpire')) - before).toBe(2); // c2's bucket once, c3's once
    // The commit function was not called (as when EXEC fails): the next write must set the expiry again.
    const tx2 = r.multi();
    const committed = markers.mark(tx2, [result('c2', base + 2000)]);
    await tx2.exec();
    expect((await calls(r, 'pexpire')) - before).toBe(3);
    committed();
    const tx3 = r.multi();
    markers.mark(tx3, [result('c2', base + 3000)]);
    await tx3.exec();
    expect((await calls(r, 'pexpire')) - before).toBe(3);
    expect(await markers.seen([result('c2', base + 3000), result('c2', base + 4000)])).toEqual([true, false]);
  }, 30_000);
});
