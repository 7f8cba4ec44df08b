/**
 * The causes of lost slots reach the evidence store from a running monitor, the way an outage and an attacker
 * would meet them: a redis-server of the test's own is SIGKILLed and restarted (the recorder writes the outage
 * into `#lifecycle` itself, since Redis was gone), an authentic result older than the retention is dropped and
 * reported on the gaps stream (recorded once, even when the report is replayed), and gap reports XADDed by hand
 * without the results key are rejected and counted, never recorded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { settingsSchema } from '../../../src/config/settings';
import { lostResults, redisDownSpans } from '../../../src/evidence/outages';
import { EvidenceStore } from '../../../src/evidence/store';
import { verifyStore } from '../../../src/evidence/verify-store';
import { startMonitor, type Monitor } from '../../../src/monitor/monitor';
import type { ProbeResult } from '../../../src/results/contract';
import { resultId } from '../../../src/results/contract';
import { gapsKey } from '../../../src/results/gaps';
import { Keyring } from '../../../src/results/keyring';
import { ResultStream } from '../../../src/results/stream';
import { sample } from '../../helpers/monitor';
import { freePort, sleep, startHttp, waitFor, type Started } from '../../helpers/net';

jest.setTimeout(120_000);

const KEY = 'a'.repeat(64);

describe('gap causes from a running monitor into the evidence store', () => {
  let dir: string;
  let port: number;
  let redis: ChildProcess | undefined;
  let monitor: Monitor | undefined;
  let target: Started;
  let client: Redis;
  const prefix = 'gapcause';

  const startRedis = async () => {
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
      { stdio: 'ignore' },
    );
    await waitFor(
      async () =>
        (await new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null }).connect().then(
          () => true,
          () => false,
        )) || undefined,
      10_000,
    );
  };
  const scrape = async () => (await fetch(`http://127.0.0.1:${monitor!.metricsPort}/metrics`)).text();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-gapcause-'));
    port = await freePort();
    target = await startHttp((_req, res) => res.writeHead(200).end('ok'));
    writeFileSync(
      path.join(dir, 'checks.yaml'),
      `checks:\n  - id: beat\n    type: http\n    element: efficiency\n    schedule: { every: 1s }\n    timeout: 900ms\n    target: ${target.url}/\n`,
    );
    await startRedis();
    client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: null });
    process.env.GAPCAUSE_KEY = KEY;
  });

  afterAll(async () => {
    await monitor?.stop();
    client?.disconnect();
    redis?.kill('SIGKILL');
    await target.close();
    delete process.env.GAPCAUSE_KEY;
    rmSync(dir, { recursive: true, force: true });
  });

  it('records the Redis outage and authentic lost results; forged reports are rejected', async () => {
    const settings = settingsSchema.parse({
      checksDir: dir,
      dataDir: path.join(dir, 'data'),
      prefix,
      metrics: { port: 0, host: '127.0.0.1' },
      results: { keys: { main: '${env:GAPCAUSE_KEY}' }, retention: '10m' },
      worker: { lockDuration: '5s', stalledInterval: '5s', shutdownGrace: '1s' },
    });
    monitor = await startMonitor({
      settings,
      roles: ['scheduler', 'worker', 'recorder'],
      redisUrl: `redis://127.0.0.1:${port}`,
      watch: false,
    });
    await waitFor(async () => sample(await scrape(), 'pengawas_last_result_recorded_timestamp_seconds'), 20_000);

    // An authentic result that waited 15 minutes (retention 10 m): dropped and reported as a signed gap.
    const ring = new Keyring(new Map([['main', Buffer.from(KEY)]]), 'main');
    const slot = new Date(Math.floor((Date.now() - 15 * 60_000) / 1000) * 1000);
    const old: ProbeResult = {
      id: resultId('beat', slot),
      checkId: 'beat',
      type: 'http',
      element: 'efficiency',
      target: target.url,
      scheduledAt: slot.toISOString(),
      startedAt: slot.toISOString(),
      durationMs: 5,
      attempt: 1,
      status: 'pass',
      findings: [],
      measurements: {},
    };
    await new ResultStream(client, prefix, { keyring: ring }).publish(old);
    const reported = await waitFor(async () => {
      const entries = await client.xrange(gapsKey(prefix), '-', '+');
      return entries.find(([, f]) => f.includes(old.id));
    }, 20_000);
    // The same signed report replayed, and two forgeries: one without a MAC, one with a MAC under a made-up key.
    await client.xadd(gapsKey(prefix), '*', ...reported[1]);
    const forged = resultId('beat', new Date(slot.getTime() + 1000));
    await client.xadd(
      gapsKey(prefix),
      '*',
      'id',
      forged,
      'check',
      'beat',
      'slot',
      new Date(slot.getTime() + 1000).toISOString(),
      'reason',
      'expired',
      'at',
      new Date().toISOString(),
    );
    const fake = new Keyring(new Map([['main', Buffer.alloc(32, 7)]]), 'main');
    const raw = JSON.stringify({
      kind: 'gap',
      id: forged,
      check: 'beat',
      slot: new Date(slot.getTime() + 1000).toISOString(),
      reason: 'expired',
      at: new Date().toISOString(),
    });
    const { kid, mac } = fake.sign(raw);
    await client.xadd(gapsKey(prefix), '*', 'id', forged, 'r', raw, 'k', kid, 'm', mac);
    await waitFor(async () => {
      const m = await scrape();
      return sample(m, 'pengawas_gaps_rejected_total{reason="unsigned"}') === 1 &&
        sample(m, 'pengawas_gaps_rejected_total{reason="bad_mac"}') === 1 &&
        (sample(m, 'pengawas_gaps_recorded_total{reason="expired"}') ?? 0) >= 2
        ? m
        : undefined;
    }, 20_000);

    // Redis killed for about 3 s, then back with its append-only file.
    const beforeKill = Date.now();
    redis!.kill('SIGKILL');
    await new Promise((r) => redis!.once('exit', r));
    await sleep(3000);
    await startRedis();
    const stalled = Date.now();
    await waitFor(async () => {
      const t = await scrape();
      return sample(t, 'pengawas_redis_up') === 1 && sample(t, 'pengawas_last_result_recorded_timestamp_seconds')! * 1000 > stalled
        ? t
        : undefined;
    }, 30_000);
    await monitor.stop();
    monitor = undefined;

    const store = await EvidenceStore.open({ dataDir: path.join(dir, 'data') });
    try {
      const from = new Date(beforeKill - 3_600_000);
      const spans = await redisDownSpans(store.db, from, new Date());
      expect(spans).toHaveLength(1);
      const len = spans[0].to.getTime() - spans[0].from.getTime();
      expect(spans[0].from.getTime()).toBeGreaterThanOrEqual(beforeKill - 1000);
      expect(len).toBeGreaterThanOrEqual(2500);
      expect(len).toBeLessThan(30_000);
      const lost = await lostResults(store.db, new Date(slot.getTime() - 60_000), new Date());
      expect(lost.map((l) => [l.resultId, l.reason])).toEqual([[old.id, 'expired']]);
      expect((await verifyStore(store.db, store.timezone)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });
});
