/** CRL check (RFC 5280 5.1): fetch the list the certificate names, verify the issuer signed it, look up the serial. */
import { verify, X509Certificate } from 'node:crypto';
import { bytes, certParts, children, digestOf, fromDer, oidOf, toDer } from '../cert/asn1';
import { fetchBytes, type FetchLimits } from './http';
import type { OcspAnswer } from './ocsp';

export function checkCrl(crlData: Buffer, leafDer: Buffer, issuer: X509Certificate): OcspAnswer {
  const text = crlData.subarray(0, 64).toString('latin1');
  const der = text.includes('-----BEGIN') ? Buffer.from(crlData.toString('latin1').replace(/-----[^-]+-----|\s/g, ''), 'base64') : crlData;
  const [tbs, sigAlg, sigBits] = children(fromDer(der, 'CRL'));
  const digest = digestOf(oidOf(children(sigAlg)[0]));
  let ok = false;
  try {
    ok = digest !== undefined && verify(digest, toDer(tbs), issuer.publicKey, bytes(sigBits).subarray(1));
  } catch {
    ok = false;
  }
  if (!ok) return { status: 'unknown', detail: 'CRL signature does not verify against the issuer' };
  const serial = certParts(leafDer).serial;
  // revokedCertificates is the only SEQUENCE OF SEQUENCE-with-INTEGER-first after the issuer Name.
  for (const field of children(tbs)) {
    for (const entry of children(field)) {
      const [first, when] = children(entry);
      if (
        (first?.type as number | undefined) === 2 &&
        bytes(first).equals(serial) &&
        children(field).every((e) => (children(e)[0]?.type as number | undefined) === 2)
      ) {
        return { status: 'revoked', revokedAt: when && typeof when.value === 'string' ? when.value : undefined };
      }
    }
  }
  return { status: 'good' };
}

export async function queryCrl(url: string, leafDer: Buffer, issuer: X509Certificate, limits: FetchLimits): Promise<OcspAnswer> {
  const res = await fetchBytes(url, limits);
  if (res.status !== 200) return { status: 'unknown', detail: `CRL download answered HTTP ${res.status}` };
  return checkCrl(res.data, leafDer, issuer);
}
