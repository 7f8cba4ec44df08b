/**
 * Long work shows progress on a terminal and nothing elsewhere: `evidence build` under a real pseudo-TTY
 * (`script -qfc`, util-linux) draws its progress line on stderr and erases it before the result; through pipes
 * stderr stays empty. Own data folder, SQLite store.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, ROOT, runCli } from '../helpers/cli';

jest.setTimeout(120_000);
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('progress of evidence build', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-progress-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = () => ({ ...process.env, PENGAWAS_DATA_DIR: path.join(dir, 'data'), DATABASE_URL: '', PENGAWAS_LOG_LEVEL: 'warn' });

  (hasScript ? it : it.skip)('on a TTY: a progress line, erased before the result', async () => {
    const command = [process.execPath, BIN, 'evidence', 'build', '--month', '2026-11', '--out', path.join(dir, 'tty')]
      .map((a) => `'${a}'`)
      .join(' ');
    const child = spawn('script', ['-qfc', command, '/dev/null'], { cwd: ROOT, env: env() });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.once('close', r));
    expect(code).toBe(0);
    const drawn = out.indexOf('building the 2026-11 evidence pack');
    const erased = out.lastIndexOf('\r\x1b[K');
    const result = out.indexOf('evidence pack 2026-11 written to');
    expect(drawn).toBeGreaterThanOrEqual(0);
    expect(erased).toBeGreaterThan(drawn);
    expect(result).toBeGreaterThan(erased);
  });

  it('through pipes: the result on stdout, nothing on stderr', async () => {
    const r = await runCli(['evidence', 'build', '--month', '2026-11', '--out', path.join(dir, 'piped')], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^evidence pack 2026-11 written to/);
    expect(r.stderr).toBe('');
  });
});
