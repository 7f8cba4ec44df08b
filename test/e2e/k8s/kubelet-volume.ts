/**
 * The layout of a ConfigMap volume, from Kubernetes' AtomicWriter (pkg/volume/util/atomic_writer.go): the files
 * live in a timestamped hidden folder, `..data` links to it, and each key is a link `key -> ..data/key`.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function mountLikeKubelet(dir: string, data: Record<string, string>, stamp: string): void {
  mkdirSync(path.join(dir, stamp));
  for (const [k, v] of Object.entries(data)) writeFileSync(path.join(dir, stamp, k), v);
  symlinkSync(stamp, path.join(dir, '..data'));
  for (const k of Object.keys(data)) symlinkSync(path.join('..data', k), path.join(dir, k));
}
