/**
 * npm run bench:pipeline — the whole pipeline (scheduler → Redis/BullMQ → worker → results stream → recorder) against
 * a local nginx target, side by side with prometheus-blackbox-exporter driven by wrk at the same target and
 * concurrency. Everything runs on loopback; every loop is bounded in count and time.
 *
 *   A. throughput: N checks on `every: 1s` (demand N/s) → executed checks/s, schedule lag, worker CPU and RSS.
 *   B. lag at scale: 10,000 checks on `every: 1m` → p50/p99 schedule lag.
 *   C. blackbox_exporter /probe with wrk at the same concurrency → probes/s.
 *
 * A and B run once per place the recorder keeps evidence: embedded PGlite (the default), PostgreSQL (DATABASE_URL,
 * a throw-away database on the local server) and none, since on two shared cores the recorder's store competes
 * with the probes for CPU.
 *
 * Options (env): BENCH_SECONDS (default 20), BENCH_CONCURRENCY (default 64), BENCH_THROUGHPUT_CHECKS (default 5000,
 * above what this machine can run: the executed rate is the ceiling), BENCH_LAG_CHECKS (default 10000),
 * BENCH_LAG_SECONDS (default 75), BENCH_PG_ADMIN_URL, BENCH_PROF=DIR (V8 CPU profiles of worker and recorder).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { freePort } from '../test/helpers/net';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'pengawas.js');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const THROUGHPUT_CHECKS = (process.env.BENCH_THROUGHPUT_CHECKS ?? '5000').split(',').map(Number);
const LAG_CHECKS = Number(process.env.BENCH_LAG_CHECKS ?? 10_000);
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 75);
const work = mkdtempSync(path.join(tmpdir(), 'pengawas-bench-'));
const children: ChildProcess[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function start(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const c = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  c.stderr!.on('data', () => undefined);
  children.push(c);
  return c;
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`port ${port} never opened`);
}

/** CPU seconds (user+system) and RSS bytes of a process, from /proc. */
function usage(pid: number): { cpu: number; rss: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  return { cpu: ticks / 100, rss };
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function startNginx(): Promise<number> {
  const port = await freePort();
  const dir = path.join(work, 'nginx');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:${port}; location /ok { return 200 "ok\\n"; } } }\n`,
  );
  start('nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir]);
  await waitPort(port);
  return port;
}

let redisPid = 0;

async function startRedis(): Promise<string> {
  const port = await freePort();
  redisPid = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction']).pid!;
  await waitPort(port);
  return `redis://127.0.0.1:${port}`;
}

function writeChecks(dir: string, n: number, schedule: string, target: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const lines = ['checks:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  - { id: bench-${i}, type: http, element: efficiency, schedule: ${schedule}, timeout: 900ms, retries: 0, target: "${target}" }`);
  }
  writeFileSync(path.join(dir, 'checks.yaml'), `${lines.join('\n')}\n`);
}

interface PipelineRun {
  checks: number;
  executedPerSec: number;
  lagP50: number;
  lagP99: number;
  workerCpuPct: number;
  workerRssMb: number;
  /** CPU of the scheduler, recorder and redis-server over the window, for finding the bottleneck. */
  otherCpu: string;
  pass: number;
  total: number;
}

/** Where the recorder keeps evidence in a run: embedded PGlite, PostgreSQL, or nowhere (metrics only). */
interface Evidence {
  label: string;
  settings: string;
  env: NodeJS.ProcessEnv;
}

async function runPipeline(redisUrl: string, n: number, schedule: string, seconds: number, target: string, tag: string, ev: Evidence): Promise<PipelineRun> {
  const checksDir = path.join(work, `checks-${tag}`);
  writeChecks(checksDir, n, schedule, target);
  const prefix = `bench-${tag}`;
  const settings = path.join(work, `settings-${tag}.yaml`);
  writeFileSync(settings, `prefix: ${prefix}\ndataDir: ${work}/data-${tag}\nlogLevel: warn\nworker: { concurrency: ${CONCURRENCY} }\nresults: { maxLength: 2000000 }\n${ev.settings}\n`);
  const common = ['--checks', checksDir, '--config', settings, '--metrics-port', '0'];
  // Worker and recorder run apart, so they share a results key (by reference; a random one per bench run).
  const env = { REDIS_URL: redisUrl, PENGAWAS_RESULTS_KEY: '${env:BENCH_RESULTS_KEY}', BENCH_RESULTS_KEY: randomBytes(32).toString('hex'), ...ev.env };
  // BENCH_PROF=DIR writes V8 CPU profiles of the worker and recorder there (for finding hot spots).
  const prof = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
  const worker = start(process.execPath, [...prof, BIN, 'worker', ...common], env);
  const recorder = start(process.execPath, [...prof, BIN, 'recorder', ...common], env);
  await sleep(1500);
  const scheduler = start(process.execPath, [BIN, 'scheduler', ...common], env);
  const warmup = 3000;
  await sleep(warmup);
  const redis = new IORedis(redisUrl);
  const from = Date.now();
  const u0 = usage(worker.pid!);
  const others = [scheduler.pid!, recorder.pid!, redisPid];
  const o0 = others.map((p) => usage(p).cpu);
  let rssMax = 0;
  const end = from + seconds * 1000;
  while (Date.now() < end) {
    await sleep(1000);
    rssMax = Math.max(rssMax, usage(worker.pid!).rss);
  }
  const to = Date.now();
  const u1 = usage(worker.pid!);
  const o1 = others.map((p) => usage(p).cpu);
  // Results whose run finished inside the window; lag = start - slot.
  const entries = await redis.xrange(`${prefix}:results`, String(from), String(to));
  const lags: number[] = [];
  let pass = 0;
  for (const [, fields] of entries) {
    const r = JSON.parse(fields[1]) as { startedAt: string; scheduledAt: string; status: string };
    lags.push(Date.parse(r.startedAt) - Date.parse(r.scheduledAt));
    if (r.status === 'pass') pass += 1;
  }
  lags.sort((a, b) => a - b);
  for (const c of [scheduler, worker, recorder]) c.kill('SIGTERM');
  await sleep(1500);
  await redis.flushall();
  redis.disconnect();
  return {
    checks: n,
    executedPerSec: entries.length / ((to - from) / 1000),
    lagP50: pct(lags, 50),
    lagP99: pct(lags, 99),
    workerCpuPct: ((u1.cpu - u0.cpu) / ((to - from) / 1000)) * 100,
    workerRssMb: rssMax / 1048576,
    otherCpu: o1.map((c, i) => `${Math.round(((c - o0[i]) / ((to - from) / 1000)) * 100)}%`).join(' / '),
    pass,
    total: entries.length,
  };
}

async function runBlackbox(target: string, seconds: number): Promise<{ probesPerSec: number; cpuPct: number; rssMb: number }> {
  const port = await freePort();
  const cfg = path.join(work, 'blackbox.yml');
  writeFileSync(cfg, 'modules:\n  http_2xx:\n    prober: http\n    timeout: 1s\n    http:\n      preferred_ip_protocol: ip4\n');
  const bb = start('prometheus-blackbox-exporter', [`--config.file=${cfg}`, `--web.listen-address=127.0.0.1:${port}`]);
  await waitPort(port);
  const u0 = usage(bb.pid!);
  const url = `http://127.0.0.1:${port}/probe?module=http_2xx&target=${encodeURIComponent(target)}`;
  const out = execFileSync('wrk', ['-t', '2', '-c', String(CONCURRENCY), '-d', `${seconds}s`, url], { encoding: 'utf8' });
  const u1 = usage(bb.pid!);
  const rss = usage(bb.pid!).rss;
  bb.kill('SIGTERM');
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]);
  return { probesPerSec: rps, cpuPct: ((u1.cpu - u0.cpu) / seconds) * 100, rssMb: rss / 1048576 };
}

/** A throw-away database on the local PostgreSQL (trust auth), when one answers. */
async function createBenchDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const admin = new Client({ connectionString: process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test' });
  try {
    await admin.connect();
  } catch {
    console.log('(PostgreSQL not reachable: skipping the PostgreSQL evidence run)');
    return undefined;
  }
  const name = `pengawas_bench_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const base = new URL(process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  base.pathname = `/${name}`;
  return {
    url: base.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function main(): Promise<void> {
  const nginxPort = await startNginx();
  const target = `http://127.0.0.1:${nginxPort}/ok`;
  const redisUrl = await startRedis();
  const rows: string[] = [];
  const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  console.log(`pengawas pipeline benchmark — ${new Date().toISOString()}, 2 cores, concurrency ${CONCURRENCY}, target nginx ${target}`);

  const bb = await runBlackbox(target, SECONDS);
  rows.push(`| blackbox_exporter /probe via wrk -c ${CONCURRENCY} | - | ${fmt(bb.probesPerSec)} | - | - | ${fmt(bb.cpuPct, 0)}% | ${fmt(bb.rssMb)} | - |`);

  const evidence: Evidence[] = [{ label: 'evidence in embedded PGlite', settings: '', env: { DATABASE_URL: '' } }];
  const pgDb = await createBenchDatabase();
  if (pgDb) evidence.push({ label: 'evidence in PostgreSQL', settings: '', env: { DATABASE_URL: pgDb.url } });
  evidence.push({ label: 'no evidence store', settings: 'evidence: { enabled: false }', env: { DATABASE_URL: '' } });
  try {
    for (const ev of evidence) {
      for (const n of THROUGHPUT_CHECKS) {
        const r = await runPipeline(redisUrl, n, '{ every: 1s }', SECONDS, target, `tp${n}-${evidence.indexOf(ev)}`, ev);
        rows.push(`| pengawas, ${n} checks every 1s (demand ${n}/s), ${ev.label} | ${n} | ${fmt(r.executedPerSec)} (${r.pass}/${r.total} pass) = ${fmt(r.executedPerSec / bb.probesPerSec, 2)}× | ${fmt(r.lagP50, 0)} | ${fmt(r.lagP99, 0)} | ${fmt(r.workerCpuPct, 0)}% | ${fmt(r.workerRssMb)} | ${r.otherCpu} |`);
      }
    }
    const lag = await runPipeline(redisUrl, LAG_CHECKS, '{ every: 1m }', LAG_SECONDS, target, 'lag', evidence[0]);
    rows.push(`| pengawas, ${LAG_CHECKS} checks every 1m, ${evidence[0].label} | ${LAG_CHECKS} | ${fmt(lag.executedPerSec)} (${lag.pass}/${lag.total} pass) | ${fmt(lag.lagP50, 0)} | ${fmt(lag.lagP99, 0)} | ${fmt(lag.workerCpuPct, 0)}% | ${fmt(lag.workerRssMb)} | ${lag.otherCpu} |`);
  } finally {
    await pgDb?.drop();
  }

  console.log('\n| run | checks | executed checks/s (probes/s) | lag p50 ms | lag p99 ms | worker (or exporter) CPU | RSS MB | scheduler / recorder / redis CPU |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });
