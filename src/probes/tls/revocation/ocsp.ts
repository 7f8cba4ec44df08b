/**
 * OCSP (RFC 6960): build a request for the leaf, ask the responder named in the certificate, and read the
 * answer — or read the answer the server stapled. The response signature is verified against the issuer or a
 * responder certificate the issuer signed; an unverifiable answer is "unknown", never "good".
 */
import { createHash, verify, X509Certificate } from 'node:crypto';
import { asn1 } from '../cert/forge-asn1';
import { ProtocolError } from '../../../errors';
import { bytes, certParts, children, digestOf, fromDer, oidOf, toDer, type Asn1 } from '../cert/asn1';
import { fetchBytes, type FetchLimits } from './http';

const bin = (b: Buffer) => b.toString('binary');

export type RevocationStatus = 'good' | 'revoked' | 'unknown';

export interface OcspAnswer {
  status: RevocationStatus;
  /** Why the answer is unknown, or the revocation time. */
  detail?: string;
  revokedAt?: string;
  thisUpdate?: string;
  nextUpdate?: string;
}

interface CertId {
  nameHash: Buffer;
  keyHash: Buffer;
  serial: Buffer;
}

function certId(leafDer: Buffer, issuerDer: Buffer): CertId {
  const leaf = certParts(leafDer);
  const issuer = certParts(issuerDer);
  return {
    nameHash: createHash('sha1').update(toDer(issuer.subjectName)).digest(),
    keyHash: createHash('sha1').update(issuer.publicKeyBits).digest(),
    serial: leaf.serial,
  };
}

export function buildOcspRequest(leafDer: Buffer, issuerDer: Buffer): Buffer {
  const id = certId(leafDer, issuerDer);
  const seq = (v: Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, v);
  const certIdNode = seq([
    seq([
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer('1.3.14.3.2.26').getBytes()),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bin(id.nameHash)),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bin(id.keyHash)),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, bin(id.serial)),
  ]);
  return toDer(seq([seq([seq([seq([certIdNode])])])]));
}

function time(node: Asn1 | undefined): string | undefined {
  if (!node || typeof node.value !== 'string') return undefined;
  try {
    return (
      node.type === asn1.Type.GENERALIZEDTIME ? asn1.generalizedTimeToDate(node.value) : asn1.utcTimeToDate(node.value)
    ).toISOString();
  } catch {
    return undefined;
  }
}

function signedBy(tbs: Asn1, sigOid: string, signature: Buffer, signer: X509Certificate): boolean {
  const digest = digestOf(sigOid);
  if (digest === undefined) return false;
  try {
    return verify(digest, toDer(tbs), signer.publicKey, signature);
  } catch {
    return false;
  }
}

/** Reads a DER OCSPResponse for the leaf; `issuer` verifies its signature. */
export function parseOcspResponse(der: Buffer, leafDer: Buffer, issuer: X509Certificate): OcspAnswer {
  const root = fromDer(der, 'OCSP response');
  const [statusNode, bytesWrapper] = children(root);
  const responseStatus = bytes(statusNode)[0];
  if (responseStatus !== 0) return { status: 'unknown', detail: `responder status ${responseStatus} (not successful)` };
  const [typeOid, octets] = children(children(bytesWrapper)[0]);
  if (oidOf(typeOid) !== '1.3.6.1.5.5.7.48.1.1') throw new ProtocolError('OCSP response is not a basic response');
  const basic = fromDer(bytes(octets), 'BasicOCSPResponse');
  const [tbs, sigAlg, sigBits, certsWrapper] = children(basic);
  const sigOid = oidOf(children(sigAlg)[0]);
  const signature = bytes(sigBits).subarray(1);
  // The issuer signs, or delegates to a responder certificate it issued (RFC 6960 4.2.2.2).
  const delegates = children(children(certsWrapper)[0]).map((c) => new X509Certificate(toDer(c)));
  const signers = [issuer, ...delegates.filter((d) => d.checkIssued(issuer) && d.verify(issuer.publicKey))];
  if (!signers.some((s) => signedBy(tbs, sigOid, signature, s)))
    return { status: 'unknown', detail: 'OCSP response signature does not verify' };

  const fields = children(tbs);
  const responses = fields.find((f, i) => i > 0 && f.tagClass === asn1.Class.UNIVERSAL && f.type === asn1.Type.SEQUENCE);
  const id = certId(leafDer, Buffer.from(issuer.raw));
  for (const single of children(responses)) {
    const [cid, status, thisUpdate, ...rest] = children(single);
    const [, nameHash, keyHash, serial] = children(cid);
    if (!bytes(serial).equals(id.serial) || !bytes(keyHash).equals(id.keyHash) || !bytes(nameHash).equals(id.nameHash)) continue;
    const next = rest.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && (n.type as number) === 0);
    const common = { thisUpdate: time(thisUpdate), nextUpdate: time(children(next)[0]) };
    if ((status.type as number) === 0) return { status: 'good', ...common };
    if ((status.type as number) === 1) return { status: 'revoked', revokedAt: time(children(status)[0]), ...common };
    return { status: 'unknown', detail: 'responder does not know the certificate', ...common };
  }
  return { status: 'unknown', detail: 'OCSP response does not cover this certificate' };
}

export async function queryOcsp(url: string, leafDer: Buffer, issuer: X509Certificate, limits: FetchLimits): Promise<OcspAnswer> {
  const req = buildOcspRequest(leafDer, Buffer.from(issuer.raw));
  const res = await fetchBytes(url, limits, { type: 'application/ocsp-request', data: req });
  if (res.status !== 200) return { status: 'unknown', detail: `OCSP responder answered HTTP ${res.status}` };
  return parseOcspResponse(res.data, leafDer, issuer);
}
