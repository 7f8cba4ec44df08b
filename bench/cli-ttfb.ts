/**
 * `npm run bench:cli-ttfb`: does a one-shot `pengawas probe http` measure ttfb as exactly as the running monitor?
 * Against a target (bench/cli-ttfb/server.py) that answers 80 ms after it read the request: the median ttfb of
 * BENCH_RUNS (default 10) fresh `node bin/pengawas.js probe http URL --json` processes, and the median of the same
 * number of probes by a long-lived process running the same code (bench/cli-ttfb/monitor-child.cjs, as a worker),
 * interleaved so load changes hit both alike, and as "fresh, unprepared" the same fresh process without
 * src/cli/one-shot.ts (PENGAWAS_ONE_SHOT_PREPARE=0): the cold path as it was. Issue 18 item 6: the fresh-process
 * median within 1 ms of the monitor's. Also prints connect and total, where the cold process's set-up shows.
 */
import { execFile, fork, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const DELAY = Number(process.env.BENCH_DELAY_MS ?? 80);
type Phases = { connect: number; ttfb: number; total: number };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const server = spawn('python3', [path.join(__dirname, 'cli-ttfb', 'server.py')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: server.stdout! });
  const waited: number[] = [];
  const port = await new Promise<number>((resolve) => {
    lines.once('line', (l) => resolve((JSON.parse(l) as { port: number }).port));
  });
  lines.on('line', (l) => waited.push((JSON.parse(l) as { waited: number }).waited));
  const url = `http://127.0.0.1:${port}/delay?ttfb=${DELAY}`;
  const monitor = fork(path.join(__dirname, 'cli-ttfb', 'monitor-child.cjs'), [], { stdio: 'inherit' });
  const warm = () =>
    new Promise<Phases>((resolve, reject) => {
      monitor.once('message', (m: { phasesMs?: Phases; error?: string; status?: string }) =>
        m.phasesMs && m.status === 'pass' ? resolve(m.phasesMs) : reject(new Error(m.error ?? `status ${m.status}`)),
      );
      monitor.send({ url });
    });
  const cold = async (prepare = true) => {
    const env = { ...process.env, PENGAWAS_ONE_SHOT_PREPARE: prepare ? '1' : '0' };
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'bin', 'pengawas.js'), 'probe', 'http', url, '--json'], {
      cwd: ROOT,
      env,
    });
    const r = JSON.parse(stdout) as { status: string; measurements: { phasesMs: Phases } };
    if (r.status !== 'pass') throw new Error(`probe status ${r.status}`);
    return r.measurements.phasesMs;
  };
  try {
    for (let i = 0; i < 5; i++) await warm(); // the monitor has run for a while
    const results: Record<'fresh process' | 'fresh, unprepared' | 'running monitor', Phases[]> = {
      'fresh process': [],
      'fresh, unprepared': [],
      'running monitor': [],
    };
    for (let i = 0; i < RUNS; i++) {
      results['fresh process'].push(await cold());
      results['fresh, unprepared'].push(await cold(false));
      results['running monitor'].push(await warm());
    }
    console.log(`target waits ${DELAY} ms (median really waited ${median(waited).toFixed(2)} ms); median of ${RUNS} each, ms:`);
    console.log('                   connect     ttfb    total   ttfb - delay');
    for (const [who, xs] of Object.entries(results)) {
      const m = (k: keyof Phases) => median(xs.map((x) => x[k]));
      console.log(
        `${who.padEnd(17)} ${m('connect').toFixed(2).padStart(8)} ${m('ttfb').toFixed(2).padStart(8)} ${m('total').toFixed(2).padStart(8)} ${(m('ttfb') - DELAY).toFixed(2).padStart(13)}`,
      );
    }
    const gap = median(results['fresh process'].map((x) => x.ttfb)) - median(results['running monitor'].map((x) => x.ttfb));
    console.log(`fresh − monitor ttfb median: ${gap.toFixed(2)} ms (goal: within 1 ms)`);
  } finally {
    monitor.disconnect();
    server.kill();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
