/**
 * Optional reuse of access tokens between runs of the same check (`auth.reuseToken`), for providers that ask
 * partners not to fetch a token on every call (BRI's SNAP OAuth page: "partners are not advised to get tokens
 * every time they access endpoints"; https://developers.bri.co.id/en/snap-bi/apidocs-oauth-snap-bi).
 * In this worker's memory only: a token never goes to Redis, logs, metrics or results.
 */
const MAX_ENTRIES = 1000;
/** Refresh this long before the stated expiry, so a token does not run out in the middle of a flow. */
const MARGIN_MS = 30_000;

const cache = new Map<string, { token: string; expiresAt: number }>();

export function cachedToken(key: string, now = Date.now()): string | undefined {
  const hit = cache.get(key);
  if (!hit) return undefined;
  if (hit.expiresAt <= now) {
    cache.delete(key);
    return undefined;
  }
  return hit.token;
}

/** Keeps a token for its stated lifetime (SNAP `expiresIn`, OAuth2 `expires_in`, seconds) minus a margin. */
export function keepToken(key: string, token: string, expiresInSeconds: unknown, now = Date.now()): void {
  const seconds = Number(expiresInSeconds);
  if (!Number.isFinite(seconds) || seconds * 1000 <= MARGIN_MS) return;
  cache.delete(key);
  cache.set(key, { token, expiresAt: now + seconds * 1000 - MARGIN_MS });
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
}

export function dropToken(key: string): void {
  cache.delete(key);
}
