/**
 * STARTTLS (SMTP, IMAP, PostgreSQL SSLRequest) against small servers the test runs with Node's tls, the real
 * PostgreSQL on 127.0.0.1:5432, HSTS over HTTPS, a custom YAML profile, and the metrics family.
 */
import { constants } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { Registry } from 'prom-client';
import { ProbeFamilies } from '../../../src/metrics/probe-families';
import { ids, measurements, Pki, scan } from './helpers';

let pki: Pki;
let ctx: tls.SecureContext;
let tlsOpts: tls.SecureContextOptions;
const closers: Array<() => void> = [];

type Kind = 'smtp' | 'imap' | 'postgres' | 'smtp-no-starttls';

/** A plaintext server that upgrades the connection to TLS after its protocol's STARTTLS exchange. */
function starttlsServer(kind: Kind): Promise<number> {
  const srv = net.createServer((s) => {
    s.on('error', () => undefined);
    const upgrade = () => {
      s.removeAllListeners('data');
      const t = new tls.TLSSocket(s, { isServer: true, secureContext: ctx });
      t.on('error', () => undefined);
      t.on('secure', () => t.end());
    };
    let buf = '';
    const onLine = (line: string) => {
      if (kind.startsWith('smtp')) {
        if (/^EHLO/i.test(line))
          s.write(kind === 'smtp' ? '250-test.invalid\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n' : '250 test.invalid\r\n');
        else if (/^STARTTLS/i.test(line)) {
          if (kind !== 'smtp') return s.end('502 5.5.1 not supported\r\n');
          s.write('220 2.0.0 Ready to start TLS\r\n', upgrade);
        } else s.write('500 what\r\n');
      } else if (kind === 'imap') {
        if (/^p1 STARTTLS/i.test(line)) s.write('p1 OK Begin TLS negotiation now\r\n', upgrade);
        else s.write('* BAD\r\n');
      }
    };
    if (kind === 'postgres') {
      s.once('data', (d) => {
        if (d.length === 8 && d.readInt32BE(4) === 80877103) s.write('S', upgrade);
        else s.destroy();
      });
      return;
    }
    s.write(kind === 'imap' ? '* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n' : '220 test.invalid ESMTP ready\r\n');
    s.on('data', (d) => {
      buf += d.toString('latin1');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        onLine(line);
      }
    });
  });
  closers.push(() => srv.close());
  return new Promise((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as net.AddressInfo).port)));
}

let httpsPort: number;

beforeAll(async () => {
  pki = new Pki();
  const leaf = pki.leaf({ name: 'svc', days: 90 });
  // Mozilla intermediate settings, so that only what a test is about shows up as a finding.
  tlsOpts = {
    key: readFileSync(leaf.key),
    cert: readFileSync(leaf.cert, 'utf8') + readFileSync(pki.interCert, 'utf8'),
    minVersion: 'TLSv1.2',
    ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305',
    ecdhCurve: 'X25519:prime256v1:secp384r1',
    // Node's TLS server accepts client-initiated renegotiation (rate-limited by tls.CLIENT_RENEG_LIMIT), which the
    // session checks rightly report (tls.vuln.client_renegotiation); these tests are about other findings.
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
  } as const;
  ctx = tls.createSecureContext(tlsOpts);
  const srv = https.createServer(tlsOpts, (req, res) => {
    if (req.url === '/') res.setHeader('strict-transport-security', 'max-age=300; includeSubDomains');
    res.end('ok');
  });
  srv.on('tlsClientError', () => undefined);
  httpsPort = await new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as net.AddressInfo).port)));
  closers.push(() => {
    srv.closeAllConnections();
    srv.close();
  });
});

afterAll(() => {
  for (const c of closers) c();
  pki.cleanup();
});

const base = () => ({ caFile: pki.rootCert, checkRevocation: false, profile: 'none' });

test.each(['smtp', 'imap', 'postgres'] as const)('STARTTLS %s: protocols and certificate through the upgrade', async (kind) => {
  const port = await starttlsServer(kind);
  // Session checks off: this server wraps each connection in a bare TLSSocket that closes at once (no session
  // cache, no ticket sent), so resumption is not what this test is about (tls/sessions.test.ts is).
  const r = await scan(`localhost:${port}`, { ...base(), starttls: kind, sessions: false });
  const m = measurements(r);
  expect(r.findings.filter((f) => f.status !== 'pass').map((f) => `${f.id}: ${f.message}`)).toEqual([]);
  expect(r.status).toBe('pass');
  expect(m.protocols).toEqual({ SSLv2: false, SSLv3: false, TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true });
  expect(m.certificate).toMatchObject({ subject: 'CN=localhost', pathTrusted: true, trustedNow: true, hostnameMatch: true });
  expect(m.ciphers.length).toBeGreaterThan(3);
});

test('an SMTP server that does not offer STARTTLS → tls.starttls.refused (fail, not error)', async () => {
  const port = await starttlsServer('smtp-no-starttls');
  const r = await scan(`localhost:${port}`, { ...base(), starttls: 'smtp' });
  expect(r.status).toBe('fail');
  expect(ids(r)).toEqual(['tls.starttls.refused']);
});

test('the real PostgreSQL on 127.0.0.1:5432 (ssl off here) → tls.starttls.refused', async () => {
  const r = await scan('127.0.0.1:5432', { ...base(), starttls: 'postgres' });
  expect(ids(r)).toEqual(['tls.starttls.refused']);
  expect(r.findings[0].message).toMatch(/PostgreSQL server does not accept SSL/);
});

test('HSTS: header parsed; short max-age violates the intermediate profile; absent header is a finding', async () => {
  const r = await scan(`localhost:${httpsPort}`, { ...base(), hsts: true, profile: 'intermediate' });
  expect(measurements(r).hsts).toEqual({ present: true, maxAge: 300, includeSubDomains: true, preload: false });
  expect(ids(r)).toContain('tls.profile.hsts_max_age');
  const none = await scan(`localhost:${httpsPort}`, { ...base(), hsts: true, hstsPath: '/plain' });
  expect(ids(none)).toEqual(['tls.hsts.missing']);
});

test('custom YAML profile extends intermediate with the operator own limits', async () => {
  const file = pki.file('operator.yaml');
  writeFileSync(
    file,
    'name: operator-minimum\nextends: intermediate\nprotocols: [TLSv1.3]\nmaxCertLifetimeDays: 30\nocspStapling: false\n',
  );
  const r = await scan(`localhost:${httpsPort}`, { ...base(), profile: file });
  expect(ids(r)).toEqual(['tls.profile.cert_lifetime', 'tls.profile.protocol']);
  expect(r.findings.every((f) => (f.evidence as { profile: string }).profile === 'operator-minimum')).toBe(true);
  expect(measurements(r).profile).toEqual({ name: 'operator-minimum', compliant: false });

  writeFileSync(file, 'name: broken\nprotocols: [TLSv9]\n');
  const bad = await scan(`localhost:${httpsPort}`, { ...base(), profile: file });
  expect(bad.status).toBe('error');
  expect(bad.errorCode).toBe('PENGAWAS_USAGE');
});

test('metrics family: expiry, protocols, strengths, findings, compliance, timings with check and element', async () => {
  const r = await scan(`localhost:${httpsPort}`, { ...base(), hsts: true, profile: 'intermediate' });
  const registry = new Registry();
  const fam = new ProbeFamilies(registry, ['tls']);
  fam.observe(r);
  const text = await registry.metrics();
  const notAfter = Date.parse((measurements(r).certificate as { notAfter: string }).notAfter) / 1000;
  expect(text).toContain(`pengawas_tls_cert_expiry_timestamp_seconds{check="tls-test",element="security"} ${notAfter}`);
  expect(text).toMatch(/pengawas_tls_chain_earliest_expiry_timestamp_seconds\{check="tls-test",element="security"\} \d+/);
  expect(text).toContain('pengawas_tls_protocol_enabled{check="tls-test",element="security",protocol="TLSv1.3"} 1');
  expect(text).toContain('pengawas_tls_protocol_enabled{check="tls-test",element="security",protocol="TLSv1"} 0');
  expect(text).toContain('pengawas_tls_profile_compliant{check="tls-test",element="security",profile="mozilla-intermediate-5.7"} 0');
  expect(text).toContain('pengawas_tls_hsts_max_age_seconds{check="tls-test",element="security"} 300');
  expect(text).toMatch(/pengawas_tls_cipher_suites\{check="tls-test",element="security",strength="recommended"\} [1-9]/);
  expect(text).toMatch(/pengawas_tls_scan_duration_seconds\{check="tls-test",element="security"\} 0\.\d+/);
  fam.forget('tls-test', 'tls');
  expect(await registry.metrics()).not.toContain('check="tls-test"');
});
