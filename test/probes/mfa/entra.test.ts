/** mfa posture against a local server with Microsoft Graph's published shapes (see fakes/entra.ts). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_PRIVILEGED_ROLES } from '../../../src/probes/mfa/entra';
import { startHttp, type Started } from '../../helpers/net';
import { entraHandler, GLOBAL_ADMIN, graphError, SECURITY_ADMIN, type EntraState, type StrengthFixture } from './fakes/entra';
import { failing, finding, m, runMfa, send } from './helpers';

const SECRET = 'entra~client~secret~value~0123';
const ENV = { GRAPH_SECRET: SECRET };

function state(over: Partial<EntraState> = {}): EntraState {
  return {
    tenant: 'contoso-tenant',
    clientId: 'app-pengawas',
    clientSecret: SECRET,
    policies: [
      { displayName: 'Require MFA for administrators', state: 'enabled', includeRoles: Object.keys(DEFAULT_PRIVILEGED_ROLES) },
      { displayName: 'Require MFA for all users', state: 'enabled', includeUsers: ['All'], excludeUsers: ['breakglass-1'] },
      { displayName: 'Block legacy authentication', state: 'enabled', includeUsers: ['All'], controls: ['block'] },
    ],
    securityDefaults: false,
    methods: { MicrosoftAuthenticator: 'enabled', Fido2: 'enabled', Sms: 'disabled' },
    admins: [
      { upn: 'ga@contoso.example', registered: true },
      { upn: 'secadmin@contoso.example', registered: true },
    ],
    pageSize: 100,
    ...over,
  };
}

let server: Started | undefined;
let fault: ((req: IncomingMessage, res: ServerResponse, path: string) => boolean) | undefined;

async function run(s: EntraState, extra: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = ENV) {
  server = await startHttp(entraHandler(s, (req, res, path) => fault?.(req, res, path) ?? false));
  return runMfa(
    server.url,
    {
      posture: {
        provider: 'entra',
        tenantId: s.tenant,
        clientId: s.clientId,
        clientSecret: '${env:GRAPH_SECRET}',
        tokenUrl: `${server.url}/${s.tenant}/oauth2/v2.0/token`,
        ...extra,
      },
    },
    { env },
  );
}
afterEach(async () => {
  fault = undefined;
  await server?.close();
  server = undefined;
});

test('enforced: enabled CA policies cover all users and every privileged role, admins registered → pass (exclusions warned)', async () => {
  const r = await run(state());
  expect(failing(r)).toEqual(['mfa.policy_exclusions:warn']);
  expect(r.status).toBe('warn');
  expect(m(r).enforced).toEqual({ all_users: 1, admins: 1 });
  expect(m(r).coverage.privileged).toEqual({ enrolled: 2, total: 2, ratio: 1 });
  expect(JSON.stringify(r)).not.toContain(SECRET);
});

test('report-only Conditional Access enforces nothing: policy_report_only and admin_not_enforced fail', async () => {
  const r = await run(
    state({
      policies: [
        {
          displayName: 'Require MFA for administrators',
          state: 'enabledForReportingButNotEnforced',
          includeRoles: Object.keys(DEFAULT_PRIVILEGED_ROLES),
        },
        { displayName: 'Require MFA for all users', state: 'enabledForReportingButNotEnforced', includeUsers: ['All'] },
      ],
    }),
  );
  expect(r.status).toBe('fail');
  expect(failing(r)).toEqual(['mfa.admin_not_enforced:fail', 'mfa.flow_not_enforced:fail', 'mfa.policy_report_only:fail']);
  expect(finding(r, 'mfa.policy_report_only')!.evidence).toEqual({
    policies: [
      { policy: 'Require MFA for administrators', id: 'cap-0' },
      { policy: 'Require MFA for all users', id: 'cap-1' },
    ],
  });
  expect(finding(r, 'mfa.admin_not_enforced')!.evidence).toMatchObject({
    reportOnlyCovering: ['Require MFA for administrators', 'Require MFA for all users'],
  });
  expect(m(r).enforced).toEqual({ all_users: 0, admins: 0 });
});

test('not enforced: a privileged role excluded from the only MFA policy, and a disabled policy does not count', async () => {
  const r = await run(
    state({
      policies: [
        { displayName: 'MFA for everyone', state: 'enabled', includeUsers: ['All'], excludeRoles: [GLOBAL_ADMIN] },
        { displayName: 'MFA for GA (off)', state: 'disabled', includeRoles: [GLOBAL_ADMIN] },
      ],
    }),
    { privilegedRoleIds: [GLOBAL_ADMIN, SECURITY_ADMIN] },
  );
  expect(finding(r, 'mfa.admin_not_enforced')!.evidence).toMatchObject({ roles: [{ id: GLOBAL_ADMIN, name: 'Global Administrator' }] });
  expect(m(r).enforced).toEqual({ all_users: 1, admins: 0 });
});

test('security defaults on and no CA policy: admins enforced, all users not', async () => {
  const r = await run(state({ policies: [], securityDefaults: true }));
  expect(m(r).enforced).toEqual({ all_users: 0, admins: 1 });
  expect(failing(r)).toEqual(['mfa.flow_not_enforced:fail']);
});

test('policies and registration details are read across several @odata.nextLink pages; an admin without MFA is listed', async () => {
  const admins = Array.from({ length: 12 }, (_, i) => ({ upn: `admin${i}@contoso.example`, registered: i !== 7 }));
  const pages: string[] = [];
  fault = (req, _res, path) => {
    if (path.startsWith('/v1.0/'))
      pages.push(`${path.split('/').pop()}:${new URL(req.url!, 'http://x').searchParams.get('$skiptoken') ?? '-'}`);
    return false;
  };
  const filler = Array.from({ length: 4 }, (_, i) => ({
    displayName: `Legacy policy ${i}`,
    state: 'disabled' as const,
    includeUsers: ['All'],
  }));
  const r = await run(
    state({ admins, pageSize: 5, methods: { Sms: 'enabled', Email: 'enabled' }, policies: [...filler, ...state().policies] }),
  );
  expect(pages.filter((p) => p.startsWith('userRegistrationDetails'))).toHaveLength(3);
  expect(pages.filter((p) => p.startsWith('policies:'))).toHaveLength(2);
  expect(m(r).enforced).toEqual({ all_users: 1, admins: 1 });
  expect(m(r).coverage.privileged).toEqual({ enrolled: 11, total: 12, ratio: 0.917 });
  const ev = finding(r, 'mfa.user_not_enrolled')!.evidence as { users: unknown };
  expect(ev.users).toEqual([{ id: '00000000-0000-0000-0000-000000000007', username: 'admin7@contoso.example' }]);
  expect(finding(r, 'mfa.no_strong_method_enabled')!.status).toBe('fail');
});

test('403 Authorization_RequestDenied (missing AuditLog.Read.All) → error PROBE_PERMISSION_DENIED', async () => {
  fault = (_req, res, path) => {
    if (!path.includes('userRegistrationDetails')) return false;
    send(res, 403, graphError('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'));
    return true;
  };
  const r = await run(state());
  expect(r.errorCode).toBe('PROBE_PERMISSION_DENIED');
  expect(r.findings[0].message).toMatch(/Authorization_RequestDenied: Insufficient privileges/);
});

test('wrong client secret → error PROBE_CREDENTIALS; 429 with Retry-After is retried', async () => {
  const bad = await run(state(), {}, { GRAPH_SECRET: 'not-the-secret-123' });
  expect(bad.errorCode).toBe('PROBE_CREDENTIALS');
  expect(bad.findings[0].message).toMatch(/invalid_client/);
  await server!.close();

  let throttled = 0;
  fault = (_req, res, path) => {
    if (!path.endsWith('/policies') || throttled++ > 0) return false;
    send(res, 429, graphError('TooManyRequests', 'Too many requests'), { 'retry-after': '1' });
    return true;
  };
  const r = await run(state());
  expect(m(r).enforced).toEqual({ all_users: 1, admins: 1 });
});

test('a 200 with a truncated JSON page → error PROBE_PROTOCOL, never pass', async () => {
  fault = (_req, res, path) => {
    if (!path.endsWith('/authenticationMethodsPolicy')) return false;
    send(res, 200, '{"id":"authenticationMethodsPolicy","authenticationMethodConfigurations":[{"id":"Fido2"');
    return true;
  };
  const r = await run(state());
  expect(r.status).toBe('error');
  expect(r.errorCode).toBe('PROBE_PROTOCOL');
});

/**
 * Strengths shaped as authenticationStrengthPolicy in the Graph v1.0 CSDL: allowedCombinations are
 * authenticationMethodModes combinations, requirementsSatisfied an authenticationStrengthRequirements member. The
 * built-in "Multifactor authentication" strength has id 00000000-0000-0000-0000-000000000002.
 */
const MFA_STRENGTH: StrengthFixture = {
  id: '00000000-0000-0000-0000-000000000002',
  displayName: 'Multifactor authentication',
  policyType: 'builtIn',
  requirementsSatisfied: 'mfa',
  allowedCombinations: [
    'windowsHelloForBusiness',
    'fido2',
    'x509CertificateMultiFactor',
    'deviceBasedPush',
    'temporaryAccessPassOneTime',
    'password,microsoftAuthenticatorPush',
    'password,softwareOath',
    'password,sms',
  ],
};
const SINGLE_FACTOR_STRENGTH: StrengthFixture = {
  id: 'c0ffee00-0000-4000-8000-000000000001',
  displayName: 'Password or FIDO2',
  policyType: 'custom',
  requirementsSatisfied: 'mfa',
  allowedCombinations: ['fido2', 'password'],
};
const everyone = (over: Partial<EntraState['policies'][number]>) => [
  { displayName: 'Everyone', state: 'enabled' as const, includeUsers: ['All'], ...over },
];

test.each([
  [
    'OR over mfa and compliantDevice: a compliant device alone lets users in',
    { controls: ['mfa', 'compliantDevice'], operator: 'OR' as const },
    /operator OR: compliantDevice alone/,
  ],
  [
    'a strength that allows the single-factor combination "password"',
    { strength: SINGLE_FACTOR_STRENGTH.id },
    /single-factor combination\(s\) "password"/,
  ],
  [
    'a strength listed by id only, read by id: single-factor',
    { strength: SINGLE_FACTOR_STRENGTH.id, strengthRef: true },
    /single-factor combination\(s\) "password"/,
  ],
  ['MFA only on high sign-in risk', { conditions: { signInRiskLevels: ['high'] } }, /signInRiskLevels high only/],
])('not enforced: %s', async (_name, over, reason) => {
  const r = await run(state({ policies: everyone(over), strengths: [MFA_STRENGTH, SINGLE_FACTOR_STRENGTH] }));
  expect(r.status).toBe('fail');
  expect(m(r).enforced).toEqual({ all_users: 0, admins: 0 });
  expect(failing(r)).toEqual(['mfa.admin_not_enforced:fail', 'mfa.flow_not_enforced:fail']);
  const ev = finding(r, 'mfa.flow_not_enforced')!.evidence as { notCounted: Array<{ policy: string; reason: string }> };
  expect(ev.notCounted).toHaveLength(1);
  expect(ev.notCounted[0].reason).toMatch(reason);
});

test.each([
  ['AND over mfa and compliantDevice', { controls: ['mfa', 'compliantDevice'], operator: 'AND' as const }],
  ['the built-in Multifactor authentication strength', { strength: MFA_STRENGTH.id }],
  ['the built-in strength listed by id only', { strength: MFA_STRENGTH.id, strengthRef: true }],
])('enforced: %s', async (_name, over) => {
  const r = await run(state({ policies: everyone(over), strengths: [MFA_STRENGTH, SINGLE_FACTOR_STRENGTH] }));
  expect(m(r).enforced).toEqual({ all_users: 1, admins: 1 });
  expect(failing(r)).toEqual([]);
});

test('a trusted-location exclusion is listed with the other exclusions', async () => {
  const r = await run(
    state({ policies: everyone({ conditions: { locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] } } }) }),
  );
  expect(m(r).enforced).toEqual({ all_users: 1, admins: 1 });
  expect(finding(r, 'mfa.policy_exclusions')!.evidence).toEqual({ exclusions: ['location:AllTrusted'] });
});
