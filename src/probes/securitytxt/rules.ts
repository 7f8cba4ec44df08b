/**
 * The RFC 9116 verdict on a security.txt's content: grammar (§4), signature framing, required and single fields,
 * URI fields (§2.5, https for web URIs), Expires as an RFC 3339 date-time, Preferred-Languages as RFC 5646 tags,
 * CSAF (CSAF 2.0 §7.1.8), plus the operator's requirements. Grammar breaks are `fail`: the RFC says MUST.
 */
import type { Finding } from '../../results/contract';
import { parseLanguages } from './langtag';
import type { SecurityTxtOptions } from './options';
import { URI_FIELDS, type SecurityTxt } from './parse';

const DAY = 86_400_000;
/** Fields RFC 9116 says MUST NOT appear more than once. */
const SINGLE = ['expires', 'preferred-languages'];
const SYNTAX: Record<SecurityTxt['syntax'][number]['code'], string> = {
  leading_whitespace: 'whitespace where the grammar allows none (before a field name, or more than one space before a value)',
  whitespace_before_colon: 'whitespace between the field name and the colon',
  empty_field_name: 'a colon with no field name before it',
  missing_space: 'no space after the colon ("Name: value")',
  empty_value: 'a field with no value',
  not_a_field: 'neither a field, a comment nor blank',
  no_final_newline: 'the last line has no line ending (every line ends with LF or CRLF)',
};

/**
 * RFC 3339 §5.6 date-time as RFC 9116 imports it: full-date "T" full-time; "T" and "Z" may be lower case (§5.6
 * NOTE). A space instead of "T" is something §5.6 lets an application choose; RFC 9116 imports the production,
 * which does not allow it, so "2026-01-01 00:00:00Z" is rejected.
 */
export function parseRfc3339(s: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number);
  const mdays = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60) return undefined;
  if (m[9] && (Number(m[10]) > 23 || Number(m[11]) > 59)) return undefined;
  const t = Date.parse(s.replace(/:60(?=[.Zz+-])/, ':59').toUpperCase()); // a leap second reads as :59
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** RFC 3986 §3: scheme ":" and only URI characters (unreserved, reserved, well-formed percent-encodings). */
export function isUri(s: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/.test(s) || /%(?![0-9A-Fa-f]{2})/.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

export interface Verdict {
  findings: Finding[];
  contacts: string[];
  expiresAt?: Date;
  languages: string[];
}

export function judgeSecurityTxt(
  doc: SecurityTxt,
  ctx: {
    url: URL;
    finalUrl: URL;
    now: number;
    o: Pick<SecurityTxtOptions, 'requireHttps' | 'warnBefore' | 'maxValidity' | 'requireFields' | 'requireLanguages'>;
  },
): Verdict {
  const { o } = ctx;
  const findings: Finding[] = [];
  const fail = (id: string, severity: Finding['severity'], message: string, evidence?: Record<string, unknown>) =>
    findings.push({ id, severity, status: 'fail', message, evidence });
  const warn = (id: string, message: string, evidence?: Record<string, unknown>) =>
    findings.push({ id, severity: 'low', status: 'warn', message, evidence });
  const get = (name: string) => doc.fields.get(name.toLowerCase()) ?? [];

  if (doc.bom)
    warn(
      'securitytxt.encoding.bom',
      'the file starts with a byte-order mark; RFC 9116 asks for UTF-8 in Net-Unicode form (RFC 5198), which has none',
    );
  for (const code of [...new Set(doc.syntax.map((s) => s.code))]) {
    const lines = doc.syntax.filter((s) => s.code === code);
    fail(
      `securitytxt.syntax.${code}`,
      'low',
      `${lines.length} line(s) break the RFC 9116 grammar: ${SYNTAX[code]} (line ${lines
        .map((l) => l.line)
        .slice(0, 5)
        .join(', ')})`,
      { lines: lines.slice(0, 5) },
    );
  }
  if (doc.signature.length) {
    fail(
      'securitytxt.signature.malformed',
      'medium',
      `the OpenPGP cleartext signature is malformed: ${doc.signature[0].message} (line ${doc.signature[0].line})`,
      { problems: doc.signature.slice(0, 5) },
    );
  }

  const contacts = get('Contact');
  if (contacts.length === 0) fail('securitytxt.contact.missing', 'high', 'no Contact field: the file names nobody to report to');
  for (const name of URI_FIELDS) {
    for (const v of get(name)) {
      const label = name === 'csaf' ? 'CSAF' : name[0].toUpperCase() + name.slice(1);
      if (!isUri(v)) {
        if (name === 'contact')
          fail('securitytxt.contact.invalid', 'medium', `Contact "${v.slice(0, 100)}" is not a URI (expected mailto:, tel: or https:)`);
        else fail('securitytxt.field.invalid_uri', 'low', `${label} "${v.slice(0, 100)}" is not a URI (RFC 3986)`, { field: label });
      } else if (/^http:/i.test(v) && (o.requireHttps || new URL(v).origin !== ctx.finalUrl.origin)) {
        // A plain-HTTP test site (requireHttps: false) links its own pages over http; other origins still need https.
        if (name === 'contact')
          fail('securitytxt.contact.insecure_uri', 'medium', `Contact ${v} is a web URI without TLS; RFC 9116 requires https`);
        else
          fail(
            'securitytxt.field.insecure_uri',
            'low',
            `${label} ${v.slice(0, 100)} is a web URI without TLS; it must begin with https://`,
            { field: label },
          );
      } else if (name === 'csaf' && !/^https:\/\/[^?#]*\/provider-metadata\.json$/i.test(v)) {
        fail(
          'securitytxt.csaf.invalid',
          'low',
          `CSAF ${v.slice(0, 100)} must be an https URL of a provider-metadata.json (CSAF 2.0 §7.1.8)`,
        );
      }
    }
  }

  const expires = get('Expires');
  let expiresAt: Date | undefined;
  if (expires.length === 0) fail('securitytxt.expires.missing', 'high', 'no Expires field (required by RFC 9116)');
  else if (!(expiresAt = parseRfc3339(expires[0])))
    fail(
      'securitytxt.expires.invalid',
      'high',
      `Expires "${expires[0].slice(0, 60)}" is not an RFC 3339 date-time (e.g. 2027-01-31T17:00:00+07:00)`,
    );
  else {
    const left = expiresAt.getTime() - ctx.now;
    if (left <= 0)
      fail('securitytxt.expires.expired', 'high', `security.txt expired on ${expiresAt.toISOString()}: readers must treat it as stale`, {
        expires: expires[0],
      });
    else if (left <= o.warnBefore)
      warn('securitytxt.expires.soon', `security.txt expires in ${Math.ceil(left / DAY)} day(s) (${expires[0]})`, { expires: expires[0] });
    else if (left > o.maxValidity)
      warn(
        'securitytxt.expires.too_far',
        `Expires is ${Math.floor(left / DAY)} days ahead; RFC 9116 recommends less than a year so stale contacts age out`,
        { expires: expires[0] },
      );
  }
  for (const name of SINGLE) {
    if ((doc.fields.get(name) ?? []).length > 1)
      fail('securitytxt.field.duplicate', 'medium', `${name} appears ${doc.fields.get(name)!.length} times; RFC 9116 allows it once`, {
        field: name,
      });
  }
  const canonical = get('Canonical');
  if (canonical.length && !canonical.includes(ctx.url.href) && !canonical.includes(ctx.finalUrl.href)) {
    warn(
      'securitytxt.canonical.mismatch',
      `Canonical (${canonical.join(', ').slice(0, 200)}) does not name the URL it was fetched from (${ctx.url.href})`,
    );
  }
  for (const f of o.requireFields)
    if (get(f).length === 0)
      fail('securitytxt.field.missing', 'medium', `required field ${f} is missing (operator's policy)`, { field: f });

  const pl = get('Preferred-Languages')[0];
  const { tags, problems } = pl === undefined ? { tags: [], problems: [] } : parseLanguages(pl);
  if (problems.length)
    fail(
      'securitytxt.language.invalid',
      'low',
      `Preferred-Languages must list RFC 5646 language tags separated by commas: ${problems.slice(0, 3).join('; ')}`,
      { value: pl.slice(0, 200) },
    );
  const langs = tags.map((t) => t.toLowerCase());
  for (const l of o.requireLanguages) {
    if (!langs.some((x) => x === l.toLowerCase() || x.startsWith(`${l.toLowerCase()}-`)))
      fail('securitytxt.language.missing', 'low', `Preferred-Languages does not list ${l}`, { languages: langs });
  }
  return { findings, contacts, expiresAt, languages: langs };
}
