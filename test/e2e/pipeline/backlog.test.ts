/**
 * No silent loss with the recorder down: unacknowledged results are never trimmed (the old `XADD MAXLEN ~` cut
 * 749 of 1,650 with a cap of 1,000), and a stream at its cap refuses new results so workers hand their jobs
 * back: the slots run late, not never.
 */
import IORedis from 'ioredis';
import { Metrics } from '../../../src/metrics/definitions';
import { Recorder } from '../../../src/recorder/recorder';
import type { ProbeResult } from '../../../src/results/contract';
import { readGaps } from '../../../src/results/gaps';
import { Keyring } from '../../../src/results/keyring';
import { ResultsBacklogError, ResultStream } from '../../../src/results/stream';
import { sample, startTestMonitor, type TestMonitor } from '../../helpers/monitor';
import { sleep, startHttp, waitFor, type Started } from '../../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../../helpers/redis';

function result(checkId: string, at: number): ProbeResult {
  const iso = new Date(at).toISOString();
  return {
    id: `${checkId}@${iso}`,
    checkId,
    type: 'http',
    element: 'efficiency',
    target: 'http://x/',
    status: 'pass',
    scheduledAt: iso,
    startedAt: iso,
    durationMs: 1,
    attempt: 1,
    findings: [],
    measurements: {},
  };
}

describe('results backlog with the recorder down', () => {
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await dropPrefix(p);
    redis.disconnect();
  });

  it('trims nothing unacknowledged: 2,500 results published while no recorder runs are all recorded once afterwards', async () => {
    const prefix = testPrefix('backlog');
    prefixes.push(prefix);
    const keyring = Keyring.ephemeral();
    const stream = new ResultStream(redis, prefix, { keyring, maxLength: 10_000 });
    await stream.ensureGroup(); // a recorder ran once, then stopped
    const base = Date.now() - 3_600_000;
    for (let i = 0; i < 2500; i += 250)
      await Promise.all(Array.from({ length: 250 }, (_x, j) => stream.publish(result(`c${(i + j) % 7}`, base + (i + j) * 1000))));
    // Trimming (as a live recorder does every few seconds) leaves every unacknowledged entry in place.
    expect(await stream.trimAcknowledged()).toBe(0);
    expect(await stream.length()).toBe(2500);

    const written = new Map<string, number>();
    const conn = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    const metrics = new Metrics({ defaultMetrics: false });
    const sink = { name: 'count', write: async (r: ProbeResult) => void written.set(r.id, (written.get(r.id) ?? 0) + 1) };
    const recorder = new Recorder({
      redis: conn,
      prefix,
      stream: new ResultStream(conn, prefix, { keyring }),
      metrics,
      sinks: [sink],
      getCheck: () => undefined,
      claimIdleMs: 5000,
      blockMs: 100,
      trimEveryMs: 200,
    });
    await recorder.start();
    await waitFor(() => written.size === 2500, 60_000);
    // Once acknowledged, the entries are trimmed: the stream does not keep what was recorded.
    await waitFor(async () => (await stream.length()) === 0, 20_000);
    await recorder.stop();
    conn.disconnect();
    expect([...written.values()].every((n) => n === 1)).toBe(true);
    expect(sample(await metrics.registry.metrics(), 'pengawas_results_dropped_total{reason="expired"}')).toBe(0);
    expect(await readGaps(redis, prefix)).toEqual([]);
  }, 120_000);

  it('a stream at its cap refuses a publish instead of dropping an older entry', async () => {
    const prefix = testPrefix('backlog-cap');
    prefixes.push(prefix);
    const stream = new ResultStream(redis, prefix, { keyring: Keyring.ephemeral(), maxLength: 100 });
    await stream.ensureGroup();
    const at = Date.now();
    const outcomes = await Promise.allSettled(Array.from({ length: 150 }, (_x, i) => stream.publish(result('capped', at + i * 1000))));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(100);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused).toHaveLength(50);
    expect(refused.every((o) => o.reason instanceof ResultsBacklogError)).toBe(true);
    expect(await stream.length()).toBe(100);
  });

  describe('through real workers', () => {
    let target: Started;
    const started: TestMonitor[] = [];
    afterAll(async () => {
      for (const m of started) await m.monitor.stop();
      await target?.close();
      delete process.env.BACKLOG_RESULTS_KEY;
    });

    it('workers hand jobs back while the stream is full; once a recorder is back every enqueued slot is recorded', async () => {
      target = await startHttp((_req, res) => res.writeHead(200).end('ok'));
      process.env.BACKLOG_RESULTS_KEY = 'backlog-test-results-key-0123456789abcdef';
      const prefix = testPrefix('backlog-workers');
      prefixes.push(prefix);
      const ids = Array.from({ length: 20 }, (_x, i) => `bp-${i}`);
      const yaml = `checks:\n${ids.map((id) => `  - id: ${id}\n    type: http\n    element: efficiency\n    schedule: { every: 1s }\n    timeout: 900ms\n    target: ${target.url}/\n`).join('')}`;
      const common = { prefix, results: { keys: { k: '${env:BACKLOG_RESULTS_KEY}' }, maxLength: 100 }, evidence: { enabled: false } };
      const scheduler = await startTestMonitor('bp-sched', yaml, common, ['scheduler']);
      const worker = await startTestMonitor(
        'bp-worker',
        yaml,
        { ...common, worker: { concurrency: 8, lockDuration: '10s', stalledInterval: '10s', shutdownGrace: '2s', retryBackoff: '100ms' } },
        ['worker'],
      );
      started.push(scheduler, worker);
      // Recorder down: the stream fills to its cap of 100 and the worker starts handing jobs back.
      await waitFor(
        async () => (sample(await worker.scrape(), 'pengawas_jobs_handed_back_total{reason="results_backlog"}') ?? 0) > 20,
        60_000,
      );
      expect(await redis.xlen(`${prefix}:results`)).toBe(100);
      const recorder = await startTestMonitor('bp-rec', yaml, common, ['recorder']);
      started.push(recorder);
      await sleep(3000);
      await scheduler.monitor.stop();
      const enqueued = sample(await scheduler.monitor.metrics.registry.metrics(), 'pengawas_scheduler_enqueued_total{outcome="enqueued"}')!;
      expect(enqueued).toBeGreaterThan(150);
      const recordedOf = (t: string) =>
        ids.reduce(
          (n, id) => n + (sample(t, `pengawas_check_runs_total{check="${id}",element="efficiency",type="http",result="pass"}`) ?? 0),
          0,
        );
      await waitFor(async () => recordedOf(await recorder.scrape()) >= enqueued, 90_000);
      await sleep(1000);
      const t = await recorder.scrape();
      expect(recordedOf(t)).toBe(enqueued);
      expect(sample(t, 'pengawas_recorder_results_total{outcome="duplicate"}') ?? 0).toBe(0);
      expect(sample(await worker.scrape(), 'pengawas_slots_expired_total{reason="results_backlog"}')).toBe(0);
      expect(await readGaps(redis, prefix)).toEqual([]);
    }, 240_000);
  });
});
