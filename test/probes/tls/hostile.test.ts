/**
 * Hostile peers: silent, garbage, closing mid-handshake, trickling bytes, a huge certificate chain. Every scan
 * must end within its timeout with an `error` result or a precise finding — no crash, no hang.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { ids, measurements, Pki, scan } from './helpers';

let pki: Pki;
const closers: Array<() => void> = [];

function rawServer(onData: (socket: net.Socket, data: Buffer) => void): Promise<number> {
  return new Promise((resolve) => {
    const sockets = new Set<net.Socket>();
    const srv = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
      s.once('data', (d) => onData(s, d));
    });
    srv.listen(0, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port));
    closers.push(() => {
      for (const s of sockets) s.destroy();
      srv.close();
    });
  });
}

/** The first 60 bytes of a plausible TLS 1.2 ServerHello record (declared length 81). */
const SERVER_HELLO_START = Buffer.concat([Buffer.from([22, 3, 3, 0, 81, 2, 0, 0, 77, 3, 3]), Buffer.alloc(49, 7)]);

beforeAll(() => {
  pki = new Pki();
});

afterAll(() => {
  for (const c of closers) c();
  pki.cleanup();
});

test('silent server: error PROBE_TIMEOUT within the handshake deadline', async () => {
  const port = await rawServer(() => undefined);
  const r = await scan(`127.0.0.1:${port}`, { handshakeTimeoutMs: 800 }, 5000);
  expect(r.status).toBe('error');
  expect(r.errorCode).toBe('PROBE_TIMEOUT');
  expect(r.elapsedMs).toBeLessThan(3000);
});

test('garbage answer: error PROBE_PROTOCOL naming the bytes', async () => {
  const port = await rawServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  const r = await scan(`127.0.0.1:${port}`, {}, 5000);
  expect(r.status).toBe('error');
  expect(r.errorCode).toBe('PROBE_PROTOCOL');
  expect(r.findings[0].message).toMatch(/not a TLS record/);
});

test('server closing in the middle of its ServerHello: error PROBE_PROTOCOL', async () => {
  const port = await rawServer((s) => s.end(SERVER_HELLO_START));
  const r = await scan(`127.0.0.1:${port}`, {}, 5000);
  expect(r.status).toBe('error');
  expect(r.errorCode).toBe('PROBE_PROTOCOL');
  expect(r.findings[0].message).toMatch(/closed the connection in the middle/);
});

test('server trickling one byte every 300 ms: the check timeout ends the scan', async () => {
  const port = await rawServer((s) => {
    let i = 0;
    const t = setInterval(
      () => (i < SERVER_HELLO_START.length && !s.destroyed ? s.write(SERVER_HELLO_START.subarray(i, ++i)) : clearInterval(t)),
      300,
    );
    s.on('close', () => clearInterval(t));
  });
  const r = await scan(`127.0.0.1:${port}`, { handshakeTimeoutMs: 60_000 }, 1500);
  expect(r.status).toBe('error');
  expect(r.errorCode).toBe('PROBE_TIMEOUT');
  expect(r.elapsedMs).toBeLessThan(2500);
});

test('huge certificate chain: protocols still found, the certificate is a precise error finding', async () => {
  const leaf = pki.leaf({ name: 'huge' });
  const inter = readFileSync(pki.interCert, 'utf8');
  const srv = tls.createServer({
    key: readFileSync(leaf.key),
    cert: readFileSync(leaf.cert, 'utf8') + inter.repeat(200),
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
  });
  srv.on('tlsClientError', () => undefined);
  const port = await new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as net.AddressInfo).port)));
  closers.push(() => srv.close());
  const r = await scan(`localhost:${port}`, { maxHandshakeBytes: 64 * 1024, checkRevocation: false, profile: 'none' }, 10_000);
  expect(measurements(r).protocols['TLSv1.2']).toBe(true);
  expect(ids(r)).toContain('tls.cert.unavailable');
  expect(r.findings.find((f) => f.id === 'tls.cert.unavailable')!.status).toBe('error');
  expect(r.status).toBe('error');
  expect(r.elapsedMs).toBeLessThan(10_000);
});

test('nothing listening: error PROBE_TARGET_UNREACHABLE', async () => {
  const port = await rawServer(() => undefined);
  closers.pop()!();
  await new Promise((r) => setTimeout(r, 50));
  const r = await scan(`127.0.0.1:${port}`, {}, 5000);
  expect(r.errorCode).toBe('PROBE_TARGET_UNREACHABLE');
});

test('a host name that does not resolve: error PROBE_DNS', async () => {
  const r = await scan('no-such-host.invalid:443', {}, 5000);
  expect(r.errorCode).toBe('PROBE_DNS');
});
