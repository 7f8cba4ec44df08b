/**
 * One complete handshake with Node's `tls` (OpenSSL), as a real client would make it: the certificate chain as
 * sent, the stapled OCSP answer, the negotiated version/suite/key exchange and the handshake time. Verification
 * is off here on purpose — cert/analyze.ts judges the chain so that an expired or untrusted certificate becomes
 * a precise finding instead of a failed handshake.
 */
import { performance } from 'node:perf_hooks';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { ProbeAbortedError, ProbeError, ProbeTimeoutError, TlsHandshakeError } from '../../../errors';
import { openEndpoint, type Endpoint, type HandshakeLimits } from '../wire/handshake';

export interface NodeHandshake {
  /** DER certificates in the order the server sent them. */
  chain: Buffer[];
  ocspResponse?: Buffer;
  protocol: string;
  cipher: string;
  ephemeral?: { type?: string; name?: string; size?: number };
  handshakeMs: number;
}

/**
 * A trust store holding nothing the server could chain to: with it OpenSSL does not append store certificates to
 * the peer chain, so `getPeerCertificate(true)` reports only what the server sent. (Any unrelated CA works.)
 */
const isolatedContexts = new Map<string, tls.SecureContext>();
function isolated(sigalgs?: string): tls.SecureContext {
  // Node refuses TLS < 1.2 and weak suites by default; a scanner must still see such servers. No anonymous
  // suites: this handshake is there to read the certificate.
  let ctx = isolatedContexts.get(sigalgs ?? '');
  if (!ctx) {
    ctx = tls.createSecureContext({
      ca: ISOLATED_CA,
      minVersion: 'TLSv1',
      ciphers: 'ALL:!aNULL:@SECLEVEL=0',
      ...(sigalgs ? { sigalgs } : {}),
    });
    isolatedContexts.set(sigalgs ?? '', ctx);
  }
  return ctx;
}

/**
 * Signature schemes per certificate key type (RFC 8446 4.2.3 names, as OpenSSL takes them): offering one class
 * alone makes a TLS 1.3 server with several certificates present the one of that type.
 */
export const SIGALG_CLASSES: Record<string, string> = {
  RSA: 'rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:rsa_pkcs1_sha256:rsa_pkcs1_sha384:rsa_pkcs1_sha512',
  ECDSA: 'ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:ecdsa_secp521r1_sha512',
  EdDSA: 'ed25519:ed448',
};

export async function nodeHandshake(ep: Endpoint, limits: HandshakeLimits, sigalgs?: string): Promise<NodeHandshake> {
  const conn = await openEndpoint(ep, limits, 'certificate handshake');
  const socket = conn.detach();
  const t0 = performance.now();
  try {
    return await new Promise<NodeHandshake>((resolve, reject) => {
      let ocsp: Buffer | undefined;
      const s = tls.connect({
        socket,
        servername: ep.servername && !isIP(ep.servername) ? ep.servername : undefined,
        secureContext: isolated(sigalgs),
        rejectUnauthorized: false,
        // A TLSSocket option tls.connect passes through (missing from @types/node's ConnectionOptions).
        ...({ requestOCSP: true } as object),
      });
      const onAbort = () => s.destroy(limits.signal.reason instanceof ProbeError ? limits.signal.reason : new ProbeAbortedError());
      const timer = setTimeout(() => s.destroy(new ProbeTimeoutError(limits.timeoutMs, 'certificate handshake')), limits.timeoutMs);
      limits.signal.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(timer);
        limits.signal.removeEventListener('abort', onAbort);
      };
      s.on('OCSPResponse', (r: Buffer) => (ocsp = r));
      s.once('secureConnect', () => {
        const handshakeMs = performance.now() - t0;
        const chain: Buffer[] = [];
        let c = s.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
        const seen = new Set<string>();
        while (c && c.raw && !seen.has(c.fingerprint256) && chain.length < 20) {
          seen.add(c.fingerprint256);
          chain.push(c.raw);
          c = c.issuerCertificate;
        }
        const eph = s.getEphemeralKeyInfo() as { type?: string; name?: string; size?: number } | null;
        const out: NodeHandshake = {
          chain,
          ocspResponse: ocsp,
          protocol: s.getProtocol() ?? '',
          cipher: s.getCipher().standardName ?? s.getCipher().name,
          ephemeral: eph ?? undefined,
          handshakeMs,
        };
        done();
        s.destroy();
        resolve(out);
      });
      s.once('error', (e: Error) => {
        done();
        s.destroy();
        reject(e instanceof ProbeError ? e : new TlsHandshakeError(`TLS handshake failed: ${e.message}`, { cause: e }));
      });
      // The connection's deadline destroys the socket under the TLS layer: only a close says so (transport.ts).
      s.once('close', () => {
        done();
        reject(conn.closedDuringHandshake());
      });
    });
  } finally {
    conn.close();
  }
}

/** A throwaway self-signed CA (pengawas isolated trust store); never trusted for anything. */
const ISOLATED_CA = `-----BEGIN CERTIFICATE-----
MIIB1zCCAX2gAwIBAgIUR68I+NAbZjU4xaQpgMgL9ETo9kYwCgYIKoZIzj0EAwIw
QDE+MDwGA1UEAww1cGVuZ2F3YXMgaXNvbGF0ZWQgdHJ1c3Qgc3RvcmUgKG5ldmVy
IHRydXN0cyBhbnl0aGluZykwIBcNMjYxMTI4MTYzNTEzWhgPMjEyNjExMDQxNjM1
MTNaMEAxPjA8BgNVBAMMNXBlbmdhd2FzIGlzb2xhdGVkIHRydXN0IHN0b3JlIChu
ZXZlciB0cnVzdHMgYW55dGhpbmcpMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
tuJlqIftg5Pew+uxRfQeSvQId4XHV9V3bhqiVG3pXV4+CtcxnOrpAjoEfhLNGqu4
2P3tpKXEx4W6xOuflT3ZfqNTMFEwHQYDVR0OBBYEFOmFFWjuo1VXBpgKpru0BPFL
LRLRMB8GA1UdIwQYMBaAFOmFFWjuo1VXBpgKpru0BPFLLRLRMA8GA1UdEwEB/wQF
MAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgLNZUMPsCf46omZ6QmYo0uEfDPvGmUz9D
6LRV7JCmH3oCIQCx4yIOEUCT5nPDepwfVsKYHav8MTTOEksmb86EH+uJPg==
-----END CERTIFICATE-----
`;
