/**
 * Okta posture through the Management API (https://developer.okta.com/docs/api/), with an API token
 * (`Authorization: SSWS …`) or an OAuth service app (private_key_jwt → Bearer):
 * - GET /api/v1/policies?type=MFA_ENROLL            authenticator enrollment policies (settings.authenticators[].enroll.self)
 * - GET /api/v1/policies?type=OKTA_SIGN_ON + /rules  global session policy (actions.signon.requireFactor)
 *   Policies and rules are cursor-paged (`limit`/`after`, `Link: <…>; rel="next"`): every page is read.
 * - GET /api/v1/apps?filter=name eq "saasure"        the Admin Console app; its _links.accessPolicy → /policies/{id}/rules
 *   (actions.appSignOn.verificationMethod.factorMode "1FA" | "2FA")
 * - GET /api/v1/iam/assignees/users                  users with admin role assignments ({value, _links.next}); a
 *   RoleAssignedUser carries only id/orn/_links, so each one's status is read from GET /api/v1/users/{id}
 * - GET /api/v1/groups/{id}/users                    members of configured privileged groups (Link: rel="next" paging)
 * - GET /api/v1/users/{id}/factors                   enrolled factors (factorType, status)
 */
import { ProtocolError, ProviderApiError } from '../../errors';
import type { Finding } from '../../results/contract';
import { PrivateKeyJwt, StaticHeader } from './auth';
import { mapLimit, type ApiClient, type TokenSource } from './client';
import { emptyPosture, enrolmentFinding, fail, pass, warn, type PostureOutput, type UserRef } from './findings';
import type { OktaOptions } from './options';

interface Policy {
  id: string;
  name?: string;
  status?: string;
  type?: string;
  settings?: {
    authenticators?: Array<{ key?: string; enroll?: { self?: string } }>;
    factors?: Record<string, { enroll?: { self?: string } }>;
  };
}

interface Rule {
  name?: string;
  status?: string;
  actions?: {
    appSignOn?: {
      access?: string;
      verificationMethod?: { type?: string; factorMode?: string; constraints?: Array<Record<string, unknown>> };
    };
    signon?: { access?: string; requireFactor?: boolean };
  };
}

interface App {
  id?: string;
  name?: string;
  label?: string;
  _links?: { accessPolicy?: { href?: string } };
}

interface OktaUser {
  id: string;
  status?: string;
  profile?: { login?: string };
}

/** Authenticator keys (AuthenticatorEnrollmentPolicyAuthenticatorType) that are not a second factor on their own. */
export const WEAK_AUTHENTICATORS = new Set(['okta_password', 'okta_email', 'security_question']);
/** Classic Engine factor keys (settings.factors, not in the current management spec) that are not either. */
const WEAK_CLASSIC_FACTORS = new Set(['okta_password', 'okta_email', 'okta_question']);

export function oktaAuth(base: URL, o: OktaOptions): TokenSource {
  if (o.apiToken) return new StaticHeader(`SSWS ${o.apiToken}`);
  const oauth = o.oauth!;
  return new PrivateKeyJwt(new URL(`${base.origin}/oauth2/v1/token`), {
    clientId: oauth.clientId,
    privateKey: oauth.privateKey,
    keyId: oauth.keyId,
    scope: oauth.scopes.join(' '),
  });
}

export async function oktaPosture(api: ApiClient, o: OktaOptions, maxUsers: number): Promise<PostureOutput> {
  const out = emptyPosture();
  const enrollPolicies = await pages<Policy>(api, '/api/v1/policies', { type: 'MFA_ENROLL' }, 'MFA_ENROLL policies');
  out.findings.push(enrollmentFinding(enrollPolicies));

  const sessionPolicies = (await pages<Policy>(api, '/api/v1/policies', { type: 'OKTA_SIGN_ON' }, 'OKTA_SIGN_ON policies')).filter(
    (p) => p.status === 'ACTIVE',
  );
  const singleFactor: string[] = [];
  for (const p of sessionPolicies) {
    const rules = await pages<Rule>(api, `/api/v1/policies/${encodeURIComponent(p.id)}/rules`, undefined, 'policy rules');
    for (const r of rules)
      if (r.status === 'ACTIVE' && r.actions?.signon?.access !== 'DENY' && r.actions?.signon?.requireFactor !== true)
        singleFactor.push(`${p.name ?? p.id} / ${r.name ?? '?'}`);
  }
  out.enforced.global_session = singleFactor.length === 0 ? 1 : 0;
  out.findings.push(
    singleFactor.length === 0
      ? pass('mfa.global_session_single_factor', 'every active global session rule requires a factor')
      : warn(
          'mfa.global_session_single_factor',
          'medium',
          `${singleFactor.length} global session rule(s) allow a session without a second factor; app authentication policies must then demand it`,
          { rules: singleFactor },
        ),
  );

  const scopes: Array<{ scope: string; app: App; admin: boolean }> = [];
  if (o.checkAdminConsole) {
    const apps = list<App>((await api.getJson<App[]>('/api/v1/apps', { filter: 'name eq "saasure"' })).data, 'apps');
    if (!apps[0]) throw new ProviderApiError('Okta did not return the Admin Console app (name "saasure")');
    scopes.push({ scope: 'admin_console', app: apps[0], admin: true });
  }
  for (const a of o.apps)
    scopes.push({ scope: a.scope, app: (await api.getJson<App>(`/api/v1/apps/${encodeURIComponent(a.id)}`)).data, admin: false });
  const appDetails: Record<string, unknown> = {};
  const judged: Array<{ scope: string; label: string; admin: boolean; weak: string[] }> = [];
  for (const s of scopes) {
    const weak = await weakAppRules(api, s.app);
    out.enforced[s.scope] = weak.length === 0 ? 1 : 0;
    appDetails[s.scope] = { app: s.app.label ?? s.app.name, weakRules: weak };
    judged.push({ scope: s.scope, label: s.app.label ?? s.scope, admin: s.admin, weak });
  }
  // One finding per id: the Admin Console under admin_not_enforced, every configured app together under app_not_enforced.
  for (const [id, admin] of [
    ['mfa.admin_not_enforced', true],
    ['mfa.app_not_enforced', false],
  ] as const) {
    const group = judged.filter((j) => j.admin === admin);
    if (group.length === 0) continue;
    const weak = group.filter((j) => j.weak.length);
    const evidence = { apps: group.map((j) => ({ scope: j.scope, app: j.label, enforced: j.weak.length === 0, rules: j.weak })) };
    out.findings.push(
      weak.length === 0
        ? pass(
            id,
            `the authentication policy of ${group.map((j) => j.label).join(', ')} demands two factors in every allowing rule`,
            evidence,
          )
        : fail(
            id,
            admin ? 'critical' : 'high',
            `the authentication policy of ${weak.map((j) => `${j.label} (rules: ${j.weak.join(', ')})`).join('; ')} lets users in with one factor`,
            evidence,
          ),
    );
  }

  const users = await privilegedUsers(api, o, maxUsers);
  if (users.length || o.includeRoleAssignees || o.privilegedGroups.length) {
    const weakTypes = new Set(o.weakFactorTypes);
    const unenrolled = (
      await mapLimit(users, 4, async (u): Promise<UserRef | undefined> => {
        const factors = list<{ factorType?: string; status?: string }>(
          (await api.getJson<Array<{ factorType?: string; status?: string }>>(`/api/v1/users/${encodeURIComponent(u.id)}/factors`)).data,
          'factors',
        );
        if (factors.some((f) => f.status === 'ACTIVE' && !weakTypes.has(f.factorType ?? ''))) return undefined;
        const login = u.profile?.login ?? (await api.getJson<OktaUser>(`/api/v1/users/${encodeURIComponent(u.id)}`)).data.profile?.login;
        return { id: u.id, username: login };
      })
    ).filter((u): u is UserRef => Boolean(u));
    out.coverage.privileged = { enrolled: users.length - unenrolled.length, total: users.length };
    out.unenrolledPrivileged = unenrolled.length;
    out.findings.push(enrolmentFinding('Okta', 'privileged', unenrolled, users.length));
  }
  out.details = { enrollPolicies: enrollPolicies.length, apps: appDetails };
  return out;
}

function enrollmentFinding(policies: Policy[]): Finding {
  const active = policies.filter((p) => p.status === 'ACTIVE');
  const lax = active.filter((p) => !requiresStrong(p)).map((p) => p.name ?? p.id);
  if (active.length === 0) return fail('mfa.enrolment_not_required', 'high', 'no active authenticator enrollment (MFA_ENROLL) policy', {});
  if (lax.length === 0)
    return pass('mfa.enrolment_not_required', `all ${active.length} active enrollment policies require a second-factor authenticator`);
  return fail(
    'mfa.enrolment_not_required',
    'high',
    `${lax.length} active enrollment polic${lax.length === 1 ? 'y does' : 'ies do'} not require any second-factor authenticator`,
    { policies: lax },
  );
}

function requiresStrong(p: Policy): boolean {
  const auths = p.settings?.authenticators;
  if (Array.isArray(auths)) return auths.some((a) => a.enroll?.self === 'REQUIRED' && !WEAK_AUTHENTICATORS.has(a.key ?? ''));
  // Classic Engine policies list factors by key instead of authenticators.
  const factors = p.settings?.factors ?? {};
  return Object.entries(factors).some(([key, f]) => f?.enroll?.self === 'REQUIRED' && !WEAK_CLASSIC_FACTORS.has(key));
}

/** Names of active rules that allow access with one factor (an unknown verification type counts as unproven). */
async function weakAppRules(api: ApiClient, app: App): Promise<string[]> {
  const href = app._links?.accessPolicy?.href;
  if (!href)
    throw new ProtocolError(
      `Okta app ${app.label ?? app.id} has no authentication policy link (Classic Engine app sign-on rules are not supported)`,
    );
  const path = new URL(href, api.o.baseUrl).pathname;
  const rules = await pages<Rule>(api, `${path}/rules`, undefined, 'policy rules');
  return rules
    .filter((r) => r.status === 'ACTIVE' && r.actions?.appSignOn?.access !== 'DENY')
    .filter((r) => !twoFactorWithPossession(r.actions?.appSignOn?.verificationMethod))
    .map((r) => r.name ?? '?');
}

/**
 * "2FA" demands two factor types; when the rule also lists constraints, one of them must name a possession factor
 * (AccessPolicyConstraints: knowledge | possession | inherence), else knowledge + inherence would satisfy it.
 */
function twoFactorWithPossession(v: { factorMode?: string; constraints?: Array<Record<string, unknown>> } | undefined): boolean {
  if (v?.factorMode !== '2FA') return false;
  const constraints = Array.isArray(v.constraints) ? v.constraints : [];
  return constraints.length === 0 || constraints.some((c) => c && typeof c === 'object' && 'possession' in c);
}

async function privilegedUsers(api: ApiClient, o: OktaOptions, maxUsers: number): Promise<OktaUser[]> {
  const byId = new Map<string, OktaUser>();
  const add = (u: OktaUser) => {
    if (!u || typeof u.id !== 'string') return;
    byId.set(u.id, { ...byId.get(u.id), ...u });
    if (byId.size > maxUsers)
      throw new ProviderApiError(`more than ${maxUsers} privileged users; raise maxPrivilegedUsers to measure them all`);
  };
  if (o.includeRoleAssignees) {
    for (const u of await api.getAllLinked<OktaUser>(
      '/api/v1/iam/assignees/users',
      { limit: 100 },
      (d) => (d as { value?: OktaUser[] })?.value,
    ))
      add(u);
  }
  for (const g of o.privilegedGroups) {
    for (const u of await api.getAllLinked<OktaUser>(`/api/v1/groups/${encodeURIComponent(g)}/users`, { limit: 200 }, (d) =>
      Array.isArray(d) ? (d as OktaUser[]) : undefined,
    ))
      add(u);
  }
  // RoleAssignedUser has no status: read each such user, so a suspended or deprovisioned admin is not counted.
  const read = await mapLimit(
    [...byId.values()].filter((u) => u.status === undefined),
    4,
    async (u) => {
      try {
        return (await api.getJson<OktaUser>(`/api/v1/users/${encodeURIComponent(u.id)}`)).data;
      } catch (e) {
        if (e instanceof ProviderApiError && /HTTP 404/.test(e.message)) return { id: u.id, status: 'DELETED' }; // deleted since listed
        throw e;
      }
    },
  );
  for (const u of read)
    if (u && typeof u.id === 'string')
      byId.set(u.id, { ...byId.get(u.id), ...u, status: typeof u.status === 'string' ? u.status : 'UNKNOWN' });
  // Deprovisioned, suspended or deleted users cannot sign in.
  return [...byId.values()].filter((u) => !GONE.has(u.status ?? ''));
}

const GONE = new Set(['DEPROVISIONED', 'SUSPENDED', 'DELETED']);

/** Every page of a cursor-paged Okta list (Link rel="next"), refusing a body that is not a list. */
async function pages<T>(api: ApiClient, path: string, query: Record<string, string> | undefined, what: string): Promise<T[]> {
  return api.getAllLinked<T>(path, query, (d) => list<T>(d, what));
}

function list<T>(data: unknown, what: string): T[] {
  if (!Array.isArray(data)) throw new ProtocolError(`Okta answered with something other than a list of ${what}`);
  return data as T[];
}
