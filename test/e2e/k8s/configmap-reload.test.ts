/**
 * A checks ConfigMap updated in place: the kubelet's AtomicWriter (kubernetes pkg/volume/util/atomic_writer.go)
 * writes the new keys into a fresh `..<timestamp>` folder, points a `..data_tmp` link at it, renames that over
 * `..data` and deletes the old folder. The `key -> ..data/key` links never change, so a watcher that only looks
 * at *.yaml names sees nothing. The running monitor must reload all the same, and refuse a bad update.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigHolder } from '../../../src/config/holder';
import { mountLikeKubelet } from './kubelet-volume';

const check = (id: string) =>
  `checks:\n  - id: ${id}\n    name: ${id}\n    type: http\n    element: sustainability\n    schedule: { every: 30s }\n    target: http://127.0.0.1:9/\n`;

/** The kubelet's update: new timestamped folder, ..data_tmp link, rename over ..data, old folder removed. */
function kubeletUpdate(dir: string, data: Record<string, string>, oldStamp: string, newStamp: string): void {
  mkdirSync(path.join(dir, newStamp));
  for (const [k, v] of Object.entries(data)) writeFileSync(path.join(dir, newStamp, k), v);
  symlinkSync(newStamp, path.join(dir, '..data_tmp'));
  renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
  rmSync(path.join(dir, oldStamp), { recursive: true, force: true });
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

describe('checks ConfigMap updated by the kubelet', () => {
  let dir: string;
  let holder: ConfigHolder | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-k8s-swap-'));
  });
  afterEach(async () => {
    await holder?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reloads the new checks, and keeps the old ones when the update is invalid', async () => {
    mountLikeKubelet(dir, { 'checks.yaml': check('first') }, '..2026_12_01_00_00_00.1');
    holder = ConfigHolder.load(dir);
    expect(holder.current.checks.map((c) => c.id)).toEqual(['first']);
    const events: Array<{ ok: boolean; ids?: string[] }> = [];
    holder.onReload((e) => events.push(e.ok ? { ok: true, ids: e.set.checks.map((c) => c.id) } : { ok: false }));
    holder.watch(true);
    await new Promise((r) => setTimeout(r, 500)); // the watcher's initial scan

    kubeletUpdate(dir, { 'checks.yaml': check('second') }, '..2026_12_01_00_00_00.1', '..2026_12_01_00_01_00.2');
    expect(await until(() => holder!.current.checks.some((c) => c.id === 'second'), 20_000)).toBe(true);
    expect(events.at(-1)).toEqual({ ok: true, ids: ['second'] });

    kubeletUpdate(
      dir,
      { 'checks.yaml': 'checks:\n  - id: broken\n    type: no-such-probe\n' },
      '..2026_12_01_00_01_00.2',
      '..2026_12_01_00_02_00.3',
    );
    expect(await until(() => events.some((e) => !e.ok), 20_000)).toBe(true);
    expect(holder.current.checks.map((c) => c.id)).toEqual(['second']);
  });
});
