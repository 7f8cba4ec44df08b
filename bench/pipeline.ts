/**
 * npm run bench:pipeline — the whole pipeline (scheduler → Redis/BullMQ → worker → results stream → recorder) against
 * a local nginx target, side by side with prometheus-blackbox-exporter driven by wrk at the same target and
 * concurrency. Everything runs on loopback; every loop is bounded in count and time.
 *
 *   A. throughput: N checks on `every: 1s` (demand N/s) → executed checks/s, schedule lag, worker CPU and RSS.
 *   B. lag at scale: 10,000 checks on `every: 1m` → p50/p99 schedule lag.
 *   C. blackbox_exporter /probe with wrk at the same concurrency → probes/s.
 *
 * A and B run once per place the recorder keeps evidence: embedded SQLite (the default), PostgreSQL (DATABASE_URL,
 * a throw-away database on the local server) and none, since on two shared cores the recorder's store competes
 * with the probes for CPU. Each A run also reports CPU seconds per 1,000 checks (worker + scheduler + recorder +
 * redis-server), Redis commands and network bytes per check (INFO commandstats/stats deltas), and evidence rows
 * and bytes per result (docs/scaling.md is built from these).
 *
 * Options (env): BENCH_SECONDS (default 20), BENCH_CONCURRENCY (default 64), BENCH_THROUGHPUT_CHECKS (checks on
 * `every: 1s`, comma-separated for several runs; default `auto`: 1.1 × the exporter's probes/s measured just before,
 * so demand is just above what the exporter does and pengawas is saturated without shedding most of its slots — a
 * fixed 5,000 on two cores measures the scheduler shedding 3,000 slots a second as gaps, not the cost of a check), BENCH_LAG_CHECKS (default 10000),
 * BENCH_LAG_SECONDS (default 75; 0 skips B), BENCH_PG_ADMIN_URL, BENCH_PROF=DIR (V8 CPU profiles of worker, recorder
 * and scheduler), BENCH_STORES (default sqlite,postgres,none), BENCH_CHECKS_PER_JOB (default 8).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { freePort } from '../test/helpers/net';

const ROOT = path.resolve(__dirname, '..');
/** BENCH_BIN: another build of pengawas to measure (e.g. a checkout of main, for before/after in one session). */
const BIN = process.env.BENCH_BIN ?? path.join(ROOT, 'bin', 'pengawas.js');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const THROUGHPUT_CHECKS = (process.env.BENCH_THROUGHPUT_CHECKS ?? 'auto').split(',').map((x) => (x === 'auto' ? 'auto' : Number(x)));
const LAG_CHECKS = Number(process.env.BENCH_LAG_CHECKS ?? 10_000);
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 75);
const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres,none').split(',');
/** BENCH_CHECKS_PER_JOB: scheduler.checksPerJob of the measured monitor (default 8; 1 measures a job per slot). */
const CHECKS_PER_JOB = Number(process.env.BENCH_CHECKS_PER_JOB ?? 8);
/**
 * The target nginx listens on eight loopback addresses and checks and probes are spread over them, and each measured
 * run waits for the last run's TIME_WAIT sockets to expire (settleConnections). One check or probe
 * is one new TCP connection, and a closed one holds its source port in TIME_WAIT for 60 s: at ~2,000 a second against
 * one address the 28,232 ephemeral ports (32768-60999) are all in TIME_WAIT within 15 s, connect() slows to a search
 * for a reusable port, and which tool ran just before decided the result (runs of one build swung 0.67-1.05x).
 */
const TARGET_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`);
const work = mkdtempSync(path.join(tmpdir(), 'pengawas-bench-'));
/** Every child's pid, one a line, for the watchdog (startWatchdog). */
const PIDS = path.join(work, 'pids');
const children: ChildProcess[] = [];
/** The last 4 KB each child wrote to stderr, shown when a run cannot be measured. */
const stderrTail = new Map<ChildProcess, string>();
const stdoutTail = new Map<ChildProcess, string>();

/** Waits (bounded) for a role's "pengawas started" log line: on a loaded machine start-up takes seconds. */
async function started(c: ChildProcess, role: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (`${stdoutTail.get(c) ?? ''}${stderrTail.get(c) ?? ''}`.includes('pengawas started')) return;
    if (c.exitCode !== null) throw new Error(`${role} exited: ${stderrTail.get(c) ?? ''}${stdoutTail.get(c) ?? ''}`);
    await sleep(100);
  }
  throw new Error(`${role} did not start in 120 s`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function start(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const c = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  c.stdout!.on('data', (d) => stdoutTail.set(c, ((stdoutTail.get(c) ?? '') + d).slice(-4096)));
  c.stderr!.on('data', (d) => stderrTail.set(c, ((stderrTail.get(c) ?? '') + d).slice(-4096)));
  children.push(c);
  if (c.pid) appendFileSync(PIDS, `${c.pid}\n`);
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

/** CPU seconds of every PostgreSQL server process by pid (its backends serve the recorder's pool), from /proc. */
function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres') out.set(Number(d), usage(Number(d)).cpu);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU used by PostgreSQL between two readings (a backend that started meanwhile counts whole). */
function postgresUsed(before: Map<number, number>, after: Map<number, number>): number {
  let s = 0;
  for (const [pid, cpu] of after) s += cpu - (before.get(pid) ?? 0);
  return s;
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

let nginx: ChildProcess | undefined;

/** The pids whose parent is `pid` (from /proc), e.g. nginx's worker under its master. */
function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/**
 * nginx's master must stop its worker itself: SIGKILL of the master alone left the worker running (an nginx
 * process outliving the bench). Its worker's pid is read first; if the master has not stopped in 5 s, both are
 * killed by pid.
 */
async function stopNginx(): Promise<void> {
  if (!nginx || nginx.exitCode !== null || nginx.signalCode !== null) return;
  const workers = childPids(nginx.pid!);
  const gone = new Promise<void>((r) => nginx!.once('exit', () => r()));
  nginx.kill('SIGTERM'); // fast shutdown: the master signals its worker and waits for it
  await Promise.race([gone, sleep(5000)]);
  for (const pid of [nginx.pid!, ...workers]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function startNginx(): Promise<number> {
  const port = await freePort();
  const dir = path.join(work, 'nginx');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 4096; }
http { access_log off; server { ${TARGET_ADDRESSES.map((a) => `listen ${a}:${port};`).join(' ')} location /ok { return 200 "ok\\n"; } } }\n`,
  );
  nginx = start('nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir]);
  await waitPort(port);
  return port;
}

let redisPid = 0;

async function startRedis(): Promise<string> {
  const port = await freePort();
  redisPid = start('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'noeviction',
  ]).pid!;
  await waitPort(port);
  return `redis://127.0.0.1:${port}`;
}

function writeChecks(dir: string, n: number, schedule: string, targets: string[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const lines = ['checks:'];
  for (let i = 0; i < n; i++) {
    lines.push(
      `  - { id: bench-${i}, type: http, element: efficiency, schedule: ${schedule}, timeout: 900ms, retries: 0, target: "${targets[i % targets.length]}" }`,
    );
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
  /** CPU seconds of all four processes per 1,000 executed checks. */
  cpuPer1000: number;
  /** Redis commands (incl. those inside scripts) and network bytes in+out per executed check. */
  redisCallsPerCheck: number;
  redisBytesPerCheck: number;
  /** Evidence store rows and bytes per recorded result (undefined without a store). */
  rowsPerResult?: number;
  bytesPerResult?: number;
  pass: number;
  total: number;
}

/** Where the recorder keeps evidence in a run: embedded PGlite, PostgreSQL, or nowhere (metrics only). */
interface Evidence {
  label: string;
  settings: string;
  env: NodeJS.ProcessEnv;
  /** Rows and bytes per result in the store after a run (the store is fresh per run). */
  measure?(dataDir: string): Promise<{ rowsPerResult: number; bytesPerResult: number }>;
}

/** Commands Redis executed (commandstats, scripts' inner calls included) and network bytes in+out so far. */
async function redisCounters(r: IORedis): Promise<{ calls: number; bytes: number; byCommand: Map<string, number> }> {
  const cmd = await r.info('commandstats');
  let calls = 0;
  const byCommand = new Map<string, number>();
  for (const m of cmd.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls += Number(m[2]);
    byCommand.set(m[1], Number(m[2]));
  }
  const stats = await r.info('stats');
  const num = (k: string) => Number(new RegExp(`^${k}:(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
  return { calls, bytes: num('total_net_input_bytes') + num('total_net_output_bytes'), byCommand };
}

/** Rows in every evidence table and the store's size on disk / in PostgreSQL, divided by the results kept. */
async function measureStore(
  q: (sql: string) => Promise<Array<Record<string, unknown>>>,
  size: () => Promise<number>,
): Promise<{ rowsPerResult: number; bytesPerResult: number }> {
  const results = Number((await q('SELECT count(*) AS n FROM evidence_results'))[0].n);
  // Every table a recorded result can add rows to (src/evidence/migrations); fixed rows (meta, signers) are noise.
  const tables = [
    'evidence_results',
    'evidence_rollups',
    'evidence_finding_rollups',
    'evidence_incidents',
    'evidence_chain_heads',
    'evidence_lifecycle',
    'evidence_configs',
  ];
  let rows = 0;
  for (const t of tables) rows += Number((await q(`SELECT count(*) AS n FROM ${t}`))[0].n);
  return { rowsPerResult: rows / Math.max(1, results), bytesPerResult: (await size()) / Math.max(1, results) };
}

async function runPipeline(
  redisUrl: string,
  n: number,
  schedule: string,
  seconds: number,
  targets: string[],
  tag: string,
  ev: Evidence,
): Promise<PipelineRun> {
  await settleConnections();
  const checksDir = path.join(work, `checks-${tag}`);
  writeChecks(checksDir, n, schedule, targets);
  const prefix = `bench-${tag}`;
  const settings = path.join(work, `settings-${tag}.yaml`);
  writeFileSync(
    settings,
    `prefix: ${prefix}\ndataDir: ${work}/data-${tag}\nlogLevel: info\nworker: { concurrency: ${CONCURRENCY} }\n${CHECKS_PER_JOB === 1 ? '' : `scheduler: { checksPerJob: ${CHECKS_PER_JOB} }\n`}results: { maxLength: 2000000 }\n${ev.settings}\n`,
  );
  const common = ['--checks', checksDir, '--config', settings, '--metrics-port', '0', '--log-level', 'info'];
  // Worker and recorder run apart, so they share a results key (by reference; a random one per bench run).
  const env = {
    REDIS_URL: redisUrl,
    PENGAWAS_RESULTS_KEY: '${env:BENCH_RESULTS_KEY}',
    BENCH_RESULTS_KEY: randomBytes(32).toString('hex'),
    ...ev.env,
  };
  // BENCH_PROF=DIR writes V8 CPU profiles of the worker and recorder there (for finding hot spots).
  const prof = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
  const worker = start(process.execPath, [...prof, BIN, 'worker', ...common], env);
  const recorder = start(process.execPath, [...prof, BIN, 'recorder', ...common], env);
  await Promise.all([started(worker, 'worker'), started(recorder, 'recorder')]);
  const scheduler = start(process.execPath, [...prof, BIN, 'scheduler', ...common], env);
  await started(scheduler, 'scheduler');
  const warmup = 3000;
  await sleep(warmup);
  const redis = new IORedis(redisUrl);
  const r0 = await redisCounters(redis);
  const from = Date.now();
  // Recorders trim what they recorded, so the stream is read as it grows (XREAD from the window's start), with this
  // reader's cursor reported like a recorder's metrics follower so trimming waits for it.
  const reader = new IORedis(redisUrl);
  const entries: Array<[string, string[]]> = [];
  let cursor = `${from}-0`;
  let reading = true;
  const readLoop = (async () => {
    while (reading) {
      const res = (await reader.xread('COUNT', 5000, 'BLOCK', 200, 'STREAMS', `${prefix}:results`, cursor)) as Array<
        [string, Array<[string, string[]]>]
      > | null;
      for (const e of res?.[0][1] ?? []) {
        cursor = e[0];
        entries.push(e);
      }
      await reader.hset(`${prefix}:results:cursors`, 'bench', `${cursor} ${Date.now()}`);
    }
  })();
  const u0 = usage(worker.pid!);
  const others = [scheduler.pid!, recorder.pid!, redisPid];
  const o0 = others.map((p) => usage(p).cpu);
  const pg0 = postgresCpu();
  let rssMax = 0;
  const end = from + seconds * 1000;
  while (Date.now() < end) {
    await sleep(1000);
    rssMax = Math.max(rssMax, usage(worker.pid!).rss);
  }
  const to = Date.now();
  const u1 = usage(worker.pid!);
  const o1 = others.map((p) => usage(p).cpu);
  const pgUsed = postgresUsed(pg0, postgresCpu());
  const r1 = await redisCounters(redis);
  // Slots the scheduler shed (queue at scheduler.maxBacklog) since the run began, warm-up included: each is a gap
  // (an entry of the gaps stream lists up to 500, its field `n` says how many).
  const gapEntries = await redis.xrange(`${prefix}:results:gaps`, '-', '+');
  const gapsListed = gapEntries.reduce((n, [, f]) => n + Number(f.includes('n') ? f[f.indexOf('n') + 1] : 1), 0);
  // Results published inside the window; lag = start - slot.
  await sleep(300);
  reading = false;
  await readLoop;
  reader.disconnect();
  const toId = to;
  for (let i = entries.length - 1; i >= 0 && Number(entries[i][0].split('-')[0]) > toId; i--) entries.pop();
  const lags: number[] = [];
  let pass = 0;
  for (const [, fields] of entries) {
    const r = JSON.parse(fields[1]) as { startedAt: string; scheduledAt: string; status: string };
    lags.push(Date.parse(r.startedAt) - Date.parse(r.scheduledAt));
    if (r.status === 'pass') pass += 1;
  }
  lags.sort((a, b) => a - b);
  for (const c of [scheduler, worker, recorder]) c.kill('SIGTERM');
  // Bounded: a role that does not stop in 15 s is killed (the finally block SIGKILLs every child anyway).
  await Promise.race([
    Promise.all([scheduler, worker, recorder].map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined))),
    sleep(15_000),
  ]);
  await redis.flushall();
  redis.disconnect();
  const store = await ev.measure?.(`${work}/data-${tag}`).catch((e: Error) => {
    console.log(`(${ev.label}: store not measured: ${e.message}; recorder said: ${stderrTail.get(recorder) ?? ''})`);
    return undefined;
  });
  const cpu = u1.cpu - u0.cpu + o1.reduce((n, c, i) => n + c - o0[i], 0);
  const per1000 = (s: number) => ((s / Math.max(1, entries.length)) * 1000).toFixed(2);
  console.log(
    `(${tag}, ${ev.label}) CPU s per 1,000 checks: worker ${per1000(u1.cpu - u0.cpu)}, scheduler ${per1000(o1[0] - o0[0])}, recorder ${per1000(o1[1] - o0[1])}, redis ${per1000(o1[2] - o0[2])}; PostgreSQL server (not in the total) ${per1000(pgUsed)}`,
  );
  const perCommand = [...r1.byCommand]
    .map(([c, n]) => [c, (n - (r0.byCommand.get(c) ?? 0)) / Math.max(1, entries.length)] as const)
    .filter(([, n]) => n >= 0.05)
    .sort((a, b) => b[1] - a[1]);
  console.log(`(${tag}) gaps listed (slots shed or expired, whole run incl. warm-up): ${gapsListed}`);
  console.log(`(${tag}) Redis commands per check: ${perCommand.map(([c, n]) => `${c} ${n.toFixed(2)}`).join(', ')}`);
  return {
    cpuPer1000: (cpu / Math.max(1, entries.length)) * 1000,
    redisCallsPerCheck: (r1.calls - r0.calls) / Math.max(1, entries.length),
    redisBytesPerCheck: (r1.bytes - r0.bytes) / Math.max(1, entries.length),
    rowsPerResult: store?.rowsPerResult,
    bytesPerResult: store?.bytesPerResult,
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

/** Sockets in TIME_WAIT, as `ss` counts them (Node's readFileSync of /proc/net/tcp stops after the first pages). */
function timeWaitSockets(): number {
  try {
    return execFileSync('ss', ['-H', '-t', '-a', '-n', 'state', 'time-wait'], { encoding: 'utf8', maxBuffer: 64 << 20 })
      .split('\n')
      .filter(Boolean).length;
  } catch {
    return 0; // no ss here: measure without waiting
  }
}

/**
 * Waits (at most 70 s) until the sockets left in TIME_WAIT by the last run have expired, so each measured run, the
 * exporter's and pengawas's alike, starts with the kernel's connection tables as empty as the first one did.
 */
async function settleConnections(): Promise<void> {
  const until = Date.now() + 70_000;
  while (timeWaitSockets() > 2000 && Date.now() < until) await sleep(1000);
}

async function runBlackbox(
  targets: string[],
  seconds: number,
): Promise<{ probesPerSec: number; cpuPct: number; rssMb: number; cpuPer1000: number }> {
  const port = await freePort();
  const cfg = path.join(work, 'blackbox.yml');
  writeFileSync(cfg, 'modules:\n  http_2xx:\n    prober: http\n    timeout: 1s\n    http:\n      preferred_ip_protocol: ip4\n');
  await settleConnections();
  const bb = start('prometheus-blackbox-exporter', [`--config.file=${cfg}`, `--web.listen-address=127.0.0.1:${port}`]);
  await waitPort(port);
  const u0 = usage(bb.pid!);
  // Each request names the next target address in turn, as pengawas's checks are spread over them.
  const script = path.join(work, 'targets.lua');
  writeFileSync(
    script,
    `local paths = { ${targets.map((t) => `"/probe?module=http_2xx&target=${encodeURIComponent(t)}"`).join(', ')} }
local requests = {}
local i = 0
-- Built once per thread: the request function only picks the next one (wrk's CPU is not the exporter's to pay).
init = function(args)
  for n, p in ipairs(paths) do requests[n] = wrk.format(nil, p) end
end
request = function()
  i = i + 1
  return requests[(i % #requests) + 1]
end\n`,
  );
  // wrk runs as a child like the others (not execFileSync): a blocked event loop would hold off Ctrl-C and SIGTERM,
  // and with them the cleanup, for the whole measurement.
  const wrk = start('wrk', ['-t', '2', '-c', String(CONCURRENCY), '-d', `${seconds}s`, '-s', script, `http://127.0.0.1:${port}/`]);
  const code = await new Promise<number | null>((r) => wrk.once('close', r)); // 'close': its output is all read
  const out = stdoutTail.get(wrk) ?? '';
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${stderrTail.get(wrk) ?? ''}`);
  const u1 = usage(bb.pid!);
  const rss = usage(bb.pid!).rss;
  bb.kill('SIGTERM');
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]);
  const requests = Number(/(\d+) requests in/.exec(out)![1]);
  return {
    probesPerSec: rps,
    cpuPct: ((u1.cpu - u0.cpu) / seconds) * 100,
    rssMb: rss / 1048576,
    cpuPer1000: ((u1.cpu - u0.cpu) / Math.max(1, requests)) * 1000,
  };
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

/**
 * A watchdog outside the bench's process tree: if the bench dies without cleaning up (SIGKILL, or tsx, which kills
 * its child when the child does not acknowledge a relayed signal within 30 ms: under load it often cannot), it stops
 * every child listed in the pids file (nginx's workers too), then deletes the work folder. A bench that cleans up
 * deletes the folder itself, and the watchdog, finding no pids file, stops nothing.
 */
function startWatchdog(): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done
[ -f '${PIDS}' ] || exit 0
kids=''
for p in $(cat '${PIDS}'); do kids="$kids $(cat /proc/$p/task/*/children 2>/dev/null)"; kill -TERM $p 2>/dev/null; done
sleep 3
for p in $(cat '${PIDS}') $kids; do kill -KILL $p 2>/dev/null; done
rm -rf '${work}'`;
  spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
}

async function main(): Promise<void> {
  startWatchdog();
  const nginxPort = await startNginx();
  const targets = TARGET_ADDRESSES.map((a) => `http://${a}:${nginxPort}/ok`);
  const redisUrl = await startRedis();
  const rows: string[] = [];
  // Each row is printed as soon as it is measured too, so a run cut short still reports what it had.
  const push = rows.push.bind(rows);
  rows.push = (...r: string[]) => (r.forEach((x) => console.log(`row: ${x}`)), push(...r));
  const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  console.log(
    `pengawas pipeline benchmark — ${new Date().toISOString()}, 2 cores, concurrency ${CONCURRENCY}, target nginx on ${targets.length} loopback addresses, port ${nginxPort}`,
  );

  // The exporter is measured right before each pengawas run, and each ratio is against that measurement: on a shared
  // machine the load changes within minutes, and one exporter figure at the start flattered or punished later runs.
  const blackbox = async () => {
    const bb = await runBlackbox(targets, SECONDS);
    rows.push(
      `| blackbox_exporter /probe via wrk -c ${CONCURRENCY} | - | ${fmt(bb.probesPerSec)} | - | - | ${fmt(bb.cpuPct, 0)}% | ${fmt(bb.rssMb)} | - | ${fmt(bb.cpuPer1000, 2)} (exporter only) | - |`,
    );
    return bb;
  };

  const evidence: Evidence[] = [];
  if (STORES.includes('sqlite')) {
    evidence.push({
      label: 'evidence in embedded SQLite',
      settings: '',
      env: { DATABASE_URL: '' },
      measure: async (dataDir) => {
        const { EvidenceStore } = await import('../src/evidence/store');
        const store = await EvidenceStore.open({ dataDir });
        try {
          const dir = path.join(dataDir, 'evidence');
          const size = async () => readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
          return await measureStore((sql) => store.db.query(sql), size);
        } finally {
          await store.close();
        }
      },
    });
  }
  const pgDb = STORES.includes('postgres') ? await createBenchDatabase() : undefined;
  if (pgDb) {
    evidence.push({
      label: 'evidence in PostgreSQL',
      settings: '',
      env: { DATABASE_URL: pgDb.url },
      measure: async () => {
        const c = new Client({ connectionString: pgDb.url });
        await c.connect();
        try {
          const r = await measureStore(
            async (sql) => (await c.query(sql)).rows,
            async () =>
              Number(
                (await c.query("SELECT pg_database_size(current_database()) - (SELECT pg_database_size('template1')) AS n")).rows[0].n,
              ),
          );
          await c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
          return r;
        } finally {
          await c.end();
        }
      },
    });
  }
  if (STORES.includes('none'))
    evidence.push({ label: 'no evidence store', settings: 'evidence: { enabled: false }', env: { DATABASE_URL: '' } });
  try {
    for (const ev of evidence) {
      for (const wanted of THROUGHPUT_CHECKS) {
        const bb = await blackbox();
        const n = wanted === 'auto' ? Math.round((bb.probesPerSec * 1.1) / 10) * 10 : wanted;
        const r = await runPipeline(redisUrl, n, '{ every: 1s }', SECONDS, targets, `tp${n}-${evidence.indexOf(ev)}`, ev);
        rows.push(
          `| pengawas, ${n} checks every 1s (demand ${n}/s), ${ev.label} | ${n} | ${fmt(r.executedPerSec)} (${r.pass}/${r.total} pass) = ${fmt(r.executedPerSec / bb.probesPerSec, 2)}× | ${fmt(r.lagP50, 0)} | ${fmt(r.lagP99, 0)} | ${fmt(r.workerCpuPct, 0)}% | ${fmt(r.workerRssMb)} | ${r.otherCpu} | ${fmt(r.cpuPer1000, 2)} | ${fmt(r.redisCallsPerCheck)} cmds, ${fmt(r.redisBytesPerCheck, 0)} B${r.rowsPerResult !== undefined ? `; store ${fmt(r.rowsPerResult, 2)} rows, ${fmt(r.bytesPerResult!, 0)} B per result` : ''} |`,
        );
      }
    }
    if (LAG_SECONDS > 0 && evidence.length) {
      const lag = await runPipeline(redisUrl, LAG_CHECKS, '{ every: 1m }', LAG_SECONDS, targets, 'lag', evidence[0]);
      rows.push(
        `| pengawas, ${LAG_CHECKS} checks every 1m, ${evidence[0].label} | ${LAG_CHECKS} | ${fmt(lag.executedPerSec)} (${lag.pass}/${lag.total} pass) | ${fmt(lag.lagP50, 0)} | ${fmt(lag.lagP99, 0)} | ${fmt(lag.workerCpuPct, 0)}% | ${fmt(lag.workerRssMb)} | ${lag.otherCpu} | ${fmt(lag.cpuPer1000, 2)} | ${fmt(lag.redisCallsPerCheck)} cmds, ${fmt(lag.redisBytesPerCheck, 0)} B |`,
      );
    }
  } finally {
    await pgDb?.drop();
  }

  console.log(
    '\n| run | checks | executed checks/s (probes/s) | lag p50 ms | lag p99 ms | worker (or exporter) CPU | RSS MB | scheduler / recorder / redis CPU | CPU s per 1,000 checks (all processes) | Redis and store per check |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

let cleaning: Promise<void> | undefined;
/** Stops every child (nginx first, by pid) and removes the work folder; once, whichever way the bench ends. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopNginx();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  })();
  return cleaning;
}

// Ctrl-C or a kill of the bench must not leave nginx, Redis or a pengawas role running.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.once(sig, () => {
    console.error(`bench: ${sig}, stopping every child`);
    void cleanup().finally(() => process.exit(130));
  });

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(cleanup);
