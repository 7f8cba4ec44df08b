/**
 * A hello that gets no answer at all (timeout) says nothing about the version it offered: a lost packet, a stalled
 * scanner or an overloaded server look the same. It must never read as "version off" (that was a pass for TLS 1.0
 * on a server that accepts it), nor may a timeout in the middle of a version's suite enumeration throw away what
 * that version already showed. The server here is a real `openssl s_server` accepting TLS 1.0-1.3; in front of it a
 * relay drops (never answers, never closes) selected ClientHellos, chosen by their legacy_version field
 * (RFC 5246 7.4.1.2: client_version, bytes 9-10 of the first record; TLS 1.3 hellos carry 0x0303 there, RFC 8446 4.1.2).
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { Registry } from 'prom-client';
import { ProbeFamilies } from '../../../src/metrics/probe-families';
import type { ProbeResult } from '../../../src/results/contract';
import { measurements, Pki, scan, sServer, type Server } from './helpers';

let pki: Pki;
let server: Server;
const relays: net.Server[] = [];
const held = new Set<net.Socket>();

beforeAll(async () => {
  pki = new Pki();
  const leaf = pki.leaf({ name: 'localhost' });
  server = await sServer({ ...leaf, chain: pki.interCert }, ['-cipher', 'ALL:@SECLEVEL=0', '-min_protocol', 'TLSv1'], pki.dir);
});

afterAll(async () => {
  for (const s of held) s.destroy();
  for (const r of relays) r.close();
  await server.stop();
  pki.cleanup();
});

/**
 * The signature_algorithms list of a ClientHello record (RFC 8446 4.1.2 field order, 4.2.3 extension 13), or
 * undefined when the bytes are not a ClientHello with that extension.
 */
function sigalgs(rec: Buffer): number[] | undefined {
  if (rec[0] !== 22 || rec[5] !== 1) return undefined;
  let off = 5 + 4 + 2 + 32;
  off += 1 + rec[off]; // session id
  off += 2 + rec.readUInt16BE(off); // cipher suites
  off += 1 + rec[off]; // compression methods
  if (off + 2 > rec.length) return undefined; // no extensions (an SSLv3 hello)
  const end = off + 2 + rec.readUInt16BE(off);
  for (off += 2; off + 4 <= end;) {
    const type = rec.readUInt16BE(off);
    const len = rec.readUInt16BE(off + 2);
    if (type === 13) {
      const list = rec.subarray(off + 6, off + 4 + len);
      return Array.from({ length: list.length / 2 }, (_, i) => list.readUInt16BE(2 * i));
    }
    off += 4 + len;
  }
  return undefined;
}

/** A relay to the server that drops a hello when `drop(version, nth, first)` says so (nth: hellos of that version so far, from 1). */
function relay(drop: (version: number, nth: number, first: Buffer) => boolean, upstreamPort?: number): Promise<number> {
  const seen = new Map<number, number>();
  const srv = net.createServer((client) => {
    client.on('error', () => undefined);
    client.once('data', (first) => {
      const version = first[0] === 22 && first[5] === 1 && first.length > 10 ? first.readUInt16BE(9) : 0;
      const nth = (seen.get(version) ?? 0) + 1;
      seen.set(version, nth);
      if (drop(version, nth, first)) {
        held.add(client); // read and never answer, never close: only the scanner's deadline ends it
        client.on('close', () => held.delete(client));
        return;
      }
      const upstream = net.connect(upstreamPort ?? server.port, '127.0.0.1');
      upstream.on('error', () => client.destroy());
      upstream.write(first);
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
    });
  });
  relays.push(srv);
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port)));
}

const opts = { checkRevocation: false, profile: 'none', sessions: false, vulnerabilities: false, hsts: false, caFile: '' };
const protocols = (r: ProbeResult) => measurements(r).protocols as Record<string, boolean | null>;
const finding = (r: ProbeResult, id: string) => r.findings.find((f) => f.id === id);

test('every TLS 1.0 hello unanswered: TLS 1.0 is undecided (an error finding), never "off"; the result is not a pass', async () => {
  const port = await relay((v) => v === 0x0301);
  const r = await scan(`localhost:${port}`, { ...opts, caFile: pki.rootCert, handshakeTimeoutMs: 1500 });
  expect(protocols(r)).toMatchObject({ TLSv1: null, 'TLSv1.1': true, 'TLSv1.2': true, 'TLSv1.3': true });
  expect(finding(r, 'tls.protocol.undecided')).toMatchObject({ status: 'error', severity: 'high', evidence: { protocols: ['TLSv1'] } });
  expect(finding(r, 'tls.protocol.undecided')!.message).toMatch(/TLS 1\.0: could not be decided \(PROBE_TIMEOUT: no answer within 1500 ms/);
  expect(finding(r, 'tls.protocol.tls1_0_enabled')).toBeUndefined();
  expect(finding(r, 'tls.protocol.tls1_1_enabled')).toMatchObject({ status: 'fail' });
  // error beats fail (results/contract.ts): the worker retries it, and nobody reads it as a decided scan.
  expect(r.status).toBe('error');
  // Inferences that rest on TLS 1.0 are undecided too, not "not vulnerable".
  expect((measurements(r).vulnerabilities as Record<string, boolean | null>).beast).toBeNull();
});

test('an SSLv2 hello unanswered: SSLv2 undecided (critical error finding), DROWN undecided, not "off"', async () => {
  const port = await relay((v) => v === 0); // 0: not a TLS handshake record, i.e. the SSLv2 CLIENT-HELLO
  const r = await scan(`localhost:${port}`, { ...opts, caFile: pki.rootCert, handshakeTimeoutMs: 1500 });
  expect(protocols(r)).toMatchObject({ SSLv2: null, TLSv1: true, 'TLSv1.3': true });
  expect(finding(r, 'tls.protocol.undecided')).toMatchObject({ status: 'error', severity: 'critical', evidence: { protocols: ['SSLv2'] } });
  expect((measurements(r).vulnerabilities as Record<string, boolean | null>).drown).toBeNull();
  expect(r.status).toBe('error');
});

test('a timeout after a version answered: the suites it showed are kept and the version stays on; the enumeration is marked incomplete', async () => {
  // TLS 1.1: the first hello is relayed (the server picks a suite), every later one dropped.
  const port = await relay((v, nth) => v === 0x0302 && nth > 1);
  const r = await scan(`localhost:${port}`, { ...opts, caFile: pki.rootCert, handshakeTimeoutMs: 1500 });
  expect(protocols(r)['TLSv1.1']).toBe(true);
  expect(finding(r, 'tls.protocol.tls1_1_enabled')).toMatchObject({ status: 'fail', severity: 'high' });
  const suites = (measurements(r).ciphers as Array<{ protocol: string }>).filter((c) => c.protocol === 'TLSv1.1');
  expect(suites).toHaveLength(1);
  expect(finding(r, 'tls.cipher.enumeration_incomplete')).toMatchObject({ status: 'error', severity: 'medium' });
  const stopped = finding(r, 'tls.cipher.enumeration_incomplete')!.evidence!.enumerations as Array<Record<string, unknown>>;
  // The suites stopped after the one found; the groups over TLS 1.1 stopped at their first hello.
  expect(stopped).toEqual([
    { protocol: 'TLSv1.1', what: 'suites', found: 1, error: expect.stringMatching(/^PROBE_TIMEOUT: no answer within 1500 ms/) },
    { protocol: 'TLSv1.1', what: 'groups', found: 0, error: expect.stringMatching(/^PROBE_TIMEOUT/) },
  ]);
  expect(r.status).toBe('error');
});

test('a profile whose protocol rule rests on the undecided version: compliance undecided (no 1, no 0), an error finding', async () => {
  const port = await relay((v) => v === 0x0301);
  const file = pki.file('tls12-up.yaml');
  writeFileSync(file, 'name: tls12-up\nprotocols: [TLSv1.2, TLSv1.3]\n');
  const r = await scan(`localhost:${port}`, {
    ...opts,
    caFile: pki.rootCert,
    handshakeTimeoutMs: 1500,
    protocols: ['TLSv1', 'TLSv1.2', 'TLSv1.3'],
    profile: file,
  });
  expect(measurements(r).profile).toEqual({ name: 'tls12-up', compliant: null });
  expect(finding(r, 'tls.profile.undecided')).toMatchObject({
    status: 'error',
    message: 'tls12-up: compliance not decided: the scan could not establish whether TLSv1 (not allowed) is accepted',
  });
  expect(finding(r, 'tls.profile.protocol')).toBeUndefined();
  const registry = new Registry();
  new ProbeFamilies(registry, ['tls']).observe({ ...r, status: 'fail' }); // even were it observed, no 0 and no 1
  const text = await registry.metrics();
  expect(text).not.toMatch(/pengawas_tls_profile_compliant\{/);
  expect(text).not.toMatch(/pengawas_tls_protocol_enabled\{[^}]*protocol="TLSv1"/);
  expect(text).toMatch(/pengawas_tls_protocol_enabled\{[^}]*protocol="TLSv1.2"\} 1/);
});

test('TLS 1.3 only, the ECDSA-only handshake unanswered: the certificates per key type are marked incomplete (another leaf may exist)', async () => {
  const tls13 = await sServer({ ...pki.leaf({ name: 'localhost' }), chain: pki.interCert }, ['-tls1_3'], pki.dir);
  try {
    // rsa_pkcs1_* 0x0401-0x0601, rsa_pss_rsae_* 0x0804-0x0806, rsa_pss_pss_* 0x0809-0x080b (RFC 8446 4.2.3)
    const rsa = (c: number) => (c & 0xff) === 0x01 || (c >= 0x0804 && c <= 0x0806) || (c >= 0x0809 && c <= 0x080b);
    const port = await relay((_v, _n, first) => {
      const list = sigalgs(first);
      return list !== undefined && !list.some(rsa);
    }, tls13.port);
    const r = await scan(`localhost:${port}`, { ...opts, caFile: pki.rootCert, handshakeTimeoutMs: 1500 });
    expect(protocols(r)['TLSv1.3']).toBe(true);
    const stopped = finding(r, 'tls.cipher.enumeration_incomplete')!.evidence!.enumerations as Array<Record<string, unknown>>;
    expect(stopped).toEqual([
      { protocol: 'TLSv1.3', what: 'certificates', found: 1, error: expect.stringMatching(/^PROBE_TIMEOUT: no answer within 1500 ms/) },
    ]);
    expect(r.status).toBe('error');
  } finally {
    await tls13.stop();
  }
});

test('the ticket wait cut short by our own deadline: resumption by ticket and 0-RTT undecided (were: no, i.e. no 0-RTT)', async () => {
  // s_server with 0-RTT on sends its NewSessionTicket after the client's Finished (RFC 8446 4.6.1): the relay holds
  // every server byte that follows the client's second flight for 3 s, so the 1 s deadline strikes during the wait.
  const early = await sServer(
    { ...pki.leaf({ name: 'localhost' }), chain: pki.interCert },
    ['-tls1_3', '-max_early_data', '16384'],
    pki.dir,
  );
  const srv = net.createServer((client) => {
    client.on('error', () => undefined);
    const upstream = net.connect(early.port, '127.0.0.1');
    upstream.on('error', () => client.destroy());
    let flights = 0;
    client.on('data', (d) => {
      flights++;
      upstream.write(d);
    });
    upstream.on('data', (d) => (flights >= 2 ? setTimeout(() => client.destroyed || client.write(d), 3000) : client.write(d)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => setTimeout(() => client.destroy(), 3000));
  });
  relays.push(srv);
  const port = await new Promise<number>((resolve) => srv.listen(0, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port)));
  try {
    const r = await scan(`localhost:${port}`, { ...opts, caFile: pki.rootCert, handshakeTimeoutMs: 1000, sessions: true }, 30_000);
    const m = measurements(r) as unknown as { features: Record<string, boolean | null>; sessions: { notes: string[] } };
    expect(m.features.early_data).toBeNull();
    expect(m.features.session_resumption_ticket).toBeNull();
    expect(m.sessions.notes.join(' ')).toMatch(/resumption by ticket: no answer within 1000 ms/);
  } finally {
    await early.stop();
  }
});

test('control: the same relay dropping nothing decides every version', async () => {
  const port = await relay(() => false);
  const r = await scan(`localhost:${port}`, { ...opts, caFile: pki.rootCert, handshakeTimeoutMs: 1500 });
  expect(protocols(r)).toMatchObject({ TLSv1: true, 'TLSv1.1': true, 'TLSv1.2': true, 'TLSv1.3': true });
  expect(r.findings.filter((f) => f.status === 'error')).toEqual([]);
  expect(r.status).toBe('fail');
});
