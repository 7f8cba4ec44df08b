/**
 * A key for a certificate's issuer or subject Name, read from the DER without parsing the certificate, so trust
 * anchors can be looked up by name instead of parsed all. It is a function of the Name's canonical form, the form
 * OpenSSL compares when it decides a certificate may have been issued by another (X509_NAME_cmp, x509_name_canon:
 * string values as UTF-8 with ASCII lower-cased and white space trimmed and collapsed, other values as encoded), so
 * two Names OpenSSL finds equal always have the same key. Different Names may share a key; the caller still checks.
 */

/** One DER element: its tag, where its value starts and where it ends. */
interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(der: Buffer, pos: number, limit: number): Tlv {
  if (pos + 2 > limit) throw new RangeError('truncated DER');
  const tag = der[pos];
  if ((tag & 0x1f) === 0x1f) throw new RangeError('high tag numbers are not used in certificate names');
  let len = der[pos + 1];
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 4 || start + n > limit) throw new RangeError('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i];
    start += n;
  }
  if (start + len > limit) throw new RangeError('DER length past its container');
  return { tag, start, end: start + len };
}

/** The elements inside a constructed element. */
function childrenOf(der: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.start; pos < parent.end;) {
    const t = readTlv(der, pos, parent.end);
    out.push(t);
    pos = t.end;
  }
  return out;
}

const SEQUENCE = 0x30;
const SET = 0x31;
const OID = 0x06;
/** String types OpenSSL canonicalises (ASN1_MASK_CANON), with the bytes each character takes (ASN1_STRING_to_UTF8). */
const CANON_WIDTH: Record<number, 0 | 1 | 2 | 4> = { 0x0c: 0, 0x13: 1, 0x14: 1, 0x16: 1, 0x1a: 1, 0x1e: 2, 0x1c: 4 };

/** The characters of a canonicalised string value (UTF-8 as such, other types one code point per 1, 2 or 4 bytes). */
function characters(bytes: Buffer, width: 0 | 1 | 2 | 4): string {
  if (width === 0) return bytes.toString('utf8');
  if (width === 1) return bytes.toString('latin1');
  let s = '';
  for (let i = 0; i + width <= bytes.length; i += width) {
    const cp = width === 2 ? bytes.readUInt16BE(i) : bytes.readUInt32BE(i);
    s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  }
  return s;
}

/** Key of a Name element: its attribute types and values, each value canonicalised and then stripped of white space. */
function keyOf(der: Buffer, name: Tlv): string {
  if (name.tag !== SEQUENCE) throw new RangeError('a Name is a SEQUENCE');
  const entries: string[] = [];
  for (const rdn of childrenOf(der, name)) {
    if (rdn.tag !== SET) throw new RangeError('an RDN is a SET');
    for (const atv of childrenOf(der, rdn)) {
      const [type, value] = childrenOf(der, atv);
      if (atv.tag !== SEQUENCE || type?.tag !== OID || !value) throw new RangeError('bad AttributeTypeAndValue');
      const oid = der.subarray(type.start, type.end).toString('hex');
      const bytes = der.subarray(value.start, value.end);
      const width = CANON_WIDTH[value.tag];
      // Canonical: trimmed, runs of white space made one space, ASCII lower-cased; removing all white space and
      // lower-casing gives the same text for every value with that canonical form.
      entries.push(
        width === undefined
          ? `${oid}=${value.tag.toString(16)}:${bytes.toString('hex')}`
          : `${oid}=s:${characters(bytes, width)
              .replace(/[ \t\n\v\f\r]/g, '')
              .replace(/[A-Z]/g, (c) => c.toLowerCase())}`,
      );
    }
  }
  // Sorted: the canonical form re-encodes each RDN's SET, which may reorder its entries.
  return entries.sort().join('\n');
}

/** The Name at `offset` (2: issuer, 4: subject) among the TBSCertificate's fields, after the optional version. */
function nameAt(der: Buffer, offset: 2 | 4): string {
  const cert = readTlv(der, 0, der.length);
  const [tbs] = childrenOf(der, cert);
  if (cert.tag !== SEQUENCE || tbs?.tag !== SEQUENCE) throw new RangeError('a certificate is a SEQUENCE');
  // [0] version, serialNumber, signature, issuer, validity, subject
  const fields = childrenOf(der, tbs);
  const name = fields[(fields[0]?.tag === 0xa0 ? 1 : 0) + offset];
  if (!name) throw new RangeError('truncated TBSCertificate');
  return keyOf(der, name);
}

/** Key of a DER certificate's issuer Name; throws on a structure it cannot walk. */
export function issuerKey(der: Buffer): string {
  return nameAt(der, 2);
}

/** Key of a DER certificate's subject Name; throws on a structure it cannot walk. */
export function subjectKey(der: Buffer): string {
  return nameAt(der, 4);
}
