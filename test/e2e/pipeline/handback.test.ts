/**
 * Rolling configuration change: two real worker processes with different checks share one queue. Each hands back
 * the jobs of checks it does not know; the worker that knows them runs them: every slot recorded once, none lost.
 * A check neither knows expires when its slot's claim does: a counted, logged gap, and the job completes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { loadChecks } from '../../../src/config/load';
import { CheckQueue, slotClaimKey } from '../../../src/queue/check-queue';
import { readGaps } from '../../../src/results/gaps';
import { startCli } from '../../helpers/cli';
import { sample, startTestMonitor, type TestMonitor } from '../../helpers/monitor';
import { startHttp, waitFor, type Started } from '../../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../../helpers/redis';

const KEY_ENV = { HANDBACK_RESULTS_KEY: 'handback-test-results-key-0123456789abcdef' };
const check = (id: string, url: string) =>
  `  - id: ${id}\n    type: http\n    element: efficiency\n    schedule: { every: 1h }\n    timeout: 2s\n    target: ${url}\n`;

describe('workers on different configurations share a queue', () => {
  let dir: string;
  let target: Started;
  let recorder: TestMonitor | undefined;
  const prefix = testPrefix('handback');
  const procs: ReturnType<typeof startCli>[] = [];
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });

  beforeAll(async () => {
    target = await startHttp((_req, res) => res.writeHead(200).end('ok'));
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-handback-'));
    for (const [name, ids] of [
      ['a', ['only-a', 'both']],
      ['b', ['only-b', 'both']],
      ['all', ['only-a', 'only-b', 'both', 'nobody']],
    ] as const) {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, 'checks.yaml'), `checks:\n${ids.map((id) => check(id, `${target.url}/${id}`)).join('')}`);
    }
    writeFileSync(
      path.join(dir, 'settings.yaml'),
      `prefix: ${prefix}\ndataDir: ${dir}/data\nresults: { keys: { k: "\${env:HANDBACK_RESULTS_KEY}" } }\nevidence: { enabled: false }\n`,
    );
    process.env.HANDBACK_RESULTS_KEY = KEY_ENV.HANDBACK_RESULTS_KEY;
  });

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    await recorder?.stop();
    await target.close();
    await dropPrefix(prefix);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
    delete process.env.HANDBACK_RESULTS_KEY;
  });

  it('every slot of a check one worker knows is run by that worker and recorded once; an unknown one becomes a gap', async () => {
    const workers = ['a', 'b'].map((name) => {
      const p = startCli(
        [
          'worker',
          '--checks',
          path.join(dir, name),
          '--config',
          path.join(dir, 'settings.yaml'),
          '--metrics-port',
          '0',
          '--log-level',
          'info',
        ],
        { REDIS_URL, ...KEY_ENV },
      );
      procs.push(p);
      return p;
    });
    const ports = await Promise.all(
      workers.map((p) => waitFor(() => /"metricsPort":(\d+)/.exec(p.output()), 20_000).then((m) => Number(m[1]))),
    );
    recorder = await startTestMonitor(
      'handback-rec',
      'checks: []\n',
      { prefix, results: { keys: { k: '${env:HANDBACK_RESULTS_KEY}' } }, evidence: { enabled: false } },
      ['recorder'],
    );

    const all = loadChecks(path.join(dir, 'all'));
    const queueConn = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new CheckQueue(queueConn, prefix);
    const base = Math.floor(Date.now() / 1000) * 1000;
    const slots = [0, 1, 2, 3, 4].map((i) => base - i * 1000);
    for (const slot of slots)
      for (const id of ['only-a', 'only-b', 'both']) await queue.enqueue(all.byId.get(id)!, slot, { retryBackoffMs: 100 });
    await queue.enqueue(all.byId.get('nobody')!, base, { retryBackoffMs: 100 });
    // The scheduler's claim lasts two intervals (here 2 h); shorten it as a short-interval check would have it.
    await redis.pexpire(slotClaimKey(prefix, 'nobody', base), 4000);

    await waitFor(async () => {
      const t = await recorder!.scrape();
      return ['only-a', 'only-b', 'both'].every(
        (id) => sample(t, `pengawas_check_runs_total{check="${id}",element="efficiency",type="http",result="pass"}`) === 5,
      );
    }, 40_000);
    const gaps = await waitFor(async () => {
      const g = await readGaps(redis, prefix);
      return g.length ? g : undefined;
    }, 20_000);
    expect(gaps.map((g) => [g.id, g.reason])).toEqual([[`nobody@${new Date(base).toISOString()}`, 'unknown_check']]);

    const texts = await Promise.all(ports.map(async (p) => (await fetch(`http://127.0.0.1:${p}/metrics`)).text()));
    const sum = (series: string) => texts.reduce((n, t) => n + (sample(t, series) ?? 0), 0);
    expect(sum('pengawas_jobs_handed_back_total{reason="unknown_check"}')).toBeGreaterThanOrEqual(1);
    expect(sum('pengawas_slots_expired_total{reason="unknown_check"}')).toBe(1);
    // No job failed: the unknown check's slot completed as expired, the others as results.
    const counts = await queue.counts();
    expect(counts.failed).toBe(0);
    // Fifteen slots, fifteen results: nothing run twice (no duplicates), nothing lost.
    const t = await recorder.scrape();
    expect(sample(t, 'pengawas_recorder_results_total{outcome="recorded"}')).toBe(15);
    expect(sample(t, 'pengawas_recorder_results_total{outcome="duplicate"}') ?? 0).toBe(0);
    expect(t).not.toContain('check="nobody"');
    await queue.close();
    queueConn.disconnect();
  }, 90_000);
});
