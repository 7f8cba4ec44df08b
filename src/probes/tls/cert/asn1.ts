/**
 * What Node's X509Certificate does not expose, read from the DER with node-forge's ASN.1 parser: the signature
 * algorithm, the serial and issuer/subject Name bytes (for OCSP CertIDs), CRL distribution points.
 * forge.pki cannot load non-RSA certificates, so we walk the ASN.1 ourselves.
 */
import { asn1, util, type Asn1 } from './forge-asn1';
import { ProtocolError } from '../../../errors';

export type { Asn1 };

export function fromDer(der: Buffer, what = 'DER structure'): Asn1 {
  try {
    // decodeBitStrings: false keeps BIT STRING bytes as sent (a key or signature, not nested ASN.1).
    return asn1.fromDer(util.createBuffer(der.toString('binary')), { decodeBitStrings: false } as never);
  } catch (e) {
    throw new ProtocolError(`cannot parse ${what}: ${(e as Error).message}`);
  }
}

export function toDer(node: Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'binary');
}

export function children(node: Asn1 | undefined): Asn1[] {
  return node && Array.isArray(node.value) ? node.value : [];
}

export function bytes(node: Asn1 | undefined): Buffer {
  return node && typeof node.value === 'string' ? Buffer.from(node.value, 'binary') : Buffer.alloc(0);
}

export function oidOf(node: Asn1 | undefined): string {
  return node && node.type === asn1.Type.OID ? asn1.derToOid(node.value as string) : '';
}

const SIG_NAMES: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10040.4.3': 'dsa-with-sha1',
  '2.16.840.1.101.3.4.3.2': 'dsa-with-sha256',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

/** Node crypto digest for a signature algorithm OID (null for EdDSA, which hashes internally). */
export function digestOf(oid: string): string | null | undefined {
  const name = SIG_NAMES[oid] ?? '';
  if (name.startsWith('ED')) return null;
  const m = /(md5|sha1|sha224|sha256|sha384|sha512)/i.exec(name);
  return m ? m[1].toLowerCase() : undefined;
}

export function signatureName(oid: string): string {
  return SIG_NAMES[oid] ?? oid;
}

export function isWeakSignature(name: string): boolean {
  return /md5|sha1/i.test(name);
}

export interface CertParts {
  tbs: Asn1;
  serial: Buffer;
  issuerName: Asn1;
  subjectName: Asn1;
  /** The BIT STRING contents of subjectPublicKeyInfo (without the unused-bits byte). */
  publicKeyBits: Buffer;
  signatureOid: string;
  signature: Buffer;
  extensions: Map<string, Asn1>;
}

export function certParts(der: Buffer): CertParts {
  const root = fromDer(der, 'certificate');
  const [tbs, sigAlg, sig] = children(root);
  const f = children(tbs);
  const offset = f[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const [serial, , issuerName, , subjectName, spki] = f.slice(offset);
  if (!spki) throw new ProtocolError('certificate is missing fields');
  const extensions = new Map<string, Asn1>();
  const extWrapper = f.slice(offset + 6).find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && (n.type as number) === 3);
  for (const e of children(children(extWrapper)[0])) {
    const parts = children(e);
    const value = parts[parts.length - 1];
    try {
      extensions.set(oidOf(parts[0]), fromDer(bytes(value)));
    } catch {
      // an extension we cannot parse is one we do not use
    }
  }
  return {
    tbs,
    serial: bytes(serial),
    issuerName,
    subjectName,
    publicKeyBits: bytes(children(spki)[1]).subarray(1),
    signatureOid: oidOf(children(sigAlg)[0]),
    signature: bytes(sig).subarray(1),
    extensions,
  };
}

/** Every URI (GeneralName [6]) inside a parsed extension. */
export function uris(node: Asn1 | undefined, out: string[] = []): string[] {
  if (!node) return out;
  if (node.tagClass === asn1.Class.CONTEXT_SPECIFIC && (node.type as number) === 6 && typeof node.value === 'string') out.push(node.value);
  for (const c of children(node)) uris(c, out);
  return out;
}

export function crlUrls(parts: CertParts): string[] {
  return uris(parts.extensions.get('2.5.29.31')).filter((u) => /^https?:\/\//i.test(u));
}

/** OCSP responder URLs from Authority Information Access (accessMethod id-ad-ocsp). */
export function ocspUrls(parts: CertParts): string[] {
  const out: string[] = [];
  for (const ad of children(parts.extensions.get('1.3.6.1.5.5.7.1.1'))) {
    const [method, location] = children(ad);
    if (oidOf(method) === '1.3.6.1.5.5.7.48.1') out.push(...uris(location));
  }
  return out.filter((u) => /^https?:\/\//i.test(u));
}
