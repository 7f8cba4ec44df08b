/**
 * Certificate transparency and OCSP must-staple, read from what the scan already has: SCTs embedded in the leaf
 * (RFC 6962 3.3, X.509v3 extension 1.3.6.1.4.1.11129.2.4.2), stapled in the OCSP answer (singleExtension
 * 1.3.6.1.4.1.11129.2.4.5) or sent in the TLS extension (signed_certificate_timestamp, 18), and the TLS Feature
 * extension (RFC 7633, 1.3.6.1.5.5.7.1.24) listing status_request (5): the certificate demands a stapled answer.
 */
import { bytes, certParts, children } from './asn1';

const EMBEDDED_SCT = '1.3.6.1.4.1.11129.2.4.2';
const TLS_FEATURE = '1.3.6.1.5.5.7.1.24';
const STATUS_REQUEST = 5;

export interface Transparency {
  /** SCTs embedded in the leaf. */
  embeddedScts: number;
  /** SCTs in the stapled OCSP answer (0 without a stapled answer). */
  stapledScts: number;
  /** The server sent SCTs in the TLS extension (TLS <= 1.2 hello asking for them); null when not asked. */
  tlsExtensionScts: boolean | null;
  /** How many SCTs that extension's list held (null when not asked). */
  tlsExtensionSctCount: number | null;
  /** The leaf carries the TLS Feature extension with status_request (OCSP must-staple). */
  mustStaple: boolean;
  /** must-staple and a stapled OCSP answer came back (null when the certificate does not demand it). */
  mustStapleHonoured: boolean | null;
  /** The path verifies against the public roots alone (without `caFile`): CT policies apply (set by scan.ts). */
  publiclyTrusted?: boolean;
}

/** Entries of a TLS-encoded SignedCertificateTimestampList (RFC 6962 3.3: u16 total, then u16-prefixed SCTs). */
export function countScts(list: Buffer): number {
  if (list.length < 2) return 0;
  const end = Math.min(list.length, 2 + list.readUInt16BE(0));
  let n = 0;
  for (let off = 2; off + 2 <= end; n++) off += 2 + list.readUInt16BE(off);
  return n;
}

/** DER of the OID 1.3.6.1.4.1.11129.2.4.5 (tag, length, value). */
const OCSP_SCT_DER = Buffer.from('060a2b06010401d679020405', 'hex');

/** One DER TLV at `off`: [value start, value end], bounds-checked (undefined when it does not fit). */
function tlv(b: Buffer, off: number): [number, number] | undefined {
  if (off + 2 > b.length) return undefined;
  let len = b[off + 1];
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 3 || start + n > b.length) return undefined;
    len = b.readUIntBE(start, n);
    start += n;
  }
  return start + len <= b.length ? [start, start + len] : undefined;
}

/**
 * SCTs in a stapled OCSP response: the BasicOCSPResponse sits inside an OCTET STRING, so the extension is found by
 * its OID's DER bytes; after it come an optional BOOLEAN (critical) and the extnValue OCTET STRING, which wraps
 * another OCTET STRING holding the list.
 */
export function stapledSctCount(ocsp: Buffer): number {
  const at = ocsp.indexOf(OCSP_SCT_DER);
  if (at < 0) return 0;
  let off = at + OCSP_SCT_DER.length;
  if (ocsp[off] === 0x01) off = tlv(ocsp, off)?.[1] ?? ocsp.length;
  if (ocsp[off] !== 0x04) return 0;
  const outer = tlv(ocsp, off);
  if (!outer || ocsp[outer[0]] !== 0x04) return 0;
  const inner = tlv(ocsp, outer[0]);
  return inner ? countScts(ocsp.subarray(inner[0], inner[1])) : 0;
}

export function transparency(
  leaf: Buffer,
  stapled: Buffer | undefined,
  tlsExtensionScts: boolean | null,
  tlsExtensionSctCount: number | null = null,
): Transparency {
  const parts = certParts(leaf);
  const sct = parts.extensions.get(EMBEDDED_SCT);
  const embeddedScts = sct ? countScts(bytes(sct)) : 0;
  const features = children(parts.extensions.get(TLS_FEATURE)).map((n) =>
    bytes(n).readUIntBE(0, Math.max(1, Math.min(bytes(n).length, 4))),
  );
  const mustStaple = features.includes(STATUS_REQUEST);
  const stapledScts = stapled ? stapledSctCount(stapled) : 0;
  return {
    embeddedScts,
    stapledScts,
    tlsExtensionScts,
    tlsExtensionSctCount,
    mustStaple,
    mustStapleHonoured: mustStaple ? Boolean(stapled) : null,
  };
}
