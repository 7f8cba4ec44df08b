/**
 * Two recorder processes on a private redis-server (free port): each /metrics lists every check with the same
 * values (each recorder follows the whole results stream for metrics), evidence is written once through the
 * consumer group, and a recorder killed with SIGKILL mid-run loses no evidence (rows counted against the results
 * actually published, read off the stream by this test).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { EvidenceStore } from '../../../src/evidence/store';
import type { ProbeResult } from '../../../src/results/contract';
import { startCli, startRole } from '../../helpers/cli';
import { sleep, startHttp, waitFor, type Started } from '../../helpers/net';
import { startRedisChild, type RedisChild } from '../../helpers/redis-server';

type Proc = ReturnType<typeof startCli>;
const CHECKS = ['up-a', 'up-b', 'up-c', 'down-a', 'down-b'];
const CHECK_SERIES = /^(pengawas_check_(?:status|last_run_timestamp_seconds|runs_total|result))\{([^}]*)\} (\S+)$/gm;

const exitOf = (p: Proc): Promise<number | null> =>
  p.exitCode !== null ? Promise.resolve(p.exitCode) : new Promise((r) => p.once('exit', (code) => r(code)));

/** Every per-check series of the status family, keyed by name and labels. */
function checkSeries(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(CHECK_SERIES)) out.set(`${m[1]}{${m[2]}}`, Number(m[3]));
  return out;
}

const checksIn = (series: Map<string, number>) =>
  new Set([...series.keys()].filter((k) => k.startsWith('pengawas_check_status{')).map((k) => /check="([^"]+)"/.exec(k)![1]));

describe('two recorders', () => {
  let redis: RedisChild;
  let redisUrl: string;
  let dir: string;
  let target: Started;
  const procs: Proc[] = [];
  let stopReading = () => Promise.resolve();

  beforeAll(async () => {
    redis = await startRedisChild(['--appendonly', 'no']);
    redisUrl = `redis://127.0.0.1:${redis.port}`;
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-recorders-'));
    mkdirSync(path.join(dir, 'checks'));
    target = await startHttp((req, res) => res.writeHead(req.url === '/ok' ? 200 : 503).end('x'));
    writeFileSync(
      path.join(dir, 'checks', 'checks.yaml'),
      `checks:\n${CHECKS.map((id) => `  - { id: ${id}, type: http, element: efficiency, schedule: { every: 2s }, timeout: 2s, retries: 0, target: "${target.url}/${id.startsWith('up') ? 'ok' : 'down'}" }\n`).join('')}`,
    );
    // Both recorders keep evidence in one SQLite store (the default) under the shared data dir.
    writeFileSync(
      path.join(dir, 'settings.yaml'),
      `prefix: rec2\ndataDir: ${dir}/data\nworker: { concurrency: 8 }\nrecorder: { claimIdle: 2s }\n`,
    );
  });

  afterAll(async () => {
    await stopReading();
    for (const p of procs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
    await target?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (role: string) => {
    const p = startRole(role, dir, {
      REDIS_URL: redisUrl,
      DATABASE_URL: '',
      PENGAWAS_RESULTS_KEY: '${env:REC2_RESULTS_KEY}',
      REC2_RESULTS_KEY: 'two-recorders-test-results-key-0123456789abcdef',
    });
    procs.push(p);
    return p;
  };
  const portOf = async (p: Proc) => {
    const m = await waitFor(
      () => /"metricsPort":(\d+)/.exec(p.output()) ?? (p.exitCode !== null ? new Error(p.output()) : undefined),
      90_000,
    );
    if (m instanceof Error) throw new Error(`pengawas exited before serving /metrics:\n${m.message}`);
    return Number(m[1]);
  };
  const scrape = async (port: number) => checkSeries(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());

  it('both list every check with the same values; killing one loses no evidence', async () => {
    // This test's own reader of everything published (entries are trimmed once recorded and read by every follower).
    const reader = new IORedis(redisUrl, { maxRetriesPerRequest: null });
    const published: ProbeResult[] = [];
    let last = '0-0';
    let reading = true;
    const readLoop = (async () => {
      while (reading) {
        const res = (await reader.xread('COUNT', 1000, 'BLOCK', 200, 'STREAMS', 'rec2:results', last).catch(() => null)) as Array<
          [string, Array<[string, string[]]>]
        > | null;
        for (const [id, f] of res?.[0][1] ?? []) {
          last = id;
          published.push(JSON.parse(f[f.indexOf('r') + 1]) as ProbeResult);
        }
      }
    })();
    stopReading = async () => {
      reading = false;
      await readLoop;
      reader.disconnect();
    };

    const a = start('recorder');
    const b = start('recorder');
    const [portA, portB] = await Promise.all([portOf(a), portOf(b)]);
    const worker = start('worker');
    await portOf(worker);
    let scheduler = start('scheduler');
    await portOf(scheduler);

    // While results flow: both endpoints list every check, with the same status.
    const running = await waitFor(async () => {
      const [sa, sb] = await Promise.all([scrape(portA), scrape(portB)]);
      return checksIn(sa).size === CHECKS.length && checksIn(sb).size === CHECKS.length ? [sa, sb] : undefined;
    }, 60_000);
    for (const id of CHECKS) {
      // The two scrapes are moments apart: last-run times agree within one scrape of a 2 s schedule (wide guard).
      const lastRun = `pengawas_check_last_run_timestamp_seconds{check="${id}",element="efficiency",type="http",target="${target.url}/${id.startsWith('up') ? 'ok' : 'down'}"}`;
      expect(Math.abs(running[0].get(lastRun)! - running[1].get(lastRun)!)).toBeLessThanOrEqual(5);
    }

    // Quiet: no new slots. Both endpoints then show identical series, every one of them (counters included).
    scheduler.kill('SIGTERM');
    expect(await exitOf(scheduler)).toBe(0);
    const settled = async () => {
      const before = published.length;
      await sleep(3000);
      return published.length === before ? published.length : undefined;
    };
    await waitFor(settled, 60_000, 0);
    const quiet = await waitFor(async () => {
      const [sa, sb] = await Promise.all([scrape(portA), scrape(portB)]);
      const runs = (s: Map<string, number>) =>
        [...s].filter(([k]) => k.startsWith('pengawas_check_runs_total')).reduce((n, [, v]) => n + v, 0);
      return runs(sa) === published.length && runs(sb) === published.length ? [sa, sb] : undefined;
    }, 30_000);
    expect([...quiet[1]].sort()).toEqual([...quiet[0]].sort());
    expect(quiet[0].size).toBeGreaterThanOrEqual(CHECKS.length * 4);
    // A 503 is a fail, never shown as passing.
    for (const id of CHECKS.filter((c) => c.startsWith('down')))
      expect([
        id,
        quiet[0].get(`pengawas_check_status{check="${id}",element="efficiency",type="http",target="${target.url}/down"}`),
      ]).toEqual([id, 0]);

    // Results flow again; recorder B dies mid-run (SIGKILL: no goodbye, its pending entries are claimed by A).
    scheduler = start('scheduler');
    await portOf(scheduler);
    const beforeKill = published.length;
    await waitFor(() => published.length >= beforeKill + 3 * CHECKS.length, 60_000);
    b.kill('SIGKILL');
    await exitOf(b);
    const afterKill = published.length;
    await waitFor(() => published.length >= afterKill + 3 * CHECKS.length, 60_000);
    scheduler.kill('SIGTERM');
    expect(await exitOf(scheduler)).toBe(0);
    await waitFor(settled, 60_000, 0);
    // A recorded everything (its own follower counted every published result) and B's pending entries were claimed.
    await waitFor(async () => {
      const runs = [...(await scrape(portA))].filter(([k]) => k.startsWith('pengawas_check_runs_total')).reduce((n, [, v]) => n + v, 0);
      const pending = await reader.xpending('rec2:results', 'recorders');
      return runs === published.length && Number((pending as unknown[])[0]) === 0 ? true : undefined;
    }, 60_000);
    worker.kill('SIGTERM');
    a.kill('SIGTERM');
    expect(await exitOf(worker)).toBe(0);
    expect(await exitOf(a)).toBe(0);
    await stopReading();

    const ids = published.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const store = await EvidenceStore.open({ dataDir: path.join(dir, 'data') });
    try {
      const rows = await store.db.query<{ result_id: string }>(`SELECT result_id FROM evidence_results`);
      const stored = rows.map((r) => r.result_id).sort();
      // Every published result is in the store exactly once: none lost with B, none written twice by A and B.
      expect(stored).toEqual([...ids].sort());
    } finally {
      await store.close();
    }
  }, 300_000);
});
