/**
 * Trimming and metrics followers: acknowledged entries stay on the results stream until every live follower (each
 * recorder's metrics reader) has read them; a follower silent for FOLLOWER_STALE_MS is forgotten so a dead recorder
 * cannot grow the stream; a follower counts a replayed result (same check and slot) once and skips forged entries.
 */
import IORedis from 'ioredis';
import { settingsSchema } from '../../../src/config/settings';
import { Metrics } from '../../../src/metrics/definitions';
import { MetricsFollower } from '../../../src/recorder/follower';
import type { ProbeResult } from '../../../src/results/contract';
import { keyringFor } from '../../../src/results/keyring';
import { FOLLOWER_STALE_MS, RECORDER_GROUP, ResultStream } from '../../../src/results/stream';
import { sample } from '../../helpers/monitor';
import { dropPrefix, REDIS_URL, testPrefix } from '../../helpers/redis';

const env = { FOLLOW_KEY_TEST: 'f'.repeat(48) };
const keyring = keyringFor(
  settingsSchema.parse({ results: { keys: { main: '${env:FOLLOW_KEY_TEST}' } } }).results,
  { signs: true, verifies: true },
  env,
)!;

function result(checkId: string, at: number, status: ProbeResult['status']): ProbeResult {
  const iso = new Date(at).toISOString();
  return {
    id: `${checkId}@${iso}`,
    checkId,
    type: 'http',
    element: 'security',
    target: 'http://127.0.0.1:1/',
    status,
    scheduledAt: iso,
    startedAt: iso,
    durationMs: 3,
    attempt: 1,
    findings: [],
    measurements: {},
  };
}

describe('metrics followers', () => {
  const prefix = testPrefix('follow');
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const stream = new ResultStream(redis, prefix, { keyring });
  afterAll(async () => {
    await dropPrefix(prefix);
    redis.disconnect();
  });

  it('trimming keeps what a live follower has not read, and forgets a stale follower', async () => {
    const now = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await stream.publish(result('t', now + i * 1000, 'pass')));
    await stream.ensureGroup();
    const read = await stream.read('c1', 100, 100);
    await stream.ack(read.map((e) => e.entryId));
    // Follower f1 has read the first two entries: the four after them must stay although all six are acknowledged.
    await stream.reportCursor('f1', ids[1]);
    expect(await stream.trimAcknowledged()).toBe(2);
    expect((await redis.xrange(stream.key, '-', '+')).map(([id]) => id)).toEqual(ids.slice(2));
    // f1 went silent long ago (its report is older than FOLLOWER_STALE_MS): forgotten, the rest may go.
    await redis.hset(stream.cursorsKey, 'f1', `${ids[1]} ${Date.now() - FOLLOWER_STALE_MS - 1000}`);
    expect(await stream.trimAcknowledged()).toBe(4);
    expect(await redis.hexists(stream.cursorsKey, 'f1')).toBe(0);
    // Group progress still bounds trimming: an unacknowledged entry stays whatever the followers read.
    const late = await stream.publish(result('t', now + 10_000, 'fail'));
    await stream.reportCursor('f2', late);
    await stream.read('c1', 100, 100); // delivered, not acknowledged
    expect(await stream.trimAcknowledged()).toBe(0);
    expect((await redis.xrange(stream.key, '-', '+')).map(([id]) => id)).toEqual([late]);
    await stream.forgetCursor('f2');
    expect(await redis.hexists(stream.cursorsKey, 'f2')).toBe(0);
    expect(RECORDER_GROUP).toBe('recorders');
  });

  it('a follower counts a replayed result once and never a forged one', async () => {
    const p2 = `${prefix}-2`;
    const s2 = new ResultStream(redis, p2, { keyring });
    const metrics = new Metrics({ defaultMetrics: false });
    const conn = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    const follower = new MetricsFollower({ name: 'f', stream: s2.on(conn), metrics, retentionMs: 3_600_000, blockMs: 100 });
    const at = Date.now();
    await s2.publish(result('r', at, 'fail'));
    // The same result published again (a worker's at-least-once retry) and a forged pass without a MAC.
    await s2.publish(result('r', at, 'fail'));
    await redis.xadd(s2.key, '*', 'r', JSON.stringify(result('r', at + 1000, 'pass')));
    await s2.publish(result('r', at + 2000, 'fail'));
    await follower.start();
    try {
      let text = '';
      for (let i = 0; i < 100; i++) {
        text = await metrics.registry.metrics();
        if (sample(text, 'pengawas_check_runs_total{check="r",element="security",type="http",result="fail"}') === 2) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(sample(text, 'pengawas_check_runs_total{check="r",element="security",type="http",result="fail"}')).toBe(2);
      expect(sample(text, 'pengawas_check_runs_total{check="r",element="security",type="http",result="pass"}') ?? 0).toBe(0);
      expect(sample(text, 'pengawas_check_status{check="r",element="security",type="http"}')).toBe(0);
      // Its cursor is reported, so trimming waits for it.
      expect(await redis.hexists(s2.cursorsKey, 'f')).toBe(1);
    } finally {
      await follower.stop(() => conn.disconnect());
      await dropPrefix(p2);
    }
  });
});
