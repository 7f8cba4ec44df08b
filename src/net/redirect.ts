/**
 * Which request headers may follow a redirect. Credentials stay with the origin they were configured for:
 * the WHATWG Fetch standard, "HTTP-redirect fetch" (https://fetch.spec.whatwg.org/#http-redirect-fetch), deletes
 * `Authorization` from the request's header list when "request's current URL's origin is not same origin with
 * locationURL's origin" (whatwg/fetch#1544), and the removal sticks for the rest of the chain (A1 → B → A2: A2 does
 * not get it either). curl does the same for custom Authorization and Cookie headers (CVE-2018-1000007), counting
 * another port or scheme as another origin (CVE-2022-27776). We go further for a monitor that holds operators'
 * secrets: Cookie and Proxy-Authorization too, and every header whose value came from a ${env:}/${file:} reference.
 */

/** Always credentials, whatever their value. Lower case. */
export const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'] as const;

/** Scheme, host and port: the URL standard's tuple origin, with default ports made explicit. */
export function sameOrigin(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.hostname === b.hostname && effectivePort(a) === effectivePort(b);
}

function effectivePort(u: URL): string {
  return u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
}

/** A header holds a secret when any resolved secret value occurs in it (e.g. "Bearer ${env:TOKEN}"). */
function holdsSecret(value: string, secrets: readonly string[]): boolean {
  return secrets.some((s) => s.length > 0 && value.includes(s));
}

export interface RedirectHeaders {
  headers: Record<string, string>;
  /** Names (never values) of the headers dropped at this hop. */
  stripped: string[];
}

/**
 * The headers to send to `to` after a redirect from `from`. Leaving the origin (which includes https → http, a
 * change of scheme) drops credentials and secret-bearing headers; staying keeps them. Callers carry the returned
 * headers forward, so a later hop back to the first origin does not get them back.
 */
export function headersForRedirect(headers: Record<string, string>, from: URL, to: URL, secrets: readonly string[] = []): RedirectHeaders {
  if (sameOrigin(from, to)) return { headers, stripped: [] };
  const kept: Record<string, string> = {};
  const stripped: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if ((CREDENTIAL_HEADERS as readonly string[]).includes(name.toLowerCase()) || holdsSecret(value, secrets)) stripped.push(name);
    else kept[name] = value;
  }
  return { headers: kept, stripped };
}
