/**
 * An Okta org built from the management OpenAPI's own schemas (reference.json: AuthenticatorEnrollmentPolicy,
 * OktaSignOnPolicy, AccessPolicy, OktaSignOnPolicyRule, AccessPolicyRule with AssuranceMethod, RoleAssignedUsers,
 * User, UserFactor, Application), served the way the spec and Okta's pagination guide describe lists: `limit` and
 * `after` query parameters, the cursor "obtained from the `Link` response header", one `Link: <…>; rel="self"` and
 * one `Link: <…>; rel="next"` header while pages remain; GET /api/v1/iam/assignees/users pages with
 * `_links.next.href` (LinksNextForRoleAssignments) and returns RoleAssignedUser {id, orn, _links} — no status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Org {
  token: string;
  pageSize: number;
  policies: Array<Record<string, unknown> & { id: string; type: string }>;
  rules: Record<string, Array<Record<string, unknown> & { id: string }>>;
  adminConsole: Record<string, unknown>;
  users: Array<{ user: Record<string, unknown> & { id: string }; factors: Array<Record<string, unknown>>; roleAssigned: boolean }>;
}

const T = '2026-01-05T03:04:05.000Z';

export const policy = (id: string, type: string, name: string, extra: Record<string, unknown> = {}) => ({
  id, type, name, status: 'ACTIVE', description: null, priority: 1, system: false, created: T, lastUpdated: T, _links: { self: { href: `/api/v1/policies/${id}` }, rules: { href: `/api/v1/policies/${id}/rules` } }, ...extra,
});

export const enrollment = (id: string, required: string[]) =>
  policy(id, 'MFA_ENROLL', `Enroll ${id}`, { settings: { type: 'AUTHENTICATORS', authenticators: ['okta_password', 'okta_email', 'okta_verify', 'webauthn'].map((key) => ({ key, enroll: { self: required.includes(key) ? 'REQUIRED' : 'OPTIONAL' } })) } });

export const signOnRule = (id: string, name: string, requireFactor: boolean) => ({
  id, name, type: 'SIGN_ON', status: 'ACTIVE', priority: 1, system: false, created: T, lastUpdated: T,
  actions: { signon: { access: 'ALLOW', requireFactor, factorPromptMode: requireFactor ? 'ALWAYS' : undefined, primaryFactor: 'PASSWORD_IDP_ANY_FACTOR', session: { usePersistentCookie: false, maxSessionIdleMinutes: 120, maxSessionLifetimeMinutes: 0 } } },
});

export const accessRule = (id: string, name: string, factorMode: '1FA' | '2FA', access: 'ALLOW' | 'DENY' = 'ALLOW') => ({
  id, name, type: 'ACCESS_POLICY', status: 'ACTIVE', priority: 1, system: false, created: T, lastUpdated: T,
  actions: { appSignOn: { access, verificationMethod: { type: 'ASSURANCE', factorMode, reauthenticateIn: 'PT2H', constraints: factorMode === '2FA' ? [{ knowledge: { types: ['PASSWORD'] }, possession: { deviceBound: 'REQUIRED' } }] : [] } } },
});

export const user = (id: string, login: string, status: string) => ({ id, status, created: T, activated: T, statusChanged: T, lastLogin: T, lastUpdated: T, profile: { login, email: login }, _links: { self: { href: `/api/v1/users/${id}` } } });

export const factor = (factorType: string, status = 'ACTIVE') => ({ id: `uft-${factorType.replace(/\W/g, '')}`, factorType, provider: 'OKTA', vendorName: 'OKTA', status, created: T, lastUpdated: T });

export const ADMIN_CONSOLE = { id: '0oa-saasure', name: 'saasure', label: 'Okta Admin Console', status: 'ACTIVE', signOnMode: 'OPENID_CONNECT', created: T, lastUpdated: T, _links: { accessPolicy: { href: '/api/v1/policies/rst-admin' } } };

/** Serves the org; `seen` receives every request URL. */
export function oktaOrg(org: Org, seen: string[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const base = `http://${req.headers.host}`;
    const url = new URL(req.url ?? '/', base);
    seen.push(req.url ?? '');
    const json = (status: number, body: unknown, headers: Record<string, string | string[]> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `SSWS ${org.token}`) return json(401, { errorCode: 'E0000011', errorSummary: 'Invalid token provided', errorLink: 'E0000011', errorId: 'oae0', errorCauses: [] });
    const absolute = (x: unknown) => JSON.parse(JSON.stringify(x).replace(/"href":"\//g, `"href":"${base}/`));
    /** One page of `all` after the `after` cursor, with Okta's two Link headers. */
    const page = (all: Array<{ id: string }>) => {
      const limit = Math.min(Number(url.searchParams.get('limit') ?? org.pageSize), org.pageSize);
      const after = url.searchParams.get('after');
      const start = after ? all.findIndex((x) => x.id === after) + 1 : 0;
      const items = all.slice(start, start + limit);
      const links = [`<${url.href}>; rel="self"`];
      if (start + limit < all.length) {
        const next = new URL(url.href);
        next.searchParams.set('after', items[items.length - 1].id);
        links.push(`<${next.href}>; rel="next"`);
      }
      return { items, links, next: links.length > 1 };
    };
    const p = url.pathname;
    let m: RegExpExecArray | null;
    if (p === '/api/v1/policies') {
      const { items, links } = page(org.policies.filter((x) => x.type === url.searchParams.get('type')));
      return json(200, absolute(items), { link: links });
    }
    if ((m = /^\/api\/v1\/policies\/([^/]+)\/rules$/.exec(p))) {
      const { items, links } = page(org.rules[m[1]] ?? []);
      return json(200, absolute(items), { link: links });
    }
    if (p === '/api/v1/apps') return json(200, url.searchParams.get('filter') === 'name eq "saasure"' ? [absolute(org.adminConsole)] : []);
    if (p === '/api/v1/iam/assignees/users') {
      const { items, links } = page(org.users.filter((u) => u.roleAssigned).map((u) => u.user));
      const next = /<([^>]+)>; rel="next"/.exec(links.join(','))?.[1];
      return json(200, { value: items.map((u) => ({ id: u.id, orn: `orn:okta:directory:00o1:users:${u.id}`, _links: { self: { href: `${base}/api/v1/users/${u.id}` } } })), _links: next ? { next: { href: next } } : {} });
    }
    if ((m = /^\/api\/v1\/users\/([^/]+)(\/factors)?$/.exec(p))) {
      const u = org.users.find((x) => x.user.id === m![1]);
      if (!u) return json(404, { errorCode: 'E0000007', errorSummary: `Not found: Resource not found: ${m[1]} (User)`, errorLink: 'E0000007', errorId: 'oae1', errorCauses: [] });
      return json(200, m[2] ? u.factors : absolute(u.user));
    }
    json(404, { errorCode: 'E0000022', errorSummary: 'The endpoint does not support the provided HTTP method', errorLink: 'E0000022', errorId: 'oae2', errorCauses: [] });
  };
}
