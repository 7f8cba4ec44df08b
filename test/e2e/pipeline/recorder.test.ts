/** The recorder against real Redis: crash before acknowledging → another recorder records it; duplicates once. */
import { Metrics } from '../../../src/metrics/definitions';
import { Recorder } from '../../../src/recorder/recorder';
import type { ResultSink } from '../../../src/results/sink';
import type { ProbeResult } from '../../../src/results/contract';
import { Keyring } from '../../../src/results/keyring';
import { ResultStream } from '../../../src/results/stream';
import { sample } from '../../helpers/monitor';
import { waitFor } from '../../helpers/net';
import { dropPrefix, redisConnections, testPrefix } from '../../helpers/redis';

function result(checkId: string, slot: number, status: ProbeResult['status'] = 'pass'): ProbeResult {
  const at = new Date(slot).toISOString();
  return {
    id: `${checkId}@${at}`,
    checkId,
    type: 'http',
    element: 'efficiency',
    target: 'http://x',
    status,
    scheduledAt: at,
    startedAt: at,
    durationMs: 5,
    attempt: 1,
    findings: [],
    measurements: {},
  };
}

describe('recorder', () => {
  const prefix = testPrefix('recorder');
  const keyring = Keyring.ephemeral();
  const { conn, closeAll } = redisConnections();
  afterAll(async () => {
    closeAll();
    await dropPrefix(prefix);
  });

  it('takes over what a dead recorder left unacknowledged, records every result once, and dead-letters garbage', async () => {
    const publisher = new ResultStream(conn(), prefix, { keyring });
    const seen: string[] = [];
    // Recorder A "crashes": its sink does not return (until the end of the test), so nothing it read is acknowledged.
    const release: Array<() => void> = [];
    const hang: ResultSink = { name: 'hang', write: () => new Promise<void>((r) => release.push(r)) };
    const aConn = conn();
    const a = new Recorder({
      redis: aConn,
      prefix,
      stream: new ResultStream(aConn, prefix, { keyring }),
      metrics: new Metrics({ defaultMetrics: false }),
      sinks: [hang],
      getCheck: () => undefined,
      claimIdleMs: 500,
      blockMs: 200,
    });
    await a.start();
    const t = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    await publisher.publish(result('c1', t));
    await publisher.publish(result('c2', t, 'fail'));
    await waitFor(async () => (await publisher.pending()) >= 1, 5000);
    aConn.disconnect(); // the crash: A's loop dies with its connection

    // A duplicate (a retried job publishing again) and an entry that is not a result at all.
    await publisher.publish(result('c1', t));
    await conn().xadd(publisher.key, '*', 'r', '{not json');

    const metrics = new Metrics({ defaultMetrics: false });
    const collect: ResultSink = { name: 'collect', write: async (r) => void seen.push(r.id) };
    const bConn = conn();
    const b = new Recorder({
      redis: bConn,
      prefix,
      stream: new ResultStream(bConn, prefix, { keyring }),
      metrics,
      sinks: [collect],
      getCheck: () => undefined,
      claimIdleMs: 500,
      blockMs: 200,
    });
    await b.start();
    await waitFor(async () => (await publisher.pending()) === 0 && seen.length >= 2, 10_000);
    await b.stop();
    expect(seen.sort()).toEqual([result('c1', t).id, result('c2', t).id]);
    const text = await metrics.registry.metrics();
    expect(sample(text, 'pengawas_recorder_results_total{outcome="recorded"}')).toBe(2);
    expect(sample(text, 'pengawas_recorder_results_total{outcome="duplicate"}')).toBe(1);
    expect(sample(text, 'pengawas_check_runs_total{check="c1",element="efficiency",type="http",result="pass"}')).toBe(1);
    const dead = await conn().xrange(publisher.deadKey, '-', '+');
    expect(dead).toHaveLength(1);
    expect(dead[0][1].slice(0, 4)).toEqual(['raw', '{not json', 'reason', 'unsigned']);
    // A's sink returns at last; its acknowledgement fails on the dead connection, and stopping it closes the rest.
    for (const r of release) r();
    await a.stop();
  });

  it('leaves a result pending when a sink fails, and records it on redelivery', async () => {
    const p2 = `${prefix}-sink`;
    const publisher = new ResultStream(conn(), p2, { keyring });
    let failures = 1;
    const flaky: ResultSink = {
      name: 'flaky',
      write: async () => {
        if (failures-- > 0) throw new Error('database down');
      },
    };
    const metrics = new Metrics({ defaultMetrics: false });
    const rc = conn();
    const r = new Recorder({
      redis: rc,
      prefix: p2,
      stream: new ResultStream(rc, p2, { keyring }),
      metrics,
      sinks: [flaky],
      getCheck: () => undefined,
      claimIdleMs: 300,
      blockMs: 100,
    });
    await r.start();
    await publisher.publish(result('c3', Math.floor(Date.now() / 1000) * 1000 - 30_000));
    await waitFor(
      async () => sample(await metrics.registry.metrics(), 'pengawas_recorder_results_total{outcome="recorded"}') === 1,
      15_000,
    );
    expect(await publisher.pending()).toBe(0);
    await r.stop();
    await dropPrefix(p2);
  });
});
