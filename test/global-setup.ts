/**
 * Jest global setup: rebuilds dist/ when any file under src/ is newer than the last build, so tests that spawn
 * bin/pengawas.js (test/helpers/cli.ts) never run a stale dist/, also when jest is started without `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(path.join(ROOT, 'dist', 'cli', 'main.js')).mtimeMs;
  } catch {
    return 0;
  }
}

export default function globalSetup(): void {
  if (process.env.PENGAWAS_TEST_NO_BUILD === '1') return;
  const changed = newestMtime(path.join(ROOT, 'src'));
  if (changed <= builtAt()) return;
  process.stderr.write('\njest: src/ changed since dist/ was built; building (tsc -p tsconfig.build.json)\n');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}
