/**
 * A Redis outage is visible in /metrics: `pengawas_redis_up` drops to 0 while a redis-server of the test's own is
 * killed and comes back to 1 after restart; `pengawas_last_result_recorded_timestamp_seconds` stalls, then moves on.
 * /readyz (asked of the roles' own connection, src/queue/connection.ts answers()) follows: 503 naming Redis, then 200;
 * and it names a role connection (the recorder's reader or its metrics follower) that cannot reconnect while the main
 * one still answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { settingsSchema } from '../../../src/config/settings';
import { startMonitor, type Monitor } from '../../../src/monitor/monitor';
import { sample } from '../../helpers/monitor';
import { freePort, sleep, startHttp, waitFor, type Started } from '../../helpers/net';

describe('Redis outage in metrics', () => {
  let dir: string;
  let port: number;
  let redis: ChildProcess | undefined;
  let monitor: Monitor | undefined;
  let target: Started;

  const startRedis = async () => {
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], {
      stdio: 'ignore',
    });
    await sleep(300);
  };
  const scrape = async () => (await fetch(`http://127.0.0.1:${monitor!.metricsPort}/metrics`)).text();
  const ready = async () => {
    const r = await fetch(`http://127.0.0.1:${monitor!.metricsPort}/readyz`);
    return { status: r.status, body: await r.text() };
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-outage-'));
    port = await freePort();
    target = await startHttp((_req, res) => res.writeHead(200).end('ok'));
    writeFileSync(
      path.join(dir, 'checks.yaml'),
      `checks:\n  - id: beat\n    type: http\n    element: efficiency\n    schedule: { every: 1s }\n    timeout: 900ms\n    target: ${target.url}/\n`,
    );
  });

  afterAll(async () => {
    await monitor?.stop();
    redis?.kill('SIGKILL');
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports 0 while Redis is down and 1 once it is back; results resume', async () => {
    await startRedis();
    const settings = settingsSchema.parse({
      checksDir: dir,
      dataDir: path.join(dir, 'data'),
      prefix: 'outage',
      metrics: { port: 0, host: '127.0.0.1' },
      evidence: { enabled: false },
      worker: { lockDuration: '5s', stalledInterval: '5s', shutdownGrace: '1s' },
    });
    monitor = await startMonitor({
      settings,
      roles: ['scheduler', 'worker', 'recorder'],
      redisUrl: `redis://127.0.0.1:${port}`,
      watch: false,
    });
    const before = await waitFor(async () => {
      const t = await scrape();
      return sample(t, 'pengawas_redis_up') === 1 && sample(t, 'pengawas_last_result_recorded_timestamp_seconds') ? t : undefined;
    }, 20_000);
    expect(sample(before, 'pengawas_last_result_recorded_timestamp_seconds')!).toBeGreaterThan(Date.now() / 1000 - 30);
    expect((await ready()).status).toBe(200);

    redis!.kill('SIGKILL');
    await new Promise((r) => redis!.once('exit', r));
    const t0 = Date.now();
    const down = await waitFor(async () => {
      const t = await scrape();
      return sample(t, 'pengawas_redis_up') === 0 ? t : undefined;
    }, 15_000);
    // A scrape during the outage still answers, within the server's bounded pre-scrape work.
    expect(Date.now() - t0).toBeLessThan(15_000);
    const stalledAt = sample(down, 'pengawas_last_result_recorded_timestamp_seconds')!;
    await sleep(3000);
    expect(sample(await scrape(), 'pengawas_last_result_recorded_timestamp_seconds')).toBe(stalledAt);
    expect(sample(await scrape(), 'pengawas_redis_up')).toBe(0);
    const notReady = await ready();
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.body).reasons).toEqual([
      expect.stringMatching(new RegExp(`^Redis at redis://127\\.0\\.0\\.1:${port} does not answer`)),
    ]);

    await startRedis();
    await waitFor(async () => {
      const t = await scrape();
      return sample(t, 'pengawas_redis_up') === 1 && sample(t, 'pengawas_last_result_recorded_timestamp_seconds')! > stalledAt;
    }, 30_000);
    expect((await ready()).status).toBe(200);
  }, 90_000);

  // Each is a connection only the recorder uses: its XREADGROUP reader, and its metrics follower's XREAD. Their
  // client names are unique (a copy named like its source made the kill hit whichever came first in CLIENT LIST).
  it.each(['recorder', 'recorder-follower'])(
    'names on /readyz the "%s" connection when it cannot reconnect while the main one answers',
    async (role) => {
      // The connection is dropped by the server and its reconnects refused (maxclients reached), as a connection
      // limit or a broken path to one role would; the main connection stays up.
      const admin = new IORedis(port, '127.0.0.1');
      try {
        await waitFor(async () => (await ready()).status === 200, 10_000);
        const list = String(await admin.client('LIST'))
          .trim()
          .split('\n');
        const named = list.filter((l) => l.includes(` name=pengawas-${role} `));
        expect(named).toHaveLength(1);
        const id = /^id=(\d+) /.exec(named[0])![1];
        await admin.config('SET', 'maxclients', String(list.length - 1));
        await admin.client('KILL', 'ID', id);
        const r = await waitFor(async () => {
          const x = await ready();
          return x.status === 503 ? x : undefined;
        }, 10_000);
        expect(JSON.parse(r.body).reasons).toEqual([
          expect.stringMatching(new RegExp(`^Redis connection "${role}" is not ready \\(\\w+\\)$`)),
        ]);
        await admin.config('SET', 'maxclients', '10000');
        await waitFor(async () => (await ready()).status === 200, 15_000);
      } finally {
        await admin.config('SET', 'maxclients', '10000').catch(() => undefined);
        admin.disconnect();
      }
    },
    60_000,
  );
});
