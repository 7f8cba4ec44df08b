/**
 * What a scan must not miss or misstate: every certificate of a dual-certificate server (openssl s_server
 * -cert/-dcert, nginx with two ssl_certificate lines), path trust split from validity now, groups over TLS 1.0,
 * a silent port costing one handshake timeout, and a client-certificate server keeping its TLS verdict.
 */
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { Registry } from 'prom-client';
import { ProbeFamilies } from '../../../src/metrics/probe-families';
import { ids, measurements, Pki, scan, sServer, startChild, type Server, stamp } from './helpers';

let pki: Pki;
const servers: Record<string, Server> = {};
const closers: Array<() => void> = [];
const NGINX = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : undefined;

beforeAll(async () => {
  pki = new Pki();
  const rsa = pki.leaf({ name: 'rsa' });
  const ec = pki.leaf({ name: 'ec', keyType: 'ec' });
  const expired = pki.leaf({ name: 'expired', startdate: stamp(-60), enddate: stamp(-1) });
  const ecSoon = pki.leaf({ name: 'ecsoon', keyType: 'ec', days: 3 });
  const chain = pki.interCert;
  const [dual, dual13, tls10, clientAuth, expiredSrv, clientOptional, dualSoon] = await Promise.all([
    // s_server's second certificate: -dcert/-dkey (see openssl-s_server(1)), both served over TLS 1.2 and 1.3
    sServer({ ...rsa, chain }, ['-dcert', ec.cert, '-dkey', ec.key, '-dcert_chain', chain], pki.dir),
    sServer({ ...rsa, chain }, ['-dcert', ec.cert, '-dkey', ec.key, '-dcert_chain', chain, '-tls1_3'], pki.dir),
    sServer({ ...rsa, chain }, ['-tls1', '-cipher', 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0', '-groups', 'X25519:P-256:P-384'], pki.dir),
    // -Verify 1: a client certificate is required (the handshake fails without one)
    sServer({ ...rsa, chain }, ['-Verify', '1', '-CAfile', pki.rootCert], pki.dir),
    sServer({ ...expired, chain }, [], pki.dir),
    // -verify 1: a client certificate is asked for, the handshake goes on without one
    sServer({ ...rsa, chain }, ['-verify', '1', '-CAfile', pki.rootCert], pki.dir),
    // RSA leaf good for 90 days, ECDSA leaf for 3
    sServer({ ...rsa, chain }, ['-dcert', ecSoon.cert, '-dkey', ecSoon.key, '-dcert_chain', chain], pki.dir),
  ]);
  Object.assign(servers, { dual, dual13, tls10, clientAuth, expiredSrv, clientOptional, dualSoon });
  if (NGINX) servers.nginx = await nginxDual(rsa, ec);
}, 60_000);

afterAll(async () => {
  for (const c of closers) c();
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  pki.cleanup();
});

/** nginx with an RSA and an ECDSA certificate (two ssl_certificate lines, nginx's documented dual-cert setup). */
async function nginxDual(rsa: { fullchain: string; key: string }, ec: { fullchain: string; key: string }): Promise<Server> {
  const conf = pki.file('nginx.conf');
  return startChild(
    NGINX!,
    (port) => {
      writeFileSync(
        conf,
        `daemon off; master_process off; worker_processes 1; error_log ${pki.file('nginx.err')}; pid ${pki.file('nginx.pid')};
events { worker_connections 64; }
http { access_log off; client_body_temp_path ${pki.dir}; proxy_temp_path ${pki.dir}; fastcgi_temp_path ${pki.dir}; uwsgi_temp_path ${pki.dir}; scgi_temp_path ${pki.dir};
  server { listen 127.0.0.1:${port} ssl; server_name localhost;
    ssl_certificate ${rsa.fullchain}; ssl_certificate_key ${rsa.key};
    ssl_certificate ${ec.fullchain}; ssl_certificate_key ${ec.key};
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { add_header Strict-Transport-Security "max-age=63072000" always; return 200 "ok"; } } }`,
      );
      return ['-p', pki.dir, '-c', conf];
    },
    pki.dir,
  );
}

const opts = (extra: Record<string, unknown> = {}) => ({ caFile: pki.rootCert, checkRevocation: false, profile: 'none', ...extra });
type Cert = { keyType: string; fingerprint256: string; subject: string; pathTrusted: boolean; validNow: boolean };
const certs = (r: Awaited<ReturnType<typeof scan>>) => (measurements(r).certificates as Cert[]) ?? [];

test('s_server with an RSA and an ECDSA certificate: both are reported (TLS 1.2 and TLS 1.3 only)', async () => {
  for (const name of ['dual', 'dual13']) {
    const r = await scan(`localhost:${servers[name].port}`, opts());
    const types = certs(r)
      .map((c) => c.keyType)
      .sort();
    expect({ name, types }).toEqual({ name, types: ['EC', 'RSA'] });
    expect(new Set(certs(r).map((c) => c.fingerprint256)).size).toBe(2);
    expect(certs(r).every((c) => c.pathTrusted && c.validNow)).toBe(true);
  }
}, 60_000);

test('dual certificates, the ECDSA one expiring in 3 days: its finding names it and the expiry metric takes it', async () => {
  const r = await scan(`localhost:${servers.dualSoon.port}`, opts());
  const soon = r.findings.find((f) => f.id === 'tls.cert.expires_soon')!;
  expect(soon).toMatchObject({ status: 'warn', severity: 'high' });
  expect(soon.message).toMatch(/^EC certificate: certificate expires in [23] days/);
  expect((soon.evidence!.certificates as Array<{ keyType: string }>).map((c) => c.keyType)).toEqual(['EC']);
  const registry = new Registry();
  new ProbeFamilies(registry, ['tls']).observe(r);
  const text = await registry.metrics();
  const left = Number(/pengawas_tls_cert_expiry_seconds\{[^}]*\} (-?\d+)/.exec(text)![1]);
  expect(left).toBeLessThanOrEqual(3 * 86_400);
  const ecNotAfter = certs(r).find((c) => c.keyType === 'EC')! as unknown as { notAfter: string };
  expect(text).toContain(
    `pengawas_tls_cert_expiry_timestamp_seconds{check="tls-test",element="security"} ${Date.parse(ecNotAfter.notAfter) / 1000}`,
  );
});

(NGINX ? test : test.skip)(
  'nginx with two ssl_certificate lines: both certificates are reported',
  async () => {
    const r = await scan(`localhost:${servers.nginx.port}`, opts({ hsts: true }));
    expect(
      certs(r)
        .map((c) => c.keyType)
        .sort(),
    ).toEqual(['EC', 'RSA']);
    // nginx's default suites draw cipher findings; neither certificate nor HSTS may.
    expect(ids(r).filter((i) => i.startsWith('tls.cert.') || i.startsWith('tls.hsts.'))).toEqual([]);
    expect(measurements(r).hsts).toMatchObject({ present: true, maxAge: 63072000 });
  },
  60_000,
);

test('a server that asks for a client certificate but does not require one: requested, HSTS read', async () => {
  const r = await scan(`localhost:${servers.clientOptional.port}`, opts({ hsts: true }));
  expect(measurements(r).clientCertificate).toBe('requested');
  expect(ids(r)).not.toContain('tls.hsts.unchecked');
  // s_server -www sends no HSTS header: the header was read, and found missing.
  expect(ids(r)).toContain('tls.hsts.missing');
});

test('an expired certificate: the path is trusted, it is not valid now, and the summary says untrusted now', async () => {
  const r = await scan(`localhost:${servers.expiredSrv.port}`, opts());
  const c = measurements(r).certificate as Record<string, unknown>;
  expect(c).toMatchObject({ pathTrusted: true, validNow: false, trustedNow: false });
  expect(c).not.toHaveProperty('chainTrusted');
  expect(ids(r)).toContain('tls.cert.expired');
});

test('TLS 1.0 only: the groups the server accepts there are enumerated', async () => {
  const r = await scan(`localhost:${servers.tls10.port}`, opts({ protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2'] }));
  const m = measurements(r);
  expect(m.protocols.TLSv1).toBe(true);
  expect([...m.groups].sort()).toEqual(['X25519', 'prime256v1', 'secp384r1']);
  expect(m.groupsByProtocol).toEqual({ TLSv1: ['X25519', 'prime256v1', 'secp384r1'] });
});

test('a port that accepts and never answers costs one handshake timeout, and the message says so', async () => {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  const port = await new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as net.AddressInfo).port)));
  closers.push(() => {
    for (const s of sockets) s.destroy();
    srv.close();
  });
  const r = await scan(`127.0.0.1:${port}`, { handshakeTimeoutMs: 1500 }, 20_000);
  expect(r.errorCode).toBe('PROBE_TIMEOUT');
  expect(r.findings[0].message).toMatch(/1500 ms/);
  // One timeout plus scheduling slack; two would be >= 3000 ms.
  expect(r.elapsedMs).toBeGreaterThanOrEqual(1400);
  expect(r.elapsedMs).toBeLessThan(2900);
});

test('a server that requires a client certificate: TLS verdict kept, HSTS failure is its own finding', async () => {
  const r = await scan(`localhost:${servers.clientAuth.port}`, opts({ hsts: true }));
  const m = measurements(r);
  expect(r.status).not.toBe('error');
  expect(m.protocols['TLSv1.2']).toBe(true);
  expect(m.clientCertificate).toBe('required');
  const h = r.findings.find((f) => f.id === 'tls.hsts.unchecked');
  expect(h).toMatchObject({ status: 'warn' });
  expect(h!.message).toMatch(/client certificate/);
  // The verdict is the TLS one: the same findings as without the HSTS request, plus the HSTS warning.
  const plain = await scan(`localhost:${servers.clientAuth.port}`, opts());
  expect(ids(r)).toEqual([...ids(plain), 'tls.hsts.unchecked'].sort());
  expect(r.status).toBe(plain.status === 'pass' ? 'warn' : plain.status);
});
