/**
 * A signed "good" OCSP response (RFC 6960 BasicOCSPResponse) for the demo's good TLS endpoint to staple, made
 * with node-forge ASN.1 and signed by the demo CA, so the demo shows a profile-compliant endpoint.
 */
import { createHash, createPrivateKey, sign } from 'node:crypto';
import forge from 'node-forge';
import { certParts, toDer } from '../../../probes/tls/cert/asn1';

const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;
/** Context-specific tags [0] and [1] have the tag numbers of forge's Type.NONE and Type.BOOLEAN (0 and 1). */
const CTX0 = T.NONE;
const CTX1 = T.BOOLEAN;
const seq = (v: forge.asn1.Asn1[]) => asn1.create(U, T.SEQUENCE, true, v);
const oid = (o: string) => asn1.create(U, T.OID, false, asn1.oidToDer(o).getBytes());
const octets = (b: Buffer) => asn1.create(U, T.OCTETSTRING, false, b.toString('binary'));
const time = (d: Date) => asn1.create(U, T.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(d));

export function goodOcspResponse(leafDer: Buffer, caDer: Buffer, caKeyPem: string, validHours = 24): Buffer {
  const leaf = certParts(leafDer);
  const ca = certParts(caDer);
  const certId = seq([
    seq([oid('1.3.14.3.2.26'), asn1.create(U, T.NULL, false, '')]),
    octets(createHash('sha1').update(toDer(ca.subjectName)).digest()),
    octets(createHash('sha1').update(ca.publicKeyBits).digest()),
    asn1.create(U, T.INTEGER, false, leaf.serial.toString('binary')),
  ]);
  const now = new Date();
  const single = seq([
    certId,
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, CTX0, false, ''), // good
    time(new Date(now.getTime() - 60_000)),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, CTX0, true, [time(new Date(now.getTime() + validHours * 3_600_000))]),
  ]);
  const tbs = seq([
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, CTX1, true, [ca.subjectName]), // responderID byName
    time(now),
    seq([single]),
  ]);
  const signature = sign('sha256', toDer(tbs), createPrivateKey(caKeyPem));
  const basic = seq([
    tbs,
    seq([oid('1.2.840.113549.1.1.11'), asn1.create(U, T.NULL, false, '')]),
    asn1.create(U, T.BITSTRING, false, `\u0000${signature.toString('binary')}`),
  ]);
  const response = seq([
    asn1.create(U, T.ENUMERATED, false, '\u0000'),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, CTX0, true, [seq([oid('1.3.6.1.5.5.7.48.1.1'), octets(toDer(basic))])]),
  ]);
  return toDer(response);
}
