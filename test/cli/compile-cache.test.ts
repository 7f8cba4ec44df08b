/**
 * bin/pengawas.js turns on Node's compile cache (Node 22.1+) in the user's own cache folder, never the shared
 * temporary one. Run on every Node line .ci/run tests: on Node 26 the cache is written and the next start reads it
 * back (Node's own NODE_DEBUG_NATIVE=COMPILE_CACHE log says so); on Node 20, which has no compile cache, nothing is
 * written. Either way a folder that cannot be used leaves the CLI working.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';

const supported = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
let dir: string;
const cacheDir = () => path.join(dir, 'xdg', 'pengawas', 'node-compile-cache');
/** Node's default folder, the shared temporary one, named in its log. */
const tmpdirCacheUsed = (log: string) => log.includes(path.join(tmpdir(), 'node-compile-cache'));
const files = (d: string): string[] =>
  existsSync(d) ? readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : [e.name])) : [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pengawas-compile-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  XDG_CACHE_HOME: path.join(dir, 'xdg'),
  NODE_COMPILE_CACHE: undefined,
  NODE_DISABLE_COMPILE_CACHE: undefined,
  ...extra,
});

(supported ? it : it.skip)(
  `Node ${process.version}: writes the cache in $XDG_CACHE_HOME/pengawas and reads it on the next start`,
  async () => {
    const first = await runCli(['--version'], { env: env() });
    expect(first.code).toBe(0);
    expect(files(cacheDir()).length).toBeGreaterThan(10);
    const second = await runCli(['--version'], { env: env({ NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }) });
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(cacheDir());
    expect(second.stderr).toMatch(/V8 code cache for CommonJS \S+\/dist\/cli\/main\.js was accepted/);
    expect(tmpdirCacheUsed(second.stderr)).toBe(false);
  },
);

(supported ? it.skip : it)(`Node ${process.version}: no compile cache, nothing written`, async () => {
  const r = await runCli(['--version'], { env: env() });
  expect(r.code).toBe(0);
  expect(existsSync(path.join(dir, 'xdg'))).toBe(false);
});

it('NODE_DISABLE_COMPILE_CACHE=1 writes nothing; a cache folder that cannot be made leaves the CLI working', async () => {
  const off = await runCli(['--version'], { env: env({ NODE_DISABLE_COMPILE_CACHE: '1' }) });
  expect(off.code).toBe(0);
  expect(files(cacheDir())).toEqual([]);
  // $XDG_CACHE_HOME is a file: no folder can be made under it.
  writeFileSync(path.join(dir, 'file'), '');
  const blocked = await runCli(['--version'], { env: env({ XDG_CACHE_HOME: path.join(dir, 'file') }) });
  expect([blocked.code, blocked.stdout.trim(), blocked.stderr]).toEqual([0, expect.stringMatching(/^\d+\.\d+\.\d+$/), '']);
});
