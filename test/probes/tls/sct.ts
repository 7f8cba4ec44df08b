/**
 * Certificate-transparency fixtures built from their definitions: signed certificate timestamps (RFC 6962 3.2, a
 * v1 SCT over an x509_entry, signed by a test log's P-256 key; log_id = SHA-256 of the log's SubjectPublicKeyInfo),
 * the TLS-encoded SignedCertificateTimestampList (RFC 6962 3.3), and an OCSP response (RFC 6960 4.2.1) whose
 * SingleResponse carries that list in the extension 1.3.6.1.4.1.11129.2.4.5 (RFC 6962 3.3), signed by the issuing
 * CA itself. The CertID is taken from the request `openssl ocsp` builds, and the tests check the result with
 * `openssl ocsp -respin` (signature, status, and OpenSSL's own reading of the SCT list).
 */
import { createHash, generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import forge from 'node-forge';
import { openssl, type Leaf, type Pki } from './helpers';

const { asn1 } = forge;
const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);

export interface TestLog {
  key: KeyObject;
  /** DER SubjectPublicKeyInfo (what a CT log list publishes). */
  spki: Buffer;
  id: Buffer;
}

export function testLog(): TestLog {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return { key: privateKey, spki, id: createHash('sha256').update(spki).digest() };
}

/**
 * One serialized v1 SCT for the certificate `der` (an x509_entry), signed by `log`. Stamped a minute ago by default:
 * OpenSSL compares the SCT's milliseconds with its own clock in whole seconds (ct_vfy.c, "sct future timestamp"),
 * so an SCT stamped "now" is refused as from the future when s_client runs within the same second.
 */
export function sct(log: TestLog, der: Buffer, timestamp = Date.now() - 60_000): Buffer {
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(BigInt(timestamp));
  const noExtensions = u16(0);
  // digitally-signed struct: sct_version v1 (0), signature_type certificate_timestamp (0), timestamp,
  // entry_type x509_entry (0), the certificate (24-bit length), extensions.
  const signed = Buffer.concat([Buffer.from([0, 0]), ts, u16(0), u24(der.length), der, noExtensions]);
  const sig = sign('sha256', signed, log.key);
  // DigitallySigned: hash sha256 (4), signature ecdsa (3), then the signature (RFC 5246 4.7).
  return Buffer.concat([Buffer.from([0]), log.id, ts, noExtensions, Buffer.from([4, 3]), u16(sig.length), sig]);
}

/** SignedCertificateTimestampList: each SCT with a 16-bit length, the whole with a 16-bit length. */
export function sctList(scts: Buffer[]): Buffer {
  const items = Buffer.concat(scts.map((s) => Buffer.concat([u16(s.length), s])));
  return Buffer.concat([u16(items.length), items]);
}

/** The DER certificate of a PEM file. */
export const derOf = (pemFile: string) => new X509Certificate(readFileSync(pemFile)).raw;

const bin = (b: Buffer) => b.toString('binary');
const der = (node: forge.asn1.Asn1) => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
const seq = (value: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, value);
const oid = (o: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(o).getBytes());
const octets = (b: Buffer) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bin(b));
const explicit = (tag: number, inner: forge.asn1.Asn1) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, [inner]);
const time = (d: Date) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(d));

/**
 * A DER OCSPResponse saying `leaf` is good, with `list` (a SignedCertificateTimestampList) in its SingleResponse's
 * extension 1.3.6.1.4.1.11129.2.4.5, signed by the intermediate (the leaf's issuer), written to `<name>.ocsp`.
 */
export function ocspWithScts(pki: Pki, leaf: Leaf, name: string, list: Buffer): string {
  openssl(['ocsp', '-issuer', pki.interCert, '-cert', leaf.cert, '-no_nonce', '-reqout', `${name}.req`], pki.dir);
  // OCSPRequest → tbsRequest → requestList → Request → reqCert (CertID), exactly as OpenSSL hashed it.
  const req = asn1.fromDer(readFileSync(pki.file(`${name}.req`)).toString('binary'));
  const tbs = (req.value as forge.asn1.Asn1[])[0];
  const requestList = (tbs.value as forge.asn1.Asn1[]).find((n) => n.tagClass === asn1.Class.UNIVERSAL && n.type === asn1.Type.SEQUENCE)!;
  const certId = ((requestList.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[])[0];
  const now = new Date();
  const sctExtension = seq([oid('1.3.6.1.4.1.11129.2.4.5'), octets(der(octets(list)))]);
  const single = seq([
    certId,
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, ''), // certStatus good: [0] IMPLICIT NULL
    time(new Date(now.getTime() - 60_000)),
    explicit(0, time(new Date(now.getTime() + 86_400_000))),
    explicit(1, seq([sctExtension])),
  ]);
  const issuer = forge.pki.certificateFromPem(readFileSync(pki.interCert, 'utf8'));
  const responseData = seq([explicit(1, forge.pki.distinguishedNameToAsn1(issuer.subject)), time(now), seq([single])]);
  const signature = sign('sha256', der(responseData), readFileSync(pki.interKey));
  const basic = seq([
    responseData,
    seq([oid('1.2.840.113549.1.1.11'), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\x00' + bin(signature)),
  ]);
  const response = seq([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.ENUMERATED, false, '\x00'), // successful
    explicit(0, seq([oid('1.3.6.1.5.5.7.48.1.1'), octets(der(basic))])),
  ]);
  const file = pki.file(`${name}.ocsp`);
  writeFileSync(file, der(response));
  return file;
}
