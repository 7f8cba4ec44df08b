/**
 * A local server reproducing the published shapes of Microsoft Graph v1.0 and the Microsoft identity platform
 * token endpoint that the mfa probe reads:
 * - POST /{tenant}/oauth2/v2.0/token, client_credentials with scope https://graph.microsoft.com/.default →
 *   {token_type: "Bearer", expires_in, access_token}; errors {error: "invalid_client", error_description, …}.
 * - GET /v1.0/identity/conditionalAccess/policies → {"@odata.context", value: [conditionalAccessPolicy], "@odata.nextLink"}
 *   conditionalAccessPolicy: id, displayName, state (enabled | disabled | enabledForReportingButNotEnforced),
 *   conditions.users {includeUsers, excludeUsers, includeRoles, excludeRoles, …}, conditions.applications
 *   {includeApplications}, grantControls {operator, builtInControls: ["mfa"], authenticationStrength}
 *   (https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy).
 *   grantControls.authenticationStrength is the expanded authenticationStrengthPolicy (id, displayName, policyType,
 *   requirementsSatisfied, allowedCombinations) or, with `strengthRef`, only its id.
 * - GET /v1.0/policies/authenticationStrengthPolicies/{id} → authenticationStrengthPolicy (policyRoot navigation in the
 *   Graph v1.0 CSDL, microsoftgraph/msgraph-metadata clean_v10_metadata/cleanMetadata.xml).
 * - GET /v1.0/policies/identitySecurityDefaultsEnforcementPolicy → {id, displayName, isEnabled}.
 * - GET /v1.0/policies/authenticationMethodsPolicy → {registrationEnforcement, authenticationMethodConfigurations:
 *   [{id: "MicrosoftAuthenticator"|"Fido2"|"Sms"|…, state}]} (https://learn.microsoft.com/graph/api/resources/authenticationmethodspolicy).
 * - GET /v1.0/reports/authenticationMethods/userRegistrationDetails?$filter=isAdmin eq true → {value:
 *   [{id, userPrincipalName, userDisplayName, isAdmin, isMfaRegistered, isMfaCapable, methodsRegistered}],
 *   "@odata.nextLink"} (https://learn.microsoft.com/graph/api/resources/userregistrationdetails).
 * - Errors: {error: {code, message, innerError: {date, request-id}}}; throttling 429 + Retry-After
 *   (https://learn.microsoft.com/graph/throttling).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from '../helpers';

export const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';
export const SECURITY_ADMIN = '194ae4cb-b126-40b2-bd5b-6091b380977d';

export interface CaPolicyFixture {
  displayName: string;
  state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced';
  includeUsers?: string[];
  excludeUsers?: string[];
  includeRoles?: string[];
  excludeRoles?: string[];
  controls?: string[];
  /** conditionalAccessGrantControls.operator; "OR" when not given (Graph's value for a single control). */
  operator?: 'AND' | 'OR';
  /** The id of an authenticationStrengthPolicy in `EntraState.strengths`. */
  strength?: string;
  /** Return only {id} for the strength, as a listing that does not expand it would. */
  strengthRef?: boolean;
  /** Extra conditionalAccessConditionSet members (clientAppTypes, signInRiskLevels, locations, …). */
  conditions?: Record<string, unknown>;
}

export interface StrengthFixture {
  id: string;
  displayName: string;
  policyType: 'builtIn' | 'custom';
  requirementsSatisfied: 'none' | 'mfa';
  allowedCombinations: string[];
}

export interface EntraState {
  tenant: string;
  clientId: string;
  clientSecret: string;
  policies: CaPolicyFixture[];
  securityDefaults: boolean;
  methods: Record<string, 'enabled' | 'disabled'>;
  admins: Array<{ upn: string; registered: boolean }>;
  pageSize: number;
  strengths?: StrengthFixture[];
  /** conditionalAccessPolicy objects served as they are, instead of ones built from `policies`. */
  rawPolicies?: unknown[];
}

export function graphError(code: string, message: string) {
  return {
    error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomUUID(), 'client-request-id': randomUUID() } },
  };
}

export function entraHandler(state: EntraState, fault?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean) {
  const tokens = new Set<string>();
  return (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const base = `http://${req.headers.host}`;
      const url = new URL(req.url ?? '/', base);
      const path = url.pathname;
      if (fault?.(req, res, path)) return;
      if (path === `/${state.tenant}/oauth2/v2.0/token` && req.method === 'POST') {
        const f = new URLSearchParams(body);
        if (f.get('client_id') !== state.clientId || f.get('client_secret') !== state.clientSecret) {
          return send(res, 401, {
            error: 'invalid_client',
            error_description: 'AADSTS7000215: Invalid client secret provided.',
            error_codes: [7000215],
            trace_id: randomUUID(),
            correlation_id: randomUUID(),
          });
        }
        if (f.get('scope') !== 'https://graph.microsoft.com/.default')
          return send(res, 400, { error: 'invalid_scope', error_description: 'AADSTS1002012: The provided value for scope is not valid.' });
        const t = randomBytes(24).toString('base64url');
        tokens.add(t);
        return send(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: t });
      }
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || !tokens.has(auth.slice(7)))
        return send(res, 401, graphError('InvalidAuthenticationToken', 'Access token is empty.'));
      const q = url.searchParams;
      if (path === '/v1.0/identity/conditionalAccess/policies') {
        const all =
          state.rawPolicies ??
          state.policies.map((p, i) => ({
            id: `cap-${i}`,
            displayName: p.displayName,
            state: p.state,
            createdDateTime: '2026-01-01T00:00:00Z',
            conditions: {
              users: {
                includeUsers: p.includeUsers ?? [],
                excludeUsers: p.excludeUsers ?? [],
                includeGroups: [],
                excludeGroups: [],
                includeRoles: p.includeRoles ?? [],
                excludeRoles: p.excludeRoles ?? [],
              },
              applications: { includeApplications: ['All'], excludeApplications: [] },
              clientAppTypes: ['all'],
              ...p.conditions,
            },
            grantControls: {
              operator: p.operator ?? 'OR',
              builtInControls: p.controls ?? (p.strength ? [] : ['mfa']),
              customAuthenticationFactors: [],
              termsOfUse: [],
              authenticationStrength: strengthOf(p),
            },
            sessionControls: null,
          }));
        return page(res, base, path, q, all, '#identity/conditionalAccess/policies');
      }
      const sm = /^\/v1\.0\/policies\/authenticationStrengthPolicies\/([^/]+)$/.exec(path);
      if (sm) {
        const found = state.strengths?.find((x) => x.id === decodeURIComponent(sm[1])) as StrengthFixture | undefined;
        return found
          ? send(res, 200, { '@odata.context': `${base}/v1.0/$metadata#policies/authenticationStrengthPolicies/$entity`, ...full(found) })
          : send(res, 404, graphError('NotFound', 'strength not found'));
      }
      if (path === '/v1.0/policies/identitySecurityDefaultsEnforcementPolicy') {
        return send(res, 200, {
          '@odata.context': `${base}/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity`,
          id: '00000000-0000-0000-0000-000000000005',
          displayName: 'Security Defaults',
          isEnabled: state.securityDefaults,
        });
      }
      if (path === '/v1.0/policies/authenticationMethodsPolicy') {
        return send(res, 200, {
          id: 'authenticationMethodsPolicy',
          displayName: 'Authentication Methods Policy',
          policyVersion: '1.5',
          registrationEnforcement: { authenticationMethodsRegistrationCampaign: { snoozeDurationInDays: 1, state: 'default' } },
          authenticationMethodConfigurations: Object.entries(state.methods).map(([id, s]) => ({
            '@odata.type': `#microsoft.graph.${id[0].toLowerCase()}${id.slice(1)}AuthenticationMethodConfiguration`,
            id,
            state: s,
          })),
        });
      }
      if (path === '/v1.0/reports/authenticationMethods/userRegistrationDetails') {
        if (q.get('$filter') !== 'isAdmin eq true') return send(res, 400, graphError('BadRequest', 'unexpected filter in this fake'));
        const all = state.admins.map((a, i) => ({
          id: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
          userPrincipalName: a.upn,
          userDisplayName: a.upn.split('@')[0],
          userType: 'member',
          isAdmin: true,
          isMfaRegistered: a.registered,
          isMfaCapable: a.registered,
          isSsprRegistered: false,
          methodsRegistered: a.registered ? ['microsoftAuthenticatorPush'] : [],
        }));
        return page(res, base, path, q, all, '#reports/authenticationMethods/userRegistrationDetails');
      }
      send(res, 404, graphError('Request_ResourceNotFound', `Resource '${path}' does not exist.`));
    });
  };

  function full(x: StrengthFixture) {
    return { ...x, description: x.displayName, createdDateTime: '2022-01-01T00:00:00Z', modifiedDateTime: '2022-01-01T00:00:00Z' };
  }

  function strengthOf(p: CaPolicyFixture) {
    if (!p.strength) return null;
    const found = state.strengths?.find((x) => x.id === p.strength);
    if (!found) throw new Error(`fixture: strength ${p.strength} is not in state.strengths`);
    return p.strengthRef ? { id: found.id } : full(found);
  }

  /** Server-driven paging: the next page is an opaque $skiptoken in @odata.nextLink. */
  function page(res: ServerResponse, base: string, path: string, q: URLSearchParams, all: unknown[], context: string) {
    const start = Number(Buffer.from(q.get('$skiptoken') ?? 'MA', 'base64url').toString()) || 0;
    const items = all.slice(start, start + state.pageSize);
    const nextStart = start + state.pageSize;
    const next = new URL(`${base}${path}`);
    for (const [k, v] of q) if (k !== '$skiptoken') next.searchParams.set(k, v);
    next.searchParams.set('$skiptoken', Buffer.from(String(nextStart)).toString('base64url'));
    send(res, 200, {
      '@odata.context': `${base}/v1.0/$metadata${context}`,
      value: items,
      ...(nextStart < all.length ? { '@odata.nextLink': next.href } : {}),
    });
  }
}
