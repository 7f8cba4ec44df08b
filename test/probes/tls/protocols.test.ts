/** Protocol and suite enumeration against real `openssl s_server` instances with known settings. */
import { ids, measurements, Pki, scan, sServer, type Server } from './helpers';

let pki: Pki;
const servers: Record<string, Server> = {};

beforeAll(async () => {
  pki = new Pki();
  const leaf = pki.leaf({ name: 'leaf' });
  const cert = { cert: leaf.cert, key: leaf.key, chain: pki.interCert };
  const [legacy, tls13, cbc, nofs, pref] = await Promise.all([
    sServer(cert, ['-cipher', 'ALL:@SECLEVEL=0', '-min_protocol', 'TLSv1', '-max_protocol', 'TLSv1.1'], pki.dir),
    sServer(cert, ['-tls1_3', '-groups', 'X25519:P-256:P-384'], pki.dir),
    sServer(cert, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA', '-groups', 'X25519:P-256:P-384'], pki.dir),
    sServer(cert, ['-tls1_2', '-cipher', 'AES128-GCM-SHA256:AES256-SHA256'], pki.dir),
    sServer(
      cert,
      [
        '-cipher',
        'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305',
        '-serverpref',
        '-groups',
        'secp384r1:X25519',
      ],
      pki.dir,
    ),
  ]);
  Object.assign(servers, { legacy, tls13, cbc, nofs, pref });
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  pki.cleanup();
});

const opts = () => ({ caFile: pki.rootCert, checkRevocation: false });

test('TLS 1.0 and 1.1 only: both reported, with their findings', async () => {
  const r = await scan(`localhost:${servers.legacy.port}`, opts());
  const m = measurements(r);
  expect(m.protocols).toEqual({ SSLv2: false, SSLv3: false, TLSv1: true, 'TLSv1.1': true, 'TLSv1.2': false, 'TLSv1.3': false });
  expect(r.status).toBe('fail');
  expect(ids(r)).toEqual(
    expect.arrayContaining([
      'tls.protocol.tls1_0_enabled',
      'tls.protocol.tls1_1_enabled',
      'tls.protocol.tls1_3_disabled',
      'tls.cipher.cbc_suite',
      'tls.cipher.no_forward_secrecy',
      'tls.cipher.anonymous_suite',
      'tls.profile.protocol',
    ]),
  );
  expect(m.ciphers.every((c) => c.protocol === 'TLSv1' || c.protocol === 'TLSv1.1')).toBe(true);
  expect(m.ciphers).toContainEqual({ protocol: 'TLSv1', name: 'TLS_RSA_WITH_AES_128_CBC_SHA', code: '0x002F', strength: 'weak' });
  expect(m.profile).toEqual({ name: 'mozilla-intermediate-5.7', compliant: false });
});

test('TLS 1.3 only: exactly the three default suites, modern profile compliant apart from the certificate key', async () => {
  const r = await scan(`localhost:${servers.tls13.port}`, { ...opts(), profile: 'modern' });
  const m = measurements(r);
  expect(m.protocols).toEqual({ SSLv2: false, SSLv3: false, TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': true });
  expect(m.ciphers.map((c) => c.name).sort()).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);
  expect(m.ciphers.every((c) => c.strength === 'recommended')).toBe(true);
  // RSA certificate, no staple: the only modern-profile violations; nothing about protocols or suites.
  expect(ids(r)).toEqual(['tls.profile.cert_key_type', 'tls.profile.cert_signature', 'tls.profile.ocsp_stapling']);
  expect([...m.groups].sort()).toEqual(['X25519', 'prime256v1', 'secp384r1']);
});

test('CBC-only TLS 1.2: cbc_suite, no AEAD suite accepted', async () => {
  const r = await scan(`localhost:${servers.cbc.port}`, opts());
  const m = measurements(r);
  expect(m.protocols['TLSv1.2']).toBe(true);
  expect(m.ciphers.map((c) => c.code).sort()).toEqual(['0xC014', '0xC027']);
  // the server follows the client's order, and every suite it has is weak
  expect(ids(r)).toEqual([
    'tls.cipher.cbc_suite',
    'tls.cipher.no_server_preference',
    'tls.profile.cipher',
    'tls.profile.ocsp_stapling',
    'tls.protocol.tls1_3_disabled',
    'tls.vuln.lucky13',
  ]);
  const cbc = r.findings.find((f) => f.id === 'tls.cipher.cbc_suite')!;
  expect(cbc.severity).toBe('medium');
  expect(cbc.status).toBe('fail');
});

test('non-forward-secret suites only: no_forward_secrecy', async () => {
  const r = await scan(`localhost:${servers.nofs.port}`, opts());
  const m = measurements(r);
  expect(m.ciphers.map((c) => c.name).sort()).toEqual(['TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_256_CBC_SHA256']);
  expect(ids(r)).toEqual([
    'tls.cipher.cbc_suite',
    'tls.cipher.no_forward_secrecy',
    'tls.cipher.no_server_preference',
    'tls.profile.cipher',
    'tls.profile.ocsp_stapling',
    'tls.protocol.tls1_3_disabled',
    'tls.vuln.lucky13',
  ]);
});

test('server preference order and groups are reported; a compliant server has no failing finding', async () => {
  const r = await scan(`localhost:${servers.pref.port}`, opts());
  const m = measurements(r);
  expect(m.serverPreference['TLSv1.2']).toBe(true);
  expect(m.ciphers.filter((c) => c.protocol === 'TLSv1.2').map((c) => c.name)).toEqual([
    'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  ]);
  expect([...m.groups].sort()).toEqual(['X25519', 'secp384r1']);
  expect(ids(r)).toEqual(['tls.profile.ocsp_stapling']);
  expect(r.status).toBe('warn');
  expect(m.profile?.compliant).toBe(true);
  // offer-all/remove-chosen: handshakes grow with accepted suites, not with the ~350-suite registry
  // (5 of them are the session checks' four connections and the CCS injection hello)
  expect(m.handshakes).toBeLessThan(35);
});
