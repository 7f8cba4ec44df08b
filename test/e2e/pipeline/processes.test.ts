/**
 * Real pengawas processes on one Redis: two schedulers enqueue each slot once; a worker killed with SIGKILL
 * mid-probe loses its job to another worker and the result is recorded once; SIGTERM exits 0 after in-flight work.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { loadChecks } from '../../../src/config/load';
import { EvidenceStore } from '../../../src/evidence/store';
import { CheckQueue } from '../../../src/queue/check-queue';
import type { ProbeResult } from '../../../src/results/contract';
import { startCli, startRole } from '../../helpers/cli';
import { sample } from '../../helpers/monitor';
import { sleep, startHttp, waitFor, type Started } from '../../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../../helpers/redis';

type Proc = ReturnType<typeof startCli>;

function exitOf(p: Proc): Promise<number | null> {
  return p.exitCode !== null ? Promise.resolve(p.exitCode) : new Promise((r) => p.once('exit', (code) => r(code)));
}

async function metricsPortOf(p: Proc): Promise<number> {
  // Generous: on a loaded machine the recorder's evidence store takes tens of seconds to open.
  const m = await waitFor(() => /"metricsPort":(\d+)/.exec(p.output()), 90_000);
  return Number(m[1]);
}

/**
 * Every result published on the stream, in order. Recorders trim what they acknowledged, so the stream is not a
 * log: a follower XREADs each entry as it is added (trimming runs seconds after acknowledgement).
 */
function follow(prefix: string): { results(): Promise<ProbeResult[]>; stop(): void } {
  const conn = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const seen: ProbeResult[] = [];
  let last = '0-0';
  let running = true;
  const loop = (async () => {
    while (running) {
      const res = (await conn.xread('COUNT', 1000, 'BLOCK', 200, 'STREAMS', `${prefix}:results`, last).catch(() => null)) as Array<
        [string, Array<[string, string[]]>]
      > | null;
      for (const [id, f] of res?.[0][1] ?? []) {
        last = id;
        seen.push(JSON.parse(f[f.indexOf('r') + 1]) as ProbeResult);
      }
    }
  })();
  return {
    results: async () => {
      await sleep(500); // one more read round
      return [...seen];
    },
    stop: () => {
      running = false;
      void loop.then(() => conn.disconnect());
    },
  };
}

describe('pengawas processes', () => {
  let dir: string;
  let prefix: string;
  let target: Started;
  let slowHits = 0;
  const procs: Proc[] = [];
  let follower: ReturnType<typeof follow>;

  const start = (role: string, extra: string[] = []) => {
    // Split roles share a results key, given by reference in the environment.
    const p = startRole(
      role,
      dir,
      {
        REDIS_URL,
        PENGAWAS_LOG_LEVEL: 'info',
        PENGAWAS_RESULTS_KEY: '${env:PROCS_RESULTS_KEY}',
        PROCS_RESULTS_KEY: 'processes-test-results-key-0123456789abcdef',
      },
      { extra },
    );
    procs.push(p);
    return p;
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-procs-'));
    prefix = testPrefix('procs');
    follower = follow(prefix);
    mkdirSync(path.join(dir, 'checks'));
    writeFileSync(
      path.join(dir, 'settings.yaml'),
      `prefix: ${prefix}\ndataDir: ${dir}/data\nworker: { concurrency: 4, lockDuration: 2s, stalledInterval: 1s, shutdownGrace: 10s, retryBackoff: 200ms }\nrecorder: { claimIdle: 2s }\n`,
    );
    slowHits = 0;
    target = await startHttp((req, res) => {
      if (req.url === '/slow') {
        slowHits += 1;
        setTimeout(() => res.writeHead(200).end('done'), 2500);
      } else res.writeHead(200).end('ok');
    });
  });

  afterEach(async () => {
    follower.stop();
    for (const p of procs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
    await target.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('two schedulers over ~10 s enqueue each slot exactly once', async () => {
    // Not about evidence: without the store the recorder starts at once even on a loaded machine.
    writeFileSync(
      path.join(dir, 'settings.yaml'),
      `${readFileSync(path.join(dir, 'settings.yaml'), 'utf8')}evidence: { enabled: false }\n`,
    );
    writeFileSync(
      path.join(dir, 'checks', 'checks.yaml'),
      `checks:\n${['a', 'b', 'c']
        .map(
          (id) =>
            `  - id: sched-${id}\n    type: http\n    element: efficiency\n    schedule: "* * * * * *"\n    timeout: 800ms\n    target: ${target.url}/ok\n`,
        )
        .join('')}`,
    );
    const s1 = start('scheduler');
    const s2 = start('scheduler');
    const worker = start('worker');
    const recorder = start('recorder');
    const ports = await Promise.all([s1, s2].map(metricsPortOf));
    await metricsPortOf(worker);
    await metricsPortOf(recorder);
    await sleep(10_000);
    // Both schedulers fire every slot; the claim lets exactly one of them enqueue it.
    const counters = await Promise.all(
      ports.map(async (p) => {
        const t = await (await fetch(`http://127.0.0.1:${p}/metrics`)).text();
        return {
          enqueued: sample(t, 'pengawas_scheduler_enqueued_total{outcome="enqueued"}') ?? 0,
          duplicate: sample(t, 'pengawas_scheduler_enqueued_total{outcome="duplicate"}') ?? 0,
        };
      }),
    );
    s1.kill('SIGTERM');
    s2.kill('SIGTERM');
    expect(await exitOf(s1)).toBe(0);
    expect(await exitOf(s2)).toBe(0);
    await sleep(1500); // let the last slots finish
    const rs = await follower.results();
    const ids = rs.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['sched-a', 'sched-b', 'sched-c']) {
      const slots = rs
        .filter((r) => r.checkId === id)
        .map((r) => Date.parse(r.scheduledAt))
        .sort((x, y) => x - y);
      expect(slots.length).toBeGreaterThanOrEqual(8);
      // consecutive seconds, none skipped, none doubled
      for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBe(1000);
    }
    const enqueued = counters[0].enqueued + counters[1].enqueued;
    const duplicates = counters[0].duplicate + counters[1].duplicate;
    expect(duplicates).toBeGreaterThan(0);
    // Every slot fired by one scheduler was a duplicate for the other (give or take the slot in flight).
    expect(Math.abs(enqueued - duplicates)).toBeLessThanOrEqual(6);
  }, 180_000);

  it('a worker killed mid-probe loses the job to another worker; the result is recorded once', async () => {
    writeFileSync(
      path.join(dir, 'checks', 'checks.yaml'),
      `checks:\n  - id: slow\n    type: http\n    element: efficiency\n    schedule: { every: 1h }\n    timeout: 5s\n    target: ${target.url}/slow\n`,
    );
    const set = loadChecks(path.join(dir, 'checks'));
    const queueConn = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new CheckQueue(queueConn, prefix);
    const slot = Date.now();
    expect(await queue.enqueue(set.byId.get('slow')!, slot, { retryBackoffMs: 200 })).toBe('enqueued');
    expect(await queue.enqueue(set.byId.get('slow')!, slot, { retryBackoffMs: 200 })).toBe('duplicate');

    const doomed = start('worker');
    await waitFor(() => slowHits === 1, 15_000);
    doomed.kill('SIGKILL');
    await exitOf(doomed);

    const recorder = start('recorder');
    const rescuer = start('worker');
    await waitFor(() => slowHits === 2, 20_000);
    const rport = await metricsPortOf(recorder);
    const text = await waitFor(async () => {
      const t = await (await fetch(`http://127.0.0.1:${rport}/metrics`)).text();
      return sample(t, 'pengawas_check_runs_total{check="slow",element="efficiency",type="http",result="pass"}') === 1 ? t : undefined;
    }, 20_000);
    expect(text).toBeDefined();
    const rs = await follower.results();
    expect(rs.map((r) => r.id)).toEqual([`slow@${new Date(slot).toISOString()}`]);
    expect(rs[0].status).toBe('pass');

    // SIGTERM during a probe: the worker finishes it within the grace period and exits 0.
    const slot2 = slot + 1000;
    await queue.enqueue(set.byId.get('slow')!, slot2, { retryBackoffMs: 200 });
    await waitFor(() => slowHits === 3, 15_000);
    rescuer.kill('SIGTERM');
    expect(await exitOf(rescuer)).toBe(0);
    const after = await follower.results();
    expect(after.map((r) => r.id)).toContain(`slow@${new Date(slot2).toISOString()}`);
    recorder.kill('SIGTERM');
    expect(await exitOf(recorder)).toBe(0);
    // The recorder kept each result once in the evidence store (embedded SQLite under the data dir), chain intact.
    const store = await EvidenceStore.open({ dataDir: path.join(dir, 'data') });
    try {
      const rows = await store.db.query<{ result_id: string }>(`SELECT result_id FROM evidence_results ORDER BY result_id`);
      expect(rows.map((r) => r.result_id)).toEqual([`slow@${new Date(slot).toISOString()}`, `slow@${new Date(slot2).toISOString()}`]);
    } finally {
      await store.close();
    }
    await queue.close();
    queueConn.disconnect();
  }, 180_000);

  it('SIGTERM past the grace period abandons the probe, exits 0, and the job is run again elsewhere and recorded once', async () => {
    writeFileSync(
      path.join(dir, 'settings.yaml'),
      `prefix: ${prefix}\ndataDir: ${dir}/data\nworker: { concurrency: 4, lockDuration: 2s, stalledInterval: 1s, shutdownGrace: 500ms, retryBackoff: 200ms }\nrecorder: { claimIdle: 2s }\n`,
    );
    writeFileSync(
      path.join(dir, 'checks', 'checks.yaml'),
      `checks:\n  - id: slow\n    type: http\n    element: efficiency\n    schedule: { every: 1h }\n    timeout: 5s\n    target: ${target.url}/slow\n`,
    );
    const set = loadChecks(path.join(dir, 'checks'));
    const queueConn = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new CheckQueue(queueConn, prefix);
    const slot = Date.now();
    await queue.enqueue(set.byId.get('slow')!, slot, { retryBackoffMs: 200 });
    const leaving = start('worker');
    await waitFor(() => slowHits === 1, 15_000);
    const t0 = Date.now();
    leaving.kill('SIGTERM');
    expect(await exitOf(leaving)).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2000); // the 2.5 s probe was abandoned after the 0.5 s grace
    start('worker');
    start('recorder');
    await waitFor(() => slowHits === 2, 20_000);
    const rs = await waitFor(async () => {
      const all = await follower.results();
      return all.length ? all : undefined;
    }, 20_000);
    await sleep(1000);
    const final = await follower.results();
    expect(final.map((r) => r.id)).toEqual([`slow@${new Date(slot).toISOString()}`]);
    expect(rs[0].status).toBe('pass');
    await queue.close();
    queueConn.disconnect();
  }, 180_000);
});
