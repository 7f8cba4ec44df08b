/**
 * The OpenPGP cleartext-signature framing of a signed security.txt (RFC 9116 §4 `signed` production, RFC 4880 §7
 * and §6): header first, Hash armor header(s), blank line, dash-escaped cleartext, one signature block whose
 * base64 decodes to a signature packet with a matching CRC-24, and nothing after it. The signature itself is not
 * verified (that needs the signer's key); broken framing is reported because readers cannot verify it either.
 */

export interface Problem {
  line: number;
  message: string;
}

export const SIGNED_HEADER = '-----BEGIN PGP SIGNED MESSAGE-----';
const SIG_BEGIN = '-----BEGIN PGP SIGNATURE-----';
const SIG_END = '-----END PGP SIGNATURE-----';
/** RFC 2045 token: CHAR except SPACE, CTLs and tspecials. */
const TOKEN = "[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]+";
const HASH_HEADER = new RegExp(`^Hash: ${TOKEN}(,${TOKEN})*$`);
const ARMOR_KEY = new RegExp(`^${TOKEN}: [\\x21-\\x7e \\t]*$`);
const BASE64_LINE = /^[A-Za-z0-9+/=]+$/;

/** RFC 4880 §6.1 CRC-24 of the decoded radix-64 data. */
function crc24(data: Buffer): number {
  let crc = 0xb704ce;
  for (const b of data) {
    crc ^= b << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

/** RFC 4880 §4.2: bit 7 set; tag in bits 5–0 (new format) or 5–2 (old format); 2 is a Signature packet. */
function isSignaturePacket(first: number): boolean {
  if (!(first & 0x80)) return false;
  return (first & 0x40 ? first & 0x3f : (first >> 2) & 0x0f) === 2;
}

function checkSignatureData(lines: Array<{ text: string; line: number }>, problems: Problem[]): void {
  if (lines.length === 0) return void problems.push({ line: 0, message: 'the signature block has no base64 data' });
  const last = lines[lines.length - 1];
  const checksum = /^=[A-Za-z0-9+/]{4}$/.test(last.text) ? last : undefined;
  const body = (checksum ? lines.slice(0, -1) : lines).map((l) => l.text).join('');
  if (body.length === 0 || body.length % 4 !== 0 || /=[^=]/.test(body) || /={3}/.test(body)) {
    return void problems.push({ line: lines[0].line, message: 'the signature data is not valid base64 (RFC 4648)' });
  }
  const data = Buffer.from(body, 'base64');
  if (checksum && Buffer.from(checksum.text.slice(1), 'base64').readUIntBE(0, 3) !== crc24(data)) {
    problems.push({ line: checksum.line, message: 'the armor checksum (CRC-24, RFC 4880 §6.1) does not match the signature data' });
  }
  if (!isSignaturePacket(data[0]))
    problems.push({ line: lines[0].line, message: 'the signature data does not start with an OpenPGP signature packet (RFC 4880 §5.2)' });
}

/**
 * Framing problems and the cleartext (dash-escaping removed) with each line's number in the file.
 * `lines` are the file's lines without their line ending; the last element is what follows the final LF.
 */
export function unwrapSigned(lines: string[]): { cleartext: Array<{ text: string; line: number }>; problems: Problem[] } {
  const problems: Problem[] = [];
  const start = lines.indexOf(SIGNED_HEADER);
  if (start !== 0) problems.push({ line: start + 1, message: `"${SIGNED_HEADER}" must be the first line` });
  let i = start + 1;
  if (!HASH_HEADER.test(lines[i] ?? ''))
    problems.push({ line: i + 1, message: 'no "Hash: <algorithm>" armor header after the header line' });
  while (HASH_HEADER.test(lines[i] ?? '')) i++;
  if (lines[i] !== '') problems.push({ line: i + 1, message: 'the armor headers must be followed by one blank line' });
  else i++;

  const cleartext: Array<{ text: string; line: number }> = [];
  for (; i < lines.length && lines[i] !== SIG_BEGIN; i++) {
    const t = lines[i];
    if (t.startsWith('- ')) cleartext.push({ text: t.slice(2), line: i + 1 });
    else {
      // RFC 4880 §7.1: every cleartext line starting with "-" MUST be dash-escaped.
      if (t.startsWith('-')) problems.push({ line: i + 1, message: 'a cleartext line starting with "-" is not dash-escaped ("- ")' });
      cleartext.push({ text: t, line: i + 1 });
    }
  }
  if (i >= lines.length) {
    problems.push({ line: lines.length, message: `no "${SIG_BEGIN}" block` });
    return { cleartext: i === lines.length ? cleartext.slice(0, -1) : cleartext, problems };
  }
  const begin = i++;
  while (ARMOR_KEY.test(lines[i] ?? '')) i++;
  if (lines[i] !== '') problems.push({ line: i + 1, message: 'the signature armor headers must be followed by one blank line' });
  else i++;
  const data: Array<{ text: string; line: number }> = [];
  for (; i < lines.length && lines[i] !== SIG_END; i++) {
    if (lines[i] === SIG_BEGIN) problems.push({ line: i + 1, message: 'a second signature block starts inside the first' });
    else if (!BASE64_LINE.test(lines[i])) problems.push({ line: i + 1, message: 'a line of the signature block is not base64' });
    else data.push({ text: lines[i], line: i + 1 });
  }
  if (i >= lines.length) problems.push({ line: begin + 1, message: `the signature block has no "${SIG_END}" line` });
  else {
    if (problems.every((p) => p.line <= begin)) checkSignatureData(data, problems);
    // The file ends with the END line and its line ending: a trailing blank line or text breaks the framing.
    const after = lines.slice(i + 1);
    if (after.length > 1 || (after.length === 1 && after[0] !== ''))
      problems.push({ line: i + 2, message: 'nothing may follow the end of the signature' });
  }
  return { cleartext, problems };
}
