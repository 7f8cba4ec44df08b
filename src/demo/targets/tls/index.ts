/**
 * Two demo TLS endpoints on the demo CA: a good one following Mozilla intermediate 5.7 (TLS 1.2/1.3, AEAD +
 * forward-secret suites, X25519/P-256/P-384, 90-day certificate, stapled OCSP, HSTS two years) and a weak one
 * (TLS 1.0+, every suite OpenSSL still has incl. anonymous/CBC/static RSA, RSA-1024 SHA-1 certificate of 825
 * days, no HSTS), so the demo shows a passing and a failing scan.
 */
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { issue } from '../../pki';
import { DEMO_PORTS } from '../../ports';
import type { DemoTarget } from '../../types';
import { goodOcspResponse } from './staple';

const INTERMEDIATE_SUITES = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-CHACHA20-POLY1305',
].join(':');

function listen(server: https.Server, port: number): Promise<() => Promise<void>> {
  const sockets = new Set<Duplex>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Scanners abort handshakes on purpose; those are not server errors.
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve(
        () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      ),
    );
  });
}

export const tlsEndpoints: DemoTarget = {
  name: 'tls',
  async start(ctx) {
    const good = issue({ commonName: 'localhost', hosts: ['localhost', '127.0.0.1'], days: 90 }, ctx.ca);
    const weak = issue({ commonName: 'localhost', hosts: ['localhost', '127.0.0.1'], days: 825, keyBits: 1024, hash: 'sha1' }, ctx.ca);
    const leafDer = Buffer.from(new X509Certificate(good.certPem).raw);
    const caDer = Buffer.from(new X509Certificate(ctx.ca.certPem).raw);
    let staple = { der: goodOcspResponse(leafDer, caDer, ctx.ca.keyPem), at: Date.now() };

    const goodServer = https.createServer(
      {
        cert: good.certPem + ctx.ca.certPem,
        key: good.keyPem,
        minVersion: 'TLSv1.2',
        ciphers: INTERMEDIATE_SUITES,
        ecdhCurve: 'X25519:prime256v1:secp384r1',
        honorCipherOrder: false,
      },
      (_req, res) => {
        res.setHeader('strict-transport-security', 'max-age=63072000; includeSubDomains; preload');
        res.end('pengawas demo: good TLS endpoint\n');
      },
    );
    goodServer.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, cb: (err: Error | null, resp?: Buffer) => void) => {
      if (Date.now() - staple.at > 3_600_000) staple = { der: goodOcspResponse(leafDer, caDer, ctx.ca.keyPem), at: Date.now() };
      cb(null, staple.der);
    });
    const weakServer = https.createServer(
      // SECLEVEL=0 lets OpenSSL 3 serve TLS 1.0/1.1, a 1024-bit key and SHA-1: the point of this endpoint.
      { cert: weak.certPem + ctx.ca.certPem, key: weak.keyPem, minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: 'ALL:@SECLEVEL=0' },
      (_req, res) => res.end('pengawas demo: weak TLS endpoint\n'),
    );
    const stops = [await listen(goodServer, DEMO_PORTS.tlsGood), await listen(weakServer, DEMO_PORTS.tlsWeak)];
    return {
      describe: `TLS endpoints  good localhost:${DEMO_PORTS.tlsGood} (Mozilla intermediate), weak localhost:${DEMO_PORTS.tlsWeak}`,
      stop: async () => {
        await Promise.all(stops.map((s) => s()));
      },
    };
  },
};
