/**
 * Conditional Access policies and authentication strengths shaped as the Microsoft Graph v1.0 CSDL defines them
 * (reference.json: conditionalAccessPolicy {id, displayName, state, conditions, grantControls, …},
 * conditionalAccessConditionSet, conditionalAccessUsers, conditionalAccessApplications,
 * conditionalAccessGrantControls {operator, builtInControls, customAuthenticationFactors, termsOfUse,
 * authenticationStrength}, authenticationStrengthPolicy {allowedCombinations, requirementsSatisfied, policyType, …}).
 * Enum values come from conditionalAccessGrantControl, conditionalAccessPolicyState, authenticationMethodModes
 * (flags: a combination is "password,sms"), authenticationStrengthRequirements, conditionalAccessClientApp, riskLevel.
 * The built-in "Multifactor authentication" strength (id …0002) has Graph's documented built-in combinations.
 */
export interface StrengthPolicy {
  id: string;
  displayName: string;
  description: string;
  policyType: 'builtIn' | 'custom';
  requirementsSatisfied: string;
  allowedCombinations: string[];
  createdDateTime: string;
  modifiedDateTime: string;
}

const T = '2023-01-01T00:00:00Z';

export const MFA_STRENGTH: StrengthPolicy = {
  id: '00000000-0000-0000-0000-000000000002',
  displayName: 'Multifactor authentication',
  description: 'Combinations of methods that satisfy strong authentication, such as a password + SMS',
  policyType: 'builtIn',
  requirementsSatisfied: 'mfa',
  allowedCombinations: [
    'windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor', 'deviceBasedPush', 'temporaryAccessPassOneTime', 'temporaryAccessPassMultiUse',
    'password,microsoftAuthenticatorPush', 'password,softwareOath', 'password,hardwareOath', 'password,sms', 'password,voice',
    'federatedMultiFactor', 'federatedSingleFactor,microsoftAuthenticatorPush', 'federatedSingleFactor,softwareOath', 'federatedSingleFactor,hardwareOath', 'federatedSingleFactor,sms', 'federatedSingleFactor,voice',
  ],
  createdDateTime: T,
  modifiedDateTime: T,
};

/** A custom strength that also lets "sms" alone (SMS sign-in, a single factor) through; Graph still says "mfa". */
export const SMS_SIGN_IN_STRENGTH: StrengthPolicy = {
  id: '5a8d2a6e-1c2f-4a38-9e0e-6a1c0f2b3d41',
  displayName: 'Phone or FIDO2',
  description: 'custom',
  policyType: 'custom',
  requirementsSatisfied: 'mfa',
  allowedCombinations: ['fido2', 'sms'],
  createdDateTime: T,
  modifiedDateTime: T,
};

/** A custom strength Graph itself marks as not satisfying MFA. */
export const PASSWORD_STRENGTH: StrengthPolicy = { ...SMS_SIGN_IN_STRENGTH, id: '5a8d2a6e-1c2f-4a38-9e0e-6a1c0f2b3d42', displayName: 'Password only', requirementsSatisfied: 'none', allowedCombinations: ['password'] };

type Grant = { operator: 'AND' | 'OR'; builtInControls: string[]; customAuthenticationFactors: string[]; termsOfUse: string[]; authenticationStrength: StrengthPolicy | { id: string } | null };

let n = 0;
export function policy(displayName: string, grant: Partial<Grant>, conditions: Record<string, unknown> = {}, state = 'enabled') {
  return {
    id: `9b2f7c1a-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    displayName,
    state,
    createdDateTime: T,
    modifiedDateTime: null,
    templateId: null,
    conditions: {
      userRiskLevels: [],
      signInRiskLevels: [],
      clientAppTypes: ['all'],
      servicePrincipalRiskLevels: [],
      platforms: null,
      locations: null,
      devices: null,
      applications: { includeApplications: ['All'], excludeApplications: [], includeUserActions: [], includeAuthenticationContextClassReferences: [], applicationFilter: null },
      users: { includeUsers: ['All'], excludeUsers: [], includeGroups: [], excludeGroups: [], includeRoles: [], excludeRoles: [] },
      ...conditions,
    },
    grantControls: { operator: 'OR', builtInControls: [], customAuthenticationFactors: [], termsOfUse: [], authenticationStrength: null, ...grant },
    sessionControls: null,
  };
}

/** Each case: one all-users, all-apps policy, and whether Entra demands a second factor from everyone it lets in. */
export const GRANT_CASES: Array<[string, ReturnType<typeof policy>, boolean]> = [
  ['mfa alone', policy('MFA', { builtInControls: ['mfa'] }), true],
  ['OR over mfa and compliantDevice', policy('MFA or compliant device', { operator: 'OR', builtInControls: ['mfa', 'compliantDevice'] }), false],
  ['AND over mfa and compliantDevice', policy('MFA and compliant device', { operator: 'AND', builtInControls: ['mfa', 'compliantDevice'] }), true],
  ['OR over mfa and domainJoinedDevice', policy('MFA or hybrid join', { operator: 'OR', builtInControls: ['mfa', 'domainJoinedDevice'] }), false],
  ['the built-in MFA strength', policy('Strength MFA', { authenticationStrength: MFA_STRENGTH }), true],
  ['the built-in MFA strength, listed by id only', policy('Strength MFA by id', { authenticationStrength: { id: MFA_STRENGTH.id } }), true],
  ['a strength allowing "sms" alone', policy('Strength phone', { authenticationStrength: SMS_SIGN_IN_STRENGTH }), false],
  ['a strength with requirementsSatisfied none', policy('Strength password', { authenticationStrength: PASSWORD_STRENGTH }), false],
  ['MFA only for high sign-in risk', policy('Risky sign-ins', { builtInControls: ['mfa'] }, { signInRiskLevels: ['high'] }), false],
  ['MFA only for browser sign-ins', policy('Browser only', { builtInControls: ['mfa'] }, { clientAppTypes: ['browser'] }), false],
];
