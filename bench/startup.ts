/**
 * `npm run bench:startup`: how long `pengawas run` takes from spawn to "pengawas started" and to its first result
 * recorded in the evidence store, with the embedded SQLite store (a new data folder each run) and with PostgreSQL
 * (a new database each run). Redis is already reachable; one check on a 1 s schedule against a closed loopback
 * port (an `error` result in milliseconds). Medians of BENCH_RUNS (default 5) runs. Needs `npm run build`.
 * Env: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres), REDIS_URL.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';

const ROOT = path.resolve(__dirname, '..');
const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CHECKS =
  'checks:\n  - id: startup-probe\n    name: startup probe\n    type: http\n    element: security\n    schedule: { every: 1s }\n    timeout: 1s\n    retries: 0\n    target: http://127.0.0.1:9/\n';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function once(backend: 'sqlite' | 'postgres'): Promise<{ started: number; recorded: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-bench-start-'));
  mkdirSync(path.join(dir, 'checks'));
  writeFileSync(path.join(dir, 'checks', 'checks.yaml'), CHECKS);
  const prefix = `bench-start-${randomBytes(4).toString('hex')}`;
  let url = '';
  let db: string | undefined;
  if (backend === 'postgres') {
    db = `pengawas_start_${randomBytes(4).toString('hex')}`;
    const admin = new Client(PG);
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.end();
    const u = new URL(PG);
    u.pathname = `/${db}`;
    url = u.toString();
  }
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'pengawas.js'), 'run', '--checks', path.join(dir, 'checks'), '--prefix', prefix, '--metrics-port', '0'],
    {
      env: { ...process.env, PENGAWAS_DATA_DIR: path.join(dir, 'data'), DATABASE_URL: url, REDIS_URL, PENGAWAS_LOG_LEVEL: 'info' },
    },
  );
  let out = '';
  try {
    const started = await new Promise<{ ms: number; port: number }>((resolve, reject) => {
      const onData = (d: Buffer) => {
        out += d;
        const m = /"metricsPort":(\d+).*"msg":"pengawas started"/.exec(out);
        if (m) resolve({ ms: performance.now() - t0, port: Number(m[1]) });
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`pengawas run exited ${code}: ${out}`)));
    });
    for (;;) {
      const text = await (await fetch(`http://127.0.0.1:${started.port}/metrics`)).text();
      if (/^pengawas_recorder_results_total\{outcome="recorded"\} [1-9]/m.test(text))
        return { started: started.ms, recorded: performance.now() - t0 };
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGKILL');
    const redis = new IORedis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
    if (db) {
      const admin = new Client(PG);
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.end();
    }
  }
}

async function main(): Promise<void> {
  process.stdout.write(
    `| backend | spawn → "pengawas started" ms (median of ${RUNS}) | spawn → first result recorded ms | runs (started / recorded) |\n|---|---|---|---|\n`,
  );
  for (const backend of ['sqlite', 'postgres'] as const) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once(backend));
    const list = runs.map((r) => `${r.started.toFixed(0)}/${r.recorded.toFixed(0)}`).join(', ');
    process.stdout.write(
      `| ${backend} | ${median(runs.map((r) => r.started)).toFixed(0)} | ${median(runs.map((r) => r.recorded)).toFixed(0)} | ${list} |\n`,
    );
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
