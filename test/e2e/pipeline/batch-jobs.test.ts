/**
 * Several slots per job (`scheduler.checksPerJob`): a real worker on a real Redis runs batch jobs, and every slot is
 * published once — a plain slot, a slot whose first attempt errs (split off into a retry job with the attempts left),
 * a slot whose check the worker lacks (split off, handed back, a gap once its claim runs out), a batch the results
 * stream refuses (handed back; a slot whose claim ran out meanwhile is a gap and not also a result). A worker killed
 * with SIGKILL in the middle of a batch loses the batch to another worker: every slot published once.
 * `worker.concurrency` bounds probes in flight, batched or not.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { loadChecks } from '../../../src/config/load';
import type { Check } from '../../../src/config/check';
import { CheckQueue, slotClaimKey } from '../../../src/queue/check-queue';
import type { ProbeResult } from '../../../src/results/contract';
import { readGaps } from '../../../src/results/gaps';
import { startCli, startRole } from '../../helpers/cli';
import { sample, startTestMonitor, type TestMonitor } from '../../helpers/monitor';
import { sleep, startHttp, waitFor, type Started } from '../../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../../helpers/redis';

const KEY = 'batch-jobs-test-results-key-0123456789abcdef';
const checkYaml = (id: string, url: string, extra = '') =>
  `  - { id: ${id}, type: http, element: efficiency, schedule: { every: 1h }, timeout: 2s, target: "${url}"${extra} }\n`;

/** The checks of a checks.yaml body, loaded as a worker would load them (the folder is gone afterwards). */
function checksOf(yaml: string): ReturnType<typeof loadChecks> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-batch-'));
  try {
    writeFileSync(path.join(dir, 'checks.yaml'), `checks:\n${yaml}`);
    return loadChecks(dir);
  } finally {
    rmSync(dir, { recursive: true });
  }
}

/** What the results stream holds (no recorder runs in these tests, so nothing is trimmed). */
async function published(redis: IORedis, prefix: string): Promise<ProbeResult[]> {
  const entries = (await redis.xrange(`${prefix}:results`, '-', '+')) as Array<[string, string[]]>;
  return entries.map(([, f]) => JSON.parse(f[f.indexOf('r') + 1]) as ProbeResult);
}

/** The stream once it holds at least `n` results. */
function publishedAtLeast(redis: IORedis, prefix: string, n: number, timeoutMs: number): Promise<ProbeResult[]> {
  return waitFor(async () => {
    const all = await published(redis, prefix);
    return all.length >= n ? all : undefined;
  }, timeoutMs);
}

describe('batch jobs (scheduler.checksPerJob)', () => {
  let target: Started;
  let inFlight = 0;
  let peak = 0;
  const hits = new Map<string, number>();
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const monitors: TestMonitor[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    process.env.BATCH_JOBS_RESULTS_KEY = KEY;
    target = await startHttp((req, res) => {
      const name = (req.url ?? '/').slice(1);
      const n = (hits.get(name) ?? 0) + 1;
      hits.set(name, n);
      // /flaky resets its first connection; /broken every one (both are `error`: no answer to judge).
      if (name === 'broken' || (name === 'flaky' && n === 1)) return void req.socket.destroy();
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      setTimeout(
        () => {
          inFlight -= 1;
          res.writeHead(200).end('ok');
        },
        name.startsWith('kill') ? 1500 : name.startsWith('slow') ? 300 : 5,
      );
    });
  });

  afterAll(async () => {
    for (const m of monitors) await m.stop();
    for (const p of prefixes) await dropPrefix(p);
    await target.close();
    redis.disconnect();
    delete process.env.BATCH_JOBS_RESULTS_KEY;
  });

  /** A worker-only monitor with these checks; the returned queue enqueues on its prefix. */
  async function worker(name: string, yaml: string, overrides: Record<string, unknown> = {}) {
    const m = await startTestMonitor(
      name,
      `checks:\n${yaml}`,
      { results: { keys: { k: '${env:BATCH_JOBS_RESULTS_KEY}' } }, evidence: { enabled: false }, ...overrides },
      ['worker'],
    );
    monitors.push(m);
    return m;
  }

  function queueOn(prefix: string): CheckQueue {
    return new CheckQueue(redis, prefix);
  }

  it('runs 20 slots as 3 jobs, each slot published once, with worker.concurrency probes in flight at most', async () => {
    const yaml = Array.from({ length: 10 }, (_, i) => checkYaml(`slow-${i}`, `${target.url}/slow-${i}`)).join('');
    const set = checksOf(yaml);
    const prefix = testPrefix('batch-a');
    prefixes.push(prefix);
    const queue = queueOn(prefix);
    const base = Math.floor(Date.now() / 1000) * 1000;
    const slots = set.checks.flatMap((check) => [base, base - 1000].map((slot) => ({ check, slot })));
    const { outcomes } = await queue.enqueueMany(slots, { retryBackoffMs: 100, checksPerJob: 8 });
    expect(outcomes.every((o) => o === 'enqueued')).toBe(true);
    // 20 slots in jobs of 8: 8 + 8 + 4.
    expect(await queue.waiting()).toBe(3);
    // Enqueued again (a second scheduler): every slot is a duplicate, no job added.
    const again = await queue.enqueueMany(slots, { retryBackoffMs: 100, checksPerJob: 8 });
    expect(again.outcomes.every((o) => o === 'duplicate')).toBe(true);
    expect(await queue.waiting()).toBe(3);

    peak = 0;
    await worker('batch-a', yaml, {
      prefix,
      worker: { concurrency: 3, lockDuration: '5s', stalledInterval: '5s', shutdownGrace: '2s', retryBackoff: '100ms' },
    });
    const rs = await publishedAtLeast(redis, prefix, 20, 30_000);
    await sleep(500);
    const final = await published(redis, prefix);
    expect(final).toHaveLength(20);
    expect(new Set(final.map((r) => r.id)).size).toBe(20);
    expect(rs.every((r) => r.status === 'pass' && r.attempt === 1)).toBe(true);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThanOrEqual(2);
    const counts = await queue.counts();
    expect(counts.failed).toBe(0);
    expect(counts.waiting + counts.active + counts.delayed).toBe(0);
    await queue.close();
  }, 60_000);

  it('splits off a slot in error with retries left (retried with its next attempt), publishes one without at once', async () => {
    const prefix = testPrefix('batch-b');
    prefixes.push(prefix);
    const yaml =
      checkYaml('flaky', `${target.url}/flaky`, ', retries: 2') +
      checkYaml('broken', `${target.url}/broken`, ', retries: 0') +
      checkYaml('fine', `${target.url}/fine`);
    const m = await worker('batch-b', yaml, { prefix });
    const queue = queueOn(prefix);
    const slot = Math.floor(Date.now() / 1000) * 1000;
    const checks = ['flaky', 'broken', 'fine'].map((id) => loadChecks(m.dir).byId.get(id) as Check);
    hits.clear();
    await queue.enqueueMany(
      checks.map((check) => ({ check, slot })),
      { retryBackoffMs: 100, checksPerJob: 8 },
    );
    const rs = await publishedAtLeast(redis, prefix, 3, 30_000);
    await sleep(800);
    const final = await published(redis, prefix);
    expect(final).toHaveLength(3);
    const by = new Map(rs.map((r) => [r.checkId, r]));
    expect([by.get('flaky')?.status, by.get('flaky')?.attempt]).toEqual(['pass', 2]);
    expect([by.get('broken')?.status, by.get('broken')?.attempt]).toEqual(['error', 1]);
    expect([by.get('fine')?.status, by.get('fine')?.attempt]).toEqual(['pass', 1]);
    // The retry ran as a job of its own, after the first attempt's batch: the target saw flaky twice, broken once.
    expect(hits.get('flaky')).toBe(2);
    expect(hits.get('broken')).toBe(1);
    expect((await queue.counts()).failed).toBe(0);
    await queue.close();
  }, 60_000);

  it('splits off a slot whose check the worker lacks: a gap when its claim runs out, never a result', async () => {
    const prefix = testPrefix('batch-c');
    prefixes.push(prefix);
    const all = checksOf(`${checkYaml('known', `${target.url}/known`)}${checkYaml('ghost', `${target.url}/ghost`)}`);
    await worker('batch-c', checkYaml('known', `${target.url}/known`), { prefix });
    const queue = queueOn(prefix);
    const slot = Math.floor(Date.now() / 1000) * 1000;
    await queue.enqueueMany(
      ['known', 'ghost'].map((id) => ({ check: all.byId.get(id) as Check, slot })),
      { retryBackoffMs: 100, checksPerJob: 8 },
    );
    // A one-hour check's claim lives two hours; cut it as a short-interval check's would be.
    await redis.pexpire(slotClaimKey(prefix, 'ghost', slot), 3000);
    const gaps = await waitFor(async () => {
      const g = await readGaps(redis, prefix);
      return g.length ? g : undefined;
    }, 20_000);
    expect(gaps.map((g) => [g.checkId, g.reason])).toEqual([['ghost', 'unknown_check']]);
    const rs = await published(redis, prefix);
    expect(rs.map((r) => r.checkId)).toEqual(['known']);
    expect(hits.get('ghost')).toBeUndefined();
    expect((await queue.counts()).failed).toBe(0);
    await queue.close();
  }, 60_000);

  it("a slot split off by a worker without its check gets its check's retries from the worker that has it", async () => {
    const prefix = testPrefix('batch-c2');
    prefixes.push(prefix);
    const yamlB = checkYaml('known', `${target.url}/known`) + checkYaml('flaky-alone', `${target.url}/flaky`, ', retries: 2');
    const a = await worker('batch-c2a', checkYaml('known', `${target.url}/known`), { prefix });
    const queue = queueOn(prefix);
    const slot = Math.floor(Date.now() / 1000) * 1000;
    const set = checksOf(yamlB);
    hits.clear();
    await queue.enqueueMany(
      ['known', 'flaky-alone'].map((id) => ({ check: set.byId.get(id) as Check, slot })),
      { retryBackoffMs: 100, checksPerJob: 8 },
    );
    // Worker A runs `known` and splits `flaky-alone` off (one attempt: A cannot know its retries), then stops.
    await publishedAtLeast(redis, prefix, 1, 20_000);
    await a.stop();
    expect(hits.get('flaky')).toBeUndefined();
    // Worker B has the check: its first attempt is reset by the target, the second passes.
    await worker('batch-c2b', yamlB, { prefix, worker: { retryBackoff: '100ms' } });
    const rs = await publishedAtLeast(redis, prefix, 2, 30_000);
    await sleep(800);
    expect(await published(redis, prefix)).toHaveLength(2);
    const flaky = rs.find((r) => r.checkId === 'flaky-alone');
    expect([flaky?.status, flaky?.attempt]).toEqual(['pass', 2]);
    expect(hits.get('flaky')).toBe(2);
    const counts = await queue.counts();
    expect([counts.failed, counts.waiting + counts.active + counts.delayed]).toEqual([0, 0]);
    await queue.close();
  }, 60_000);

  it('hands back a batch the results stream refuses; a slot whose claim ran out meanwhile is a gap, not also a result', async () => {
    const prefix = testPrefix('batch-d');
    prefixes.push(prefix);
    const ids = ['d-0', 'd-1', 'd-2', 'd-3'];
    const m = await worker('batch-d', ids.map((id) => checkYaml(id, `${target.url}/${id}`)).join(''), {
      prefix,
      results: { keys: { k: '${env:BATCH_JOBS_RESULTS_KEY}' }, maxLength: 100 },
    });
    // The stream is at its cap (100 entries nobody reads).
    for (let i = 0; i < 100; i++) await redis.xadd(`${prefix}:results`, '*', 'r', 'filler');
    const queue = queueOn(prefix);
    const slot = Math.floor(Date.now() / 1000) * 1000;
    await queue.enqueueMany(
      ids.map((id) => ({ check: loadChecks(m.dir).byId.get(id) as Check, slot })),
      { retryBackoffMs: 100, checksPerJob: 8 },
    );
    await redis.pexpire(slotClaimKey(prefix, 'd-3', slot), 1500);
    await waitFor(async () => sample(await m.scrape(), 'pengawas_jobs_handed_back_total{reason="results_backlog"}'), 15_000);
    const gaps = await waitFor(async () => {
      const g = await readGaps(redis, prefix);
      return g.length ? g : undefined;
    }, 20_000);
    expect(gaps.map((g) => [g.checkId, g.reason])).toEqual([['d-3', 'results_backlog']]);
    await redis.xtrim(`${prefix}:results`, 'MAXLEN', 0);
    const rs = await publishedAtLeast(redis, prefix, 3, 20_000);
    await sleep(2500);
    expect((await published(redis, prefix)).map((r) => r.checkId).sort()).toEqual(['d-0', 'd-1', 'd-2']);
    expect(rs.every((r) => r.status === 'pass')).toBe(true);
    expect(await readGaps(redis, prefix)).toHaveLength(1);
    expect((await queue.counts()).failed).toBe(0);
    await queue.close();
  }, 60_000);

  it('a worker killed with SIGKILL mid-batch loses it to another worker: every slot published once, none lost', async () => {
    const prefix = testPrefix('batch-e');
    prefixes.push(prefix);
    const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-batch-kill-'));
    mkdirSync(path.join(dir, 'checks'));
    const ids = ['kill-0', 'kill-1', 'kill-2', 'kill-3', 'kill-4'];
    writeFileSync(path.join(dir, 'checks', 'checks.yaml'), `checks:\n${ids.map((id) => checkYaml(id, `${target.url}/${id}`)).join('')}`);
    writeFileSync(
      path.join(dir, 'settings.yaml'),
      `prefix: ${prefix}\ndataDir: ${dir}/data\nresults: { keys: { k: "\${env:BATCH_JOBS_RESULTS_KEY}" } }\nevidence: { enabled: false }\n` +
        `worker: { concurrency: 8, lockDuration: 2s, stalledInterval: 1s, retryBackoff: 200ms }\n`,
    );
    const set = loadChecks(path.join(dir, 'checks'));
    const queue = queueOn(prefix);
    const slot = Math.floor(Date.now() / 1000) * 1000;
    await queue.enqueueMany(
      ids.map((id) => ({ check: set.byId.get(id) as Check, slot })),
      { retryBackoffMs: 100, checksPerJob: 8 },
    );
    const env = { REDIS_URL, BATCH_JOBS_RESULTS_KEY: KEY };
    const start = (role: string) => startRole(role, dir, env, { logLevel: 'warn' });
    const procs = [] as Array<ReturnType<typeof startCli>>;
    try {
      for (const id of ids) hits.delete(id);
      const doomed = start('worker');
      procs.push(doomed);
      // Killed while the batch's five probes are at the target (each answers after 1.5 s, within its 2 s timeout).
      await waitFor(() => ids.every((id) => hits.get(id) === 1), 30_000, 5);
      doomed.kill('SIGKILL');
      await new Promise((r) => doomed.once('exit', r));
      expect(await published(redis, prefix)).toHaveLength(0);
      procs.push(start('worker'));
      await waitFor(() => ids.every((id) => hits.get(id) === 2), 30_000);
      const rs = await publishedAtLeast(redis, prefix, 5, 30_000);
      await sleep(1500);
      expect(rs.every((r) => r.status === 'pass')).toBe(true);
      expect(new Set(rs.map((r) => r.id)).size).toBe(5);
      expect((await published(redis, prefix)).length).toBeLessThanOrEqual(5);
      expect(ids.map((id) => hits.get(id))).toEqual([2, 2, 2, 2, 2]);
      expect((await queue.counts()).failed).toBe(0);
    } finally {
      for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
      await queue.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
