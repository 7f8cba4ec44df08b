/**
 * `npm run bench:cli-start`: what a cold CLI costs before its probe does anything. `pengawas probe tls` against a
 * closed loopback port (load the CLI and the tls probe, read the settings, one refused connection, print) beside
 * `node -e 0` (the bare start), per Node binary and per build, the commands taking turns round after round so a load
 * change on a shared machine hits them alike; medians and quartiles of wall time.
 * Env: BENCH_RUNS (default 20); BENCH_NODES, comma-separated Node binaries (default this one); BENCH_BUILDS,
 * comma-separated checkouts with a built dist/ (default this one; another is how a change is compared with the code
 * before it, e.g. a `git worktree` of the previous commit). The compile cache (Node 22.1+) is run warm and, as
 * "cache off", with NODE_DISABLE_COMPILE_CACHE=1.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { quantile } from './stats';

const ROOT = path.resolve(__dirname, '..');
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 20));
const NODES = (process.env.BENCH_NODES ?? process.execPath).split(',').filter(Boolean);
const BUILDS = (process.env.BENCH_BUILDS ?? ROOT).split(',').filter(Boolean);

interface Case {
  label: string;
  node: string;
  args: string[];
  env?: Record<string, string>;
  ms: number[];
}

function version(node: string): string {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

function main(): void {
  const cases: Case[] = [];
  for (const node of NODES) {
    const v = version(node);
    cases.push({ label: `${v} node -e 0`, node, args: ['-e', '0'], ms: [] });
    for (const build of BUILDS) {
      const args = [path.join(build, 'bin', 'pengawas.js'), 'probe', 'tls', '127.0.0.1:1', '--json'];
      const name = path.relative(process.cwd(), build) || '.';
      cases.push({ label: `${v} ${name}`, node, args, ms: [] });
      cases.push({ label: `${v} ${name}, cache off`, node, args, env: { NODE_DISABLE_COMPILE_CACHE: '1' }, ms: [] });
    }
  }
  for (const c of cases) spawnSync(c.node, c.args, { env: { ...process.env, ...c.env } }); // warm: page cache, compile cache
  for (let round = 0; round < RUNS; round++)
    for (const c of cases) {
      const t0 = performance.now();
      spawnSync(c.node, c.args, { env: { ...process.env, ...c.env }, stdio: 'ignore' });
      c.ms.push(performance.now() - t0);
    }
  const width = Math.max(...cases.map((c) => c.label.length));
  console.log(`cold \`probe tls 127.0.0.1:1 --json\`, ${RUNS} interleaved runs each; wall ms\n`);
  console.log(`| ${'command'.padEnd(width)} | median | p25 | p75 |`);
  console.log(`|${'-'.repeat(width + 2)}|--------|-----|-----|`);
  for (const c of cases)
    console.log(
      `| ${c.label.padEnd(width)} | ${quantile(c.ms, 0.5).toFixed(0).padStart(6)} | ${quantile(c.ms, 0.25).toFixed(0).padStart(3)} | ${quantile(c.ms, 0.75).toFixed(0).padStart(3)} |`,
    );
}

main();
