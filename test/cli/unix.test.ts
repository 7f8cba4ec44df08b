/**
 * The CLI as a Unix tool (issue 18 item 6), driven as a user drives it: through a shell pipe to `head`, help per
 * command and per probe type, "did you mean", and one message for bad months.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getProbe, probeTypes } from '../../src/probes/registry';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main';
import { probeTypeHelp } from '../../src/cli/schema-help';
import { BIN, ROOT, runCli } from '../helpers/cli';
import { startHttp, type Started } from '../helpers/net';

/**
 * `pengawas ARGS | READER` in bash: what the reader printed, pengawas's exit code and everything it wrote on stderr.
 * Asynchronous: the HTTP server the probes talk to lives in this process.
 */
function piped(args: string[], reader: string, dir: string): Promise<{ out: string; code: number; stderr: string }> {
  const err = path.join(dir, `stderr-${Math.random().toString(36).slice(2)}`);
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `${quoted} 2>'${err}' | ${reader}; echo "exit=\${PIPESTATUS[0]}"`], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', () => {
      const lines = stdout.trimEnd().split('\n');
      const code = Number(/^exit=(\d+)$/.exec(lines.pop() ?? '')?.[1] ?? NaN);
      resolve({ out: lines.join('\n'), code, stderr: readFileSync(err, 'utf8') });
    });
  });
}

// Every spawned CLI takes seconds on a loaded two-core machine.
jest.setTimeout(180_000);

describe('pengawas as a Unix tool', () => {
  let dir: string;
  let checks: string;
  let server: Started;
  beforeAll(async () => {
    server = await startHttp((req, res) => (req.url === '/ok' ? res.writeHead(200).end('ok') : res.writeHead(503).end('down')));
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-unix-'));
    checks = path.join(dir, 'checks');
    mkdirSync(checks);
    // 2000 rows (~190 KB): far more than a pipe holds (64 KiB on Linux), so the writer meets the closed pipe.
    const rows = Array.from(
      { length: 2000 },
      (_, i) =>
        `  - { id: api-health-${String(i).padStart(4, '0')}, type: http, element: efficiency, schedule: { every: 1m }, target: "${server.url}/ok" }`,
    );
    writeFileSync(
      path.join(checks, 'many.yaml'),
      `checks:\n${rows.join('\n')}\n  - { id: tls-weak, type: tls, element: security, schedule: { every: 1m }, target: "127.0.0.1:1" }\n`,
    );
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('list | head -1 prints the header and exits 0 without a stack trace', async () => {
    const r = await piped(['list', '--checks', checks], 'head -1', dir);
    expect(r.out).toMatch(/^id +type +element +schedule +target$/);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The reader gone before the first byte.
    const none = await piped(['list', '--checks', checks, '--json'], 'head -n 0', dir);
    expect(none.stderr).toBe('');
    expect(none.code).toBe(0);
  });

  it('probe --json | head -1 exits quietly with the code of the result (0 pass, 1 fail)', async () => {
    const ok = await piped(['probe', 'http', `${server.url}/ok`, '--json'], 'head -1', dir);
    expect(ok.out).toBe('{');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const failed = await piped(['probe', 'http', `${server.url}/down`, '--json'], 'head -n 0', dir);
    expect(failed.stderr).toBe('');
    expect(failed.code).toBe(1);
    const help = await piped(['--help'], 'head -n 0', dir);
    expect(help.stderr).toBe('');
  });

  it('each command shows only the options it uses', async () => {
    // The program object the CLI runs (src/cli/main.ts), asked for each command's help in this process: spawning
    // 16 processes would take minutes on a loaded machine. The spawned CLI is checked for two commands below.
    const program = buildProgram();
    const find = (names: string[]) => names.reduce<Command>((c, n) => c.commands.find((x) => x.name() === n)!, program);
    const help = (...names: string[]) => find(names).helpInformation();
    for (const serving of [['run'], ['worker'], ['scheduler'], ['recorder'], ['demo']]) {
      const h = help(...serving);
      for (const o of ['--metrics-port', '--metrics-host', '--web-config-file', '--prefix', '--checks', '--config']) expect(h).toContain(o);
    }
    for (const cmd of [
      ['probe'],
      ['check'],
      ['list'],
      ['validate'],
      ['evidence', 'build'],
      ['evidence', 'verify'],
      ['evidence', 'signers'],
      ['evidence', 'migrate'],
      ['waive'],
      ['attest'],
      ['rules', 'generate'],
    ]) {
      const h = help(...cmd);
      for (const o of ['--metrics-port', '--metrics-host', '--web-config-file', '--prefix'])
        expect({ cmd: cmd.join(' '), has: h.includes(o) }).toEqual({ cmd: cmd.join(' '), has: false });
      expect(h).toContain('--config');
    }
    // Only the commands that read the checks folder offer --checks.
    for (const cmd of [['probe'], ['evidence', 'build'], ['evidence', 'verify'], ['waive']]) expect(help(...cmd)).not.toContain('--checks');
    for (const cmd of [['check'], ['list'], ['validate'], ['attest'], ['rules', 'generate']]) expect(help(...cmd)).toContain('--checks');
    const spawned = await runCli(['waive', '--help']);
    expect(spawned.code).toBe(0);
    expect(spawned.stdout).toBe(help('waive'));
    // An option a command does not take is refused, not silently ignored.
    const r = await runCli(['evidence', 'build', '--month', '2026-10', '--prefix', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--prefix'/);
  });

  it('probe <type> --help lists every option key of that type, as its registered schema defines them', async () => {
    for (const type of probeTypes()) {
      const text = probeTypeHelp(getProbe(type)!);
      expect(text).toContain(`Usage: pengawas probe ${type} <target>`);
      expect(text).toContain(getProbe(type)!.targetHelp);
      // The keys come from the zod object itself (its shape), not from the help code's JSON-schema reading.
      const shape = (getProbe(type)!.options as unknown as { shape?: Record<string, unknown> }).shape;
      expect(shape).toBeDefined();
      for (const key of Object.keys(shape!))
        expect({ type, key, listed: new RegExp(`^  ${key} +\\S`, 'm').test(text) }).toEqual({ type, key, listed: true });
    }
    const r = await runCli(['probe', 'http', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(probeTypeHelp(getProbe('http')!));
    expect(r.stdout).toMatch(/^ {2}method +one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS \(default "GET"\)$/m);
    expect(r.stdout).toMatch(/^ {2}expectStatus +list of .*\(default \["2xx"\]\)$/m);
    // Without a type: the command's own help.
    const bare = await runCli(['probe', '--help']);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/Usage: pengawas probe <type> <target>/);
    const unknown = await runCli(['probe', 'htp', '--help']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown probe type "htp"; known types: .*; did you mean "http"\?/);
  });

  it('suggests the nearest check id, probe type, element and option key', async () => {
    const check = await runCli(['check', 'tls-wek', '--checks', checks]);
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(/no check with id "tls-wek" .*; did you mean "tls-weak"\?/);
    const demo = await runCli(['check', 'demo-tls-wek', '--checks', 'checks/demo']);
    expect(demo.stderr).toMatch(/did you mean "demo-tls-weak"\?/);
    expect((await runCli(['probe', 'tsl', '127.0.0.1:1'])).stderr).toMatch(/did you mean "tls"\?/);
    expect((await runCli(['list', '--checks', checks, '--element', 'securty'])).stderr).toMatch(
      /unknown element "securty"; elements: .*; did you mean "security"\?/,
    );
    expect((await runCli(['list', '--checks', checks, '--type', 'htp'])).stderr).toMatch(/did you mean "http"\?/);
    const opt = await runCli(['probe', 'http', `${server.url}/ok`, '--opt', 'methd=HEAD']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/unknown field "methd".*did you mean "method"\?/);
    const filtered = await runCli(['list', '--checks', checks, '--element', 'security']);
    expect(filtered.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('gives one message for every malformed month', async () => {
    for (const month of ['12-2026', '2026-13', '2026-1', '2026/10', 'oktober']) {
      const r = await runCli(['evidence', 'build', '--month', month, '--out', path.join(dir, 'never')], {
        env: { PENGAWAS_DATA_DIR: path.join(dir, 'data') },
      });
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`pengawas: PENGAWAS_USAGE: --month: month "${month}" — expected YYYY-MM (e.g. 2026-10)`);
    }
  });
});
