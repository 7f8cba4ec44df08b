/**
 * The recorder outlives its store: `pengawas run` (a child process) records into a PostgreSQL cluster of the
 * test's own; the cluster is stopped for 20 s while checks keep running, then started again. The process must
 * stay up, /readyz must answer 503 naming the store and `pengawas_evidence_store_up` drop to 0 while it is down;
 * afterwards every result published on the Redis stream must be in the store exactly once (0 lost, 0 duplicated)
 * with every chain intact. Needs `npm run build`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { EvidenceStore } from '../../src/evidence/store';
import { verifyStore } from '../../src/evidence/verify-store';
import { startCli } from '../helpers/cli';
import { waitFor } from '../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis';
import { createCluster, type PgCluster } from './pg-cluster';

const CHECKS = `checks:
${[1, 2, 3]
  .map(
    (i) => `  - id: outage-${i}
    name: outage check ${i}
    type: http
    element: security
    schedule: { every: 1s }
    timeout: 1s
    retries: 0
    target: http://127.0.0.1:9/
`,
  )
  .join('')}`;

describe('the recorder when PostgreSQL stops for 20 s', () => {
  const prefix = testPrefix('outage');
  let pg: PgCluster;
  let dir: string;
  let redis: IORedis;
  let monitor: ReturnType<typeof startCli>;
  let port = 0;
  const get = async (p: string) => {
    const r = await fetch(`http://127.0.0.1:${port}${p}`);
    return { status: r.status, body: await r.text() };
  };
  const storeUp = async () => /^pengawas_evidence_store_up\{backend="postgres"\} (\d)/m.exec((await get('/metrics')).body)?.[1];
  const recorded = async () =>
    Number(/^pengawas_recorder_results_total\{outcome="recorded"\} (\d+)/m.exec((await get('/metrics')).body)?.[1] ?? 0);

  beforeAll(async () => {
    pg = await createCluster();
    dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-outage-'));
    mkdirSync(path.join(dir, 'checks'));
    writeFileSync(path.join(dir, 'checks', 'checks.yaml'), CHECKS);
    writeFileSync(path.join(dir, 'settings.yaml'), 'recorder: { claimIdle: 2s }\nworker: { retryBackoff: 60s }\n');
    redis = new IORedis(REDIS_URL);
  }, 60_000);

  afterAll(async () => {
    if (monitor && monitor.exitCode === null) {
      monitor.kill('SIGKILL');
      await new Promise((r) => monitor.once('exit', r));
    }
    await dropPrefix(prefix);
    redis.disconnect();
    pg.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays up, reports the store down, and records every result exactly once after it is back', async () => {
    monitor = startCli(
      ['run', '--checks', path.join(dir, 'checks'), '--config', path.join(dir, 'settings.yaml'), '--prefix', prefix, '--metrics-port', '0'],
      {
        PENGAWAS_DATA_DIR: path.join(dir, 'data'),
        DATABASE_URL: pg.url,
        REDIS_URL,
        PENGAWAS_LOG_LEVEL: 'info',
      },
    );
    // The recorder trims acknowledged entries from the stream: read it as it goes to know every result published.
    const published = new Set<string>();
    const readStream = async () => {
      for (const [, f] of (await redis.xrange(`${prefix}:results`, '-', '+')) as Array<[string, string[]]>)
        published.add((JSON.parse(f[f.indexOf('r') + 1]) as { id: string }).id);
    };
    const reader = setInterval(() => void readStream().catch(() => undefined), 500);
    port = Number((await waitFor(() => /"metricsPort":(\d+)/.exec(monitor.output()), 60_000))[1]);
    await waitFor(async () => (await recorded()) >= 6, 30_000);
    expect(await storeUp()).toBe('1');

    pg.stop();
    const downAt = Date.now();
    await waitFor(async () => (await storeUp()) === '0', 15_000);
    const ready = await get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatch(/evidence store down since .*unreachable/);
    while (Date.now() - downAt < 20_000) {
      expect(monitor.exitCode).toBeNull();
      await new Promise((r) => setTimeout(r, 1000));
    }
    pg.start();
    await waitFor(async () => (await storeUp()) === '1', 60_000);

    // Let the backlog drain, then stop scheduling new work and compare.
    await waitFor(async () => Number(((await redis.xpending(`${prefix}:results`, 'recorders')) as [number])[0]) === 0, 60_000);
    monitor.kill('SIGTERM');
    expect(await new Promise((r) => monitor.once('exit', r))).toBe(0);
    clearInterval(reader);
    await readStream();
    const store = await EvidenceStore.open({ dataDir: path.join(dir, 'data'), databaseUrl: pg.url });
    try {
      const rows = await store.db.query<{ result_id: string }>(`SELECT result_id FROM evidence_results`);
      const stored = new Set(rows.map((r) => r.result_id));
      const lost = [...published].filter((id) => !stored.has(id));
      const extra = [...stored].filter((id) => !published.has(id));
      expect({ lost: lost.length, extra: extra.length, duplicated: rows.length - stored.size }).toEqual({
        lost: 0,
        extra: 0,
        duplicated: 0,
      });
      expect(published.size).toBeGreaterThan(40); // results kept coming during the outage
      expect(await verifyStore(store.db, store.timezone)).toMatchObject({ ok: true, records: expect.any(Number) });
    } finally {
      await store.close();
    }
  }, 240_000);
});
