/**
 * How the monitor authenticates to each admin API. Secrets arrive already resolved from ${env:..}/${file:..}
 * references (the runner scrubs them from results); this file never logs or returns them.
 * - OAuth 2.0 client credentials (Keycloak service account, Microsoft Graph app registration), RFC 6749 §4.4.
 * - Okta OAuth service app: client credentials with a private_key_jwt client assertion (RFC 7523), which Okta
 *   requires for service apps calling the management API.
 * - A static header (Okta API token, `SSWS <token>`).
 */
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { CredentialsError, ProtocolError, UsageError } from '../../errors';
import { asObject } from '../../util/narrow';
import { apiReason, type ApiClient, type TokenSource } from './client';

interface TokenAnswer {
  access_token?: unknown;
  expires_in?: unknown;
  token_type?: unknown;
}

/** Caches one bearer token until shortly before it expires; invalidate() after a 401 forces a new one. */
abstract class CachedToken implements TokenSource {
  private token?: { value: string; expiresAt: number };

  protected abstract form(tokenUrl: URL): Record<string, string>;
  constructor(protected readonly tokenUrl: URL) {}

  async header(client: ApiClient): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return `Bearer ${this.token.value}`;
    const res = await client.send(this.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(this.form(this.tokenUrl)).toString(),
    });
    const what = `POST ${this.tokenUrl.pathname}`;
    const text = res.body.toString('utf8');
    if (res.status === 400 || res.status === 401) {
      // invalid_client / unauthorized_client: the monitor's own credentials are wrong — the probe cannot decide.
      throw new CredentialsError(
        `${client.o.provider} token endpoint refused the monitor's client credentials (HTTP ${res.status}${reason(text)})`,
      );
    }
    const body: TokenAnswer = asObject(client.parse(res, what));
    if (typeof body.access_token !== 'string' || !body.access_token)
      throw new ProtocolError(`${client.o.provider} token endpoint answered without access_token`);
    const ttl = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300;
    this.token = { value: body.access_token, expiresAt: Date.now() + Math.max(5, ttl - 30) * 1000 };
    return `Bearer ${this.token.value}`;
  }

  invalidate(): boolean {
    this.token = undefined;
    return true;
  }
}

function reason(text: string): string {
  const r = apiReason(text);
  return r ? `: ${r}` : '';
}

export class ClientCredentials extends CachedToken {
  constructor(
    tokenUrl: URL,
    private readonly c: { clientId: string; clientSecret: string; scope?: string },
  ) {
    super(tokenUrl);
  }

  protected form(): Record<string, string> {
    const f: Record<string, string> = { grant_type: 'client_credentials', client_id: this.c.clientId, client_secret: this.c.clientSecret };
    if (this.c.scope) f.scope = this.c.scope;
    return f;
  }
}

/** Okta service app: a short-lived RS256 JWT signed with the app's private key stands in for a secret. */
export class PrivateKeyJwt extends CachedToken {
  constructor(
    tokenUrl: URL,
    private readonly c: { clientId: string; privateKey: string; keyId?: string; scope: string },
  ) {
    super(tokenUrl);
    try {
      createPrivateKey(c.privateKey);
    } catch {
      throw new UsageError('okta.oauth.privateKey is not a PEM private key');
    }
  }

  protected form(tokenUrl: URL): Record<string, string> {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', ...(this.c.keyId ? { kid: this.c.keyId } : {}) };
    const claims = { iss: this.c.clientId, sub: this.c.clientId, aud: tokenUrl.href, iat: now, exp: now + 300, jti: randomUUID() };
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${b64(header)}.${b64(claims)}`;
    const signature = sign('RSA-SHA256', Buffer.from(input), createPrivateKey(this.c.privateKey)).toString('base64url');
    return {
      grant_type: 'client_credentials',
      scope: this.c.scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: `${input}.${signature}`,
    };
  }
}

export class StaticHeader implements TokenSource {
  constructor(private readonly value: string) {}
  header(): Promise<string> {
    return Promise.resolve(this.value);
  }
  invalidate(): boolean {
    return false; // an API token cannot be renewed by us: a 401 means it is revoked or wrong
  }
}
