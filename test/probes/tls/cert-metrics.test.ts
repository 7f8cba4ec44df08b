/**
 * `pengawas_tls_cert_info` and `pengawas_tls_cert_expiry_seconds` against a real TLS server: the fingerprint,
 * serial, subject, issuer and notAfter must be what `openssl x509` reads from the served certificate, spelt as
 * blackbox_exporter's probe_ssl_last_chain_info spells them (fingerprint_sha256 and serial as lower-case hex,
 * prober/tls.go: hex.EncodeToString(sha256 of the raw certificate), fmt.Sprintf("%x", SerialNumber)).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import { Registry } from 'prom-client';
import { ProbeFamilies } from '../../../src/metrics/probe-families';
import { Pki, scan } from './helpers';

let pki: Pki;
let leafCert: string;
let port: number;
let close: () => void;

beforeAll(async () => {
  pki = new Pki();
  const leaf = pki.leaf({ name: 'svc', days: 30 });
  leafCert = leaf.cert;
  const srv = https.createServer(
    { key: readFileSync(leaf.key), cert: readFileSync(leaf.cert, 'utf8') + readFileSync(pki.interCert, 'utf8') },
    (_req, res) => res.end('ok'),
  );
  srv.on('tlsClientError', () => undefined);
  port = await new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as net.AddressInfo).port)));
  close = () => {
    srv.closeAllConnections();
    srv.close();
  };
});

afterAll(() => {
  close?.();
  pki?.cleanup();
});

/** One field of `openssl x509 -noout -<flag>` for the leaf, after its "=". */
function x509(flag: string, ...extra: string[]): string {
  const out = execFileSync('openssl', ['x509', '-in', leafCert, '-noout', `-${flag}`, ...extra], { encoding: 'utf8' }).trim();
  return out.slice(out.indexOf('=') + 1).trim();
}

test('cert_info names the served leaf as openssl reads it; expiry_seconds counts down to its notAfter', async () => {
  const r = await scan(`localhost:${port}`, { caFile: pki.rootCert, checkRevocation: false, profile: 'none' });
  const registry = new Registry();
  const fam = new ProbeFamilies(registry, ['tls']);
  fam.observe(r);
  const text = await registry.metrics();

  const info = /^pengawas_tls_cert_info\{(.*)\} 1$/m.exec(text);
  expect(info).not.toBeNull();
  const labels = Object.fromEntries([...info![1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const notAfter = new Date(x509('enddate'));
  expect(labels).toEqual({
    check: 'tls-test',
    element: 'security',
    fingerprint_sha256: x509('fingerprint', '-sha256').replace(/:/g, '').toLowerCase(),
    subject: x509('subject', '-nameopt', 'RFC2253'),
    issuer: x509('issuer', '-nameopt', 'RFC2253'),
    serial: x509('serial').toLowerCase(),
    not_after: notAfter.toISOString(),
  });
  expect(labels.fingerprint_sha256).toMatch(/^[0-9a-f]{64}$/);

  // Seconds left at scrape time: about 30 days, within a wide guard for a loaded machine.
  const left = Number(/^pengawas_tls_cert_expiry_seconds\{check="tls-test",element="security"\} (-?\d+)$/m.exec(text)![1]);
  expect(Math.abs(left - (notAfter.getTime() - Date.now()) / 1000)).toBeLessThan(300);
  expect(text).not.toContain('pengawas_tls_cert_days_left');

  // A check that leaves the configuration takes its certificate series with it.
  fam.forget('tls-test', 'tls');
  const after = await registry.metrics();
  expect(after).not.toMatch(/pengawas_tls_cert_info\{/);
  expect(after).not.toMatch(/pengawas_tls_cert_expiry_seconds\{/);
}, 60_000);
