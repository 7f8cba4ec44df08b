/**
 * Differential test of the vulnerability and session checks: testssl.sh (test/probes/tls/testssl-vulns.ts) and
 * pengawas judge the same `openssl s_server` instances and must agree on every verdict both give. testssl is slow
 * (minutes; 34 min for one server under load 30 on two cores): the servers run side by side in this one file.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { RobotCheck } from '../../../src/probes/tls/robot';
import { measurements, Pki, scan, sServer, type Server } from './helpers';
import { robotPeer, type RobotPeer } from './robot-peer';
import { testsslVulns } from './testssl-vulns';

let pki: Pki;
const servers: Server[] = [];
const peers: RobotPeer[] = [];

beforeAll(async () => {
  pki = new Pki();
  const leaf = { ...pki.leaf({ name: 'dv' }), chain: pki.interCert };
  const staple = { ...pki.leaf({ name: 'dvms', extensions: ['tlsfeature=status_request'] }), chain: pki.interCert };
  servers.push(
    // TLS 1.2/1.3 defaults: tickets and a session cache, client renegotiation refused
    await sServer(leaf, [], pki.dir),
    // TLS 1.0-1.2 with CBC (BEAST, Lucky Thirteen), client renegotiation allowed
    await sServer(
      leaf,
      [
        '-min_protocol',
        'TLSv1',
        '-max_protocol',
        'TLSv1.2',
        '-cipher',
        'ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0',
        '-client_renegotiation',
      ],
      pki.dir,
    ),
    // no resumption at all; a must-staple certificate
    await sServer(staple, ['-no_ticket', '-no_cache'], pki.dir),
  );
});

afterAll(async () => {
  for (const p of peers) p.close();
  await Promise.all(servers.map((s) => s.stop()));
  pki.cleanup();
});

test('pengawas and testssl.sh agree on every vulnerability and session verdict both give', async () => {
  const views = await Promise.all(servers.map((s, i) => testsslVulns(`127.0.0.1:${s.port}`, pki.file(`testssl-v${i}.json`))));
  for (const [i, s] of servers.entries()) {
    const r = await scan(`localhost:${s.port}`, { profile: 'none', checkRevocation: false, caFile: pki.rootCert });
    const m = measurements(r);
    const ours: Record<string, boolean | null> = { ...(m.vulnerabilities as Record<string, boolean | null>) };
    for (const [k, v] of Object.entries(m.features as Record<string, boolean | null>)) ours[`feature:${k}`] = v;
    const compared = Object.keys(views[i]).filter((k) => ours[k] !== null && ours[k] !== undefined);
    // Each server has at least ten verdicts in common, so the comparison cannot pass by comparing nothing.
    expect(compared.length).toBeGreaterThanOrEqual(10);
    expect(Object.fromEntries(compared.map((k) => [k, ours[k]]))).toEqual(Object.fromEntries(compared.map((k) => [k, views[i][k]])));
  }
}, 2_000_000);

/** testssl.sh's ROBOT verdict alone (-BB): its JSON severity (OK, MEDIUM weakly vulnerable, CRITICAL) and finding. */
function testsslRobot(target: string, jsonFile: string): Promise<{ severity: string; finding: string }> {
  return new Promise((resolve, reject) =>
    execFile(
      'testssl',
      ['--quiet', '--color', '0', '--warnings', 'off', '-BB', '--jsonfile', jsonFile, target],
      { timeout: 1_800_000 },
      (err) => {
        try {
          const rows = JSON.parse(readFileSync(jsonFile, 'utf8')) as Array<{ id: string; severity: string; finding: string }>;
          const row = rows.find((r) => r.id === 'ROBOT');
          return row ? resolve(row) : reject(new Error('testssl wrote no ROBOT verdict'));
        } catch {
          reject(err ?? new Error('testssl wrote no JSON'));
        }
      },
    ),
  );
}

// The purpose-built oracle servers of test/probes/tls/robot-peer.ts (they reproduce the vulnerable behaviour at the
// wire level; no real server here has it): testssl.sh's run_robot judges them too, so both verdicts and the
// strong/weak distinction are compared (testssl: CRITICAL strong, MEDIUM "the attack would take too long" weak).
test('pengawas and testssl.sh agree on ROBOT for a strong oracle, a weak oracle and implicit rejection', async () => {
  const leaf = pki.leaf({ name: 'dvrobot' });
  const modes = ['strong', 'weak', 'fixed'] as const;
  for (const m of modes) peers.push(await robotPeer(m, leaf));
  const theirs = await Promise.all(peers.map((p, i) => testsslRobot(`127.0.0.1:${p.port}`, pki.file(`testssl-robot-${i}.json`))));
  const expected = { strong: 'CRITICAL', weak: 'MEDIUM', fixed: 'OK' };
  for (const [i, p] of peers.entries()) {
    const r = await scan(`127.0.0.1:${p.port}`, { profile: 'none', checkRevocation: false, sessions: false, protocols: ['TLSv1.2'] });
    const robot = (measurements(r).vulnerabilityChecks as { robot: RobotCheck }).robot;
    const ours = robot.vulnerable ? (robot.oracle === 'strong' ? 'CRITICAL' : 'MEDIUM') : robot.vulnerable === false ? 'OK' : 'undecided';
    expect([modes[i], ours]).toEqual([modes[i], theirs[i].severity]);
    expect(theirs[i].severity).toBe(expected[modes[i]]);
  }
}, 2_000_000);
