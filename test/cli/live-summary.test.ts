/**
 * `pengawas run` on a terminal prints a compact live summary (what started failing and why, checks by status);
 * not on a terminal it prints nothing on stdout and only JSON logs on stderr. The terminal is a real pseudo-TTY
 * (`script -qfc`, util-linux); the monitor runs on its own Redis key prefix.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, ROOT } from '../helpers/cli';
import { freePort, startHttp, waitFor, type Started } from '../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis';

jest.setTimeout(180_000);
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('run: live summary on a TTY, JSON logs otherwise', () => {
  let server: Started;
  let dir: string;
  const prefix = testPrefix('live');
  beforeAll(async () => {
    server = await startHttp((req, res) => (req.url === '/ok' ? res.writeHead(200).end('ok') : res.writeHead(503).end('down')));
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-live-'));
    mkdirSync(path.join(dir, 'checks'));
    writeFileSync(
      path.join(dir, 'checks', 'c.yaml'),
      `checks:
  - { id: up, type: http, element: efficiency, schedule: { every: 2s }, timeout: 2s, target: "${server.url}/ok" }
  - { id: down, type: http, element: security, schedule: { every: 2s }, timeout: 2s, target: "${server.url}/down" }
`,
    );
    writeFileSync(path.join(dir, 'settings.yaml'), `prefix: ${prefix}\ndataDir: ${dir}/data\nevidence: { enabled: false }\n`);
  });
  afterAll(async () => {
    await server.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });
  const args = (port: number) => [
    BIN,
    'run',
    '--checks',
    path.join(dir, 'checks'),
    '--config',
    path.join(dir, 'settings.yaml'),
    '--metrics-port',
    String(port),
  ];

  (hasScript ? it : it.skip)('on a pseudo-TTY: the failing check with its finding message, then the counts by status', async () => {
    const command = [process.execPath, ...args(0)].map((a) => `'${a}'`).join(' ');
    const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL };
    delete env.PENGAWAS_LOG_LEVEL; // the terminal's default: warnings and worse
    const child = spawn('script', ['-qfc', command, '/dev/null'], { cwd: ROOT, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      await waitFor(async () => /2 checks: 1 pass, 1 fail/.test(out), 120_000);
      expect(out).toMatch(/pengawas run: 2 checks from .*, metrics on http:\/\/127\.0\.0\.1:\d+\/metrics; Ctrl-C stops/);
      expect(out).toMatch(
        /\d\d:\d\d:\d\d {2}FAIL {3}down \(http, security\) http:\/\/127\.0\.0\.1:\d+\/down: http\.status\.unexpected: status 503, expected 2xx/,
      );
      // The passing check gets no line of its own; a check that keeps failing is not repeated.
      expect(out).not.toMatch(/ up \(http, efficiency\)/);
      expect(out.match(/FAIL {3}down/g)).toHaveLength(1);
      // Logs on the terminal: warnings and worse only (the JSON info line "pengawas started" is not shown).
      expect(out).not.toMatch(/"msg":"pengawas started"/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('close', r));
    }
  });

  it('not on a TTY: nothing on stdout, JSON logs on stderr', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, args(port), { cwd: ROOT, env: { ...process.env, REDIS_URL } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    try {
      const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      await waitFor(async () => /^pengawas_check_status\{[^}]*check="down"[^}]*\} 0$/m.test(await scrape().catch(() => '')), 120_000);
      await new Promise((r) => setTimeout(r, 6000)); // past the summary's interval: it would have printed by now
      child.kill('SIGTERM');
      await new Promise((r) => child.once('close', r));
      expect(stdout).toBe('');
      const lines = stderr.trim().split('\n');
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
      expect(stderr).toMatch(/"msg":"pengawas started"/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
