/**
 * The disk-full segment of the chaos run: `pengawas run` (all roles, one process) keeps its embedded evidence
 * store in a 16 MiB tmpfs; the run fills the filesystem for 15 s, then frees it. Results must wait (unacknowledged
 * in Redis) and be recorded once space is back. Needs root for `mount`; reported as skipped otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { countSlots, settle, type PhaseCount } from './count';
import { pengawas, sleep, startRedis } from './services';
import { checksYaml, type Targets } from './targets';

export async function diskFullSegment(work: string, targets: Targets, n: number, every: number): Promise<PhaseCount[]> {
  const fault = 'data directory full for 15 s (embedded store)';
  const mnt = path.join(work, 'small-disk');
  mkdirSync(mnt, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', mnt], { stdio: 'ignore' });
  } catch {
    return [{ fault, from: 0, healedAt: 0, to: 0, note: 'skipped: cannot mount a tmpfs here (needs root)' }];
  }
  const checksDir = path.join(work, 'checks-disk');
  mkdirSync(checksDir, { recursive: true });
  writeFileSync(
    path.join(checksDir, 'checks.yaml'),
    checksYaml(targets, Math.min(n, 10), every)
      .split('\n')
      .filter((l) => !l.includes('hostile'))
      .join('\n'),
  );
  const redis = await startRedis(path.join(work, 'redis-disk'));
  const dataDir = path.join(mnt, 'data');
  const run = pengawas(
    'run',
    { REDIS_URL: redis.url, PENGAWAS_DATA_DIR: dataDir, PENGAWAS_PREFIX: 'chaos-disk', DATABASE_URL: '' },
    checksDir,
  ).start();
  try {
    await sleep(8000);
    const from = Date.now();
    const filler = path.join(mnt, 'filler');
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M', 'count=64'], { stdio: 'ignore' });
    } catch {
      // ENOSPC: the point
    }
    await sleep(15_000);
    rmSync(filler, { force: true });
    const healedAt = Date.now();
    await sleep(15_000);
    const to = Date.now();
    await settle(undefined, dataDir, to);
    const alive = run.alive;
    await run.stop('SIGTERM');
    const ids = Array.from({ length: Math.min(n, 10) }, (_, i) => `ok-${String(i).padStart(2, '0')}`);
    const [row] = await countSlots(undefined, dataDir, [{ fault, from, healedAt, to }], { every, hostilePrefix: 'hostile-', ids });
    return [{ ...row, note: alive ? undefined : `the monitor exited during the segment:\n${run.log.slice(-1500)}` }];
  } finally {
    await run.stop('SIGKILL');
    await redis.proc.stop('SIGTERM');
    try {
      execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
