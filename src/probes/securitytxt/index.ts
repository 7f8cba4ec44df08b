/**
 * Probe type `securitytxt`: the incident contact published per RFC 9116 at /.well-known/security.txt — present,
 * served over HTTPS as text/plain, with Contact and one valid, unexpired Expires (and what the operator requires).
 * A missing or expired file is a `fail`; a server that cannot be reached or answers 5xx is an `error`. The content
 * is judged by rules.ts against RFC 9116's grammar and field rules.
 */
import { fetchText, headerValue } from '../../net/fetch-text';
import { parseWebUrl, checkWebTarget } from '../../net/target';
import { TargetUnreachableError } from '../../errors';
import type { Finding } from '../../results/contract';
import { defineProbe } from '../types';
import { securityTxtOptions } from './options';
import { parseSecurityTxt } from './parse';
import { judgeSecurityTxt } from './rules';

export function securityTxtUrl(target: string): URL {
  const url = parseWebUrl(target);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/.well-known/security.txt';
  return url;
}

/** What a securitytxt check measured; only `status` when there is no security.txt to read. */
export interface SecurityTxtMeasurements {
  status: number;
  finalUrl?: string;
  contentType?: string;
  signed?: boolean;
  contacts?: string[];
  expires?: string | null;
  /** Expires as unix seconds (RFC 9116), null when absent or unreadable. */
  expiresTimestamp?: number | null;
  preferredLanguages?: string[];
  fields?: string[];
}

export const securityTxtProbe = defineProbe<typeof securityTxtOptions, SecurityTxtMeasurements>({
  type: 'securitytxt',
  summary: 'security.txt (RFC 9116): incident contact present, HTTPS, text/plain, Contact and a valid unexpired Expires',
  defaultElement: 'cooperation',
  targetHelp: 'site URL (https://example.co.id) or the full URL of security.txt',
  checkTarget: checkWebTarget,
  options: securityTxtOptions,
  async run(target, o, ctx) {
    const url = securityTxtUrl(target);
    const res = await fetchText(url, {
      headers: o.headers,
      caFile: o.caFile,
      verifyTls: o.verifyTls,
      maxBytes: o.maxBytes,
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
    });
    const findings: Finding[] = [];
    const fail = (id: string, severity: Finding['severity'], message: string, evidence?: Record<string, unknown>) =>
      findings.push({ id, severity, status: 'fail', message, evidence });
    const warn = (id: string, message: string) => findings.push({ id, severity: 'low', status: 'warn', message });
    if (res.status >= 500)
      throw new TargetUnreachableError(`${url.href} answered HTTP ${res.status}; cannot tell whether security.txt exists`);
    if (res.status !== 200) {
      fail(
        'securitytxt.missing',
        'high',
        `no security.txt at ${url.href} (HTTP ${res.status}): outside reporters have no published security contact`,
        { status: res.status },
      );
      return { target: url.href, findings, measurements: { status: res.status } };
    }
    if (o.requireHttps && res.finalUrl.protocol !== 'https:')
      fail(
        'securitytxt.transport.not_https',
        'medium',
        `security.txt is served over ${res.finalUrl.protocol.slice(0, -1)}; RFC 9116 requires HTTPS`,
      );
    const type = headerValue(res.headers, 'content-type') ?? '';
    if (!/^text\/plain\b/i.test(type))
      fail('securitytxt.content_type', 'low', `Content-Type is "${type || '(none)'}", RFC 9116 requires text/plain; charset=utf-8`);
    else if (!/charset\s*=\s*"?utf-8/i.test(type)) warn('securitytxt.charset', `Content-Type "${type}" names no utf-8 charset`);
    if (res.truncated) fail('securitytxt.too_large', 'low', `security.txt exceeds ${o.maxBytes} bytes; reading stopped there`);

    const doc = parseSecurityTxt(res.text);
    const v = judgeSecurityTxt(doc, { url, finalUrl: res.finalUrl, now: Date.now(), o });
    findings.push(...v.findings);
    const { contacts, expiresAt, languages: langs } = v;
    if (findings.length === 0)
      findings.push({
        id: 'securitytxt.valid',
        severity: 'info',
        status: 'pass',
        message: `security.txt is valid; ${contacts.length} contact(s), expires ${expiresAt?.toISOString()}`,
      });

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
