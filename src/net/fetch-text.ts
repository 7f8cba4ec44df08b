/**
 * GET one document over HTTP(S) for the document-reading probes (freshness, webpage, securitytxt, openapi):
 * follows a few redirects, trusts an optional private CA, and is bounded by the check's deadline and a body cap.
 * Non-2xx answers are returned, not thrown: each probe decides whether that is a finding or an unreadable source.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { currentSecrets } from '../util/secret-scope';
import { headersForRedirect } from './redirect';
import { readCa } from './target';
import { timedRequest } from './timed-request';

export interface FetchTextOptions {
  headers?: Record<string, string>;
  method?: 'GET' | 'HEAD';
  caFile?: string;
  verifyTls?: boolean;
  maxBytes: number;
  maxRedirects?: number;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface FetchedText {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  truncated: boolean;
  finalUrl: URL;
  redirects: number;
  totalMs: number;
}


export async function fetchText(url: URL, o: FetchTextOptions): Promise<FetchedText> {
  const ca = o.caFile ? await readCa(o.caFile) : undefined;
  const t0 = performance.now();
  const deadline = t0 + o.timeoutMs;
  let current = url;
  let headers = o.headers ?? {};
  for (let redirects = 0; ; redirects++) {
    const res = await timedRequest({
      url: current,
      method: o.method ?? 'GET',
      headers,
      timeoutMs: Math.max(1, deadline - performance.now()),
      signal: o.signal,
      maxBodyBytes: o.maxBytes,
      ca,
      verifyTls: o.verifyTls,
    });
    const location = res.headers.location;
    if (res.status >= 300 && res.status < 400 && location && redirects < (o.maxRedirects ?? 5)) {
      const next = new URL(location, current);
      // Credentials stay with their origin (see redirect.ts); what is dropped stays dropped for later hops.
      headers = headersForRedirect(headers, current, next, currentSecrets()).headers;
      current = next;
      continue;
    }
    return {
      status: res.status,
      headers: res.headers,
      text: res.body.toString('utf8'),
      truncated: res.bodyTruncated,
      finalUrl: current,
      redirects,
      totalMs: performance.now() - t0,
    };
  }
}


export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}
