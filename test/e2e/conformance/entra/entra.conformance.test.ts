/**
 * Microsoft Entra (Graph) conformance: the property names and enum members the mfa probe reads exist in the Graph
 * v1.0 CSDL (reference.json), the fixtures are shaped as the CSDL defines them, and the probe's verdicts on them are
 * the ones Entra's grant semantics give (OR: any one control grants access; a strength: any one combination).
 */
import fs from 'node:fs';
import path from 'node:path';
import { combinationIsMultiFactor, GRAPH_VALUES, MULTI_FACTOR_MODES } from '../../../../src/probes/mfa/entra-grants';
import { startHttp } from '../../../helpers/net';
import { entraHandler, type EntraState, type StrengthFixture } from '../../../probes/mfa/fakes/entra';
import { m, runMfa } from '../../../probes/mfa/helpers';
import { conformance, loadReference, propertiesOf, type Reference } from '../../../probes/mfa/reference-shape';
import { GRANT_CASES, MFA_STRENGTH, PASSWORD_STRENGTH, SMS_SIGN_IN_STRENGTH } from './fixtures';

interface GraphReference extends Reference {
  _source: { descriptions: Record<string, string> };
  enums: Record<string, string[]>;
}
const ref = loadReference<GraphReference>('entra');
const SOURCE = ['entra.ts', 'entra-grants.ts'].map((f) => fs.readFileSync(path.join(__dirname, '../../../../src/probes/mfa', f), 'utf8')).join('\n');

/** Type.property pairs the probe reads (each must also appear in its source, so this list cannot drift). */
const READS: Array<[string, string]> = [
  ['conditionalAccessPolicy', 'id'], ['conditionalAccessPolicy', 'displayName'], ['conditionalAccessPolicy', 'state'], ['conditionalAccessPolicy', 'conditions'], ['conditionalAccessPolicy', 'grantControls'],
  ['conditionalAccessConditionSet', 'users'], ['conditionalAccessConditionSet', 'applications'], ['conditionalAccessConditionSet', 'clientAppTypes'], ['conditionalAccessConditionSet', 'platforms'],
  ['conditionalAccessConditionSet', 'locations'], ['conditionalAccessConditionSet', 'devices'], ['conditionalAccessConditionSet', 'signInRiskLevels'], ['conditionalAccessConditionSet', 'userRiskLevels'],
  ['conditionalAccessConditionSet', 'servicePrincipalRiskLevels'], ['conditionalAccessConditionSet', 'insiderRiskLevels'], ['conditionalAccessConditionSet', 'authenticationFlows'],
  ['conditionalAccessUsers', 'includeUsers'], ['conditionalAccessUsers', 'excludeUsers'], ['conditionalAccessUsers', 'includeRoles'], ['conditionalAccessUsers', 'excludeRoles'], ['conditionalAccessUsers', 'excludeGroups'],
  ['conditionalAccessApplications', 'includeApplications'], ['conditionalAccessApplications', 'excludeApplications'],
  ['conditionalAccessPlatforms', 'includePlatforms'], ['conditionalAccessPlatforms', 'excludePlatforms'], ['conditionalAccessLocations', 'includeLocations'], ['conditionalAccessLocations', 'excludeLocations'],
  ['conditionalAccessDevices', 'deviceFilter'],
  ['conditionalAccessGrantControls', 'operator'], ['conditionalAccessGrantControls', 'builtInControls'], ['conditionalAccessGrantControls', 'customAuthenticationFactors'], ['conditionalAccessGrantControls', 'termsOfUse'], ['conditionalAccessGrantControls', 'authenticationStrength'],
  ['authenticationStrengthPolicy', 'id'], ['authenticationStrengthPolicy', 'displayName'], ['authenticationStrengthPolicy', 'allowedCombinations'], ['authenticationStrengthPolicy', 'requirementsSatisfied'],
  ['identitySecurityDefaultsEnforcementPolicy', 'isEnabled'],
  ['authenticationMethodsPolicy', 'authenticationMethodConfigurations'], ['authenticationMethodsPolicy', 'registrationEnforcement'], ['authenticationMethodConfiguration', 'id'], ['authenticationMethodConfiguration', 'state'],
  ['registrationEnforcement', 'authenticationMethodsRegistrationCampaign'], ['authenticationMethodsRegistrationCampaign', 'state'],
  ['userRegistrationDetails', 'id'], ['userRegistrationDetails', 'userPrincipalName'], ['userRegistrationDetails', 'isAdmin'], ['userRegistrationDetails', 'isMfaRegistered'],
];

describe('names the probe reads are Graph v1.0\'s', () => {
  test.each(READS)('%s.%s is defined in the CSDL and read by the probe', (type, prop) => {
    expect(Object.keys(propertiesOf(ref, type) ?? {})).toContain(prop);
    expect(SOURCE).toContain(prop);
  });

  test('enum members the probe compares against are CSDL members (and the documented operator values)', () => {
    for (const c of GRAPH_VALUES.grantControls) expect(ref.enums.conditionalAccessGrantControl).toContain(c);
    for (const r of GRAPH_VALUES.requirements) expect(ref.enums.authenticationStrengthRequirements).toContain(r);
    for (const mode of MULTI_FACTOR_MODES) expect(ref.enums.authenticationMethodModes).toContain(mode);
    expect(ref.enums.conditionalAccessClientApp).toContain(GRAPH_VALUES.clientAppAll);
    expect(ref.enums.conditionalAccessDevicePlatform).toContain(GRAPH_VALUES.platformAll);
    for (const s of ['enabled', 'disabled', 'enabledForReportingButNotEnforced']) expect(ref.enums.conditionalAccessPolicyState).toContain(s);
    expect(ref._source.descriptions['conditionalAccessGrantControls.operator']).toMatch(/Possible values: AND, OR/);
    for (const op of GRAPH_VALUES.operators) expect(SOURCE).toContain(`'${op}'`);
  });

  test('every single authenticationMethodModes member is classified, and only the multi-factor ones pass alone', () => {
    const singleFactor = ref.enums.authenticationMethodModes.filter((x) => !combinationIsMultiFactor(x));
    expect(singleFactor.sort()).toEqual(['email', 'federatedSingleFactor', 'hardwareOath', 'microsoftAuthenticatorPush', 'password', 'qrCodePin', 'sms', 'softwareOath', 'unknownFutureValue', 'voice', 'x509CertificateSingleFactor']);
  });

  test('fixtures are shaped as the CSDL defines them; the check rejects what it does not define', () => {
    for (const [, p] of GRANT_CASES) expect(conformance(ref, 'conditionalAccessPolicy', p)).toEqual([]);
    for (const s of [MFA_STRENGTH, SMS_SIGN_IN_STRENGTH, PASSWORD_STRENGTH]) expect(conformance(ref, 'authenticationStrengthPolicy', s)).toEqual([]);
    expect(conformance(ref, 'conditionalAccessGrantControls', { operator: 'OR', builtInControls: ['mfa', 'trustedDevice'] })).toEqual(['$.builtInControls[1]: "trustedDevice" is not a member of conditionalAccessGrantControl (block, mfa, compliantDevice, domainJoinedDevice, approvedApplication, compliantApplication, passwordChange, unknownFutureValue, riskRemediation)']);
    expect(conformance(ref, 'authenticationStrengthPolicy', { allowedCombinations: ['password,smsOtp'] })[0]).toMatch(/"smsOtp" is not a member of authenticationMethodModes/);
  });
});

describe('verdicts on policies built from the CSDL', () => {
  const base = (rawPolicies: unknown[]): EntraState => ({
    tenant: 'conformance-tenant', clientId: 'app-conf', clientSecret: 'conf~secret~0001', policies: [], rawPolicies,
    securityDefaults: false, methods: { MicrosoftAuthenticator: 'enabled', Fido2: 'enabled' }, admins: [{ upn: 'ga@contoso.example', registered: true }], pageSize: 100,
    strengths: [MFA_STRENGTH, SMS_SIGN_IN_STRENGTH, PASSWORD_STRENGTH] as StrengthFixture[],
  });

  test.each(GRANT_CASES)('%s: all-users MFA judged as Entra grants access', async (_name, p, enforced) => {
    const s = base([p]);
    const server = await startHttp(entraHandler(s));
    try {
      const r = await runMfa(server.url, { posture: { provider: 'entra', tenantId: s.tenant, clientId: s.clientId, clientSecret: '${env:G}', tokenUrl: `${server.url}/${s.tenant}/oauth2/v2.0/token` } }, { env: { G: s.clientSecret } });
      expect(r.status).not.toBe('error');
      expect(m(r).enforced).toEqual({ all_users: enforced ? 1 : 0, admins: enforced ? 1 : 0 });
      expect(new Set(r.findings.map((f) => f.id)).size).toBe(r.findings.length);
    } finally {
      await server.close();
    }
  });
});
