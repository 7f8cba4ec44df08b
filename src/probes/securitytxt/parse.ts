/**
 * Parses a security.txt file by the RFC 9116 §4 ABNF: `line = [ (field / comment) ] eol`, `eol = *WSP [CR] LF`,
 * fields as `name ":" SP value`, optionally inside an OpenPGP cleartext signature (pgp.ts). Field names are
 * case-insensitive (RFC 5234 quoted strings). Every departure from the grammar is reported with its line.
 */
import { SIGNED_HEADER, unwrapSigned } from './pgp';

export type SyntaxCode =
  | 'leading_whitespace'
  | 'whitespace_before_colon'
  | 'empty_field_name'
  | 'missing_space'
  | 'empty_value'
  | 'not_a_field'
  | 'no_final_newline';

export interface SecurityTxt {
  /** Values by lower-cased field name, in file order. */
  fields: Map<string, string[]>;
  /** Grammar violations, one per line and kind. */
  syntax: Array<{ line: number; code: SyntaxCode; text: string }>;
  /** Broken OpenPGP cleartext framing (only when signed). */
  signature: Array<{ line: number; message: string }>;
  signed: boolean;
  /** A single leading byte-order mark was dropped (RFC 5198 Net-Unicode does not use one). */
  bom: boolean;
}

/** RFC 5322 §3.6.8 field-name: 1*ftext, printable US-ASCII except ":". */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
/** Fields whose value is a URI (RFC 9116 §2.5): it cannot begin with whitespace. */
export const URI_FIELDS = ['acknowledgments', 'canonical', 'contact', 'encryption', 'hiring', 'policy', 'csaf'];
/** Fields whose production has a non-empty value (uri, date-time, lang-values). */
const VALUED = [...URI_FIELDS, 'expires', 'preferred-languages'];

export function parseSecurityTxt(text: string): SecurityTxt {
  const bom = text.startsWith('\uFEFF');
  // Only one BOM is an encoding signature; a second one is content and makes line 1 fail the grammar.
  const raw = (bom ? text.slice(1) : text).split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const signed = raw.includes(SIGNED_HEADER);
  let lines: Array<{ text: string; line: number }>;
  let signature: SecurityTxt['signature'] = [];
  if (signed) {
    const u = unwrapSigned(raw);
    lines = u.cleartext;
    signature = u.problems;
  } else lines = raw.slice(0, -1).map((t, i) => ({ text: t, line: i + 1 })); // the last element follows the last LF

  const fields = new Map<string, string[]>();
  const syntax: SecurityTxt['syntax'] = [];
  const report = (line: number, code: SyntaxCode, t: string) => syntax.push({ line, code, text: t.slice(0, 120) });
  if (raw[raw.length - 1] !== '') report(raw.length, 'no_final_newline', raw[raw.length - 1]);
  if (!signed && raw[raw.length - 1] !== '') lines.push({ text: raw[raw.length - 1], line: raw.length });

  for (const { text: l, line } of lines) {
    const t = l.replace(/[ \t]+$/, ''); // eol = *WSP [CR] LF
    if (t === '') continue;
    if (/^[ \t]/.test(t)) {
      report(line, 'leading_whitespace', t);
      continue;
    }
    if (t.startsWith('#')) continue;
    const colon = t.indexOf(':');
    if (colon < 0) {
      report(line, 'not_a_field', t);
      continue;
    }
    const name = t.slice(0, colon);
    // The untrimmed rest: in "Name: " the space is fs SP, not trailing eol whitespace.
    let value = l.slice(colon + 1);
    if (name === '') {
      report(line, 'empty_field_name', t);
      continue;
    }
    if (/[ \t]$/.test(name) && FIELD_NAME.test(name.trimEnd())) report(line, 'whitespace_before_colon', t);
    else if (!FIELD_NAME.test(name)) {
      report(line, 'not_a_field', t);
      continue;
    }
    const key = name.trimEnd().toLowerCase();
    // fs SP: even an extension field with an empty unstructured value keeps the space ("Name: ").
    if (value[0] !== ' ' && !(value === '' && VALUED.includes(key))) report(line, 'missing_space', t);
    else if (VALUED.includes(key) && /^ [ \t]/.test(value)) report(line, 'leading_whitespace', t);
    value = value.replace(/^[ \t]+|[ \t]+$/g, '');
    if (value === '' && VALUED.includes(key)) {
      report(line, 'empty_value', t);
      continue;
    }
    fields.set(key, [...(fields.get(key) ?? []), value]);
  }
  return { fields, syntax, signature, signed, bom };
}
