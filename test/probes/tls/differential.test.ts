/**
 * Differential test: testssl.sh (Debian package, JSON output) and pengawas scan the same s_server instances and
 * must agree on the protocols offered and the suites accepted per protocol. testssl is slow (tens of seconds),
 * so it is limited to protocols + per-protocol ciphers (-p -E) on two servers, run side by side.
 */
import { measurements, Pki, scan, sServer, type Server } from './helpers';
import { testssl } from './testssl';

let pki: Pki;
const servers: Server[] = [];

beforeAll(async () => {
  pki = new Pki();
  const leaf = pki.leaf({ name: 'diff' });
  servers.push(
    // TLS 1.0-1.2 with every non-anonymous suite OpenSSL 3.0 still has
    await sServer(
      { ...leaf, chain: pki.interCert },
      ['-cipher', 'ALL:!aNULL:@SECLEVEL=0', '-min_protocol', 'TLSv1', '-max_protocol', 'TLSv1.2'],
      pki.dir,
    ),
    // A Mozilla-intermediate-like server: TLS 1.2 + 1.3, a few AEAD suites
    await sServer(
      { ...leaf, chain: pki.interCert },
      [
        '-cipher',
        'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES256-GCM-SHA384',
        '-ciphersuites',
        'TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256',
        '-min_protocol',
        'TLSv1.2',
      ],
      pki.dir,
    ),
  );
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  pki.cleanup();
});

test('pengawas and testssl.sh agree on protocols and accepted suites', async () => {
  const views = await Promise.all(servers.map((s, i) => testssl(`127.0.0.1:${s.port}`, pki.file(`testssl-${i}.json`))));
  for (const [i, s] of servers.entries()) {
    const r = await scan(`127.0.0.1:${s.port}`, { profile: 'none', checkRevocation: false });
    const m = measurements(r);
    expect(m.protocols).toEqual(views[i].protocols);
    expect(m.ciphers.map((c) => `${c.protocol} ${c.code}`).sort()).toEqual(views[i].suites);
  }
}, 660_000);
