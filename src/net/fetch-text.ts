/**
 * GET one document over HTTP(S) for the document-reading probes (freshness, webpage, securitytxt, openapi):
 * follows a few redirects (follow-redirects.ts, shared with the `http` probe), trusts an optional private CA, and is bounded by the check's deadline and a body cap.
 * Non-2xx answers are returned, not thrown: each probe decides whether that is a finding or an unreadable source.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { requestFollowing } from './follow-redirects';
import { readCa } from './target';

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
  const { res, finalUrl, redirects, totalMs } = await requestFollowing(url, {
    method: o.method ?? 'GET',
    headers: o.headers,
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    maxBodyBytes: o.maxBytes,
    ca,
    verifyTls: o.verifyTls,
    maxRedirects: o.maxRedirects ?? 5,
  });
  return {
    status: res.status,
    headers: res.headers,
    text: res.body.toString('utf8'),
    truncated: res.bodyTruncated,
    finalUrl,
    redirects,
    totalMs,
  };
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}
