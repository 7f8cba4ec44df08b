/**
 * ROBOT (tls.vuln.robot). No server that runs here has a Bleichenbacher oracle, so test/probes/tls/robot-peer.ts
 * reproduces the vulnerable behaviour at the wire level (a TLS 1.2 server that decrypts the ClientKeyExchange with
 * crypto.privateDecrypt and RSA_NO_PADDING and answers differently on bad padding); the negative cases run against
 * a real `openssl s_server` offering RSA key exchange (not vulnerable) and one without it (not applicable).
 */
import { Registry } from 'prom-client';
import { ProbeFamilies } from '../../../src/metrics/probe-families';
import type { RobotCheck } from '../../../src/probes/tls/robot';
import { paddedPremaster } from '../../../src/probes/tls/wire/robot';
import { measurements, Pki, scan, sServer, type Server } from './helpers';
import { robotPeer, type RobotPeer } from './robot-peer';

let pki: Pki;
let leaf: ReturnType<Pki['leaf']>;
const servers: Record<string, Server> = {};
const peers: RobotPeer[] = [];

beforeAll(async () => {
  pki = new Pki();
  leaf = pki.leaf({ name: 'robot' });
  const [rsaKex, noRsaKex] = await Promise.all([
    sServer(
      { ...leaf, chain: pki.interCert },
      ['-no_tls1_3', '-cipher', 'AES128-GCM-SHA256:AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256'],
      pki.dir,
    ),
    sServer({ ...leaf, chain: pki.interCert }, ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'], pki.dir),
  ]);
  Object.assign(servers, { rsaKex, noRsaKex });
});

afterAll(async () => {
  for (const p of peers) p.close();
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  pki.cleanup();
});

const opts = { checkRevocation: false, profile: 'none', sessions: false };
const robotOf = (r: Awaited<ReturnType<typeof scan>>) => (measurements(r).vulnerabilityChecks as { robot: RobotCheck | null }).robot;
const verdict = (r: Awaited<ReturnType<typeof scan>>) => (measurements(r).vulnerabilities as Record<string, boolean | null>).robot;

async function scanPeer(mode: Parameters<typeof robotPeer>[0], timeoutMs = 20_000) {
  const peer = await robotPeer(mode, leaf);
  peers.push(peer);
  const r = await scan(`127.0.0.1:${peer.port}`, { ...opts, protocols: ['TLSv1.2'] }, timeoutMs);
  return { r, peer };
}

test('the five premaster blocks follow the paper (and testssl.sh run_robot): length k, the fault where it says', () => {
  const k = 256;
  const [ok, first, misplaced, noSep, ver] = [0, 1, 2, 3, 4].map((v) => paddedPremaster(v, k, 0x0303));
  for (const b of [ok, first, misplaced, noSep, ver]) expect(b.length).toBe(k);
  expect([...ok.subarray(0, 2)]).toEqual([0, 2]);
  expect(ok.indexOf(0, 2)).toBe(k - 49); // 00 separator, then 48 bytes: version 03 03 and 46 more
  expect([...ok.subarray(k - 48, k - 46)]).toEqual([3, 3]);
  expect([...first.subarray(0, 2)]).toEqual([0x41, 0x17]);
  expect(misplaced.indexOf(0, 2)).toBe(k - 2);
  expect(noSep.indexOf(0, 2)).toBe(-1);
  expect([...ver.subarray(k - 48, k - 46)]).toEqual([2, 2]);
});

test('purpose-built strong oracle (reproduces the vulnerable behaviour): tls.vuln.robot fail critical, 10 handshakes', async () => {
  const { r, peer } = await scanPeer('strong');
  const robot = robotOf(r)!;
  expect(robot).toMatchObject({ applicable: true, vulnerable: true, oracle: 'strong', protocol: 'TLSv1.2', handshakes: 10 });
  expect(robot.rounds[0].answers).toEqual(['alert 20, close', 'alert 40, close', 'alert 50, close', 'alert 50, close', 'alert 20, close']);
  // The full flight differed, so it was repeated (same answers) and the key-exchange-only flow was not needed.
  expect(robot.rounds.map((x) => x.flow)).toEqual(['cke+ccs+finished', 'cke+ccs+finished']);
  expect(robot.rounds[1].answers).toEqual(robot.rounds[0].answers);
  expect(peer.seen.cke).toBe(10);
  expect(verdict(r)).toBe(true);
  expect(r.findings.find((f) => f.id === 'tls.vuln.robot')).toMatchObject({ status: 'fail', severity: 'critical' });
  const registry = new Registry();
  new ProbeFamilies(registry, ['tls']).observe(r);
  expect(await registry.metrics()).toContain('pengawas_tls_vulnerable{check="tls-test",element="security",vuln="robot"} 1');
});

test('purpose-built weak oracle (only a correct padding stands out): tls.vuln.robot fail high', async () => {
  const { r } = await scanPeer('weak');
  expect(robotOf(r)).toMatchObject({ vulnerable: true, oracle: 'weak' });
  expect(robotOf(r)!.rounds[0].answers).toEqual([
    'alert 20, close',
    'alert 51, close',
    'alert 51, close',
    'alert 51, close',
    'alert 51, close',
  ]);
  expect(r.findings.find((f) => f.id === 'tls.vuln.robot')).toMatchObject({ status: 'fail', severity: 'high' });
});

test('an oracle only the key exchange alone shows: found by the second flow, repeated with a longer wait', async () => {
  // A repeat after silences waits 0.6 of the handshake timeout (5 s by default) for an answer the peer never sends.
  const { r, peer } = await scanPeer('flight', 6000);
  const robot = robotOf(r)!;
  expect(robot).toMatchObject({ applicable: true, vulnerable: true, oracle: 'weak', handshakes: 15 });
  const oracle = ['silence', 'alert 51, close', 'alert 51, close', 'alert 51, close', 'alert 51, close'];
  expect(robot.rounds.map((x) => [x.flow, x.answers])).toEqual([
    ['cke+ccs+finished', Array(5).fill('alert 51, close')],
    ['cke only', oracle],
    ['cke only', oracle],
  ]);
  expect(robot.rounds[2].waitMs).toBe(3000);
  expect(peer.seen.cke).toBe(15);
  expect(r.findings.find((f) => f.id === 'tls.vuln.robot')).toMatchObject({ status: 'fail', severity: 'high' });
});

test('purpose-built server with implicit rejection: not vulnerable in 10 handshakes', async () => {
  const { r, peer } = await scanPeer('fixed');
  const robot = robotOf(r)!;
  expect(robot).toMatchObject({ applicable: true, vulnerable: false, handshakes: 10 });
  expect(robot.rounds.map((x) => [x.flow, x.answers])).toEqual([
    ['cke+ccs+finished', Array(5).fill('alert 20, close')],
    ['cke only', Array(5).fill('silence')],
  ]);
  expect(peer.seen.cke).toBe(10);
  expect(r.findings.some((f) => f.id === 'tls.vuln.robot')).toBe(false);
});

test('one odd answer that a repeat does not reproduce: undecided (null), no finding and no pass', async () => {
  const { r } = await scanPeer('flaky');
  expect(robotOf(r)).toMatchObject({ applicable: true, vulnerable: null, handshakes: 10 });
  expect(verdict(r)).toBeNull();
  expect(r.findings.some((f) => f.id === 'tls.vuln.robot')).toBe(false);
  expect((measurements(r).vulnerabilityChecks as { notes: string[] }).notes.join(' ')).toMatch(/ROBOT: undecided/);
});

test('openssl s_server with RSA key exchange (OpenSSL 3, implicit rejection): not vulnerable', async () => {
  const r = await scan(`localhost:${servers.rsaKex.port}`, { ...opts, caFile: pki.rootCert });
  const robot = robotOf(r)!;
  expect(robot).toMatchObject({ applicable: true, vulnerable: false, protocol: 'TLSv1.2', handshakes: 10 });
  expect(robot.suites).toEqual(expect.arrayContaining(['TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_256_CBC_SHA']));
  for (const round of robot.rounds) expect(new Set(round.answers).size).toBe(1);
  expect(verdict(r)).toBe(false);
});

test('openssl s_server without RSA key exchange: not applicable, no handshake spent', async () => {
  const r = await scan(`localhost:${servers.noRsaKex.port}`, { ...opts, caFile: pki.rootCert });
  expect(robotOf(r)).toMatchObject({ applicable: false, vulnerable: false, handshakes: 0, note: 'no RSA key-exchange suite accepted' });
});
