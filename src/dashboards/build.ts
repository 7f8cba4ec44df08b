/**
 * Writes grafana/dashboards/*.json from the board definitions: `npx tsx src/dashboards/build.ts [--check]`.
 * --check exits 1 when a committed file differs from what the code generates (the test runs the same comparison).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BOARDS } from './registry';
import { buildBoard } from './render';

export const DASHBOARD_DIR = path.resolve(__dirname, '..', '..', 'grafana', 'dashboards');

export function renderAll(): Array<{ file: string; json: string }> {
  return BOARDS.map((b) => ({ file: path.join(DASHBOARD_DIR, b.file), json: `${JSON.stringify(buildBoard(b.spec), null, 2)}\n` }));
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { file, json } of renderAll()) {
    if (check) {
      let current = '';
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        // missing counts as stale
      }
      if (current !== json) {
        process.stderr.write(`${file} is out of date: npx tsx src/dashboards/build.ts\n`);
        stale += 1;
      }
    } else writeFileSync(file, json);
  }
  process.exitCode = stale ? 1 : 0;
}
