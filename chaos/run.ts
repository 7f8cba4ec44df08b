/**
 * npm run chaos — runs pengawas as separate processes (scheduler, two workers, recorder) against its own Redis and
 * PostgreSQL, injects one fault per phase, then counts for every phase the slots the schedule called for against
 * the results recorded in the evidence store, and prints one table: fault, expected, recorded, lost, duplicated,
 * recovery time. A last segment runs `pengawas run` on the embedded SQLite store in a small tmpfs and fills it.
 * Loopback only; every phase is bounded in time (a few minutes in all).
 *
 * Options (env): CHAOS_CHECKS (healthy checks, default 20), CHAOS_EVERY (seconds, default 2).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { countSlots, settle, type PhaseCount } from './count';
import { diskFullSegment } from './disk-full';
import { pengawas, Postgres, sleep, startRedis, type Proc } from './services';
import { checksYaml, HOSTILE, startTargets } from './targets';

const N = Number(process.env.CHAOS_CHECKS ?? 20);
const EVERY = Number(process.env.CHAOS_EVERY ?? 2);

interface Phase {
  fault: string;
  /** Injects the fault and heals it; returns when the fault is over (recovery is timed from then). */
  run(): Promise<void>;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'pengawas-chaos-'));
  const targets = await startTargets();
  const checksDir = path.join(work, 'checks');
  mkdirSync(checksDir);
  writeFileSync(path.join(checksDir, 'checks.yaml'), checksYaml(targets, N, EVERY));
  const redis = await startRedis(path.join(work, 'redis'));
  const pg = await Postgres.create(path.join(work, 'pg'));
  const env: NodeJS.ProcessEnv = {
    REDIS_URL: redis.url,
    DATABASE_URL: pg.url,
    PENGAWAS_DATA_DIR: path.join(work, 'data'),
    PENGAWAS_PREFIX: 'chaos',
    PENGAWAS_RESULTS_KEY: '${env:CHAOS_RESULTS_KEY}',
    CHAOS_RESULTS_KEY: 'chaos-run-shared-results-key-0123456789abcdef',
  };
  const roles: Proc[] = ['scheduler', 'worker-a', 'worker-b', 'recorder'].map((r) => pengawas(r, env, checksDir).start());
  const [, workerA, , recorder] = roles;
  const rows: PhaseCount[] = [];
  try {
    await sleep(8000); // warm-up: connections, migrations, first slots
    const phases: Phase[] = [
      { fault: 'none (baseline)', run: async () => void (await sleep(12_000)) },
      {
        fault: 'Redis killed (SIGKILL), down 8 s, restarted from AOF',
        run: async () => {
          await redis.proc.stop('SIGKILL');
          await sleep(8000);
          redis.proc.start();
          await sleep(500);
        },
      },
      {
        fault: 'worker killed (SIGKILL), restarted after 5 s',
        run: async () => (await workerA.stop('SIGKILL'), await sleep(5000), workerA.start(), undefined),
      },
      {
        fault: 'recorder killed (SIGKILL), restarted after 5 s',
        run: async () => (await recorder.stop('SIGKILL'), await sleep(5000), recorder.start(), undefined),
      },
      { fault: 'PostgreSQL stopped for 15 s', run: async () => (await pg.stop(), await sleep(15_000), await pg.start()) },
    ];
    for (const p of phases) {
      const from = Date.now();
      await p.run();
      const healedAt = Date.now();
      await sleep(10_000); // the phase's tail: slots after the fault, and time to recover
      rows.push({ fault: p.fault, from, healedAt, to: Date.now() });
      console.error(`[chaos] ${p.fault}: done`);
    }
    // Let every result of the phases' slots reach the store before counting (late is not lost).
    await settle(pg.url, env.PENGAWAS_DATA_DIR!, rows[rows.length - 1].to);
    const down = roles.filter((r) => !r.alive).map((r) => r.name);
    if (down.length)
      console.error(
        `[chaos] not running at the end: ${down.join(', ')}\n${down.map((n) => roles.find((r) => r.name === n)!.log.slice(-2000)).join('\n')}`,
      );
    const ids = [...Array.from({ length: N }, (_, i) => `ok-${String(i).padStart(2, '0')}`), ...HOSTILE];
    const counted = await countSlots(pg.url, env.PENGAWAS_DATA_DIR!, rows, { every: EVERY, hostilePrefix: 'hostile-', ids });
    const diskFull = await diskFullSegment(work, targets, N, EVERY).catch((e: Error): PhaseCount[] => [
      { fault: 'data directory full (embedded store)', from: 0, healedAt: 0, to: 0, note: `segment failed: ${e.message}` },
    ]);
    print([...counted, ...diskFull], targets.openEndless());
  } finally {
    for (const r of roles) await r.stop('SIGTERM');
    await redis.proc.stop('SIGTERM');
    await pg.stop().catch(() => undefined);
    await targets.close();
    rmSync(work, { recursive: true, force: true });
  }
}

function print(rows: PhaseCount[], leakedSockets: number): void {
  const head = ['fault', 'checks', 'expected', 'recorded', 'lost', 'duplicated', 'recovery'];
  const lines = rows.map((r) => [
    r.fault,
    String(r.checks ?? ''),
    String(r.expected ?? ''),
    String(r.recorded ?? ''),
    String(r.lost ?? ''),
    String(r.duplicated ?? ''),
    r.recoveryMs === undefined ? '' : r.recoveryMs === null ? 'none' : `${(r.recoveryMs / 1000).toFixed(1)} s`,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (l: string[]) => `| ${l.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
  console.log([fmt(head), `|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`, ...lines.map(fmt)].join('\n'));
  console.log(`\nsockets still open on the endless-body target after the run: ${leakedSockets}`);
  for (const r of rows) if (r.note) console.log(`- ${r.fault}: ${r.note}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
