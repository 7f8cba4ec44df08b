/**
 * The test tree follows one rule (docs/architecture.md, "Tests"): test/<part>/ holds the tests of src/<part>/,
 * test/e2e/ the suites that cross parts, test/helpers/ shared helpers. A folder or a test file at the top of test/
 * that names no part of src/ fails here, so the rule cannot drift.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src');
const TEST = path.join(ROOT, 'test');
const SHARED = new Set(['e2e', 'helpers']);
const SETUP_FILES = new Set(['global-setup.ts', 'setup.ts', 'unit-setup.ts']);

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

describe('the test tree mirrors src/', () => {
  it('every top-level test folder is a part of src/, e2e or helpers', () => {
    const strays = readdirSync(TEST)
      .filter((name) => statSync(path.join(TEST, name)).isDirectory())
      .filter((name) => !SHARED.has(name) && !statSync(path.join(SRC, name), { throwIfNoEntry: false })?.isDirectory());
    expect(strays).toEqual([]);
  });

  it('every top-level test file tests a file of src/ or sets jest up', () => {
    const strays = readdirSync(TEST)
      .filter((name) => statSync(path.join(TEST, name)).isFile() && !SETUP_FILES.has(name))
      .filter((name) => !statSync(path.join(SRC, name.replace(/\.test\.ts$/, '.ts')), { throwIfNoEntry: false }));
    expect(strays).toEqual([]);
  });

  it('every probe test folder names a probe type folder', () => {
    const probes = path.join(TEST, 'probes');
    const strays = readdirSync(probes)
      .filter((name) => statSync(path.join(probes, name)).isDirectory())
      .filter((name) => !statSync(path.join(SRC, 'probes', name), { throwIfNoEntry: false })?.isDirectory());
    expect(strays).toEqual([]);
  });

  it('no test file sits outside test/', () => {
    const outside = ['src', 'bench', 'chaos', 'scripts']
      .flatMap((d) => (statSync(path.join(ROOT, d), { throwIfNoEntry: false }) ? walk(path.join(ROOT, d)) : []))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => path.relative(ROOT, f));
    expect(outside).toEqual([]);
  });

  it('the e2e suites live under test/e2e/ and at least one exists there', () => {
    expect(walk(path.join(TEST, 'e2e')).filter((f) => f.endsWith('.test.ts')).length).toBeGreaterThan(10);
  });
});
