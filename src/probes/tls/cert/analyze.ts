/**
 * Judges a certificate chain as the server sent it: identity, validity window, key, signature algorithms,
 * chain order and completeness, trust (system store plus an optional CA bundle), host name, self-signed.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { issued, type TrustAnchors } from './anchors';
import { certParts, crlUrls, isWeakSignature, ocspUrls, signatureName } from './asn1';

export interface ChainEntry {
  subject: string;
  issuer: string;
  notAfter: string;
  signatureAlgorithm: string;
}

export interface CertificateReport {
  /** SHA-256 of the leaf (DER), colon-separated upper-case hex. */
  fingerprint256: string;
  subject: string;
  issuer: string;
  serial: string;
  sans: string[];
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  lifetimeDays: number;
  keyType: string;
  keyBits: number;
  signatureAlgorithm: string;
  selfSigned: boolean;
  /**
   * The path leaf → … → trust anchor verifies (issuer names and signatures), whatever the dates: a statement about
   * who issued it, not about whether a client accepts it today (see `validNow`, `trustedNow`).
   */
  pathTrusted: boolean;
  /** Every certificate on the path (the leaf, the intermediates used, the anchor reached) is within its validity window now. */
  validNow: boolean;
  /** What a client decides today: `pathTrusted` and `validNow`. */
  trustedNow: boolean;
  /** Subjects on the path that are outside their validity window now (expired or not yet valid). */
  outOfValidity: string[];
  /** The issuers up to a root were all sent or are trust anchors. */
  chainComplete: boolean;
  /** Each sent certificate is followed by its issuer; null when the order is unknown. */
  chainInOrder: boolean | null;
  hostnameMatch: boolean;
  /** Signatures with SHA-1 or MD5 on the leaf or an intermediate (a root's own signature does not matter). */
  weakSignatures: string[];
  ocspUrls: string[];
  crlUrls: string[];
  chain: ChainEntry[];
}

const DAY = 86_400_000;
const CURVE_BITS: Record<string, number> = {
  prime256v1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp256k1: 256,
  secp224r1: 224,
  prime192v1: 192,
};

export function dn(text: string): string {
  return text.split('\n').filter(Boolean).join(', ');
}

function keyOf(c: X509Certificate): { keyType: string; keyBits: number } {
  const k = c.publicKey;
  const d = k.asymmetricKeyDetails ?? {};
  const type = k.asymmetricKeyType ?? 'unknown';
  if (type === 'rsa' || type === 'rsa-pss' || type === 'dsa')
    return { keyType: type === 'rsa-pss' ? 'RSA-PSS' : type.toUpperCase(), keyBits: d.modulusLength ?? 0 };
  if (type === 'ec') return { keyType: 'EC', keyBits: CURVE_BITS[d.namedCurve ?? ''] ?? 0 };
  if (type === 'ed25519') return { keyType: 'Ed25519', keyBits: 256 };
  if (type === 'ed448') return { keyType: 'Ed448', keyBits: 456 };
  return { keyType: type, keyBits: 0 };
}

function sansOf(c: X509Certificate): string[] {
  return (c.subjectAltName ?? '')
    .split(/,\s*/)
    .map((s) => s.replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean);
}

export interface AnalyzeInput {
  /** DER certificates as sent, leaf first. */
  chain: Buffer[];
  /** Whether `chain` keeps the server's order (raw TLS <= 1.2 message) or was re-ordered by OpenSSL. */
  orderKnown: boolean;
  hostname: string;
  anchors: TrustAnchors;
  now?: Date;
}

export function analyzeChain(input: AnalyzeInput): CertificateReport {
  const now = (input.now ?? new Date()).getTime();
  const sent = input.chain.map((d) => new X509Certificate(d));
  const leaf = sent[0];
  const leafParts = certParts(input.chain[0]);

  // Build the path leaf → ... → anchor or self-signed root, using sent certificates first.
  const path = [leaf];
  let trusted = false;
  let complete = false;
  for (let cur = leaf; path.length <= 10;) {
    if (input.anchors.has(cur)) {
      trusted = complete = true;
      break;
    }
    const fromSent = sent.find((c) => c !== cur && !path.includes(c) && issued(cur, c));
    if (fromSent) {
      path.push(fromSent);
      cur = fromSent;
      continue;
    }
    const anchor = input.anchors.issuerOf(cur);
    if (anchor) {
      trusted = complete = true;
      path.push(anchor);
      break;
    }
    // Ends at a self-signed root, or at a sent CA certificate whose (root) issuer we lack: then the chain is
    // complete but untrusted. Only a leaf whose issuer was not sent is an incomplete chain.
    complete = issued(cur, cur) || path.length > 1;
    break;
  }
  const outOfValidity = path
    .filter((c) => now < new Date(c.validFrom).getTime() || now > new Date(c.validTo).getTime())
    .map((c) => dn(c.subject));
  let chainInOrder: boolean | null = null;
  if (input.orderKnown) chainInOrder = sent.every((c, i) => i === sent.length - 1 || issued(c, sent[i + 1]));

  const hostnameMatch = isIP(input.hostname) ? Boolean(leaf.checkIP(input.hostname)) : Boolean(leaf.checkHost(input.hostname));
  const notBefore = new Date(leaf.validFrom).getTime();
  const notAfter = new Date(leaf.validTo).getTime();
  const chain: ChainEntry[] = sent.map((c, i) => ({
    subject: dn(c.subject),
    issuer: dn(c.issuer),
    notAfter: new Date(c.validTo).toISOString(),
    signatureAlgorithm: signatureName(certParts(input.chain[i]).signatureOid),
  }));
  // A self-signed root's own signature is never verified by clients, so SHA-1 there is harmless.
  const weakSignatures = chain
    .filter((c, i) => isWeakSignature(c.signatureAlgorithm) && !(i > 0 && issued(sent[i], sent[i])))
    .map((c) => `${c.subject}: ${c.signatureAlgorithm}`);
  return {
    fingerprint256: leaf.fingerprint256,
    subject: dn(leaf.subject),
    issuer: dn(leaf.issuer),
    serial: leaf.serialNumber,
    sans: sansOf(leaf),
    notBefore: new Date(notBefore).toISOString(),
    notAfter: new Date(notAfter).toISOString(),
    daysLeft: Math.floor((notAfter - now) / DAY),
    lifetimeDays: Math.round((notAfter - notBefore) / DAY),
    ...keyOf(leaf),
    signatureAlgorithm: signatureName(leafParts.signatureOid),
    selfSigned: issued(leaf, leaf),
    pathTrusted: trusted,
    validNow: outOfValidity.length === 0,
    trustedNow: trusted && outOfValidity.length === 0,
    outOfValidity,
    chainComplete: complete,
    chainInOrder,
    hostnameMatch,
    weakSignatures,
    ocspUrls: ocspUrls(leafParts),
    crlUrls: crlUrls(leafParts),
    chain,
  };
}

/**
 * The issuer of `chain[index]` (the leaf by default) for OCSP and CRL checks: the next sent certificate that
 * verifies it, else any other sent one, else a trust anchor.
 */
export function findIssuer(chain: Buffer[], anchors: TrustAnchors, index = 0): X509Certificate | undefined {
  const sent = chain.map((d) => new X509Certificate(d));
  const cert = sent[index];
  const others = [...sent.slice(index + 1), ...sent.slice(0, index)];
  return others.find((c) => issued(cert, c)) ?? anchors.issuerOf(cert);
}
