/**
 * Flow authentication: the token request (SNAP asymmetric signature or OAuth2 client credentials) and what each
 * later step carries (SNAP symmetric signature headers, or a bearer token). Static API keys need no code here:
 * they are plain `headers:` with ${env:..} references.
 */
import { JSONPath } from 'jsonpath-plus';
import { offsetTimestamp, GENERATORS } from './template';
import { minifyBody, signAsymmetric, signSymmetric } from './snap';
import type { OAuth2Auth, SnapAuth } from './options';

export type FlowAuth = SnapAuth | OAuth2Auth;

export interface PreparedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export function hasHeader(headers: Record<string, string>, name: string): boolean {
  const n = name.toLowerCase();
  return Object.keys(headers).some((k) => k.toLowerCase() === n);
}

/** Sets a header, replacing any spelling of the same name. */
export function setHeader(headers: Record<string, string>, name: string, value: string): void {
  for (const k of Object.keys(headers))
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- headers are a plain record shared with the request; a spelling of the name goes
    if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
  headers[name] = value;
}

/** The token request; the caller times it like any other step. */
export function tokenRequest(auth: FlowAuth, base: URL, now = new Date()): PreparedRequest {
  const url = new URL(auth.tokenUrl, base);
  if (auth.type === 'snap') {
    const timestamp = offsetTimestamp(now, auth.timestampOffset);
    return {
      method: 'POST',
      url,
      headers: {
        'Content-Type': 'application/json',
        'X-TIMESTAMP': timestamp,
        'X-CLIENT-KEY': auth.clientId,
        'X-SIGNATURE': signAsymmetric(auth.privateKey, auth.clientId, timestamp),
      },
      body: JSON.stringify({ grantType: 'client_credentials' }),
    };
  }
  // RFC 6749 §4.4: grant_type=client_credentials, client authentication per §2.3.1.
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (auth.scope) form.set('scope', auth.scope);
  if (auth.audience) form.set('audience', auth.audience);
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
  if (auth.credentialsIn === 'basic') {
    const enc = (s: string) => encodeURIComponent(s);
    headers.Authorization = `Basic ${Buffer.from(`${enc(auth.clientId)}:${enc(auth.clientSecret)}`).toString('base64')}`;
  } else {
    form.set('client_id', auth.clientId);
    form.set('client_secret', auth.clientSecret);
  }
  return { method: 'POST', url, headers, body: form.toString() };
}

/** The access token in a token response and its stated lifetime in seconds (SNAP expiresIn, OAuth2 expires_in). */
export function readToken(auth: FlowAuth, body: string): { token: string; expiresIn?: unknown } | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return undefined;
  }
  const path = auth.type === 'snap' ? auth.tokenPath : '$.access_token';
  const found = JSONPath<unknown[]>({ path, json: doc as object, wrap: true, eval: false });
  if (typeof found[0] !== 'string' || found[0].length === 0) return undefined;
  const d = doc as { expiresIn?: unknown; expires_in?: unknown };
  return { token: found[0], expiresIn: auth.type === 'snap' ? d.expiresIn : d.expires_in };
}

/** Adds what an authenticated step carries. For SNAP, signs the body exactly as it will be sent. */
export function authorise(auth: FlowAuth, token: string, req: PreparedRequest, now = new Date()): PreparedRequest {
  const headers = { ...req.headers };
  setHeader(headers, 'Authorization', `Bearer ${token}`);
  if (auth.type === 'oauth2') return { ...req, headers };

  const timestamp = offsetTimestamp(now, auth.timestampOffset);
  // Send the minified body, so what the server hashes is byte for byte what we signed.
  const body = req.body === undefined ? undefined : minifyBody(req.body);
  const endpointUrl = auth.signQuery ? `${req.url.pathname}${req.url.search}` : req.url.pathname;
  setHeader(headers, 'X-TIMESTAMP', timestamp);
  setHeader(
    headers,
    'X-SIGNATURE',
    signSymmetric(auth.clientSecret, { method: req.method, endpointUrl, accessToken: token, minifiedBody: body ?? '', timestamp }),
  );
  if (!hasHeader(headers, 'X-PARTNER-ID')) headers['X-PARTNER-ID'] = auth.partnerId ?? auth.clientId;
  // Unique per day per partner: 18 random digits make a clash within a day practically impossible.
  if (!hasHeader(headers, 'X-EXTERNAL-ID'))
    headers['X-EXTERNAL-ID'] = GENERATORS.get('$digits')!('18', { timestampOffset: auth.timestampOffset });
  if (!hasHeader(headers, 'CHANNEL-ID')) headers['CHANNEL-ID'] = auth.channelId;
  if (body !== undefined && !hasHeader(headers, 'Content-Type')) headers['Content-Type'] = 'application/json';
  return { ...req, headers, body };
}
