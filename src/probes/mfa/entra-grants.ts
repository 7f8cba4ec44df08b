/**
 * Does a Conditional Access policy demand a second factor whenever it applies, and does it apply to every sign-in?
 * Read the way Microsoft Graph v1.0 defines the types (CSDL of microsoftgraph/msgraph-metadata, clean_v10_metadata):
 * - conditionalAccessGrantControls: operator (Edm.String, "AND" | "OR": "Defines the relationship of the grant
 *   controls"), builtInControls (Collection(conditionalAccessGrantControl): block, mfa, compliantDevice,
 *   domainJoinedDevice, approvedApplication, compliantApplication, passwordChange, unknownFutureValue,
 *   riskRemediation), customAuthenticationFactors, termsOfUse, authenticationStrength (authenticationStrengthPolicy).
 *   With OR any one control grants access, so every one of them must be a second factor.
 * - authenticationStrengthPolicy: requirementsSatisfied (authenticationStrengthRequirements: none | mfa),
 *   allowedCombinations (Collection(authenticationMethodModes), each a comma-separated combination of modes). A
 *   strength lets a user in with any one allowed combination, so one single-factor combination undoes it.
 * - conditionalAccessConditionSet: clientAppTypes, platforms, devices, *RiskLevels, authenticationFlows narrow when
 *   a policy applies; locations and excludeApplications leave holes the operator must document.
 */

export interface StrengthPolicy {
  id?: string;
  displayName?: string;
  policyType?: string;
  requirementsSatisfied?: string;
  allowedCombinations?: string[];
}

export interface GrantControls {
  operator?: string | null;
  builtInControls?: string[] | null;
  customAuthenticationFactors?: string[] | null;
  termsOfUse?: string[] | null;
  authenticationStrength?: StrengthPolicy | null;
}

export interface Conditions {
  users?: {
    includeUsers?: string[];
    excludeUsers?: string[];
    includeRoles?: string[];
    excludeRoles?: string[];
    includeGroups?: string[];
    excludeGroups?: string[];
  } | null;
  applications?: { includeApplications?: string[]; excludeApplications?: string[] } | null;
  clientAppTypes?: string[] | null;
  platforms?: { includePlatforms?: string[]; excludePlatforms?: string[] } | null;
  locations?: { includeLocations?: string[]; excludeLocations?: string[] } | null;
  devices?: { deviceFilter?: unknown } | null;
  signInRiskLevels?: string[] | null;
  userRiskLevels?: string[] | null;
  servicePrincipalRiskLevels?: string[] | null;
  insiderRiskLevels?: unknown;
  authenticationFlows?: unknown;
}

export type Verdict = { mfa: true } | { mfa: false; reason: string };

/** authenticationMethodModes that are multi-factor on their own (passwordless or multi-factor by definition). */
export const MULTI_FACTOR_MODES = new Set([
  'windowsHelloForBusiness',
  'fido2',
  'x509CertificateMultiFactor',
  'deviceBasedPush',
  'temporaryAccessPassOneTime',
  'temporaryAccessPassMultiUse',
  'federatedMultiFactor',
]);

/** Every enum member and property value this file compares against; the conformance suite checks them in the CSDL. */
export const GRAPH_VALUES = {
  operators: ['AND', 'OR'],
  grantControls: ['mfa', 'block'],
  requirements: ['mfa'],
  clientAppAll: 'all',
  platformAll: 'all',
} as const;

/** A combination is multi-factor when it joins two or more modes, or is one mode that is multi-factor by itself. */
export function combinationIsMultiFactor(combination: string): boolean {
  const modes = combination
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  if (modes.length >= 2) return new Set(modes).size >= 2;
  return modes.length === 1 && MULTI_FACTOR_MODES.has(modes[0]);
}

/** A strength demands MFA when Graph says it satisfies "mfa" and none of its allowed combinations is single-factor. */
export function strengthVerdict(s: StrengthPolicy | null | undefined): Verdict {
  if (!s) return { mfa: false, reason: 'no authentication strength' };
  const name = `authentication strength "${s.displayName ?? s.id ?? '?'}"`;
  const combos = Array.isArray(s.allowedCombinations) ? s.allowedCombinations : undefined;
  if (!combos && s.requirementsSatisfied === undefined)
    return { mfa: false, reason: `${name} could not be read (no allowedCombinations or requirementsSatisfied)` };
  if (
    s.requirementsSatisfied !== undefined &&
    !s.requirementsSatisfied
      .split(',')
      .map((x) => x.trim())
      .includes('mfa')
  ) {
    return { mfa: false, reason: `${name} has requirementsSatisfied "${s.requirementsSatisfied}", not "mfa"` };
  }
  if (combos) {
    if (combos.length === 0) return { mfa: false, reason: `${name} allows no combination` };
    const single = combos.filter((c) => !combinationIsMultiFactor(c));
    if (single.length)
      return { mfa: false, reason: `${name} allows single-factor combination(s) ${single.map((c) => `"${c}"`).join(', ')}` };
  }
  return { mfa: true };
}

/**
 * The grant demands a second factor from everyone it lets in. With AND (or a single control) one MFA control among the
 * required ones is enough; with OR (or an operator Graph did not state) each alternative must be MFA itself.
 */
export function grantVerdict(g: GrantControls | null | undefined): Verdict {
  if (!g) return { mfa: false, reason: 'the policy has no grant controls' };
  const builtIn = Array.isArray(g.builtInControls) ? g.builtInControls : [];
  const custom = Array.isArray(g.customAuthenticationFactors) ? g.customAuthenticationFactors : [];
  const terms = Array.isArray(g.termsOfUse) ? g.termsOfUse : [];
  const strength = g.authenticationStrength ? strengthVerdict(g.authenticationStrength) : undefined;
  const alternatives = builtIn.length + custom.length + terms.length + (g.authenticationStrength ? 1 : 0);
  if (builtIn.includes('block')) return { mfa: false, reason: 'the policy blocks access instead of demanding a second factor' };
  if (alternatives === 0) return { mfa: false, reason: 'the policy grants access without any control' };
  const and = alternatives === 1 || g.operator === 'AND';
  if (and) {
    if (builtIn.includes('mfa') || strength?.mfa) return { mfa: true };
    return {
      mfa: false,
      reason: strength && !strength.mfa ? strength.reason : `no control demands MFA (builtInControls: ${builtIn.join(', ') || 'none'})`,
    };
  }
  const others = [
    ...builtIn.filter((c) => c !== 'mfa'),
    ...custom.map((c) => `custom control ${c}`),
    ...terms.map((t) => `terms of use ${t}`),
  ];
  const how =
    g.operator === 'OR'
      ? 'operator OR'
      : `operator ${g.operator === undefined || g.operator === null ? 'not stated' : `"${g.operator}"`} (read as OR)`;
  if (others.length) return { mfa: false, reason: `${how}: ${others.join(', ')} alone grants access without a second factor` };
  if (strength && !strength.mfa) return { mfa: false, reason: `${how}: ${strength.reason}` };
  return { mfa: true };
}

/** Conditions that make a policy apply only to some sign-ins (so it is not a rule for every sign-in). */
export function narrowing(c: Conditions | null | undefined): string[] {
  if (!c) return [];
  const out: string[] = [];
  const apps = c.clientAppTypes ?? [];
  if (apps.length && !apps.includes(GRAPH_VALUES.clientAppAll)) out.push(`client apps ${apps.join(', ')} only`);
  const inc = c.platforms?.includePlatforms ?? [];
  if (inc.length && !inc.includes(GRAPH_VALUES.platformAll)) out.push(`platforms ${inc.join(', ')} only`);
  if ((c.platforms?.excludePlatforms ?? []).length) out.push(`platforms ${c.platforms!.excludePlatforms!.join(', ')} excluded`);
  for (const k of ['signInRiskLevels', 'userRiskLevels', 'servicePrincipalRiskLevels'] as const) {
    if ((c[k] ?? []).length) out.push(`${k} ${c[k]!.join(', ')} only`);
  }
  if (c.devices?.deviceFilter) out.push('a device filter');
  if (c.insiderRiskLevels) out.push('insider risk levels');
  if (c.authenticationFlows) out.push('authentication flows');
  return out;
}

/** Holes the policy leaves on purpose (excluded users, groups, roles, apps, locations): listed for review. */
export function exclusions(c: Conditions | null | undefined): string[] {
  const u = c?.users ?? {};
  const loc = c?.locations;
  const included = loc?.includeLocations ?? [];
  return [
    ...(u.excludeUsers ?? []).map((id) => `user:${id}`),
    ...(u.excludeGroups ?? []).map((id) => `group:${id}`),
    ...(u.excludeRoles ?? []).map((id) => `role:${id}`),
    ...(c?.applications?.excludeApplications ?? []).map((id) => `app:${id}`),
    ...(loc?.excludeLocations ?? []).map((id) => `location:${id}`),
    ...(included.length && !included.includes('All') ? included.map((id) => `only-location:${id}`) : []),
  ];
}
