/**
 * Keycloak conformance: the names the mfa probe reads exist in Keycloak's definitions (reference.json: Admin REST
 * representations and paths, the factories' provider ids and config keys), the fixtures are shaped as those
 * definitions, and the probe's verdicts on them are the ones Keycloak's flow evaluation gives.
 */
import { goodRealm, type DemoSecrets } from '../../../../src/demo/targets/identity/realms';
import { SECOND_FACTOR_CREDENTIALS } from '../../../../src/probes/mfa/keycloak';
import { NOT_A_PASSWORD_PATH, ROLE_CONDITION, SECOND_FACTOR } from '../../../../src/probes/mfa/keycloak-flows';
import { startHttp, type Started } from '../../../helpers/net';
import { keycloakFake, type FakeRealm } from '../../../probes/mfa/fakes/keycloak';
import { failing, m, runMfa } from '../../../probes/mfa/helpers';
import { conformance, loadReference, type Reference } from '../../../probes/mfa/reference-shape';
import { DIRECT_GRANT_REQUIRED, FLOW_CASES } from './fixtures';

interface KeycloakReference extends Reference {
  paths: Record<string, string[]>;
  constants: Record<string, { values?: string[]; providerId?: string; roleKey?: string; negateKey?: string }>;
}
const ref = loadReference<KeycloakReference>('keycloak');
const SECRETS: DemoSecrets = { clientSecret: 'kc-conf-secret-51', monitorPassword: 'monitor-pass-51', monitorTotpSeed: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', adminSeed: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU' };
/** Query parameters Keycloak accepts beyond the 23.0.7 reference: RoleContainerResource.getUsersInRole gained
 * `@QueryParam("briefRepresentation")` (services/src/main/java/org/keycloak/services/resources/admin/RoleContainerResource.java). */
const NEWER_QUERY: Record<string, string[]> = { '/{realm}/roles/{role-name}/users': ['briefRepresentation'], '/{realm}/clients/{id}/roles/{role-name}/users': ['briefRepresentation'] };

describe('names the probe reads are Keycloak\'s', () => {
  test('second-factor authenticators, non-password alternatives and credential types are Keycloak provider ids / types', () => {
    expect([...SECOND_FACTOR].sort()).toEqual([...ref.constants.secondFactorProviders.values!].sort());
    expect([...NOT_A_PASSWORD_PATH].sort()).toEqual([...ref.constants.nonPasswordAlternatives.values!].sort());
    expect([...SECOND_FACTOR_CREDENTIALS].sort()).toEqual([...ref.constants.secondFactorCredentials.values!].sort());
  });

  test('the role condition is read with ConditionalRoleAuthenticatorFactory\'s keys (negate, not negateOutput)', () => {
    expect(ROLE_CONDITION).toEqual({ providerId: ref.constants.roleCondition.providerId, roleKey: ref.constants.roleCondition.roleKey, negateKey: ref.constants.roleCondition.negateKey });
  });

  test('every fixture execution and config is shaped as AuthenticationExecutionInfoRepresentation / AuthenticatorConfigRepresentation', () => {
    const requirements = ref.constants.requirements.values!;
    for (const [name, c] of Object.entries(FLOW_CASES)) {
      expect({ name, problems: conformance(ref, 'AuthenticationExecutionInfoRepresentation[]', c.flow) }).toEqual({ name, problems: [] });
      expect(c.flow.every((e) => requirements.includes(e.requirement) && e.requirementChoices.every((r) => requirements.includes(r)))).toBe(true);
      for (const cfg of c.configs) {
        expect(conformance(ref, 'AuthenticatorConfigRepresentation', cfg)).toEqual([]);
        expect(Object.keys(cfg.config).every((k) => k === ROLE_CONDITION.roleKey || k === ROLE_CONDITION.negateKey)).toBe(true);
      }
    }
    expect(conformance(ref, 'AuthenticationExecutionInfoRepresentation[]', DIRECT_GRANT_REQUIRED)).toEqual([]);
  });

  test('the shape check itself rejects a key Keycloak does not define', () => {
    expect(conformance(ref, 'AuthenticationExecutionInfoRepresentation', { id: 'x', negateOutput: 'true' })).toEqual(['$.negateOutput: not a property of AuthenticationExecutionInfoRepresentation']);
  });
});

describe('verdicts on flows built from Keycloak\'s definitions', () => {
  let server: Started;
  const requests: string[] = [];

  function realm(name: string, c: { flow: unknown[]; configs: Array<{ id: string; alias: string; config: Record<string, string> }> }): FakeRealm {
    const r: FakeRealm = goodRealm(SECRETS);
    r.realm.realm = name;
    r.realm.browserFlow = `browser-${name}`;
    r.realm.directGrantFlow = `direct-grant-${name}`;
    r.flows = { [`browser-${name}`]: c.flow as FakeRealm['flows'][string], [`direct-grant-${name}`]: DIRECT_GRANT_REQUIRED };
    r.configs = Object.fromEntries(c.configs.map((x) => [x.id, x]));
    r.roles = ['realm-admin', 'auditor'];
    r.users = r.users.map((u) => (u.groups?.includes('/admins') ? { ...u, realmRoles: ['realm-admin'] } : u));
    return r;
  }

  beforeAll(async () => {
    const realms = Object.fromEntries(Object.entries(FLOW_CASES).map(([name, c]) => [name, realm(name, c)]));
    server = await startHttp(keycloakFake(realms, { intercept: (req, _res, path) => (path.startsWith('/admin/') && requests.push(req.url!), false) }));
  });
  afterAll(() => server.close());

  const run = (name: string) => runMfa(server.url, { posture: { provider: 'keycloak', realm: name, clientId: 'pengawas-audit', clientSecret: '${env:KC_SECRET}', privilegedRoles: ['realm-admin'], requireForAllUsers: false } }, { env: { KC_SECRET: SECRETS.clientSecret } });

  test.each([
    ['builtIn', 0, 0],
    ['required', 1, 1],
    ['role', 0, 1],
    ['negated', 0, 0],
    ['noCondition', 0, 0],
    ['bothRoles', 0, 0],
  ] as const)('%s: browser enforced %i, privileged users covered %i', async (name, browser, privileged) => {
    const r = await run(name);
    expect(r.status).not.toBe('error');
    expect(m(r).enforced).toEqual({ browser, direct_grant: 1, privileged });
    expect(failing(r)).toEqual(privileged ? [] : ['mfa.admin_not_enforced:fail']);
    expect(new Set(r.findings.map((f) => f.id)).size).toBe(r.findings.length);
  });

  test('every request is a path of the Keycloak Admin REST API with query parameters it defines', () => {
    expect(requests.length).toBeGreaterThan(20);
    const templates = Object.keys(ref.paths).map((t) => ({ t, re: new RegExp(`^/admin/realms${t.replace(/\{realm\}/, '[^/]+').replace(/\{[^}]+\}/g, '[^/]+')}$`) }));
    for (const url of requests) {
      const u = new URL(url, 'http://x');
      const match = templates.find((x) => x.re.test(u.pathname));
      expect({ url, template: match?.t ?? 'none' }).not.toEqual({ url, template: 'none' });
      const allowed = [...ref.paths[match!.t], ...(NEWER_QUERY[match!.t] ?? [])];
      expect({ url, unknown: [...u.searchParams.keys()].filter((k) => !allowed.includes(k)) }).toEqual({ url, unknown: [] });
    }
  });
});
