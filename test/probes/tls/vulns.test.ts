/**
 * Vulnerability checks (tls.vuln.*). Negative cases against a real `openssl s_server` (OpenSSL 3: secure
 * renegotiation, no compression, honours TLS_FALLBACK_SCSV). Debian's OpenSSL cannot serve the vulnerable
 * behaviours (it is built without compression and always answers renegotiation_info and the SCSV), so a
 * purpose-built wire-level server reproduces them: it answers every ClientHello (RFC 5246 7.4.1.2) with a
 * ServerHello that echoes the offered version, takes the first offered suite, takes DEFLATE when offered, sends
 * no extensions (no renegotiation_info) and ignores TLS_FALLBACK_SCSV, then ServerHelloDone.
 */
import net from 'node:net';
import { Registry } from 'prom-client';
import { ProbeFamilies } from '../../../src/metrics/probe-families';
import { FALLBACK_SCSV } from '../../../src/probes/tls/vulns';
import { ids, measurements, Pki, scan, sServer, type Server } from './helpers';

let pki: Pki;
const servers: Record<string, Server> = {};
const closers: Array<() => void> = [];

/** The vulnerable peer described above; counts the hellos it saw with the SCSV. */
function vulnerablePeer(): Promise<{ port: number; scsvSeen: () => number }> {
  let scsv = 0;
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf[0] !== 22) return s.destroy(); // SSLv2 or garbage: hang up
      if (buf.length < 5 || buf.length < 5 + buf.readUInt16BE(3)) return;
      const body = buf.subarray(9);
      const version = body.readUInt16BE(0);
      let off = 2 + 32;
      off += 1 + body[off];
      const cs = body.readUInt16BE(off);
      const ciphers = Array.from({ length: cs / 2 }, (_, i) => body.readUInt16BE(off + 2 + 2 * i));
      off += 2 + cs;
      const comps = [...body.subarray(off + 1, off + 1 + body[off])];
      if (ciphers.includes(FALLBACK_SCSV)) scsv++;
      const hello = Buffer.concat([
        Buffer.from([version >> 8, version & 0xff]),
        Buffer.alloc(32, 9),
        Buffer.from([0]),
        Buffer.from([ciphers[0] >> 8, ciphers[0] & 0xff]),
        Buffer.from([comps.includes(1) ? 1 : 0]),
      ]);
      const hs = Buffer.concat([Buffer.from([2, 0, 0, hello.length]), hello, Buffer.from([14, 0, 0, 0])]);
      s.end(Buffer.concat([Buffer.from([22, 3, Math.min(version & 0xff, 3), hs.length >> 8, hs.length & 0xff]), hs]));
    });
  });
  return new Promise((resolve) =>
    srv.listen(0, '127.0.0.1', () => {
      closers.push(() => {
        for (const s of sockets) s.destroy();
        srv.close();
      });
      resolve({ port: (srv.address() as net.AddressInfo).port, scsvSeen: () => scsv });
    }),
  );
}

beforeAll(async () => {
  pki = new Pki();
  const leaf = pki.leaf({ name: 'v' });
  const [modern, legacy] = await Promise.all([
    sServer({ ...leaf, chain: pki.interCert }, ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'], pki.dir),
    // TLS 1.0-1.2 with a CBC suite: BEAST and Lucky Thirteen are inferred (OpenSSL 3 serves no 3DES here)
    sServer(
      { ...leaf, chain: pki.interCert },
      ['-min_protocol', 'TLSv1', '-max_protocol', 'TLSv1.2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:@SECLEVEL=0'],
      pki.dir,
    ),
  ]);
  Object.assign(servers, { modern, legacy });
});

afterAll(async () => {
  for (const c of closers) c();
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  pki.cleanup();
});

const opts = { caFile: 'x', checkRevocation: false, profile: 'none' };
const vulnIds = (r: Awaited<ReturnType<typeof scan>>) => ids(r).filter((i) => i.startsWith('tls.vuln.'));

test('openssl s_server (TLS 1.2/1.3): secure renegotiation, no compression, SCSV honoured; no tls.vuln finding', async () => {
  const r = await scan(`localhost:${servers.modern.port}`, { ...opts, caFile: pki.rootCert });
  const m = measurements(r);
  expect(m.vulnerabilityChecks).toMatchObject({
    secureRenegotiation: true,
    compression: false,
    fallbackScsv: true,
    fallbackEvidence: { offered: 'TLSv1.2', answer: 'inappropriate_fallback' },
  });
  expect(vulnIds(r)).toEqual([]);
  const v = m.vulnerabilities as Record<string, boolean | null>;
  expect(v).toMatchObject({
    insecure_renegotiation: false,
    crime_compression: false,
    no_fallback_scsv: false,
    sweet32: false,
    freak: false,
    logjam: false,
    lucky13: false,
    drown: false,
  });
});

test('openssl s_server with TLS 1.0 and a CBC suite: BEAST and Lucky Thirteen (warn, high)', async () => {
  const r = await scan(`localhost:${servers.legacy.port}`, { ...opts, caFile: pki.rootCert });
  expect(vulnIds(r)).toEqual(['tls.vuln.beast', 'tls.vuln.lucky13']);
  for (const f of r.findings.filter((x) => x.id.startsWith('tls.vuln.'))) expect(f).toMatchObject({ status: 'warn', severity: 'high' });
  // SCSV honoured by OpenSSL here too: the fallback hello (TLS 1.1) is refused.
  expect(measurements(r).vulnerabilityChecks).toMatchObject({ fallbackScsv: true, fallbackEvidence: { offered: 'TLSv1.1' } });
  const registry = new Registry();
  new ProbeFamilies(registry, ['tls']).observe(r);
  const text = await registry.metrics();
  expect(text).toContain('pengawas_tls_vulnerable{check="tls-test",element="security",vuln="beast"} 1');
  expect(text).toContain('pengawas_tls_vulnerable{check="tls-test",element="security",vuln="sweet32"} 0');
  expect(text).toContain('pengawas_tls_vulnerable{check="tls-test",element="security",vuln="insecure_renegotiation"} 0');
});

test('wire-level vulnerable peer: insecure renegotiation, CRIME compression, fallback SCSV ignored — all fail high', async () => {
  const peer = await vulnerablePeer();
  const r = await scan(`127.0.0.1:${peer.port}`, { ...opts, caFile: undefined, protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2'] }, 20_000);
  const m = measurements(r);
  expect(m.vulnerabilityChecks).toMatchObject({ secureRenegotiation: false, compression: true, fallbackScsv: false });
  for (const id of ['tls.vuln.insecure_renegotiation', 'tls.vuln.crime_compression', 'tls.vuln.no_fallback_scsv']) {
    expect(r.findings.find((f) => f.id === id)).toMatchObject({ status: 'fail', severity: 'high' });
  }
  expect(peer.scsvSeen()).toBeGreaterThanOrEqual(1);
  // It takes whatever is offered, so the enumeration finds 3DES and EXPORT suites: the inferences follow.
  for (const id of ['tls.vuln.sweet32', 'tls.vuln.freak', 'tls.vuln.logjam'])
    expect(r.findings.find((f) => f.id === id)).toMatchObject({ status: 'fail' });
});
