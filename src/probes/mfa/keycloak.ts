/**
 * Keycloak posture through the Admin REST API (https://www.keycloak.org/docs-api/latest/rest-api), read with a
 * client-credentials service account (needs realm-management roles view-realm and view-users):
 * - GET /admin/realms/{realm}                       RealmRepresentation: otpPolicy*, bruteForceProtected, browserFlow, directGrantFlow
 * - GET /admin/realms/{realm}/authentication/required-actions            CONFIGURE_TOTP / webauthn-register
 * - GET /admin/realms/{realm}/authentication/flows/{flowAlias}/executions  requirement per step
 * - GET /admin/realms/{realm}/authentication/config/{id}                 conditional-user-role settings
 * - privileged users (keycloak-privileged.ts): members of `privilegedGroups` and their subgroups at any depth, and
 *   holders of `privilegedRoles` (realm roles, or client roles as "client-id/role") directly, through groups and
 *   through composite roles: group-by-path, groups/{id}/children|members, roles, roles/{role}/users|groups,
 *   roles-by-id/{id}/composites, clients?clientId=, clients/{id}/roles/{role}/users|groups (first/max paging)
 * - GET /admin/realms/{realm}/users/{id}/credentials                     otp / webauthn credentials
 */
import type { Finding } from '../../results/contract';
import { ClientCredentials } from './auth';
import { mapLimit, type ApiClient } from './client';
import { emptyPosture, enrolmentFinding, fail, pass, warn, type PostureOutput, type UserRef } from './findings';
import { resolvePrivilegedUsers } from './keycloak-privileged';
import {
  analyseFlow,
  describe,
  describeClauses,
  parseRoleCondition,
  roleConditionConfigIds,
  type Execution,
  type Guarantee,
  type RoleConditions,
} from './keycloak-flows';
import type { KeycloakOptions, OtpThresholds } from './options';

interface Realm {
  realm?: string;
  otpPolicyType?: string;
  otpPolicyAlgorithm?: string;
  otpPolicyDigits?: number;
  otpPolicyPeriod?: number;
  otpPolicyLookAheadWindow?: number;
  otpPolicyCodeReusable?: boolean;
  bruteForceProtected?: boolean;
  failureFactor?: number;
  browserFlow?: string;
  directGrantFlow?: string;
}

interface RequiredAction {
  alias?: string;
  enabled?: boolean;
  defaultAction?: boolean;
}

/** An unenrolled privileged user in the evidence, with how they are privileged ("group /admins/ops", ...). */
type PrivilegedRef = UserRef & { via: string };

export const SECOND_FACTOR_CREDENTIALS = new Set(['otp', 'webauthn', 'webauthn-passwordless']);
const ENROL_ACTIONS = ['CONFIGURE_TOTP', 'webauthn-register', 'webauthn-register-passwordless'];

export function keycloakAuth(base: URL, o: KeycloakOptions): ClientCredentials {
  const realm = encodeURIComponent(o.tokenRealm ?? o.realm);
  return new ClientCredentials(new URL(`${base.href.replace(/\/$/, '')}/realms/${realm}/protocol/openid-connect/token`), {
    clientId: o.clientId,
    clientSecret: o.clientSecret,
  });
}

export async function keycloakPosture(api: ApiClient, o: KeycloakOptions, maxUsers: number): Promise<PostureOutput> {
  const out = emptyPosture();
  const r = `/admin/realms/${encodeURIComponent(o.realm)}`;
  const { data: realm } = await api.getJson<Realm>(r);
  out.findings.push(...otpPolicyFindings(realm, o.otp));
  out.findings.push(
    realm.bruteForceProtected
      ? pass('mfa.bruteforce_protection_off', 'brute-force detection is on', { failureFactor: realm.failureFactor })
      : fail(
          'mfa.bruteforce_protection_off',
          'high',
          `realm ${o.realm} has brute-force detection off: passwords and one-time codes can be guessed without lockout`,
          { realm: o.realm },
        ),
  );

  const { data: actions } = await api.getJson<RequiredAction[]>(`${r}/authentication/required-actions`);
  out.findings.push(...requiredActionFindings(Array.isArray(actions) ? actions : []));

  const flows: Array<{ key: 'browser' | 'direct_grant'; alias: string }> = o.flows.map((f) =>
    f === 'browser'
      ? { key: 'browser', alias: realm.browserFlow ?? 'browser' }
      : { key: 'direct_grant', alias: realm.directGrantFlow ?? 'direct grant' },
  );
  const guarantees: Record<string, Guarantee> = {};
  for (const f of flows) {
    const { data: execs } = await api.getJson<Execution[]>(`${r}/authentication/flows/${encodeURIComponent(f.alias)}/executions`);
    const list = Array.isArray(execs) ? execs : [];
    const rc: RoleConditions = new Map();
    for (const id of roleConditionConfigIds(list)) {
      const { data: cfg } = await api.getJson<{ config?: Record<string, string> }>(`${r}/authentication/config/${encodeURIComponent(id)}`);
      rc.set(id, parseRoleCondition(cfg?.config));
    }
    const g = analyseFlow(list, rc);
    guarantees[f.key] = g;
    out.enforced[f.key] = g.kind === 'all' ? 1 : 0;
  }
  out.findings.push(...flowFinding(flows, guarantees, o.requireForAllUsers));

  // Privileged users are covered when every checked flow forces them through a second factor.
  const uncovered = flows.filter((f) => !coversPrivileged(guarantees[f.key], o));
  out.enforced.privileged = uncovered.length === 0 ? 1 : 0;
  out.findings.push(
    uncovered.length === 0
      ? pass('mfa.admin_not_enforced', 'every checked flow demands a second factor from privileged users', {
          flows: flows.map((f) => f.alias),
        })
      : fail(
          'mfa.admin_not_enforced',
          'critical',
          `privileged users of realm ${o.realm} can sign in without a second factor through ${uncovered.map((f) => `"${f.alias}"`).join(', ')}`,
          {
            flows: uncovered.map((f) => ({ flow: f.alias, requirement: describe(guarantees[f.key]) })),
            privilegedRoles: o.privilegedRoles,
            privilegedGroups: o.privilegedGroups,
          },
        ),
  );

  if (o.privilegedGroups.length || o.privilegedRoles.length) {
    const users = await resolvePrivilegedUsers(api, r, o, maxUsers);
    const unenrolled = (
      await mapLimit(users, 4, async (u): Promise<PrivilegedRef | undefined> => {
        const { data: creds } = await api.getJson<Array<{ type?: string }>>(`${r}/users/${encodeURIComponent(u.id)}/credentials`);
        const enrolled = Array.isArray(creds) && creds.some((c) => SECOND_FACTOR_CREDENTIALS.has(c.type ?? ''));
        return enrolled ? undefined : { id: u.id, username: u.username, via: u.via };
      })
    ).filter((u): u is PrivilegedRef => Boolean(u));
    out.coverage.privileged = { enrolled: users.length - unenrolled.length, total: users.length };
    out.unenrolledPrivileged = unenrolled.length;
    out.findings.push(enrolmentFinding('Keycloak', 'privileged', unenrolled, users.length));
  }
  out.details = {
    realm: o.realm,
    otpPolicy: {
      type: realm.otpPolicyType,
      algorithm: realm.otpPolicyAlgorithm,
      digits: realm.otpPolicyDigits,
      period: realm.otpPolicyPeriod,
      lookAround: realm.otpPolicyLookAheadWindow,
    },
    flows: Object.fromEntries(flows.map((f) => [f.key, { alias: f.alias, requirement: describe(guarantees[f.key]) }])),
  };
  return out;
}

/** One finding for all checked flows (a finding id appears once per result); each flow's verdict is in the evidence. */
function flowFinding(flows: Array<{ key: string; alias: string }>, guarantees: Record<string, Guarantee>, required: boolean): Finding[] {
  const evidence = {
    flows: flows.map((f) => ({
      scope: f.key,
      flow: f.alias,
      enforced: guarantees[f.key].kind === 'all',
      requirement: describe(guarantees[f.key]),
    })),
  };
  const weak = flows.filter((f) => guarantees[f.key].kind !== 'all');
  if (weak.length === 0)
    return [
      pass(
        'mfa.flow_not_enforced',
        `every checked flow (${flows.map((f) => `"${f.alias}"`).join(', ')}) demands a second factor from every user`,
        evidence,
      ),
    ];
  if (!required) return [];
  const why = weak.map((f) => {
    const g = guarantees[f.key];
    return `"${f.alias}": ${g.kind === 'roles' ? `it does so only for role(s) ${describeClauses(g.clauses)}` : g.kind === 'none' ? g.reason : ''}`;
  });
  return [
    fail(
      'mfa.flow_not_enforced',
      'high',
      `${weak.length} of ${flows.length} checked flow(s) do not demand a second factor from every user: ${why.join('; ')}`,
      evidence,
    ),
  ];
}

function coversPrivileged(g: Guarantee, o: KeycloakOptions): boolean {
  if (g.kind === 'all') return true;
  // A role clause covers privileged users only when they are defined by roles and every privileged role alone makes up
  // a clause: a clause of two roles asks only users holding both. Keycloak's condition holds for a role held through a
  // group or a composite too, so every holder is covered. A client role "client-id/role" is "client-id.role" in condUserRole.
  if (g.kind !== 'roles' || o.privilegedGroups.length > 0 || o.privilegedRoles.length === 0) return false;
  return o.privilegedRoles.every((role) => g.clauses.some((c) => c.length === 1 && (c[0] === role || c[0] === conditionName(role))));
}

function conditionName(role: string): string {
  const slash = role.lastIndexOf('/');
  return slash < 0 ? role : `${role.slice(0, slash)}.${role.slice(slash + 1)}`;
}

export function otpPolicyFindings(realm: Realm, t: OtpThresholds): Finding[] {
  const problems: Array<{ field: string; value: unknown; expected: string }> = [];
  const digits = realm.otpPolicyDigits ?? 6;
  if (digits < t.minDigits) problems.push({ field: 'otpPolicyDigits', value: digits, expected: `>= ${t.minDigits}` });
  const algorithm = realm.otpPolicyAlgorithm ?? 'HmacSHA1';
  if (!(t.algorithms as string[]).includes(algorithm))
    problems.push({ field: 'otpPolicyAlgorithm', value: algorithm, expected: t.algorithms.join(' | ') });
  if ((realm.otpPolicyType ?? 'totp') === 'totp') {
    const period = realm.otpPolicyPeriod ?? 30;
    if (period > t.maxPeriod) problems.push({ field: 'otpPolicyPeriod', value: period, expected: `<= ${t.maxPeriod} s` });
  }
  const look = realm.otpPolicyLookAheadWindow ?? 1;
  if (look > t.maxLookAround) problems.push({ field: 'otpPolicyLookAheadWindow', value: look, expected: `<= ${t.maxLookAround}` });
  if (realm.otpPolicyCodeReusable && !t.allowReusableCodes)
    problems.push({ field: 'otpPolicyCodeReusable', value: true, expected: 'false' });
  if (problems.length === 0)
    return [
      pass('mfa.otp_policy_weak', 'the realm OTP policy meets the configured thresholds', { type: realm.otpPolicyType, algorithm, digits }),
    ];
  return [
    fail(
      'mfa.otp_policy_weak',
      'medium',
      `the realm OTP policy is weaker than the operator's thresholds: ${problems.map((p) => `${p.field}=${String(p.value)}`).join(', ')}`,
      { problems },
    ),
  ];
}

function requiredActionFindings(actions: RequiredAction[]): Finding[] {
  const enrol = actions.filter((a) => ENROL_ACTIONS.includes(a.alias ?? ''));
  const enabled = enrol.filter((a) => a.enabled);
  if (enabled.length === 0) {
    return [
      fail(
        'mfa.enrolment_action_disabled',
        'high',
        'no second-factor enrolment action (CONFIGURE_TOTP, webauthn-register) is enabled: users cannot set up a second factor',
        { actions: enrol.map((a) => ({ alias: a.alias, enabled: a.enabled })) },
      ),
    ];
  }
  const out: Finding[] = [pass('mfa.enrolment_action_disabled', `enrolment action(s) enabled: ${enabled.map((a) => a.alias).join(', ')}`)];
  if (!enabled.some((a) => a.defaultAction)) {
    out.push(
      warn(
        'mfa.enrolment_not_default',
        'low',
        'no enabled second-factor enrolment action is a default action: new users are not asked to enrol',
        { actions: enabled.map((a) => a.alias) },
      ),
    );
  }
  return out;
}
