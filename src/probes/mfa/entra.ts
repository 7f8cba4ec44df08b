/**
 * Microsoft Entra ID posture through Microsoft Graph v1.0, with an app registration's client credentials
 * (application permissions Policy.Read.All and AuditLog.Read.All):
 * - GET /v1.0/identity/conditionalAccess/policies   conditionalAccessPolicy: state (enabled | disabled |
 *   enabledForReportingButNotEnforced), conditions.users include/exclude users/roles, grantControls (read by
 *   entra-grants.ts: operator AND/OR, builtInControls, authenticationStrength) — https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy
 * - GET /v1.0/policies/authenticationStrengthPolicies/{id}   a strength the policy listing did not expand
 * - GET /v1.0/policies/identitySecurityDefaultsEnforcementPolicy   isEnabled (security defaults demand MFA from admins)
 * - GET /v1.0/policies/authenticationMethodsPolicy   authenticationMethodConfigurations[].state
 *   — https://learn.microsoft.com/graph/api/resources/authenticationmethodspolicy
 * - GET /v1.0/reports/authenticationMethods/userRegistrationDetails?$filter=isAdmin eq true   isMfaRegistered
 *   — https://learn.microsoft.com/graph/api/resources/userregistrationdetails
 * Lists page with @odata.nextLink; throttling answers 429 with Retry-After (https://learn.microsoft.com/graph/throttling).
 */
import { ProviderApiError } from '../../errors';
import { ClientCredentials } from './auth';
import type { ApiClient } from './client';
import { exclusions, grantVerdict, narrowing, type Conditions, type GrantControls, type StrengthPolicy } from './entra-grants';
import { emptyPosture, enrolmentFinding, fail, pass, warn, type PostureOutput, type UserRef } from './findings';
import type { EntraOptions } from './options';

/** Built-in directory role template ids (Microsoft Entra "permissions reference"), the highest-impact admins. */
export const DEFAULT_PRIVILEGED_ROLES: Record<string, string> = {
  '62e90394-69f5-4237-9190-012177145e10': 'Global Administrator',
  'e8611ab8-c189-46e8-94e1-60213ab1f814': 'Privileged Role Administrator',
  '7be44c8a-adaf-4e2a-84d6-ab2649e08a13': 'Privileged Authentication Administrator',
  '194ae4cb-b126-40b2-bd5b-6091b380977d': 'Security Administrator',
  'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9': 'Conditional Access Administrator',
  'fe930be7-5e62-47db-91af-98c3a49a38b1': 'User Administrator',
  'c4e39bd9-1100-46d3-8c65-fb160da0071f': 'Authentication Administrator',
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3': 'Application Administrator',
  '158c047a-c907-4556-b7ef-446551a6b5f7': 'Cloud Application Administrator',
  '29232cdf-9323-42fd-ade2-1d097af3e4de': 'Exchange Administrator',
  'f28a1f50-f6e7-4571-818b-6a12f2af6b6c': 'SharePoint Administrator',
  '729827e3-9c14-49f7-bb1b-9608f156bbb8': 'Helpdesk Administrator',
};

/** Methods that are a second factor by themselves (SMS/voice/email are weaker; they do not count alone). */
const STRONG_METHODS = new Set([
  'microsoftauthenticator',
  'fido2',
  'softwareoath',
  'hardwareoath',
  'x509certificate',
  'windowshelloforbusiness',
  'passkey',
]);

interface CaPolicy {
  id: string;
  displayName?: string;
  state?: string;
  conditions?: Conditions | null;
  grantControls?: GrantControls | null;
}

interface Registration {
  id: string;
  userPrincipalName?: string;
  isAdmin?: boolean;
  isMfaRegistered?: boolean;
}

export function entraAuth(o: EntraOptions): ClientCredentials {
  const url = o.tokenUrl ?? `https://login.microsoftonline.com/${encodeURIComponent(o.tenantId)}/oauth2/v2.0/token`;
  return new ClientCredentials(new URL(url), {
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    scope: 'https://graph.microsoft.com/.default',
  });
}

export async function entraPosture(api: ApiClient, o: EntraOptions, maxUsers: number): Promise<PostureOutput> {
  const out = emptyPosture();
  const roles = o.privilegedRoleIds ?? Object.keys(DEFAULT_PRIVILEGED_ROLES);
  const policies = await api.getAllLinked<CaPolicy>(
    '/v1.0/identity/conditionalAccess/policies',
    undefined,
    (d) => (d as { value?: CaPolicy[] })?.value,
  );
  await expandStrengths(api, policies);
  // A policy counts when it demands MFA for all apps on every sign-in it targets; the others are named with the reason.
  const notCounted: Array<{ policy: string; state?: string; reason: string }> = [];
  const mfa = policies.filter((p) => {
    const v = grantVerdict(p.grantControls);
    const narrow = narrowing(p.conditions);
    const reason = !v.mfa
      ? v.reason
      : !allApps(p)
        ? 'it does not target all cloud apps'
        : narrow.length
          ? `it applies only under conditions: ${narrow.join('; ')}`
          : undefined;
    if (reason && p.state !== 'disabled' && !(p.grantControls?.builtInControls ?? []).includes('block'))
      notCounted.push({ policy: p.displayName ?? p.id, state: p.state, reason });
    return !reason;
  });
  const enabled = mfa.filter((p) => p.state === 'enabled');
  const reportOnly = mfa.filter((p) => p.state === 'enabledForReportingButNotEnforced');

  const { data: defaults } = await api.getJson<{ isEnabled?: boolean }>('/v1.0/policies/identitySecurityDefaultsEnforcementPolicy');
  const securityDefaults = defaults.isEnabled === true;

  // All users: one enabled policy for every user and app; its exclusions are listed, not hidden.
  const allUsers = enabled.filter((p) => p.conditions?.users?.includeUsers?.includes('All'));
  out.enforced.all_users = allUsers.length > 0 ? 1 : 0;
  if (allUsers.length > 0) {
    out.findings.push(
      pass('mfa.flow_not_enforced', `Conditional Access demands MFA from all users (${names(allUsers).join(',')})`, {
        policies: names(allUsers),
      }),
    );
    const excluded = [...new Set(allUsers.flatMap((p) => exclusions(p.conditions)))];
    if (excluded.length)
      out.findings.push(
        warn(
          'mfa.policy_exclusions',
          'medium',
          `the all-users MFA policies exclude ${excluded.length} user(s)/group(s)/role(s)/app(s)/location(s); each must be a documented exception such as a break-glass account`,
          { exclusions: excluded.slice(0, 50) },
        ),
      );
  } else if (o.requireForAllUsers) {
    out.findings.push(
      fail('mfa.flow_not_enforced', 'high', 'no enabled Conditional Access policy demands MFA from all users for all apps', {
        reportOnly: names(reportOnly.filter((p) => p.conditions?.users?.includeUsers?.includes('All'))),
        notCounted: notCounted.filter((n) => n.state === 'enabled').slice(0, 50),
      }),
    );
  }

  // Privileged roles: each must be included (directly or via "All") and not excluded by an enabled MFA policy.
  const uncovered = roles.filter((r) => !enabled.some((p) => coversRole(p, r)));
  const adminsEnforced = uncovered.length === 0 || securityDefaults;
  out.enforced.admins = adminsEnforced ? 1 : 0;
  out.findings.push(
    adminsEnforced
      ? pass(
          'mfa.admin_not_enforced',
          securityDefaults && uncovered.length
            ? 'security defaults demand MFA from administrators'
            : 'enabled Conditional Access policies demand MFA from every privileged role',
          { securityDefaults },
        )
      : fail(
          'mfa.admin_not_enforced',
          'critical',
          `${uncovered.length} privileged role(s) are not covered by an enabled MFA Conditional Access policy`,
          {
            roles: uncovered.map((id) => ({ id, name: DEFAULT_PRIVILEGED_ROLES[id] })),
            reportOnlyCovering: names(reportOnly.filter((p) => uncovered.some((r) => coversRole(p, r)))),
            notCounted: notCounted.filter((n) => n.state === 'enabled').slice(0, 50),
          },
        ),
  );
  // One finding for all report-only policies: a finding id appears once per result.
  out.findings.push(
    reportOnly.length
      ? fail(
          'mfa.policy_report_only',
          'high',
          `${reportOnly.length} Conditional Access polic${reportOnly.length === 1 ? 'y' : 'ies'} would demand MFA but ${reportOnly.length === 1 ? 'is' : 'are'} in report-only mode, enforcing nothing: ${names(
            reportOnly,
          )
            .map((n) => `"${n}"`)
            .join(', ')}`,
          {
            policies: reportOnly.map((p) => ({ policy: p.displayName ?? p.id, id: p.id })),
          },
        )
      : pass('mfa.policy_report_only', 'no MFA Conditional Access policy is stuck in report-only mode'),
  );

  const { data: methods } = await api.getJson<{
    authenticationMethodConfigurations?: Array<{ id?: string; state?: string }>;
    registrationEnforcement?: { authenticationMethodsRegistrationCampaign?: { state?: string } };
  }>('/v1.0/policies/authenticationMethodsPolicy');
  const enabledMethods = (methods.authenticationMethodConfigurations ?? []).filter((m) => m.state === 'enabled').map((m) => m.id ?? '?');
  const strong = enabledMethods.filter((m) => STRONG_METHODS.has(m.toLowerCase()));
  out.findings.push(
    strong.length
      ? pass('mfa.no_strong_method_enabled', `strong authentication methods enabled: ${strong.join(', ')}`, { enabledMethods })
      : fail(
          'mfa.no_strong_method_enabled',
          'high',
          'the authentication methods policy enables no strong second factor (Authenticator, FIDO2, OATH, certificate)',
          { enabledMethods },
        ),
  );

  const admins = await api.getAllLinked<Registration>(
    '/v1.0/reports/authenticationMethods/userRegistrationDetails',
    { $filter: 'isAdmin eq true' },
    (d) => (d as { value?: Registration[] })?.value,
  );
  const privileged = admins.filter((a) => a.isAdmin !== false);
  if (privileged.length > maxUsers)
    throw new ProviderApiError(`more than ${maxUsers} privileged users; raise maxPrivilegedUsers to measure them all`);
  const unenrolled: UserRef[] = privileged
    .filter((a) => a.isMfaRegistered !== true)
    .map((a) => ({ id: a.id, username: a.userPrincipalName }));
  out.coverage.privileged = { enrolled: privileged.length - unenrolled.length, total: privileged.length };
  out.unenrolledPrivileged = unenrolled.length;
  out.findings.push(enrolmentFinding('Entra ID', 'privileged', unenrolled, privileged.length));

  out.details = {
    policies: policies.length,
    mfaPolicies: mfa.map((p) => ({ name: p.displayName ?? p.id, state: p.state })),
    notCounted: notCounted.slice(0, 50),
    securityDefaults,
    enabledMethods,
    registrationCampaign: methods.registrationEnforcement?.authenticationMethodsRegistrationCampaign?.state,
  };
  return out;
}

/** Strengths the listing returned without their combinations are read once each by id. */
async function expandStrengths(api: ApiClient, policies: CaPolicy[]): Promise<void> {
  const cache = new Map<string, StrengthPolicy>();
  for (const p of policies) {
    const s = p.grantControls?.authenticationStrength;
    if (!s || Array.isArray(s.allowedCombinations) || s.requirementsSatisfied !== undefined || typeof s.id !== 'string') continue;
    if (!cache.has(s.id))
      cache.set(
        s.id,
        (await api.getJson<StrengthPolicy>(`/v1.0/policies/authenticationStrengthPolicies/${encodeURIComponent(s.id)}`)).data ?? {},
      );
    p.grantControls!.authenticationStrength = { ...s, ...cache.get(s.id) };
  }
}

function allApps(p: CaPolicy): boolean {
  return (p.conditions?.applications?.includeApplications ?? []).includes('All');
}

function coversRole(p: CaPolicy, role: string): boolean {
  const u = p.conditions?.users ?? {};
  const included = (u.includeUsers ?? []).includes('All') || (u.includeRoles ?? []).includes(role);
  return included && !(u.excludeRoles ?? []).includes(role);
}

function names(ps: CaPolicy[]): string[] {
  return ps.map((p) => p.displayName ?? p.id);
}
