/**
 * Parses a security.txt file (RFC 9116): `Field: value` lines, `#` comments, blank lines, optionally inside an
 * OpenPGP cleartext signature. Field names are case-insensitive; every line that is none of these is reported.
 */
export interface SecurityTxt {
  /** Values by lower-cased field name, in file order. */
  fields: Map<string, string[]>;
  invalidLines: Array<{ line: number; text: string }>;
  signed: boolean;
}

const FIELD = /^([A-Za-z0-9!#$%&'*+\-.^_`|~]+):[ \t]*(.*?)[ \t]*$/;

/** Strips the OpenPGP cleartext framing (RFC 4880 §7) and dash-escaping; the signature itself is not verified. */
function unwrapSigned(lines: string[]): { lines: string[]; offset: number } {
  const start = lines.findIndex((l) => l.trim() === '-----BEGIN PGP SIGNED MESSAGE-----');
  if (start < 0) return { lines, offset: 0 };
  let i = start + 1;
  while (i < lines.length && lines[i].trim() !== '') i++; // armor headers (Hash: ...)
  const end = lines.findIndex((l, n) => n > i && l.trim() === '-----BEGIN PGP SIGNATURE-----');
  const body = lines.slice(i + 1, end < 0 ? lines.length : end).map((l) => (l.startsWith('- ') ? l.slice(2) : l));
  return { lines: body, offset: i + 1 };
}

export function parseSecurityTxt(text: string): SecurityTxt {
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const signed = raw.some((l) => l.trim() === '-----BEGIN PGP SIGNED MESSAGE-----');
  const { lines, offset } = unwrapSigned(raw);
  const fields = new Map<string, string[]>();
  const invalidLines: SecurityTxt['invalidLines'] = [];
  lines.forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    const m = FIELD.exec(t);
    if (!m) {
      invalidLines.push({ line: i + 1 + offset, text: t.slice(0, 120) });
      return;
    }
    const name = m[1].toLowerCase();
    fields.set(name, [...(fields.get(name) ?? []), m[2]]);
  });
  return { fields, invalidLines, signed };
}
