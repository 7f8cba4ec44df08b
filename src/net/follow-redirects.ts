/**
 * One HTTP(S) request that follows redirects within one deadline: the loop the `http` probe and fetchText share.
 * Credentials stay with their origin (redirect.ts); what is dropped at one hop stays dropped for later hops. The
 * method changes as the WHATWG Fetch standard's "HTTP-redirect fetch" says: 303 turns anything but GET/HEAD into
 * GET without a body, and 301/302 turn POST into GET (https://fetch.spec.whatwg.org/#http-redirect-fetch).
 */
import { performance } from 'node:perf_hooks';
import { currentSecrets } from '../util/secret-scope';
import { headersForRedirect } from './redirect';
import { timedRequest, type TimedRequest, type TimedResponse } from './timed-request';

export interface FollowOptions extends Omit<TimedRequest, 'url'> {
  /** Follow at most this many redirects; the next 3xx is returned with `tooMany`. */
  maxRedirects: number;
  /** false: return the first answer, 3xx included. */
  follow?: boolean;
}

export interface Followed {
  /** The last answer: a non-redirect, or the redirect that was not followed. */
  res: TimedResponse;
  finalUrl: URL;
  /** Every 3xx on the way, the one not followed (when `tooMany`) included. */
  hops: Array<{ url: string; status: number }>;
  /** Redirects actually followed. */
  redirects: number;
  /** Stopped at a 3xx because `maxRedirects` were already followed. */
  tooMany: boolean;
  /** Names (never values) of the headers withheld from another origin on the way. */
  stripped: string[];
  totalMs: number;
}

export async function requestFollowing(url: URL, o: FollowOptions): Promise<Followed> {
  const t0 = performance.now();
  const deadline = t0 + o.timeoutMs;
  const hops: Followed['hops'] = [];
  const stripped = new Set<string>();
  let current = url;
  let method = o.method ?? 'GET';
  let body = o.body;
  let headers = o.headers ?? {};
  for (let redirects = 0; ; redirects++) {
    const res = await timedRequest({
      url: current,
      method,
      headers,
      body,
      timeoutMs: Math.max(1, deadline - performance.now()),
      signal: o.signal,
      maxBodyBytes: o.maxBodyBytes,
      ca: o.ca,
      verifyTls: o.verifyTls,
      servername: o.servername,
      agent: o.agent,
    });
    const location = res.headers.location;
    const done = (tooMany: boolean): Followed => ({
      res,
      finalUrl: current,
      hops,
      redirects,
      tooMany,
      stripped: [...stripped],
      totalMs: performance.now() - t0,
    });
    if (o.follow === false || res.status < 300 || res.status >= 400 || !location) return done(false);
    hops.push({ url: current.href, status: res.status });
    if (redirects >= o.maxRedirects) return done(true);
    const next = new URL(location, current);
    const carried = headersForRedirect(headers, current, next, currentSecrets());
    headers = carried.headers;
    for (const name of carried.stripped) stripped.add(name);
    current = next;
    if (
      (res.status === 303 && method !== 'GET' && method !== 'HEAD') ||
      ((res.status === 301 || res.status === 302) && method === 'POST')
    ) {
      method = 'GET';
      body = undefined;
    }
  }
}
