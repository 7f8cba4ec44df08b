/**
 * Session, Heartbleed, CCS injection and certificate-transparency checks. Real peers where Debian's OpenSSL 3 can
 * serve the property (`openssl s_server`: session cache and tickets, -no_ticket -no_cache, -client_renegotiation,
 * -max_early_data, -status_file, -serverinfo; test certificates with `tlsfeature=status_request` and an embedded
 * SCT list); the wire-level peer of wire-peer.ts for Heartbleed and CCS injection, which no server here can show,
 * with the negative case against s_server.
 */
import { writeFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { ProbeFamilies } from '../../../src/metrics/probe-families';
import { ids, measurements, Pki, scan, sServer, type Server } from './helpers';
import { wirePeer } from './wire-peer';
import type { Transparency } from '../../../src/probes/tls/cert/transparency';
import type { ScanFacts } from '../../../src/probes/tls/facts';
import { sessionFindings } from '../../../src/probes/tls/session-findings';

let pki: Pki;
const servers: Record<string, Server> = {};

/**
 * An RFC 6962 3.3 SignedCertificateTimestampList of `n` SCTs: version v1 (0), a 32-byte log id, a timestamp, no
 * extensions and a digitally-signed struct (SHA-256/ECDSA, 8 bytes of signature). The log ids and signatures are
 * made up: only the structure is judged (no log is contacted).
 */
function sctList(n: number): Buffer {
  const sct = (i: number) =>
    Buffer.concat([
      Buffer.from([0]),
      Buffer.alloc(32, i + 1),
      Buffer.from('0000018c00000000', 'hex'),
      Buffer.from([0, 0]),
      Buffer.from([4, 3, 0, 8]),
      Buffer.alloc(8, 0x5a),
    ]);
  const items = Buffer.concat(Array.from({ length: n }, (_, i) => Buffer.concat([Buffer.from([0, sct(i).length]), sct(i)])));
  return Buffer.concat([Buffer.from([items.length >> 8, items.length & 0xff]), items]);
}

beforeAll(async () => {
  pki = new Pki();
  const leaf = { ...pki.leaf({ name: 's' }), chain: pki.interCert };
  // Embedded SCTs: the extension value is an OCTET STRING holding the TLS-encoded list (RFC 6962 3.3).
  const list = sctList(2);
  const der = Buffer.concat([Buffer.from([0x04, 0x81, list.length]), list]);
  const ct = {
    ...pki.leaf({ name: 'ct', extensions: [`1.3.6.1.4.1.11129.2.4.2=DER:${der.toString('hex').replace(/(..)(?!$)/g, '$1:')}`] }),
    chain: pki.interCert,
  };
  const staple = { ...pki.leaf({ name: 'ms', extensions: ['tlsfeature=status_request'] }), chain: pki.interCert };
  const ocsp = pki.ocspResponse(staple, 'ms');
  // -serverinfo: extension 18 (signed_certificate_timestamp) carrying one SCT, sent when the client asks.
  const ext = sctList(1);
  const serverinfo = Buffer.concat([Buffer.from([0, 18, ext.length >> 8, ext.length & 0xff]), ext]);
  writeFileSync(
    pki.file('sct.serverinfo'),
    `-----BEGIN SERVERINFO FOR signed_certificate_timestamp-----\n${serverinfo.toString('base64')}\n-----END SERVERINFO FOR signed_certificate_timestamp-----\n`,
  );
  const started = await Promise.all([
    sServer(leaf, [], pki.dir),
    sServer(leaf, ['-no_ticket', '-no_cache'], pki.dir),
    sServer(leaf, ['-max_protocol', 'TLSv1.2', '-client_renegotiation'], pki.dir),
    sServer(leaf, ['-max_early_data', '16384'], pki.dir),
    sServer(ct, [], pki.dir),
    sServer(staple, [], pki.dir),
    sServer(staple, ['-status_file', ocsp], pki.dir),
    sServer(leaf, ['-serverinfo', pki.file('sct.serverinfo')], pki.dir),
  ]);
  const names = ['plain', 'noResume', 'reneg', 'earlyData', 'ct', 'mustStaple', 'stapled', 'sctExt'];
  names.forEach((n, i) => (servers[n] = started[i]));
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  pki.cleanup();
});

const opts = () => ({ caFile: pki.rootCert, checkRevocation: false, profile: 'none', enumerateCiphers: false });
type Sessions = {
  resumptionById: boolean | null;
  resumptionByTicket: boolean | null;
  earlyData: boolean | null;
  clientRenegotiation: boolean | null;
};
const metricsOf = async (r: Awaited<ReturnType<typeof scan>>) => {
  const registry = new Registry();
  new ProbeFamilies(registry, ['tls']).observe(r);
  return registry.metrics();
};

test('openssl s_server defaults: resumes by id and by ticket, no 0-RTT, refuses client renegotiation, no heartbeat, early CCS refused', async () => {
  const r = await scan(`localhost:${servers.plain.port}`, opts());
  const m = measurements(r);
  expect(m.sessions).toMatchObject({
    resumptionById: true,
    resumptionByTicket: true,
    ticketProtocol: 'TLSv1.3',
    earlyData: false,
    maxEarlyData: 0,
    clientRenegotiation: false,
  });
  expect(m.vulnerabilityChecks).toMatchObject({
    heartbeatExtension: false,
    heartbleed: false,
    ccsInjection: false,
    ccsEvidence: { answer: 'alert 10 after the first ChangeCipherSpec' },
  });
  expect(m.vulnerabilities).toMatchObject({ heartbleed: false, ccs_injection: false, client_renegotiation: false, early_data: false });
  expect(ids(r).filter((i) => i.startsWith('tls.vuln.') || i.startsWith('tls.session.') || i.startsWith('tls.cert.'))).toEqual([]);
  const text = await metricsOf(r);
  expect(text).toContain('pengawas_tls_feature{check="tls-test",element="security",feature="session_resumption_id"} 1');
  expect(text).toContain('pengawas_tls_feature{check="tls-test",element="security",feature="session_resumption_ticket"} 1');
  expect(text).toContain('pengawas_tls_vulnerable{check="tls-test",element="security",vuln="heartbleed"} 0');
  expect(text).toContain('pengawas_tls_vulnerable{check="tls-test",element="security",vuln="ccs_injection"} 0');
});

test('s_server -no_ticket -no_cache: no resumption at all is tls.session.no_resumption (warn, low)', async () => {
  const r = await scan(`localhost:${servers.noResume.port}`, opts());
  expect(measurements(r).sessions as Sessions).toMatchObject({ resumptionById: false, resumptionByTicket: false });
  expect(r.findings.find((f) => f.id === 'tls.session.no_resumption')).toMatchObject({ status: 'warn', severity: 'low' });
});

test('s_server -client_renegotiation (TLS 1.2): tls.vuln.client_renegotiation fails high; a TLS 1.2 session resumes by id, no ticket check is 1.3', async () => {
  const r = await scan(`localhost:${servers.reneg.port}`, opts());
  expect(measurements(r).sessions).toMatchObject({
    clientRenegotiation: true,
    renegotiationAnswer: 'renegotiation completed',
    resumptionById: true,
    ticketProtocol: 'TLSv1.2',
    resumptionByTicket: true,
  });
  expect(r.findings.find((f) => f.id === 'tls.vuln.client_renegotiation')).toMatchObject({ status: 'fail', severity: 'high' });
  expect(await metricsOf(r)).toContain('pengawas_tls_vulnerable{check="tls-test",element="security",vuln="client_renegotiation"} 1');
});

test('s_server -max_early_data 16384: the ticket allows 0-RTT, tls.vuln.early_data warns high with the limit', async () => {
  const r = await scan(`localhost:${servers.earlyData.port}`, opts());
  expect(measurements(r).sessions).toMatchObject({ earlyData: true, maxEarlyData: 16384 });
  expect(r.findings.find((f) => f.id === 'tls.vuln.early_data')).toMatchObject({
    status: 'warn',
    severity: 'high',
    evidence: { maxEarlyData: 16384 },
  });
});

test('certificate transparency: embedded SCTs counted; SCTs in the TLS extension (s_server -serverinfo) seen; none: tls.cert.no_sct only for a public path', async () => {
  const ct = await scan(`localhost:${servers.ct.port}`, opts());
  expect(measurements(ct).transparency).toMatchObject({ embeddedScts: 2, stapledScts: 0, tlsExtensionScts: false, mustStaple: false });
  expect(ids(ct)).not.toContain('tls.cert.no_sct');
  const ext = await scan(`localhost:${servers.sctExt.port}`, opts());
  expect(measurements(ext).transparency).toMatchObject({ embeddedScts: 0, tlsExtensionScts: true });
  expect(ids(ext)).not.toContain('tls.cert.no_sct');
  const none = await scan(`localhost:${servers.plain.port}`, opts());
  // The test PKI is trusted through caFile only: a private PKI, to which CT policies do not apply.
  expect(measurements(none).transparency).toMatchObject({
    embeddedScts: 0,
    stapledScts: 0,
    tlsExtensionScts: false,
    publiclyTrusted: false,
  });
  expect(ids(none)).not.toContain('tls.cert.no_sct');
  // No public CA can be reached from here; the same facts with a public path give the finding.
  const facts = { transparency: { ...(measurements(none).transparency as Transparency), publiclyTrusted: true } } as unknown as ScanFacts;
  expect(sessionFindings(facts).find((f) => f.id === 'tls.cert.no_sct')).toMatchObject({ status: 'warn', severity: 'low' });
  expect(await metricsOf(ct)).toContain('pengawas_tls_feature{check="tls-test",element="security",feature="sct"} 1');
});

test('OCSP must-staple: a status_request certificate without a staple fails high; with s_server -status_file it is honoured', async () => {
  const bare = await scan(`localhost:${servers.mustStaple.port}`, opts());
  expect(measurements(bare).transparency).toMatchObject({ mustStaple: true, mustStapleHonoured: false });
  expect(bare.findings.find((f) => f.id === 'tls.cert.must_staple_not_stapled')).toMatchObject({ status: 'fail', severity: 'high' });
  const stapled = await scan(`localhost:${servers.stapled.port}`, opts());
  expect(measurements(stapled).transparency).toMatchObject({ mustStaple: true, mustStapleHonoured: true });
  expect(ids(stapled)).not.toContain('tls.cert.must_staple_not_stapled');
});

const wireOpts = { checkRevocation: false, profile: 'none', protocols: ['TLSv1.2'], enumerateCiphers: false, sessions: false };

test('wire-level Heartbleed peer (test/probes/tls/wire-peer.ts): the oversized heartbeat answer is tls.vuln.heartbleed (fail, critical)', async () => {
  const peer = await wirePeer({ heartbeat: true, heartbleed: true });
  try {
    const r = await scan(`127.0.0.1:${peer.port}`, wireOpts, 20_000);
    expect(measurements(r).vulnerabilityChecks).toMatchObject({ heartbeatExtension: true, heartbleed: true });
    expect(r.findings.find((f) => f.id === 'tls.vuln.heartbleed')).toMatchObject({
      status: 'fail',
      severity: 'critical',
      evidence: { protocol: 'TLSv1.2' },
    });
    expect(peer.seen.heartbeats).toBe(1);
  } finally {
    peer.close();
  }
});

test('wire-level peer with heartbeat but no overread: the request is dropped, not vulnerable', async () => {
  const peer = await wirePeer({ heartbeat: true });
  try {
    const r = await scan(`127.0.0.1:${peer.port}`, wireOpts, 20_000);
    expect(measurements(r).vulnerabilityChecks).toMatchObject({ heartbeatExtension: true, heartbleed: false });
    expect(ids(r)).not.toContain('tls.vuln.heartbleed');
  } finally {
    peer.close();
  }
});

test('wire-level CCS injection peer: an early CCS taken and the next failing bad_record_mac is tls.vuln.ccs_injection (fail, critical)', async () => {
  const peer = await wirePeer({ ccs: true });
  try {
    const r = await scan(`127.0.0.1:${peer.port}`, wireOpts, 20_000);
    expect(measurements(r).vulnerabilityChecks).toMatchObject({
      ccsInjection: true,
      ccsEvidence: { answer: 'alert 20 after the second ChangeCipherSpec' },
    });
    expect(r.findings.find((f) => f.id === 'tls.vuln.ccs_injection')).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(peer.seen.ccs).toBe(2);
  } finally {
    peer.close();
  }
});
