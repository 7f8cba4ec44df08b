/**
 * SNAP (Standar Nasional Open API Pembayaran, PADG 23/15/PADG/2021) request signatures, as the SNAP developer
 * site and PJPs implementing SNAP publish them:
 *
 * - Access token (B2B), asymmetric: X-SIGNATURE = base64(SHA256withRSA(privateKey, clientId + "|" + X-TIMESTAMP)),
 *   sent with X-TIMESTAMP and X-CLIENT-KEY.
 *   https://developers.bri.co.id/en/snap-bi/apidocs-oauth-snap-bi ("stringToSign = client_ID + "|" + X-TIMESTAMP")
 *   https://docs.qoinhub.id/reference/asymmetric-in-b2b-access-token (with a worked example, used in our tests)
 * - Transactions, symmetric: X-SIGNATURE = base64(HMAC-SHA512(clientSecret, HTTPMethod + ":" + EndpointUrl + ":" +
 *   AccessToken + ":" + Lowercase(HexEncode(SHA-256(minify(RequestBody)))) + ":" + X-TIMESTAMP)), the token
 *   without "Bearer ", EndpointUrl the relative URL (no scheme/host).
 *   https://developers.doku.com/get-started-with-doku-api/signature-component/snap/symmetric-signature
 *   https://docs-snap.paydia.id/id/snap-service/balance-information ("RELATIVE PATH URL")
 * - Minify keeps field order and values and only drops insignificant whitespace (PayerMax's SNAP guide:
 *   https://docs.payermax.com/en/202606-version/developer/SNAP.html; DOKU's worked example keeps the spaces
 *   inside "  088899"), so it is a whitespace stripper (json-minify.ts), never a parse-and-reserialise.
 * - X-TIMESTAMP is ISO-8601 with an offset, e.g. 2024-11-29T14:15:00+07:00
 *   (https://documentation.onindonesia.id/books/snap-bi/page/access-token-b2b, the ASPI SNAP sandbox).
 *
 * The RSA signature (PKCS#1 v1.5, deterministic, so the published example replays byte for byte) is made with
 * node:crypto, not node-forge: forge's pure-JS RSA blocks the event loop ~35–40 ms per 2048-bit signature on this
 * machine (node:crypto ~1 ms), which would skew the timings of every other probe running in the same worker.
 * Verification (the demo stub, tests) uses node-forge, so signer and verifier are independent implementations.
 */
import { createHash, createHmac, createPrivateKey, createSign, timingSafeEqual, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { CredentialsError } from '../../errors';
import { minifyJson } from './json-minify';

/** Accepts PEM (PKCS#1 or PKCS#8) or the bare base64 body many SNAP portals hand out. */
export function normalisePem(key: string, kind: 'PRIVATE KEY' | 'PUBLIC KEY'): string {
  const k = key.trim().replace(/\\n/g, '\n');
  if (k.includes('-----BEGIN')) return k;
  const body = k.replace(/\s+/g, '');
  return `-----BEGIN ${kind}-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END ${kind}-----\n`;
}

/** minify(RequestBody): the bytes that are both hashed and sent (see json-minify.ts). */
export const minifyBody = minifyJson;

export function bodyDigest(minified: string): string {
  return createHash('sha256').update(minified, 'utf8').digest('hex').toLowerCase();
}

export function asymmetricStringToSign(clientId: string, timestamp: string): string {
  return `${clientId}|${timestamp}`;
}

export function symmetricStringToSign(p: {
  method: string;
  endpointUrl: string;
  accessToken: string;
  minifiedBody: string;
  timestamp: string;
}): string {
  return `${p.method.toUpperCase()}:${p.endpointUrl}:${p.accessToken}:${bodyDigest(p.minifiedBody)}:${p.timestamp}`;
}

/** PEM (PKCS#1 or PKCS#8), or a bare base64 DER body of either. */
function privateKeyOf(key: string): KeyObject {
  const k = key.trim().replace(/\\n/g, '\n');
  if (k.includes('-----BEGIN')) return createPrivateKey(k);
  const der = Buffer.from(k.replace(/\s+/g, ''), 'base64');
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
  }
}

/** base64(SHA256withRSA(privateKey, clientId|timestamp)) for the access-token request. */
export function signAsymmetric(privateKey: string, clientId: string, timestamp: string): string {
  let key: KeyObject;
  try {
    key = privateKeyOf(privateKey);
  } catch (e) {
    // OpenSSL's decoder messages name the format problem, never key material.
    throw new CredentialsError(`SNAP private key cannot be read as an RSA key (${(e as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new CredentialsError(`SNAP private key is ${key.asymmetricKeyType}, expected RSA`);
  return createSign('RSA-SHA256').update(asymmetricStringToSign(clientId, timestamp), 'utf8').sign(key, 'base64');
}

export function verifyAsymmetric(publicKey: string, clientId: string, timestamp: string, signature: string): boolean {
  try {
    const key = forge.pki.publicKeyFromPem(normalisePem(publicKey, 'PUBLIC KEY'));
    const md = forge.md.sha256.create();
    md.update(asymmetricStringToSign(clientId, timestamp), 'utf8');
    return key.verify(md.digest().bytes(), forge.util.decode64(signature));
  } catch {
    return false;
  }
}

/** base64(HMAC-SHA512(clientSecret, METHOD:path:token:sha256hex(minified body):timestamp)). */
export function signSymmetric(clientSecret: string, p: Parameters<typeof symmetricStringToSign>[0]): string {
  return createHmac('sha512', clientSecret).update(symmetricStringToSign(p), 'utf8').digest('base64');
}

export function verifySymmetric(clientSecret: string, p: Parameters<typeof symmetricStringToSign>[0], signature: string): boolean {
  const expected = Buffer.from(signSymmetric(clientSecret, p));
  const got = Buffer.from(signature);
  return expected.length === got.length && timingSafeEqual(expected, got);
}
