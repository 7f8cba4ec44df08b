/**
 * `pengawas probe tls --targets FILE` as a child process (dist/: `npm run build` first) over real `openssl s_server`
 * instances and one closed port: one summary row per line of the file in its order, the worst finding per endpoint,
 * protocols and expiry, errors kept apart from failures, and bad target files named by file and line.
 */
import { writeFileSync } from 'node:fs';
import { runCli } from '../../helpers/cli';
import { freePort } from '../../helpers/net';
import { Pki, sServer, type Server } from './helpers';

let pki: Pki;
const servers: Server[] = [];

beforeAll(async () => {
  pki = new Pki();
  const leaf = { ...pki.leaf({ name: 'f' }), chain: pki.interCert };
  servers.push(
    await sServer(leaf, ['-min_protocol', 'TLSv1.2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'], pki.dir),
    await sServer(leaf, ['-min_protocol', 'TLSv1', '-max_protocol', 'TLSv1.2', '-cipher', 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'], pki.dir),
  );
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  pki.cleanup();
});

test('a targets file: one table row per endpoint in file order, worst finding, protocols, expiry; exit 2 when one is an error', async () => {
  const closed = await freePort();
  const file = pki.file('targets.txt');
  writeFileSync(file, `# fleet\nlocalhost:${servers[0].port}\n\nlocalhost:${servers[1].port}   # legacy\n127.0.0.1:${closed}\n`);
  const r = await runCli(
    [
      'probe',
      'tls',
      '--targets',
      file,
      '--parallel',
      '2',
      '--opt',
      `caFile="${pki.rootCert}"`,
      '--opt',
      'checkRevocation=false',
      '--opt',
      'profile="none"',
    ],
    { timeoutMs: 120_000 },
  );
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^ENDPOINT\s+STATUS\s+WORST FINDING\s+PROTOCOLS\s+EXPIRY$/);
  expect(lines[1]).toMatch(new RegExp(`^localhost:${servers[0].port}\\s+PASS\\s+-\\s+1\\.2,1\\.3\\s+\\d{4}-\\d\\d-\\d\\d \\(\\d+d\\)$`));
  // TLS 1.0 is the worst of the legacy server's failures (high), more follow.
  expect(lines[2]).toMatch(
    new RegExp(`^localhost:${servers[1].port}\\s+FAIL\\s+high tls\\.protocol\\.tls1_0_enabled \\(\\+\\d+\\)\\s+1,1\\.1,1\\.2\\s+\\d{4}`),
  );
  expect(lines[3]).toMatch(new RegExp(`^127\\.0\\.0\\.1:${closed}\\s+ERROR\\s+info probe\\.error\\.probe_target_unreachable\\s+-\\s+-$`));
  expect(lines[5]).toMatch(/^3 endpoints in [\d.]+ s: 1 pass, 0 warn, 1 fail, 1 error; \d+ handshakes$/);
  expect(r.code).toBe(2);
  // Not a TTY here: no progress line on stderr.
  expect(r.stderr).toBe('');
}, 150_000);

test('bad targets files are named with the line; a target and --targets together are refused', async () => {
  const bad = pki.file('bad.txt');
  writeFileSync(bad, 'localhost:443\nlocalhost 443\n');
  const r = await runCli(['probe', 'tls', '--targets', bad]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`--targets ${bad}:2: one target per line, got "localhost 443"`);
  const empty = pki.file('empty.txt');
  writeFileSync(empty, '# nothing\n\n');
  expect((await runCli(['probe', 'tls', '--targets', empty])).stderr).toContain(`--targets ${empty}: no targets`);
  expect((await runCli(['probe', 'tls', 'localhost:443', '--targets', empty])).stderr).toContain(
    'give a target or --targets FILE, not both',
  );
  expect((await runCli(['probe', 'tls', '--targets', pki.file('missing.txt')])).stderr).toContain('cannot read');
}, 60_000);
