/**
 * A bounded JSON client for identity-provider admin APIs (Keycloak, Okta, Microsoft Graph).
 * Every call goes through src/net/timed-request.ts, so it honours the check's deadline and AbortSignal and caps the
 * body; on top it handles the three things these APIs do to a monitor: paging (offset, Link header, @odata.nextLink),
 * rate limits (429 + Retry-After / X-Rate-Limit-Reset, waited for only while the deadline allows), and expired
 * tokens (one refresh on 401). Anything it cannot read becomes a ProbeError with the API's own reason — never `pass`.
 */
import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  CredentialsError,
  PermissionDeniedError,
  ProbeAbortedError,
  ProbeTimeoutError,
  ProtocolError,
  ProviderApiError,
  RateLimitedError,
  ResponseTooLargeError,
} from '../../errors';
import { timedRequest, type TimedResponse } from '../../net/timed-request';

/** Supplies the Authorization header; may fetch and cache a token through the same bounded client. */
export interface TokenSource {
  header(client: ApiClient): Promise<string>;
  /** Forgets a cached token after a 401; false when there is nothing to renew (a static API token). */
  invalidate(): boolean;
}

export interface ClientOptions {
  /** For messages: "keycloak", "okta", "entra". */
  provider: string;
  baseUrl: URL;
  auth?: TokenSource;
  signal: AbortSignal;
  /** performance.now() value after which no new request starts. */
  deadline: number;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  ca?: string;
  verifyTls: boolean;
  maxRetries: number;
  /** Longest Retry-After the client is willing to wait; longer → RateLimitedError. */
  maxRetryWaitMs: number;
  maxPages: number;
}

export interface ApiStats {
  requests: number;
  totalMs: number;
  maxMs: number;
}

export interface JsonResponse<T> {
  data: T;
  status: number;
  headers: http.IncomingHttpHeaders;
}

export interface SendInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export class ApiClient {
  readonly stats: ApiStats = { requests: 0, totalMs: 0, maxMs: 0 };

  // Each request uses a fresh connection (timed-request's default). A keep-alive agent would save handshakes on
  // per-user lookups, but timed-request attaches per-request socket listeners that pile up on reused sockets.
  constructor(readonly o: ClientOptions) {}

  /** Nothing is pooled today; kept so callers release resources the same way if pooling returns. */
  close(): void {}

  url(pathOrUrl: string, query?: Record<string, string | number | boolean | undefined>): URL {
    const u = /^https?:\/\//.test(pathOrUrl) ? new URL(pathOrUrl) : new URL(this.o.baseUrl.href.replace(/\/$/, '') + pathOrUrl);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  /** One raw request, no auth, no retries; counted in stats. */
  async send(url: URL, init: SendInit = {}): Promise<TimedResponse> {
    const left = this.o.deadline - performance.now();
    if (this.o.signal.aborted) throw new ProbeAbortedError(String(this.o.signal.reason ?? 'cancelled'));
    if (left <= 0)
      throw new ProbeTimeoutError(
        this.o.requestTimeoutMs,
        `${this.o.provider} ${init.method ?? 'GET'} ${url.pathname}: the check's time budget is used up`,
      );
    const t0 = performance.now();
    try {
      return await timedRequest({
        url,
        method: init.method ?? 'GET',
        headers: { accept: 'application/json', ...init.headers },
        body: init.body,
        timeoutMs: Math.max(1, Math.min(left, this.o.requestTimeoutMs)),
        signal: this.o.signal,
        maxBodyBytes: this.o.maxBodyBytes,
        ca: this.o.ca,
        verifyTls: this.o.verifyTls,
      });
    } finally {
      const ms = performance.now() - t0;
      this.stats.requests += 1;
      this.stats.totalMs += ms;
      this.stats.maxMs = Math.max(this.stats.maxMs, ms);
    }
  }

  /** An authenticated request with token refresh, rate-limit waits and one retry of a transient 5xx. */
  async request(url: URL, init: SendInit = {}): Promise<TimedResponse> {
    let refreshed = false;
    let serverRetries = 0;
    for (let attempt = 0; ; attempt++) {
      const headers = { ...init.headers };
      if (this.o.auth) headers.authorization = await this.o.auth.header(this);
      const res = await this.send(url, { ...init, headers });
      const what = `${init.method ?? 'GET'} ${url.pathname}`;
      if (res.status === 401 && !refreshed && this.o.auth?.invalidate()) {
        refreshed = true; // the token may simply have expired mid-run: renew once, then believe the 401
        continue;
      }
      if (res.status === 429 || (res.status === 503 && res.headers['retry-after'])) {
        const wait = retryAfterMs(res.headers) ?? 1000 * 2 ** attempt;
        if (attempt >= this.o.maxRetries)
          throw new RateLimitedError(`${this.o.provider} kept rate-limiting ${what} (${attempt + 1} attempts)`);
        if (wait > this.o.maxRetryWaitMs || performance.now() + wait >= this.o.deadline) {
          throw new RateLimitedError(
            `${this.o.provider} rate-limited ${what} and asks to wait ${Math.ceil(wait / 1000)} s, beyond this check's time budget`,
          );
        }
        await sleep(wait, this.o.signal);
        continue;
      }
      if (res.status >= 500 && serverRetries < 1 && attempt < this.o.maxRetries && performance.now() + 250 < this.o.deadline) {
        serverRetries += 1; // one retry: a single 5xx is often a blip; two in a row is the API's state
        await sleep(250, this.o.signal);
        continue;
      }
      return res;
    }
  }

  /** GET a JSON document; any non-2xx becomes the matching ProbeError with the API's reason. */
  async getJson<T>(pathOrUrl: string, query?: Record<string, string | number | boolean | undefined>): Promise<JsonResponse<T>> {
    const url = this.url(pathOrUrl, query);
    const res = await this.request(url);
    // The vendor's documented shape: callers read it with typeof checks, never trusting a field blindly.
    return { data: this.parse(res, `GET ${url.pathname}`) as T, status: res.status, headers: res.headers };
  }

  /** Checks status and parses JSON; shared by GETs and token POSTs. */
  parse(res: TimedResponse, what: string): unknown {
    if (res.bodyTruncated) throw new ResponseTooLargeError(this.o.maxBodyBytes);
    const text = res.body.toString('utf8');
    if (res.status < 200 || res.status >= 300) throw this.statusError(res.status, what, text);
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new ProtocolError(`${this.o.provider} answered ${what} with malformed JSON (${(e as Error).message})`);
    }
  }

  statusError(status: number, what: string, text: string): Error {
    const reason = apiReason(text);
    const msg = `${this.o.provider} answered ${what} with HTTP ${status}${reason ? `: ${reason}` : ''}`;
    if (status === 401) return new CredentialsError(`${msg} (credentials rejected or token expired)`);
    if (status === 403) return new PermissionDeniedError(`${msg} (the monitoring account lacks a read permission)`);
    if (status === 429) return new RateLimitedError(msg);
    return new ProviderApiError(msg);
  }

  /** Keycloak-style offset paging (`first`/`max`): stops at a short page. */
  async getAllOffset<T>(path: string, query: Record<string, string | number | boolean> = {}, pageSize = 100): Promise<T[]> {
    const out: T[] = [];
    for (let page = 0; page < this.o.maxPages; page++) {
      const { data } = await this.getJson<unknown>(path, { ...query, first: page * pageSize, max: pageSize });
      if (!Array.isArray(data)) throw new ProtocolError(`${this.o.provider} answered GET ${path} with ${typeof data}, expected a list`);
      out.push(...(data as T[]));
      if (data.length < pageSize) return out;
    }
    throw new ProtocolError(`${this.o.provider}: GET ${path} has more than ${this.o.maxPages} pages; raise maxPages`);
  }

  /**
   * Cursor paging that follows a next link: Okta's `Link: <…>; rel="next"` header (or `_links.next.href` in the
   * body), or Graph's `@odata.nextLink`. A next link to another origin is refused: it would carry our token away.
   */
  async getAllLinked<T>(
    path: string,
    query: Record<string, string | number | boolean> | undefined,
    items: (data: unknown) => T[] | undefined,
  ): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = this.url(path, query).href;
    for (let page = 0; next; page++) {
      if (page >= this.o.maxPages)
        throw new ProtocolError(`${this.o.provider}: GET ${path} has more than ${this.o.maxPages} pages; raise maxPages`);
      const res: JsonResponse<unknown> = await this.getJson<unknown>(next);
      const { data, headers } = res;
      const list = items(data);
      if (!Array.isArray(list)) throw new ProtocolError(`${this.o.provider} answered GET ${path} without the expected list`);
      out.push(...list);
      next = nextLinkHeader(headers.link) ?? bodyNextLink(data);
      if (next) {
        const u: URL = new URL(next, this.o.baseUrl);
        if (u.origin !== this.o.baseUrl.origin)
          throw new ProtocolError(`${this.o.provider}: next-page link points to another origin (${u.origin}); refused`);
        next = u.href;
      }
    }
    return out;
  }
}

/** Runs `fn` over items with at most `limit` in flight (per-user lookups). */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let i = 0;
  const worker = async () => {
    while (i < items.length) {
      const k = i++;
      out[k] = await fn(items[k]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export function retryAfterMs(headers: http.IncomingHttpHeaders, now = Date.now()): number | undefined {
  const ra = headers['retry-after'];
  if (typeof ra === 'string' && ra.trim()) {
    if (/^\d+(\.\d+)?$/.test(ra.trim())) return Number(ra) * 1000;
    const t = Date.parse(ra);
    if (!Number.isNaN(t)) return Math.max(0, t - now);
  }
  // Okta sends the epoch second at which the window resets instead of Retry-After.
  const reset = headers['x-rate-limit-reset'];
  if (typeof reset === 'string' && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now);
  return undefined;
}

export function nextLinkHeader(link: string | string[] | undefined): string | undefined {
  const values = Array.isArray(link) ? link : link ? [link] : [];
  for (const v of values) {
    for (const part of v.split(/,(?=\s*<)/)) {
      const m = /<([^>]+)>\s*;(.*)/.exec(part.trim());
      if (m && /\brel\s*=\s*"?next"?/i.test(m[2])) return m[1];
    }
  }
  return undefined;
}

function bodyNextLink(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as { '@odata.nextLink'?: unknown; _links?: { next?: { href?: unknown } } };
  if (typeof d['@odata.nextLink'] === 'string') return d['@odata.nextLink'];
  if (typeof d._links?.next?.href === 'string') return d._links.next.href;
  return undefined;
}

/** The API's own error text: Okta errorSummary, Graph error.code/message, OAuth error/error_description. */
export function apiReason(text: string): string | undefined {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!j || typeof j !== 'object') return undefined;
  const parts: string[] = [];
  if (typeof j.errorCode === 'string') parts.push(j.errorCode);
  if (typeof j.errorSummary === 'string') parts.push(j.errorSummary);
  const err = j.error;
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    if (typeof e.code === 'string') parts.push(e.code);
    if (typeof e.message === 'string') parts.push(e.message);
  } else if (typeof err === 'string') parts.push(err);
  if (typeof j.error_description === 'string') parts.push(j.error_description);
  if (typeof j.errorMessage === 'string') parts.push(j.errorMessage);
  const s = parts.join(': ');
  return s ? (s.length > 200 ? `${s.slice(0, 200)}…` : s) : undefined;
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new ProbeAbortedError(String(signal.reason ?? 'cancelled')));
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new ProbeAbortedError(String(signal.reason ?? 'cancelled')));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
