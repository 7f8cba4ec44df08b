/**
 * `pengawas probe tls` on a name with two addresses (`--opt addresses=all`): under a real pseudo-TTY (`script -qfc`)
 * the progress line counts the addresses done and names the one being scanned, and is erased before the result;
 * with --json and through pipes there is none. Two Node TLS servers on 127.0.0.1 and 127.0.0.2, same port; the name
 * resolves to both through a preloaded shim of dns.promises.lookup (the system resolver knows no such name), so the
 * CLI, the runner and the TLS probe run unchanged.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { BIN, ROOT, runCli } from '../helpers/cli';
import { freePort } from '../helpers/net';
import { makePki, type TestPki } from '../helpers/pki';

jest.setTimeout(240_000);
const hasScript = spawnSync('script', ['--version']).status === 0;
const NAME = 'gateway.pengawas.test';

describe('progress of a multi-address TLS probe', () => {
  let pki: TestPki;
  let port: number;
  let shim: string;
  const servers: tls.Server[] = [];
  beforeAll(async () => {
    pki = makePki();
    port = await freePort();
    for (const host of ['127.0.0.1', '127.0.0.2']) {
      const s = tls.createServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }, (c) => c.end());
      s.on('tlsClientError', () => undefined);
      await new Promise<void>((r) => s.listen(port, host, r));
      servers.push(s);
    }
    shim = path.join(pki.dir, 'lookup-shim.js');
    writeFileSync(
      shim,
      `const dns = require('node:dns');
const system = dns.promises.lookup;
dns.promises.lookup = (host, opts) => host === '${NAME}'
  ? Promise.resolve([{ address: '127.0.0.1', family: 4 }, { address: '127.0.0.2', family: 4 }])
  : system.call(dns.promises, host, opts);
`,
    );
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    pki.remove();
  });
  const env = () => ({ ...process.env, NODE_OPTIONS: `--require ${shim}`, PENGAWAS_LOG_LEVEL: 'warn', DATABASE_URL: '' });
  const args = (...more: string[]) => ['probe', 'tls', `${NAME}:${port}`, '--opt', 'addresses=all', '--timeout', '120s', ...more];

  (hasScript ? it : it.skip)('on a TTY: addresses done of 2, the one in work named, erased before the result', async () => {
    const command = [process.execPath, BIN, ...args()].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qfc', command, '/dev/null'], { cwd: ROOT, env: env() });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise((r) => child.once('close', r));
    const label = `probing ${NAME}:${port}: `;
    const marks = [
      `${label}0/2 addresses done, scanning 127.0.0.1`,
      `${label}1/2 addresses done, scanning 127.0.0.2`,
      `${label}2/2 addresses done…`,
    ];
    const at = marks.map((m) => out.indexOf(m));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const erased = out.lastIndexOf('\r\x1b[K');
    expect(erased).toBeGreaterThan(at[2]);
    // The result follows the erased line.
    expect(out.slice(erased)).toMatch(
      new RegExp(`^\\r\\x1b\\[K(PASS|WARN|FAIL) +cli \\(tls, security\\) ${NAME.replace(/\./g, '\\.')}:${port}`),
    );
  });

  (hasScript ? it : it.skip)('on a TTY with --json: the result only', async () => {
    const command = [process.execPath, BIN, ...args('--json')].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qfc', command, '/dev/null'], { cwd: ROOT, env: env() });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise((r) => child.once('close', r));
    expect(out).not.toContain('addresses done');
    const r = JSON.parse(out.replace(/\r/g, '')) as { measurements: { addresses: string[] } };
    expect(r.measurements.addresses).toEqual(['127.0.0.1', '127.0.0.2']);
  });

  it('through pipes: no progress on stderr', async () => {
    const r = await runCli(args(), { env: env(), timeoutMs: 150_000 });
    expect(r.stdout).toMatch(/^(PASS|WARN|FAIL) +cli \(tls, security\) gateway\.pengawas\.test:/);
    expect(r.stderr).not.toContain('addresses done');
    expect(r.stderr).not.toContain('\x1b[K');
  });
});
