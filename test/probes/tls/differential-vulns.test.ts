/**
 * Differential test of the vulnerability and session checks: testssl.sh (test/probes/tls/testssl-vulns.ts) and
 * pengawas judge the same `openssl s_server` instances and must agree on every verdict both give. testssl is slow
 * (minutes; 34 min for one server under load 30 on two cores): the servers run side by side in this one file.
 */
import { measurements, Pki, scan, sServer, type Server } from './helpers';
import { testsslVulns } from './testssl-vulns';

let pki: Pki;
const servers: Server[] = [];

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
