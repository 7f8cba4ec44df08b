/**
 * A Keycloak-shaped identity provider: the subset of the Keycloak Admin REST API
 * (https://www.keycloak.org/docs-api/latest/rest-api) and the OIDC token endpoint that the `mfa` probe reads,
 * with Keycloak's JSON shapes (RealmRepresentation, AuthenticationExecutionInfoRepresentation,
 * RequiredActionProviderRepresentation, GroupRepresentation, UserRepresentation, CredentialRepresentation),
 * first/max paging, and its error bodies. Used by the demo (identity target) and by the probe's tests, which add
 * fault injection through `intercept`.
 *
 * The token endpoint implements client_credentials (service accounts) and the password grant ("direct grant"),
 * which verifies a real TOTP (otplib's TOTP engine) in the `totp` parameter when the realm's direct grant demands one.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { totpValid } from '../../../probes/mfa/totp';

export interface KcExecution {
  id?: string;
  requirement: 'REQUIRED' | 'CONDITIONAL' | 'ALTERNATIVE' | 'DISABLED';
  displayName: string;
  providerId?: string;
  authenticationFlow?: boolean;
  authenticationConfig?: string;
  level: number;
  index: number;
}

export interface KcUser {
  id: string;
  username: string;
  enabled?: boolean;
  /** Never returned by the admin API; checked by the password grant. */
  password?: string;
  /** Base32 seed of the user's OTP credential, if any (the credential list then shows type "otp"). */
  totpSeed?: string;
  /** Further credential types, e.g. "webauthn". */
  credentialTypes?: string[];
  groups?: string[];
  realmRoles?: string[];
}

export interface KcClient {
  clientId: string;
  secret?: string;
  /** Service account allowed to read the admin API (realm-management view-realm, view-users). */
  serviceAccount?: boolean;
  /** A service account without view-users: the admin API answers 403 on user reads. */
  noUserRead?: boolean;
}

export interface KcRealm {
  realm: Record<string, unknown> & { realm: string; browserFlow?: string; directGrantFlow?: string };
  requiredActions: Array<{ alias: string; name: string; providerId: string; enabled: boolean; defaultAction: boolean; priority: number }>;
  flows: Record<string, KcExecution[]>;
  configs: Record<string, { id: string; alias: string; config: Record<string, string> }>;
  groups: Array<{ id: string; name: string; path: string }>;
  users: KcUser[];
  clients: KcClient[];
  /** Realm roles that exist (holders come from users' realmRoles). */
  roles?: string[];
  /** How the password grant treats one-time codes (the direct-grant flow's behaviour). */
  directGrantOtp: 'required' | 'if-configured' | 'off';
}

export interface KcServerOptions {
  tokenTtlSeconds?: number;
  /** Fault injection for tests: return true when the request was answered. */
  intercept?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
}

interface Issued {
  realm: string;
  clientId: string;
  expiresAt: number;
  admin: boolean;
  noUserRead: boolean;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function keycloakHandler(
  realms: Record<string, KcRealm>,
  opts: KcServerOptions = {},
): RequestListener & { tokens: Map<string, Issued> } {
  const tokens = new Map<string, Issued>();
  const ttl = opts.tokenTtlSeconds ?? 300;

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      if (opts.intercept?.(req, res, path)) return;
      const tokenMatch = /^\/realms\/([^/]+)\/protocol\/openid-connect\/token$/.exec(path);
      if (tokenMatch && req.method === 'POST')
        return token(decodeURIComponent(tokenMatch[1]), new URLSearchParams(Buffer.concat(chunks).toString('utf8')), res);
      const adminMatch = /^\/admin\/realms\/([^/]+)(\/.*)?$/.exec(path);
      if (adminMatch && req.method === 'GET')
        return admin(req, res, decodeURIComponent(adminMatch[1]), adminMatch[2] ?? '', url.searchParams);
      json(res, 404, { error: 'Unable to find matching target resource method' });
    });
  }) as RequestListener & { tokens: Map<string, Issued> };
  handler.tokens = tokens;

  function issue(realm: string, clientId: string, admin: boolean, noUserRead = false) {
    const value = randomBytes(24).toString('base64url');
    tokens.set(value, { realm, clientId, expiresAt: Date.now() + ttl * 1000, admin, noUserRead });
    if (tokens.size > 10_000) tokens.delete(tokens.keys().next().value as string);
    return {
      access_token: value,
      expires_in: ttl,
      refresh_expires_in: 0,
      token_type: 'Bearer',
      'not-before-policy': 0,
      scope: 'profile email',
    };
  }

  function token(realmName: string, form: URLSearchParams, res: ServerResponse) {
    const realm = realms[realmName];
    if (!realm) return json(res, 404, { error: 'Realm does not exist' });
    const client = realm.clients.find((c) => c.clientId === form.get('client_id'));
    const badClient = () =>
      json(res, 401, { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' });
    if (!client || (client.secret !== undefined && client.secret !== form.get('client_secret'))) return badClient();
    const grant = form.get('grant_type');
    if (grant === 'client_credentials') {
      if (!client.serviceAccount || !client.secret)
        return json(res, 400, { error: 'unauthorized_client', error_description: 'Client not enabled to retrieve service account' });
      return json(res, 200, issue(realmName, client.clientId, true, client.noUserRead));
    }
    if (grant !== 'password') return json(res, 400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant_type' });
    const invalid = () => json(res, 401, { error: 'invalid_grant', error_description: 'Invalid user credentials' });
    const user = realm.users.find((u) => u.username === form.get('username'));
    if (!user || !user.password || user.password !== form.get('password')) return invalid();
    if (user.enabled === false) return json(res, 400, { error: 'invalid_grant', error_description: 'Account disabled' });
    const demandOtp = realm.directGrantOtp === 'required' || (realm.directGrantOtp === 'if-configured' && Boolean(user.totpSeed));
    if (demandOtp) {
      if (!user.totpSeed) return json(res, 400, { error: 'invalid_grant', error_description: 'Account is not fully set up' });
      const code = form.get('totp') ?? '';
      const digits = Number(realm.realm.otpPolicyDigits ?? 6) as 6;
      const period = Number(realm.realm.otpPolicyPeriod ?? 30);
      const ok = /^\d+$/.test(code) && totpValid(user.totpSeed, code, { digits, period });
      if (!ok) return invalid();
    }
    return json(res, 200, { ...issue(realmName, client.clientId, false), id_token: randomBytes(16).toString('base64url') });
  }

  function admin(req: IncomingMessage, res: ServerResponse, realmName: string, rest: string, q: URLSearchParams) {
    const auth = req.headers.authorization ?? '';
    const t = auth.startsWith('Bearer ') ? tokens.get(auth.slice(7)) : undefined;
    if (!t || t.expiresAt < Date.now() || !t.admin) return json(res, 401, { error: 'HTTP 401 Unauthorized' });
    const realm = realms[realmName];
    if (!realm) return json(res, 404, { error: 'Realm not found.' });
    if (t.realm !== realmName) return json(res, 403, { error: 'HTTP 403 Forbidden' });
    const page = <T>(list: T[]) => {
      const first = Math.max(0, Number(q.get('first') ?? 0) || 0);
      const max = Math.max(1, Math.min(1000, Number(q.get('max') ?? 100) || 100));
      return list.slice(first, first + max);
    };
    const brief = (u: KcUser) => ({
      id: u.id,
      username: u.username,
      enabled: u.enabled !== false,
      emailVerified: false,
      createdTimestamp: 1735689600000,
    });
    let m: RegExpExecArray | null;
    if (rest === '') return json(res, 200, { id: realm.realm.realm, enabled: true, ...realm.realm });
    if (rest === '/authentication/required-actions') return json(res, 200, realm.requiredActions);
    if ((m = /^\/authentication\/flows\/([^/]+)\/executions$/.exec(rest))) {
      const flow = realm.flows[decodeURIComponent(m[1])];
      return flow
        ? json(
            res,
            200,
            flow.map((e, i) => ({
              id: e.id ?? `exec-${i}`,
              requirementChoices: ['REQUIRED', 'ALTERNATIVE', 'DISABLED'],
              configurable: false,
              priority: i * 10,
              ...e,
            })),
          )
        : json(res, 404, { error: 'Flow not found' });
    }
    if ((m = /^\/authentication\/config\/([^/]+)$/.exec(rest))) {
      const cfg = realm.configs[decodeURIComponent(m[1])];
      return cfg ? json(res, 200, cfg) : json(res, 404, { error: 'Could not find authenticator config' });
    }
    if (
      t.noUserRead &&
      (rest.startsWith('/users') || rest.startsWith('/groups') || rest.startsWith('/group-by-path') || rest.startsWith('/roles'))
    ) {
      return json(res, 403, { error: 'HTTP 403 Forbidden' });
    }
    if ((m = /^\/group-by-path\/(.+)$/.exec(rest))) {
      const path = `/${m[1].split('/').map(decodeURIComponent).join('/')}`;
      const g = realm.groups.find((x) => x.path === path);
      return g
        ? json(res, 200, { ...g, subGroups: [], attributes: {}, realmRoles: [], clientRoles: {} })
        : json(res, 404, { error: 'Group path does not exist' });
    }
    if ((m = /^\/groups\/([^/]+)\/members$/.exec(rest))) {
      const g = realm.groups.find((x) => x.id === decodeURIComponent(m![1]));
      if (!g) return json(res, 404, { error: 'Could not find group by id' });
      return json(res, 200, page(realm.users.filter((u) => u.groups?.includes(g.path)).map(brief)));
    }
    if ((m = /^\/roles\/([^/]+)\/users$/.exec(rest))) {
      const role = decodeURIComponent(m[1]);
      const holders = realm.users.filter((u) => u.realmRoles?.includes(role));
      if (holders.length === 0 && !(realm.roles ?? []).includes(role)) return json(res, 404, { error: 'Could not find role' });
      return json(res, 200, page(holders.map(brief)));
    }
    if ((m = /^\/users\/([^/]+)\/credentials$/.exec(rest))) {
      const u = realm.users.find((x) => x.id === decodeURIComponent(m![1]));
      if (!u) return json(res, 404, { error: 'User not found' });
      const types = [...(u.password ? ['password'] : []), ...(u.totpSeed ? ['otp'] : []), ...(u.credentialTypes ?? [])];
      // CredentialRepresentation without secretData/credentialData: the admin API never returns secrets here.
      return json(
        res,
        200,
        types.map((type, i) => ({
          id: `${u.id}-cred-${i}`,
          type,
          userLabel: type === 'otp' ? 'authenticator' : undefined,
          createdDate: 1735689600000,
        })),
      );
    }
    json(res, 404, { error: 'Unable to find matching target resource method' });
  }

  return handler;
}
