/**
 * SSLv2 detection. No SSLv2 server can run here (Debian's OpenSSL has none), so a fake one speaks the message
 * layout of draft-hickman-netscape-ssl-00 ("Client Hello", "Server Hello"): it checks the v2 CLIENT-HELLO and
 * answers a SERVER-HELLO with a DER certificate of the test PKI and two cipher kinds; anything else is closed.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { trySslv2 } from '../../../src/probes/tls/wire/sslv2';
import { ids, measurements, openssl, Pki, scan, sServer, type Server } from './helpers';

interface Fake {
  port: number;
  close(): Promise<void>;
}

function listen(onConnection: (s: net.Socket) => void): Promise<Fake> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onConnection(s);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    ),
  );
}

/** What the fake saw in each v2 CLIENT-HELLO. */
interface SeenHello {
  valid: boolean;
  specs: number[];
  challengeLength: number;
}

/** Checks a CLIENT-HELLO record (2-byte header with the high bit set); undefined while incomplete. */
function parseClientHello(buf: Buffer): SeenHello | undefined | null {
  if (!(buf[0] & 0x80)) return null;
  if (buf.length < 2) return undefined;
  const len = ((buf[0] & 0x7f) << 8) | buf[1];
  if (buf.length < 2 + len) return undefined;
  const m = buf.subarray(2, 2 + len);
  if (m.length < 9 || m[0] !== 1) return null;
  const version = m.readUInt16BE(1);
  const specsLen = m.readUInt16BE(3);
  const sidLen = m.readUInt16BE(5);
  const chLen = m.readUInt16BE(7);
  const specs: number[] = [];
  for (let o = 9; o + 3 <= 9 + specsLen && o + 3 <= m.length; o += 3) specs.push(m.readUIntBE(o, 3));
  const valid =
    version === 0x0002 &&
    specsLen > 0 &&
    specsLen % 3 === 0 &&
    (sidLen === 0 || sidLen === 16) &&
    chLen >= 16 &&
    chLen <= 32 &&
    m.length === 9 + specsLen + sidLen + chLen;
  return { valid, specs, challengeLength: chLen };
}

function serverHello(cert: Buffer, kinds: number[]): Buffer {
  const specs = Buffer.concat(kinds.map((k) => Buffer.from([k >> 16, (k >> 8) & 0xff, k & 0xff])));
  const connId = Buffer.alloc(16, 7);
  const head = Buffer.alloc(11);
  head[0] = 4; // SERVER-HELLO
  head[1] = 0; // session-id-hit
  head[2] = 1; // SSL_CT_X509_CERTIFICATE
  head.writeUInt16BE(0x0002, 3);
  head.writeUInt16BE(cert.length, 5);
  head.writeUInt16BE(specs.length, 7);
  head.writeUInt16BE(connId.length, 9);
  const body = Buffer.concat([head, cert, specs, connId]);
  return Buffer.concat([Buffer.from([0x80 | (body.length >> 8), body.length & 0xff]), body]);
}

/** The fake SSLv2 server: a valid v2 CLIENT-HELLO gets a SERVER-HELLO; anything else is closed. */
function fakeSslv2(cert: Buffer, kinds: number[], seen: SeenHello[]): Promise<Fake> {
  return listen((s) => {
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const hello = parseClientHello(buf);
      if (hello === undefined) return;
      if (hello === null) return void s.destroy();
      seen.push(hello);
      if (!hello.valid) return void s.destroy();
      s.end(serverHello(cert, kinds));
    });
  });
}

/** In front of s_server: a v2 hello gets `answer` and a close; everything else is passed through. */
function v2Refuser(backendPort: number, answer: Buffer): Promise<Fake> {
  return listen((s) => {
    s.once('data', (first) => {
      if (first[0] & 0x80) return void s.end(answer);
      const b = net.connect(backendPort, '127.0.0.1');
      b.on('error', () => s.destroy());
      s.on('error', () => b.destroy());
      b.write(first);
      s.pipe(b).pipe(s);
    });
  });
}

let pki: Pki;
let der: Buffer;
let normal: Server;
const fakes: Fake[] = [];

beforeAll(async () => {
  pki = new Pki();
  const leaf = pki.leaf({ name: 'v2leaf' });
  openssl(['x509', '-in', leaf.cert, '-outform', 'DER', '-out', 'v2leaf.der'], pki.dir);
  der = readFileSync(pki.file('v2leaf.der'));
  normal = await sServer({ cert: leaf.cert, key: leaf.key, chain: pki.interCert }, [], pki.dir);
});

afterAll(async () => {
  await Promise.all([normal.stop(), ...fakes.map((f) => f.close())]);
  pki.cleanup();
});

const opts = () => ({ caFile: pki.rootCert, checkRevocation: false });

test('fake SSLv2 server: SSLv2 enabled, offered cipher kinds reported, critical finding, scan completes', async () => {
  const seen: SeenHello[] = [];
  const fake = await fakeSslv2(der, [0x010080, 0x0700c0], seen);
  fakes.push(fake);
  const r = await scan(`localhost:${fake.port}`, opts());
  const m = measurements(r);
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.every((h) => h.valid && h.challengeLength === 16)).toBe(true);
  expect(seen[0].specs).toEqual([0x010080, 0x020080, 0x030080, 0x040080, 0x050080, 0x060040, 0x0700c0]);
  expect(m.protocols).toEqual({ SSLv2: true, SSLv3: false, TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': false });
  expect(m.sslv2Ciphers).toEqual([
    { name: 'SSL_CK_RC4_128_WITH_MD5', code: '0x010080' },
    { name: 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5', code: '0x0700C0' },
  ]);
  const f = r.findings.find((x) => x.id === 'tls.protocol.sslv2_enabled');
  expect(f).toMatchObject({
    status: 'fail',
    severity: 'critical',
    evidence: { protocol: 'SSLv2', ciphers: ['SSL_CK_RC4_128_WITH_MD5', 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5'] },
  });
  expect(r.status).toBe('fail');
  expect(r.findings.filter((x) => x.status === 'error')).toEqual([]);
  // The certificate of the SERVER-HELLO is the one analysed.
  expect(m.certificate).toMatchObject({ subject: expect.stringContaining('localhost') });
  expect(ids(r)).toContain('tls.profile.protocol');
  expect(r.elapsedMs).toBeLessThan(10_000);
});

test('normal openssl s_server: SSLv2 false, no SSLv2 finding', async () => {
  const r = await scan(`localhost:${normal.port}`, opts());
  const m = measurements(r);
  expect(r.status).not.toBe('error');
  expect(m.protocols.SSLv2).toBe(false);
  expect(m.protocols['TLSv1.2']).toBe(true);
  expect(m.sslv2Ciphers).toEqual([]);
  expect(ids(r)).not.toContain('tls.protocol.sslv2_enabled');
  expect(m.testedProtocols).toContain('SSLv2');
});

test.each([
  ['garbage', Buffer.from('HTTP/1.0 400 Bad Request\r\n\r\n')],
  ['a TLS alert', Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46])],
  ['a v2 SERVER-HELLO without cipher specs', Buffer.from([0x80, 0x0b, 4, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0])],
  ['an SSLv2 ERROR', Buffer.from([0x80, 0x03, 0, 0, 1])],
])('a server answering %s to the v2 hello: SSLv2 false, no error', async (_what, answer) => {
  const proxy = await v2Refuser(normal.port, answer);
  fakes.push(proxy);
  const direct = await trySslv2(
    { host: '127.0.0.1', port: proxy.port },
    { signal: new AbortController().signal, timeoutMs: 3000, maxBytes: 65536 },
  );
  expect(direct.enabled).toBe(false);
  expect(direct.refusal).toBeTruthy();
  const r = await scan(`localhost:${proxy.port}`, opts());
  const m = measurements(r);
  expect(r.status).not.toBe('error');
  expect(r.findings.filter((x) => x.status === 'error')).toEqual([]);
  expect(m.protocols.SSLv2).toBe(false);
  expect(m.protocols['TLSv1.3']).toBe(true);
  expect(ids(r)).not.toContain('tls.protocol.sslv2_enabled');
});

test('a silent server: the v2 attempt ends at its deadline with PROBE_TIMEOUT (the scan records SSLv2 as undecided)', async () => {
  const silent = await listen(() => undefined);
  fakes.push(silent);
  const t0 = Date.now();
  // Silence is reported as such so the scan can tell a port that never answers from a refusal (scan.ts).
  await expect(
    trySslv2({ host: '127.0.0.1', port: silent.port }, { signal: new AbortController().signal, timeoutMs: 300, maxBytes: 65536 }),
  ).rejects.toMatchObject({ code: 'PROBE_TIMEOUT' });
  expect(Date.now() - t0).toBeLessThan(2000);
});
