/**
 * npx tsx bench/redis-memory.ts — a bounded soak of the whole pipeline (scheduler, worker, recorder in one process)
 * against a redis-server of its own, sampling INFO memory and MEMORY USAGE by key family over time, to show that
 * Redis memory for a given check count and rate levels off once the retention window is full.
 *
 * Options (env): SOAK_CHECKS (default 100), SOAK_INTERVAL (every, default 5s), SOAK_RETENTION (results.retention,
 * default 60s), SOAK_SKEW (results.clockSkew, default 10s), SOAK_SECONDS (default 300), SOAK_SAMPLE (default 15).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { settingsSchema } from '../src/config/settings';
import { startMonitor } from '../src/monitor/monitor';
import { setLogLevel } from '../src/util/logger';
import { freePort } from '../test/helpers/net';

const CHECKS = Number(process.env.SOAK_CHECKS ?? 100);
const INTERVAL = process.env.SOAK_INTERVAL ?? '5s';
const RETENTION = process.env.SOAK_RETENTION ?? '60s';
const SKEW = process.env.SOAK_SKEW ?? '10s';
const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const SAMPLE = Number(process.env.SOAK_SAMPLE ?? 15);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Key family of a pengawas key, for the breakdown. */
function family(key: string): string {
  if (key.includes(':recorded:')) return 'markers';
  if (key.includes(':slot:')) return 'slot claims';
  if (key.endsWith(':results')) return 'results stream';
  if (key.includes(':results:')) return 'dead letters / gaps';
  return 'bullmq';
}

async function breakdown(r: IORedis): Promise<Record<string, { keys: number; bytes: number }>> {
  const out: Record<string, { keys: number; bytes: number }> = {};
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const p = r.pipeline();
    for (const k of keys) p.memory('USAGE', k);
    const sizes = (await p.exec()) ?? [];
    keys.forEach((k, i) => {
      const f = (out[family(k)] ??= { keys: 0, bytes: 0 });
      f.keys += 1;
      f.bytes += Number(sizes[i][1] ?? 0);
    });
  } while (cursor !== '0');
  return out;
}

async function usedMemory(r: IORedis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await r.info('memory'))![1]);
}

async function main(): Promise<void> {
  setLogLevel('warn');
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-soak-'));
  const port = await freePort();
  const redisServer = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const target = http.createServer((_q, s) => s.writeHead(200).end('ok'));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(target.address() as net.AddressInfo).port}/`;
  await sleep(500);
  const redis = new IORedis(`redis://127.0.0.1:${port}`);
  const checks = Array.from(
    { length: CHECKS },
    (_x, i) =>
      `  - id: soak-${i}\n    type: http\n    element: efficiency\n    schedule: { every: ${INTERVAL} }\n    timeout: 2s\n    target: ${url}\n`,
  );
  writeFileSync(path.join(dir, 'checks.yaml'), `checks:\n${checks.join('')}`);
  const settings = settingsSchema.parse({
    checksDir: dir,
    dataDir: path.join(dir, 'data'),
    prefix: 'soak',
    metrics: { port: 0, host: '127.0.0.1' },
    evidence: { enabled: false },
    results: { retention: RETENTION, clockSkew: SKEW },
  });
  const baseline = await usedMemory(redis);
  const monitor = await startMonitor({
    settings,
    roles: ['scheduler', 'worker', 'recorder'],
    redisUrl: `redis://127.0.0.1:${port}`,
    watch: false,
  });
  console.log(
    `soak: ${CHECKS} checks every ${INTERVAL}, retention ${RETENTION} + skew ${SKEW}, ${SECONDS} s; baseline used_memory ${baseline} B`,
  );
  const samples: Array<{ t: number; used: number }> = [];
  const t0 = Date.now();
  let last: Record<string, { keys: number; bytes: number }> = {};
  while (Date.now() - t0 < SECONDS * 1000) {
    await sleep(SAMPLE * 1000);
    const used = (await usedMemory(redis)) - baseline;
    last = await breakdown(redis);
    const t = Math.round((Date.now() - t0) / 1000);
    samples.push({ t, used });
    const parts = Object.entries(last)
      .map(([k, v]) => `${k} ${v.keys}k/${v.bytes}B`)
      .join(', ');
    console.log(`t=${t}s used=${used} B (${Math.round(used / CHECKS)} B/check) | ${parts}`);
  }
  const text = await (await fetch(`http://127.0.0.1:${monitor.metricsPort}/metrics`)).text();
  const recorded = Number(/pengawas_recorder_results_total\{outcome="recorded"\} (\d+)/.exec(text)?.[1] ?? 0);
  await monitor.stop();
  // One full marker bucket of this interval: what a check costs per 2 minutes of retention.
  const bucketKeys = (await redis.keys('soak:recorded:soak-0:*')).sort();
  const full = bucketKeys.length > 2 ? bucketKeys[bucketKeys.length - 2] : bucketKeys[0];
  const bucketBytes = full ? Number(await redis.memory('USAGE', full)) : 0;
  const bucketFields = full ? await redis.hlen(full) : 0;
  const tail = samples.slice(-3).map((s) => s.used);
  const mid = samples[Math.floor(samples.length * 0.6)]?.used ?? 0;
  const plateau = tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length);
  console.log(
    JSON.stringify(
      {
        checks: CHECKS,
        interval: INTERVAL,
        retention: RETENTION,
        seconds: SECONDS,
        recorded,
        plateauBytes: Math.round(plateau),
        bytesPerCheck: Math.round(plateau / CHECKS),
        growthLast40PercentBytes: Math.round(plateau - mid),
        markerBucket: {
          fields: bucketFields,
          bytes: bucketBytes,
          bytesPerMarker: bucketFields ? Math.round(bucketBytes / bucketFields) : 0,
        },
        markersPerCheckAt24hBytes: Math.round(bucketBytes * ((86_400_000 + 300_000) / 120_000)),
        breakdown: last,
      },
      null,
      1,
    ),
  );
  redis.disconnect();
  redisServer.kill('SIGTERM');
  target.close();
  rmSync(dir, { recursive: true, force: true });
}

void main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
