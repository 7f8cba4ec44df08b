/**
 * `npm run bench:config`: how long `pengawas validate` takes, and its peak memory, on folders of generated `http`
 * checks (default 20,000 and 200,000, in files of 10,000; BENCH_CONFIG_SIZES=20000,200000). Each size runs
 * BENCH_RUNS times (default 3) as a fresh process under GNU time; medians are printed, with CPU time beside wall
 * time (on a shared machine the wall time mostly measures the wait for a core). Needs `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const SIZES = (process.env.BENCH_CONFIG_SIZES ?? '20000,200000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PER_FILE = 10_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function folder(n: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-bench-config-'));
  for (let f = 0; f * PER_FILE < n; f++) {
    const lines = ['checks:'];
    for (let i = f * PER_FILE; i < Math.min(n, (f + 1) * PER_FILE); i++) {
      lines.push(
        `  - { id: c-${i}, type: http, element: efficiency, schedule: { every: 1m }, timeout: 5s, target: "http://127.0.0.1:9/${i}", labels: { team: t${i % 7} } }`,
      );
    }
    writeFileSync(path.join(dir, `checks-${f}.yaml`), `${lines.join('\n')}\n`);
  }
  return dir;
}

const rows: string[] = [
  '| checks | files | validate wall (median s) | CPU user+sys (median s) | peak RSS (median MiB) |',
  '|---:|---:|---:|---:|---:|',
];
for (const n of SIZES) {
  const dir = folder(n);
  const secs: number[] = [];
  const cpu: number[] = [];
  const rss: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const run = spawnSync(
      '/usr/bin/time',
      ['-f', '%e %U %S %M', process.execPath, path.join(ROOT, 'bin', 'pengawas.js'), 'validate', '--checks', dir],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    if (run.status !== 0) throw new Error(`validate of ${n} checks exited ${run.status}: ${run.stderr.slice(-500)}`);
    const [s, user, sys, kb] = run.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    secs.push(s);
    cpu.push(user + sys);
    rss.push(kb / 1024);
  }
  rows.push(`| ${n} | ${Math.ceil(n / PER_FILE)} | ${median(secs).toFixed(1)} | ${median(cpu).toFixed(1)} | ${median(rss).toFixed(0)} |`);
  rmSync(dir, { recursive: true, force: true });
}
console.log(rows.join('\n'));
