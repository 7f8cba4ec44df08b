/**
 * A local server reproducing the published shapes of the Okta Management API that the mfa probe reads:
 * - Authentication: `Authorization: SSWS {apiToken}` or an OAuth service app, POST /oauth2/v1/token with
 *   client_credentials + private_key_jwt (https://developer.okta.com/docs/guides/implement-oauth-for-okta-serviceapp/).
 * - Policies: GET /api/v1/policies?type=MFA_ENROLL | OKTA_SIGN_ON, GET /api/v1/policies/{id}/rules, both
 *   cursor-paged like every Okta list (`limit`, `after` — "obtained from the `Link` response header" in the
 *   management spec, okta/okta-management-openapi-spec dist/2026.06.3 — and `Link: <…>; rel="next"`); enrollment
 *   policy settings `{type: "AUTHENTICATORS", authenticators: [{key, enroll: {self: REQUIRED|OPTIONAL|NOT_ALLOWED}}]}`
 *   (Okta SDK model MultifactorEnrollmentPolicyAuthenticatorSettings), access-policy rules
 *   `actions.appSignOn.verificationMethod.factorMode` "1FA" | "2FA" (AccessPolicyRuleApplicationSignOn /
 *   VerificationMethod), sign-on rules `actions.signon.requireFactor` (OktaSignOnPolicyRuleSignonActions).
 * - Apps: GET /api/v1/apps?filter=name eq "saasure" (the Admin Console), `_links.accessPolicy.href`.
 * - Admins: GET /api/v1/iam/assignees/users → `{value: [{id, orn, _links}], _links: {next: {href}}}` (RoleAssignedUser
 *   has no `status`; GET /api/v1/users/{id} returns the User with `status`, UserStatus ACTIVE | SUSPENDED | …)
 *   (RoleAssignedUsers / LinksNext); group members GET /api/v1/groups/{id}/users paged with
 *   `Link: <…?after=…&limit=…>; rel="next"` (https://support.okta.com/help/s/article/Pagination-Overview).
 * - Factors: GET /api/v1/users/{id}/factors → [{id, factorType: "token:software:totp"|"push"|"sms"|"question"…,
 *   provider, status: ACTIVE|PENDING_ACTIVATION…}] (example payload of listFactors).
 * - Errors: `{errorCode, errorSummary, errorLink, errorId, errorCauses}` (https://developer.okta.com/docs/reference/error-codes/):
 *   E0000011 invalid token (401), E0000006 permission (403), E0000047 rate limit (429 + X-Rate-Limit-Reset).
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from '../helpers';

export interface OktaAdmin {
  id: string;
  login: string;
  factors: Array<{ factorType: string; status: string }>;
  /** UserStatus; ACTIVE when not given. */
  status?: string;
}

/** A global session (OKTA_SIGN_ON) policy with its rules, for paging tests. */
export interface SessionPolicyFixture {
  id: string;
  name: string;
  rules: Array<{ id: string; name: string; requireFactor: boolean }>;
}

export interface OktaState {
  apiToken: string;
  /** PEM public key of the OAuth service app, when OAuth is used. */
  oauthPublicKey?: string;
  oauthClientId?: string;
  adminConsoleFactorMode: '1FA' | '2FA';
  /** Constraints of the Admin Console rule (AccessPolicyConstraints), e.g. [{knowledge: {…}, possession: {…}}]. */
  adminConsoleConstraints?: Array<Record<string, unknown>>;
  enrollment: 'REQUIRED' | 'OPTIONAL';
  sessionRequireFactor: boolean;
  roleAssignees: OktaAdmin[];
  groups: Record<string, OktaAdmin[]>;
  pageSize: number;
  /** Page size of policy and rule lists when the client sends no `limit` (default: everything on one page). */
  policyPageSize?: number;
  /** Replaces the single default global session policy. */
  sessionPolicies?: SessionPolicyFixture[];
  /** Extra active Admin Console rules, listed before the catch-all rule. */
  adminRules?: Array<{ id: string; name: string; factorMode: '1FA' | '2FA' }>;
}

const oktaError = (code: string, summary: string) => ({
  errorCode: code,
  errorSummary: summary,
  errorLink: code,
  errorId: `oae${randomBytes(8).toString('hex')}`,
  errorCauses: [],
});

export function oktaHandler(state: OktaState, fault?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean) {
  const bearer = new Set<string>();
  return (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const base = `http://${req.headers.host}`;
      const url = new URL(req.url ?? '/', base);
      const path = url.pathname;
      if (fault?.(req, res, path)) return;
      if (path === '/oauth2/v1/token' && req.method === 'POST') return token(new URLSearchParams(body), `${base}/oauth2/v1/token`, res);
      const auth = req.headers.authorization ?? '';
      const ok = auth === `SSWS ${state.apiToken}` || (auth.startsWith('Bearer ') && bearer.has(auth.slice(7)));
      if (!ok) return send(res, 401, oktaError('E0000011', 'Invalid token provided'));
      const q = url.searchParams;
      let m: RegExpExecArray | null;
      const policy = (id: string, name: string, type: string, settings?: unknown) => ({
        id,
        status: 'ACTIVE',
        name,
        type,
        priority: 1,
        system: false,
        conditions: null,
        ...(settings ? { settings } : {}),
        _links: { rules: { href: `${base}/api/v1/policies/${id}/rules` } },
      });
      if (path === '/api/v1/policies') {
        if (q.get('type') === 'MFA_ENROLL') {
          return linked(res, base, path, q, [
            policy('enr-default', 'Default Policy', 'MFA_ENROLL', {
              type: 'AUTHENTICATORS',
              authenticators: [
                { key: 'okta_password', enroll: { self: 'REQUIRED' } },
                { key: 'okta_verify', enroll: { self: state.enrollment } },
                { key: 'okta_email', enroll: { self: 'REQUIRED' } },
              ],
            }),
          ]);
        }
        if (q.get('type') === 'OKTA_SIGN_ON')
          return linked(
            res,
            base,
            path,
            q,
            sessions().map((p) => policy(p.id, p.name, 'OKTA_SIGN_ON')),
          );
        return linked(res, base, path, q, []);
      }
      if ((m = /^\/api\/v1\/policies\/([^/]+)\/rules$/.exec(path))) {
        const ses = sessions().find((p) => p.id === m![1]);
        const signOn = (r: SessionPolicyFixture['rules'][number]) => ({
          id: r.id,
          status: 'ACTIVE',
          name: r.name,
          type: 'SIGN_ON',
          actions: { signon: { access: 'ALLOW', requireFactor: r.requireFactor, primaryFactor: 'PASSWORD_IDP_ANY_FACTOR' } },
        });
        if (ses) return linked(res, base, path, q, ses.rules.map(signOn));
        if (m[1] === 'rst-admin') {
          const assurance = (factorMode: string, constraints: unknown) => ({
            factorMode,
            type: 'ASSURANCE',
            reauthenticateIn: 'PT12H',
            constraints,
          });
          return linked(res, base, path, q, [
            {
              id: 'r2',
              status: 'ACTIVE',
              name: 'Admin rule',
              type: 'ACCESS_POLICY',
              actions: {
                appSignOn: {
                  access: 'ALLOW',
                  verificationMethod: assurance(state.adminConsoleFactorMode, state.adminConsoleConstraints ?? []),
                },
              },
            },
            ...(state.adminRules ?? []).map((r) => ({
              id: r.id,
              status: 'ACTIVE',
              name: r.name,
              type: 'ACCESS_POLICY',
              actions: { appSignOn: { access: 'ALLOW', verificationMethod: assurance(r.factorMode, []) } },
            })),
            {
              id: 'r3',
              status: 'ACTIVE',
              name: 'Catch-all Rule',
              type: 'ACCESS_POLICY',
              system: true,
              actions: { appSignOn: { access: 'DENY' } },
            },
          ]);
        }
        return send(res, 404, oktaError('E0000007', `Not found: Resource not found: ${m[1]} (Policy)`));
      }
      if ((m = /^\/api\/v1\/apps\/([^/]+)$/.exec(path))) {
        // Any other app shares the Admin Console's policy here, so one fixture flag drives both.
        return send(res, 200, {
          id: m[1],
          name: 'oidc_client',
          label: 'Payments back office',
          status: 'ACTIVE',
          _links: { accessPolicy: { href: `${base}/api/v1/policies/rst-admin` } },
        });
      }
      if (path === '/api/v1/apps') {
        return send(res, 200, [
          {
            id: '0oa-admin',
            name: 'saasure',
            label: 'Okta Admin Console',
            status: 'ACTIVE',
            _links: { accessPolicy: { href: `${base}/api/v1/policies/rst-admin` } },
          },
        ]);
      }
      if (path === '/api/v1/iam/assignees/users') {
        const { items, next } = slice(state.roleAssignees, q, Math.min(Number(q.get('limit') ?? 100), state.pageSize));
        return send(res, 200, {
          value: items.map((a) => ({
            id: a.id,
            orn: `orn:okta:directory:00o1:users:${a.id}`,
            _links: { self: { href: `${base}/api/v1/users/${a.id}` } },
          })),
          _links: next ? { next: { href: `${base}/api/v1/iam/assignees/users?after=${next}&limit=${q.get('limit') ?? 100}` } } : {},
        });
      }
      if ((m = /^\/api\/v1\/groups\/([^/]+)\/users$/.exec(path))) {
        const members = state.groups[m[1]];
        if (!members) return send(res, 404, oktaError('E0000007', `Not found: Resource not found: ${m[1]} (UserGroup)`));
        const limit = Math.min(Number(q.get('limit') ?? 200), state.pageSize);
        const { items, next } = slice(members, q, limit);
        const links = [`<${base}${path}?limit=${limit}>; rel="self"`];
        if (next) links.push(`<${base}${path}?after=${next}&limit=${limit}>; rel="next"`);
        return send(
          res,
          200,
          items.map((a) => ({ id: a.id, status: a.status ?? 'ACTIVE', profile: { login: a.login, email: a.login } })),
          { link: links.join(', ') },
        );
      }
      const all = [...state.roleAssignees, ...Object.values(state.groups).flat()];
      if ((m = /^\/api\/v1\/users\/([^/]+)\/factors$/.exec(path))) {
        const u = all.find((a) => a.id === m![1]);
        if (!u) return send(res, 404, oktaError('E0000007', `Not found: Resource not found: ${m[1]} (User)`));
        return send(
          res,
          200,
          u.factors.map((f, i) => ({ id: `ufs${i}`, provider: 'OKTA', vendorName: 'OKTA', created: '2026-01-01T00:00:00.000Z', ...f })),
        );
      }
      if ((m = /^\/api\/v1\/users\/([^/]+)$/.exec(path))) {
        const u = all.find((a) => a.id === m![1]);
        return u
          ? send(res, 200, { id: u.id, status: u.status ?? 'ACTIVE', profile: { login: u.login, email: u.login } })
          : send(res, 404, oktaError('E0000007', 'Not found'));
      }
      send(res, 404, oktaError('E0000022', 'The endpoint does not support the provided HTTP method'));
    });
  };

  function sessions(): SessionPolicyFixture[] {
    return (
      state.sessionPolicies ?? [
        {
          id: 'ses-default',
          name: 'Default Policy',
          rules: [{ id: 'r1', name: 'Default Rule', requireFactor: state.sessionRequireFactor }],
        },
      ]
    );
  }

  /** A bare JSON list paged with `limit`/`after` and a `Link` header (rel="self", and rel="next" while more remain). */
  function linked<T extends { id: string }>(res: ServerResponse, base: string, path: string, q: URLSearchParams, all: T[]) {
    const limit = Math.min(Number(q.get('limit') ?? Infinity), state.policyPageSize ?? Infinity);
    const { items, next } = slice(all, q, Number.isFinite(limit) ? limit : all.length || 1);
    const keep = new URLSearchParams([...q].filter(([k]) => k !== 'after'));
    const links = [`<${base}${path}?${keep}>; rel="self"`];
    if (next) links.push(`<${base}${path}?${keep}${keep.size ? '&' : ''}after=${next}>; rel="next"`);
    send(res, 200, items, { link: links.join(', ') });
  }

  function token(form: URLSearchParams, aud: string, res: ServerResponse) {
    const assertion = form.get('client_assertion') ?? '';
    const [h, c, s] = assertion.split('.');
    let valid = false;
    try {
      const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as { iss?: string; aud?: string; exp?: number };
      valid =
        Boolean(state.oauthPublicKey) &&
        verify('RSA-SHA256', Buffer.from(`${h}.${c}`), createPublicKey(state.oauthPublicKey!), Buffer.from(s, 'base64url')) &&
        claims.iss === state.oauthClientId &&
        claims.aud === aud &&
        (claims.exp ?? 0) * 1000 > Date.now();
    } catch {
      valid = false;
    }
    if (!valid || form.get('grant_type') !== 'client_credentials')
      return send(res, 401, { error: 'invalid_client', error_description: 'The client_assertion signature is invalid.' });
    const value = randomBytes(16).toString('hex');
    bearer.add(value);
    send(res, 200, { token_type: 'Bearer', expires_in: 3600, access_token: value, scope: form.get('scope') });
  }
}

/** Cursor paging: `after` is the id of the last item of the previous page (opaque to clients). */
function slice<T extends { id: string }>(list: T[], q: URLSearchParams, limit: number): { items: T[]; next?: string } {
  const after = q.get('after');
  const start = after ? list.findIndex((x) => x.id === after) + 1 : 0;
  const items = list.slice(start, start + limit);
  const next = start + limit < list.length ? items[items.length - 1]?.id : undefined;
  return { items, next };
}
