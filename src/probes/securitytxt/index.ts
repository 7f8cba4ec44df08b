/**
 * Probe type `securitytxt`: the incident contact published per RFC 9116 at /.well-known/security.txt — present,
 * served over HTTPS as text/plain, with Contact and one valid, unexpired Expires (and what the operator requires).
 * A missing or expired file is a `fail`; a server that cannot be reached or answers 5xx is an `error`.
 */
import { fetchText, headerValue } from '../../net/fetch-text';
import { parseWebUrl } from '../../net/target';
import { TargetUnreachableError } from '../../errors';
import type { Finding } from '../../results/contract';
import { defineProbe } from '../types';
import { securityTxtOptions } from './options';
import { parseSecurityTxt } from './parse';

const DAY = 86_400_000;
/** RFC 3339 date-time (RFC 9116 §2.5.5 requires this format for Expires). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/** Fields RFC 9116 says MUST NOT appear more than once. */
const SINGLE = ['expires', 'preferred-languages'];

export function securityTxtUrl(target: string): URL {
  const url = parseWebUrl(target);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/.well-known/security.txt';
  return url;
}

export const securityTxtProbe = defineProbe({
  type: 'securitytxt',
  summary: 'security.txt (RFC 9116): incident contact present, HTTPS, text/plain, Contact and a valid unexpired Expires',
  defaultElement: 'cooperation',
  targetHelp: 'site URL (https://example.co.id) or the full URL of security.txt',
  options: securityTxtOptions,
  async run(target, o, ctx) {
    const url = securityTxtUrl(target);
    const res = await fetchText(url, { headers: o.headers, caFile: o.caFile, verifyTls: o.verifyTls, maxBytes: o.maxBytes, timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    const findings: Finding[] = [];
    const fail = (id: string, severity: Finding['severity'], message: string, evidence?: Record<string, unknown>) => findings.push({ id, severity, status: 'fail', message, evidence });
    const warn = (id: string, message: string, evidence?: Record<string, unknown>) => findings.push({ id, severity: 'low', status: 'warn', message, evidence });
    if (res.status >= 500) throw new TargetUnreachableError(`${url.href} answered HTTP ${res.status}; cannot tell whether security.txt exists`);
    if (res.status !== 200) {
      fail('securitytxt.missing', 'high', `no security.txt at ${url.href} (HTTP ${res.status}): outside reporters have no published security contact`, { status: res.status });
      return { target: url.href, findings, measurements: { status: res.status } };
    }
    if (o.requireHttps && res.finalUrl.protocol !== 'https:') fail('securitytxt.transport.not_https', 'medium', `security.txt is served over ${res.finalUrl.protocol.slice(0, -1)}; RFC 9116 requires HTTPS`);
    const type = headerValue(res.headers, 'content-type') ?? '';
    if (!/^text\/plain\b/i.test(type)) fail('securitytxt.content_type', 'low', `Content-Type is "${type || '(none)'}", RFC 9116 requires text/plain; charset=utf-8`);
    else if (!/charset\s*=\s*"?utf-8/i.test(type)) warn('securitytxt.charset', `Content-Type "${type}" names no utf-8 charset`);
    if (res.truncated) fail('securitytxt.too_large', 'low', `security.txt exceeds ${o.maxBytes} bytes; reading stopped there`);

    const doc = parseSecurityTxt(res.text);
    if (doc.invalidLines.length) warn('securitytxt.syntax.invalid_line', `${doc.invalidLines.length} line(s) are neither a field, a comment nor blank`, { lines: doc.invalidLines.slice(0, 5) });
    const get = (name: string) => doc.fields.get(name.toLowerCase()) ?? [];

    const contacts = get('Contact');
    if (contacts.length === 0) fail('securitytxt.contact.missing', 'high', 'no Contact field: the file names nobody to report to');
    for (const c of contacts) {
      let u: URL | undefined;
      try {
        u = new URL(c);
      } catch {
        fail('securitytxt.contact.invalid', 'medium', `Contact "${c.slice(0, 100)}" is not a URI (expected mailto:, tel: or https:)`);
        continue;
      }
      if (u.protocol === 'http:') fail('securitytxt.contact.insecure_uri', 'medium', `Contact ${c} is a web URI without TLS; RFC 9116 requires https`);
    }

    const expires = get('Expires');
    let expiresAt: Date | undefined;
    if (expires.length === 0) fail('securitytxt.expires.missing', 'high', 'no Expires field (required by RFC 9116)');
    else if (!RFC3339.test(expires[0]) || Number.isNaN(Date.parse(expires[0]))) fail('securitytxt.expires.invalid', 'high', `Expires "${expires[0].slice(0, 60)}" is not an RFC 3339 date-time`);
    else {
      expiresAt = new Date(expires[0]);
      const left = expiresAt.getTime() - Date.now();
      if (left <= 0) fail('securitytxt.expires.expired', 'high', `security.txt expired on ${expiresAt.toISOString()}: readers must treat it as stale`, { expires: expires[0] });
      else if (left <= o.warnBefore) warn('securitytxt.expires.soon', `security.txt expires in ${Math.ceil(left / DAY)} day(s) (${expires[0]})`, { expires: expires[0] });
      else if (left > o.maxValidity) warn('securitytxt.expires.too_far', `Expires is ${Math.floor(left / DAY)} days ahead; RFC 9116 recommends less than a year so stale contacts age out`, { expires: expires[0] });
    }
    for (const name of SINGLE) {
      if ((doc.fields.get(name) ?? []).length > 1) fail('securitytxt.field.duplicate', 'medium', `${name} appears ${doc.fields.get(name)!.length} times; RFC 9116 allows it once`, { field: name });
    }
    const canonical = get('Canonical');
    if (canonical.length && !canonical.includes(url.href) && !canonical.includes(res.finalUrl.href)) {
      warn('securitytxt.canonical.mismatch', `Canonical (${canonical.join(', ').slice(0, 200)}) does not name the URL it was fetched from (${url.href})`);
    }
    for (const f of o.requireFields) if (get(f).length === 0) fail('securitytxt.field.missing', 'medium', `required field ${f} is missing (operator's policy)`, { field: f });
    const langs = (get('Preferred-Languages')[0] ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    for (const l of o.requireLanguages) {
      if (!langs.some((x) => x === l.toLowerCase() || x.startsWith(`${l.toLowerCase()}-`))) fail('securitytxt.language.missing', 'low', `Preferred-Languages does not list ${l}`, { languages: langs });
    }
    if (findings.length === 0) findings.push({ id: 'securitytxt.valid', severity: 'info', status: 'pass', message: `security.txt is valid; ${contacts.length} contact(s), expires ${expiresAt?.toISOString()}` });

    return {
      target: url.href,
      findings,
      measurements: {
        status: res.status,
        finalUrl: res.finalUrl.href,
        contentType: type,
        signed: doc.signed,
        contacts: contacts.slice(0, 10),
        expires: expiresAt?.toISOString() ?? null,
        expiresTimestamp: expiresAt ? expiresAt.getTime() / 1000 : null,
        preferredLanguages: langs,
        fields: [...doc.fields.keys()],
      },
    };
  },
});
