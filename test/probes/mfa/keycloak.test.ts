/**
 * mfa posture against a Keycloak-shaped server (src/demo/targets/identity/server.ts, with the group/role model of
 * fakes/keycloak.ts: subgroups, group role mappings, composite and client roles). Shapes follow the Keycloak
 * Admin REST API reference, https://www.keycloak.org/docs-api/latest/rest-api (RealmRepresentation otpPolicy* and
 * bruteForceProtected; GET /admin/realms/{realm}/authentication/flows/{flowAlias}/executions returning
 * AuthenticationExecutionInfoRepresentation with requirement/level/index; /authentication/required-actions;
 * /group-by-path/{path}; /groups/{id}/members and /roles/{role}/users with `first`/`max` offset paging;
 * /users/{id}/credentials). Flow semantics and the default "Browser - Conditional OTP" sub-flow follow the Server
 * Administration Guide, "Configuring authentication" (docs.redhat.com … red_hat_build_of_keycloak/24.0 …).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  goodRealm,
  roleConditionalBrowserFlow,
  enforcedDirectGrantFlow,
  weakRealm,
  type DemoSecrets,
} from '../../../src/demo/targets/identity/realms';
import type { KcRealm } from '../../../src/demo/targets/identity/server';
import { startHttp, type Started } from '../../helpers/net';
import { keycloakFake, type FakeRealm } from './fakes/keycloak';
import { failing, finding, m, runMfa, send } from './helpers';

const SECRETS: DemoSecrets = {
  clientSecret: 'kc-test-secret-5f0c2a',
  monitorPassword: 'monitor-pass-9d1e',
  monitorTotpSeed: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  adminSeed: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU',
};
const ENV = { KC_SECRET: SECRETS.clientSecret };

function posture(realm: string, extra: Record<string, unknown> = {}) {
  return {
    posture: {
      provider: 'keycloak',
      realm,
      clientId: 'pengawas-audit',
      clientSecret: '${env:KC_SECRET}',
      privilegedGroups: ['/admins'],
      ...extra,
    },
  };
}

/** A realm whose /admins group has 230 members (3 pages of 100), 7 of them without a second factor. */
function bigRealm(): KcRealm {
  const r = goodRealm(SECRETS);
  r.realm.realm = 'big';
  r.users = Array.from({ length: 230 }, (_, i) => ({
    id: `u-${i}`,
    username: `admin${i}`,
    password: 'x',
    groups: ['/admins'],
    ...(i % 33 === 5 ? {} : { credentialTypes: ['otp'] }),
  }));
  return r;
}

/** OTP REQUIRED only for holders of realm-admin (conditional-user-role), password-only for everyone else. */
function roleRealm(): KcRealm {
  const r = goodRealm(SECRETS);
  r.realm.realm = 'roles';
  r.realm.browserFlow = 'browser-admin-otp';
  r.flows = { 'browser-admin-otp': roleConditionalBrowserFlow('cfg-1'), 'direct-grant-mfa': enforcedDirectGrantFlow() };
  r.configs = { 'cfg-1': { id: 'cfg-1', alias: 'admins', config: { condUserRole: 'realm-admin', negate: 'false' } } };
  r.roles = ['realm-admin', 'auditor'];
  r.users = r.users.map((u) => (u.groups?.includes('/admins') ? { ...u, realmRoles: ['realm-admin'] } : u));
  return r;
}

/** /admins with an admin two levels down (/admins/ops/night) who has no second factor. */
function nestedRealm(name: string, legacyGroups: boolean): FakeRealm {
  const r: FakeRealm = goodRealm(SECRETS);
  r.realm.realm = name;
  r.groups = [
    ...r.groups,
    { id: `g-${name}-ops`, name: 'ops', path: '/admins/ops' },
    { id: `g-${name}-night`, name: 'night', path: '/admins/ops/night' },
    { id: `g-${name}-other`, name: 'other', path: '/other' },
  ];
  r.users = [
    ...r.users,
    { id: 'u-night', username: 'night.admin', password: 'x', groups: ['/admins/ops/night'] },
    { id: 'u-other', username: 'other.user', password: 'x', groups: ['/other'] },
  ];
  r.model = { legacyGroups };
  return r;
}

/**
 * Privilege held every way Keycloak grants it. payments-admin: directly (direct.admin), through group /payments-team
 * (group.admin) and its subgroup (night.admin), through composites super-admin ⊃ ops-lead ⊃ payments-admin
 * (composite.admin) and through the cycle loop-a ⊃ loop-b ⊃ {loop-a, payments-admin} (loop.admin).
 * realm-management/realm-admin: directly (client.admin), through group /kc-admins (client.group.admin) and through
 * the realm composite platform-owner (owner.admin). Not privileged: viewer (view-users, which realm-admin contains),
 * plain.user, and disabled.admin (disabled).
 */
function indirectRealm(legacyGroups = false): FakeRealm {
  const r: FakeRealm = goodRealm(SECRETS);
  r.realm.realm = legacyGroups ? 'indirect-old' : 'indirect';
  r.roles = ['payments-admin', 'auditor'];
  r.groups = [
    { id: 'g-pay', name: 'payments-team', path: '/payments-team' },
    { id: 'g-pay-night', name: 'night', path: '/payments-team/night' },
    { id: 'g-kc', name: 'kc-admins', path: '/kc-admins' },
    { id: 'g-staff', name: 'staff', path: '/staff' },
  ];
  const otp = { credentialTypes: ['otp'] };
  r.users = [
    { id: 'u-direct', username: 'direct.admin', realmRoles: ['payments-admin'], ...otp },
    { id: 'u-group', username: 'group.admin', groups: ['/payments-team'] },
    { id: 'u-night', username: 'night.admin', groups: ['/payments-team/night'], ...otp },
    { id: 'u-composite', username: 'composite.admin', realmRoles: ['super-admin'] },
    { id: 'u-loop', username: 'loop.admin', realmRoles: ['loop-a'], credentialTypes: ['webauthn'] },
    { id: 'u-client', username: 'client.admin', clientRoles: ['realm-management/realm-admin'], credentialTypes: ['webauthn'] },
    { id: 'u-client-group', username: 'client.group.admin', groups: ['/kc-admins'] },
    { id: 'u-owner', username: 'owner.admin', realmRoles: ['platform-owner'], ...otp },
    { id: 'u-viewer', username: 'viewer', clientRoles: ['realm-management/view-users'] },
    { id: 'u-plain', username: 'plain.user', realmRoles: ['auditor'], groups: ['/staff'] },
    { id: 'u-disabled', username: 'disabled.admin', realmRoles: ['payments-admin'], enabled: false },
  ];
  r.model = {
    legacyGroups,
    roles: [
      { name: 'ops-lead', composites: ['payments-admin'] },
      { name: 'super-admin', composites: ['ops-lead'] },
      { name: 'platform-owner', composites: ['realm-management/realm-admin'] },
      { name: 'loop-a', composites: ['loop-b'] },
      { name: 'loop-b', composites: ['loop-a', 'payments-admin'] },
      { name: 'self-loop', composites: ['self-loop'] },
    ],
    clientRoles: {
      'realm-management': [
        { name: 'realm-admin', composites: ['realm-management/manage-users', 'realm-management/view-users'] },
        { name: 'manage-users' },
        { name: 'view-users' },
      ],
    },
    groupRoles: { '/payments-team': ['payments-admin'], '/kc-admins': ['realm-management/realm-admin'] },
  };
  return r;
}

/** 130 subgroups under /admins (two pages of children) and payments-admin mapped to 120 groups (two pages). */
function wideRealm(): FakeRealm {
  const r: FakeRealm = goodRealm(SECRETS);
  r.realm.realm = 'wide';
  r.roles = ['payments-admin'];
  const teams = Array.from({ length: 130 }, (_, i) => ({ id: `g-team-${i}`, name: `team-${i}`, path: `/admins/team-${i}` }));
  const desks = Array.from({ length: 120 }, (_, i) => ({ id: `g-desk-${i}`, name: `desk-${i}`, path: `/desk-${i}` }));
  r.groups = [...r.groups, ...teams, ...desks];
  r.users = [
    ...r.users,
    { id: 'u-team', username: 'team.admin', groups: ['/admins/team-129'] },
    { id: 'u-desk', username: 'desk.admin', groups: ['/desk-119'], credentialTypes: ['otp'] },
  ];
  r.model = { groupRoles: Object.fromEntries(desks.map((d) => [d.path, ['payments-admin']])) };
  return r;
}

/** roleRealm with the OTP condition on the client role realm-management/realm-admin (condUserRole "client.role"). */
function clientConditionRealm(): FakeRealm {
  const r: FakeRealm = roleRealm();
  r.realm.realm = 'client-cond';
  r.configs = { 'cfg-1': { id: 'cfg-1', alias: 'admins', config: { condUserRole: 'realm-management.realm-admin', negate: 'false' } } };
  r.users = r.users.map((u) =>
    u.realmRoles?.includes('realm-admin') ? { ...u, realmRoles: [], clientRoles: ['realm-management/realm-admin'] } : u,
  );
  r.model = { clientRoles: { 'realm-management': [{ name: 'realm-admin' }] } };
  return r;
}

/**
 * OTP for everyone *except* realm-admin: the role condition is negated with Keycloak's own config key `negate`
 * (ConditionalRoleAuthenticatorFactory.CONF_NEGATE, label "Negate output"; keycloak/keycloak
 * services/src/main/java/org/keycloak/authentication/authenticators/conditional/ConditionalRoleAuthenticatorFactory.java
 * @ 898fdedcdabc022e43b06d99335d1cfda5adf204). The value is read with Boolean.parseBoolean, so "TRUE" negates too.
 */
function negatedRealm(value: string): KcRealm {
  const r = roleRealm();
  r.realm.realm = `negated-${value}`;
  r.configs = { 'cfg-1': { id: 'cfg-1', alias: 'not-admins', config: { condUserRole: 'realm-admin', negate: value } } };
  return r;
}

function rolePosture(realm: string, privilegedRoles: string[], extra: Record<string, unknown> = {}) {
  return {
    posture: { provider: 'keycloak', realm, clientId: 'pengawas-audit', clientSecret: '${env:KC_SECRET}', privilegedRoles, ...extra },
  };
}

const unenrolledUsers = (r: Awaited<ReturnType<typeof runMfa>>) =>
  (finding(r, 'mfa.user_not_enrolled')!.evidence as { users: Array<{ id: string; username: string; via: string }> }).users;

let server: Started;
let fault: ((req: IncomingMessage, res: ServerResponse, path: string) => boolean) | undefined;
let tokenCalls = 0;

beforeAll(async () => {
  const realms: Record<string, FakeRealm> = {
    'pengawas-good': goodRealm(SECRETS),
    'pengawas-weak': weakRealm(SECRETS),
    big: bigRealm(),
    roles: roleRealm(),
    nested: nestedRealm('nested', false),
    'nested-old': nestedRealm('nested-old', true),
    indirect: indirectRealm(),
    'indirect-old': indirectRealm(true),
    wide: wideRealm(),
    'client-cond': clientConditionRealm(),
    'negated-true': negatedRealm('true'),
    'negated-TRUE': negatedRealm('TRUE'),
  };
  const handler = keycloakFake(realms, {
    intercept: (req, res, path) => {
      if (path.endsWith('/openid-connect/token')) tokenCalls += 1;
      return fault?.(req, res, path) ?? false;
    },
  });
  server = await startHttp(handler);
});
afterAll(() => server.close());
beforeEach(() => {
  fault = undefined;
  tokenCalls = 0;
});

test('a realm that enforces OTP everywhere passes, with coverage 1 and no unenrolled admins', async () => {
  const r = await runMfa(server.url, posture('pengawas-good'), { env: ENV });
  expect(failing(r)).toEqual([]);
  expect(r.status).toBe('pass');
  expect(m(r).enforced).toEqual({ browser: 1, direct_grant: 1, privileged: 1 });
  expect(m(r).coverage.privileged).toEqual({ enrolled: 2, total: 2, ratio: 1 });
  expect(m(r).unenrolledPrivileged).toBe(0);
  expect(m(r).api!.requests).toBeGreaterThanOrEqual(6);
});

test('Keycloak defaults fail: conditional OTP, weak OTP policy, no lockout, an admin without a factor', async () => {
  const r = await runMfa(server.url, posture('pengawas-weak'), { env: ENV });
  expect(r.status).toBe('fail');
  expect(failing(r)).toEqual([
    'mfa.admin_not_enforced:fail',
    'mfa.bruteforce_protection_off:fail',
    'mfa.enrolment_not_default:warn',
    'mfa.flow_not_enforced:fail',
    'mfa.otp_policy_weak:fail',
    'mfa.user_not_enrolled:fail',
  ]);
  expect(finding(r, 'mfa.flow_not_enforced')!.message).toMatch(/user configured/);
  const weak = finding(r, 'mfa.otp_policy_weak')!.evidence as { problems: Array<{ field: string }> };
  expect(weak.problems.map((p) => p.field).sort()).toEqual([
    'otpPolicyCodeReusable',
    'otpPolicyDigits',
    'otpPolicyLookAheadWindow',
    'otpPolicyPeriod',
  ]);
  const unenrolled = finding(r, 'mfa.user_not_enrolled')!.evidence as { users: Array<{ id: string; username: string }> };
  expect(unenrolled.users).toEqual([{ id: 'u-weak-2', username: 'legacy.admin', via: 'group /admins' }]);
  expect(m(r).enforced).toEqual({ browser: 0, direct_grant: 0, privileged: 0 });
  expect(m(r).coverage.privileged).toEqual({ enrolled: 1, total: 2, ratio: 0.5 });
  // Evidence names users, never secrets.
  expect(JSON.stringify(r)).not.toContain(SECRETS.clientSecret);
  expect(JSON.stringify(r)).not.toContain(SECRETS.monitorPassword);
});

test('a role-conditional OTP covers privileged users by role but not everyone', async () => {
  const r = await runMfa(
    server.url,
    {
      posture: {
        provider: 'keycloak',
        realm: 'roles',
        clientId: 'pengawas-audit',
        clientSecret: '${env:KC_SECRET}',
        privilegedRoles: ['realm-admin'],
      },
    },
    { env: ENV },
  );
  expect(m(r).enforced).toEqual({ browser: 0, direct_grant: 1, privileged: 1 });
  expect(failing(r)).toEqual(['mfa.flow_not_enforced:fail']);
  expect(finding(r, 'mfa.flow_not_enforced')!.evidence).toEqual({
    flows: [
      { scope: 'browser', flow: 'browser-admin-otp', enforced: false, requirement: 'REQUIRED only for role(s) realm-admin' },
      { scope: 'direct_grant', flow: 'direct-grant-mfa', enforced: true, requirement: 'REQUIRED for every user' },
    ],
  });
  const lenient = await runMfa(
    server.url,
    {
      posture: {
        provider: 'keycloak',
        realm: 'roles',
        clientId: 'pengawas-audit',
        clientSecret: '${env:KC_SECRET}',
        privilegedRoles: ['realm-admin'],
        requireForAllUsers: false,
      },
    },
    { env: ENV },
  );
  expect(lenient.status).toBe('pass');
});

test.each(['true', 'TRUE'])(
  'a role condition negated with Keycloak\'s "negate" key (%s) exempts the privileged role: admin_not_enforced fails',
  async (value) => {
    const r = await runMfa(server.url, rolePosture(`negated-${value}`, ['realm-admin'], { requireForAllUsers: false }), { env: ENV });
    expect(r.status).toBe('fail');
    expect(failing(r)).toEqual(['mfa.admin_not_enforced:fail']);
    expect(m(r).enforced).toEqual({ browser: 0, direct_grant: 1, privileged: 0 });
    expect(JSON.stringify(finding(r, 'mfa.admin_not_enforced')!.evidence)).toMatch(/negated/);
  },
);

test('a privileged role nobody holds is a warning: coverage cannot be measured', async () => {
  const r = await runMfa(
    server.url,
    {
      posture: {
        provider: 'keycloak',
        realm: 'roles',
        clientId: 'pengawas-audit',
        clientSecret: '${env:KC_SECRET}',
        privilegedRoles: ['auditor'],
        requireForAllUsers: false,
        flows: ['directGrant'],
      },
    },
    { env: ENV },
  );
  expect(failing(r)).toEqual(['mfa.privileged_scope_empty:warn']);
  expect(m(r).coverage.privileged).toEqual({ enrolled: 0, total: 0, ratio: null });
});

test('members are read across several first/max pages', async () => {
  const seen: string[] = [];
  fault = (req, _res, path) => {
    if (path.endsWith('/members')) seen.push(new URL(req.url!, 'http://x').searchParams.get('first')!);
    return false;
  };
  const r = await runMfa(server.url, posture('big'), { env: ENV, timeoutMs: 20_000 });
  expect(seen).toEqual(['0', '100', '200']);
  expect(m(r).coverage.privileged).toEqual({ enrolled: 223, total: 230, ratio: 0.97 });
  expect(m(r).unenrolledPrivileged).toBe(7);
  expect(finding(r, 'mfa.user_not_enrolled')!.status).toBe('fail');
});

test('an expired token is refreshed once, then the run succeeds', async () => {
  let expired = false;
  fault = (req, res, path) => {
    if (!expired && path.startsWith('/admin/')) {
      expired = true;
      send(res, 401, { error: 'HTTP 401 Unauthorized' });
      return true;
    }
    return false;
  };
  const r = await runMfa(server.url, posture('pengawas-good'), { env: ENV });
  expect(r.status).toBe('pass');
  expect(tokenCalls).toBe(2);
});

test('wrong client secret → error PROBE_CREDENTIALS, never pass; the secret is not echoed', async () => {
  const r = await runMfa(server.url, posture('pengawas-good'), { env: { KC_SECRET: 'wrong-secret-value' } });
  expect(r.status).toBe('error');
  expect(r.errorCode).toBe('PROBE_CREDENTIALS');
  expect(r.findings[0].message).toMatch(/unauthorized_client/);
  expect(JSON.stringify(r)).not.toContain('wrong-secret-value');
});

test('a 401 that persists after refresh → error PROBE_CREDENTIALS', async () => {
  fault = (_req, res, path) => {
    if (!path.startsWith('/admin/')) return false;
    send(res, 401, { error: 'HTTP 401 Unauthorized' });
    return true;
  };
  const r = await runMfa(server.url, posture('pengawas-good'), { env: ENV });
  expect(r.errorCode).toBe('PROBE_CREDENTIALS');
  expect(tokenCalls).toBe(2);
});

test('403 on user reads → error PROBE_PERMISSION_DENIED with the API reason', async () => {
  fault = (_req, res, path) => {
    if (!path.includes('/group-by-path/')) return false;
    send(res, 403, { error: 'HTTP 403 Forbidden' });
    return true;
  };
  const r = await runMfa(server.url, posture('pengawas-good'), { env: ENV });
  expect(r.status).toBe('error');
  expect(r.errorCode).toBe('PROBE_PERMISSION_DENIED');
  expect(r.findings[0].message).toMatch(/HTTP 403.*Forbidden/);
});

test('429 with a short Retry-After is waited out; a long one is an error', async () => {
  let limited = 0;
  fault = (_req, res, path) => {
    if (path.endsWith('/required-actions') && limited++ === 0) {
      send(res, 429, { error: 'too many requests' }, { 'retry-after': '1' });
      return true;
    }
    return false;
  };
  const t0 = Date.now();
  const ok = await runMfa(server.url, posture('pengawas-good'), { env: ENV });
  expect(ok.status).toBe('pass');
  expect(Date.now() - t0).toBeGreaterThanOrEqual(900);

  fault = (_req, res, path) => {
    if (!path.endsWith('/required-actions')) return false;
    send(res, 429, { error: 'too many requests' }, { 'retry-after': '120' });
    return true;
  };
  const r = await runMfa(server.url, posture('pengawas-good'), { env: ENV });
  expect(r.errorCode).toBe('PROBE_RATE_LIMITED');
  expect(r.findings[0].message).toMatch(/120 s/);
});

test('a persistent 500 → error PROBE_PROVIDER_API after one retry', async () => {
  let calls = 0;
  fault = (_req, res, path) => {
    if (!/\/executions$/.test(path)) return false;
    calls += 1;
    send(res, 500, { error: 'unknown_error' });
    return true;
  };
  const r = await runMfa(server.url, posture('pengawas-good'), { env: ENV });
  expect(r.errorCode).toBe('PROBE_PROVIDER_API');
  expect(r.findings[0].message).toMatch(/HTTP 500: unknown_error/);
  expect(calls).toBe(2);
});

test('malformed JSON → error PROBE_PROTOCOL', async () => {
  fault = (_req, res, path) => {
    if (!/\/admin\/realms\/pengawas-good$/.test(path)) return false;
    send(res, 200, '{"realm": "pengawas-good", "otpPolicyDigits": 6,');
    return true;
  };
  const r = await runMfa(server.url, posture('pengawas-good'), { env: ENV });
  expect(r.errorCode).toBe('PROBE_PROTOCOL');
  expect(r.findings[0].message).toMatch(/malformed JSON/);
});

test('an endless body is cut at maxBodyBytes → error PROBE_RESPONSE_TOO_LARGE', async () => {
  fault = (_req, res, path) => {
    if (!/\/admin\/realms\/pengawas-good$/.test(path)) return false;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(`{"realm":"pengawas-good","x":"${'a'.repeat(64 * 1024)}`);
    return true; // never ends: the cap, not the peer, stops the read
  };
  const r = await runMfa(server.url, { ...posture('pengawas-good'), maxBodyBytes: 16 * 1024 }, { env: ENV });
  expect(r.errorCode).toBe('PROBE_RESPONSE_TOO_LARGE');
});

test('a configured privileged group that does not exist is an error, not a pass', async () => {
  const r = await runMfa(server.url, posture('pengawas-good', { privilegedGroups: ['/nobody'] }), { env: ENV });
  expect(r.errorCode).toBe('PROBE_PROVIDER_API');
  expect(r.findings[0].message).toMatch(/"\/nobody" does not exist/);
});

test('an admin two subgroup levels below a privileged group is privileged: without a factor, the finding names them', async () => {
  const r = await runMfa(server.url, posture('nested'), { env: ENV });
  expect(r.status).toBe('fail');
  expect(failing(r)).toEqual(['mfa.user_not_enrolled:fail']);
  expect(unenrolledUsers(r)).toEqual([{ id: 'u-night', username: 'night.admin', via: 'group /admins/ops/night' }]);
  expect(m(r).coverage.privileged).toEqual({ enrolled: 2, total: 3, ratio: 0.667 });
  expect(m(r).unenrolledPrivileged).toBe(1);
});

test('Keycloak < 23 (no /groups/{id}/children) falls back to the nested subGroups, asking /children once', async () => {
  const children: string[] = [];
  fault = (_req, _res, path) => {
    if (path.endsWith('/children')) children.push(path);
    return false;
  };
  const r = await runMfa(server.url, posture('nested-old'), { env: ENV });
  expect(children).toHaveLength(1);
  expect(unenrolledUsers(r)).toEqual([{ id: 'u-night', username: 'night.admin', via: 'group /admins/ops/night' }]);
  expect(m(r).coverage.privileged).toEqual({ enrolled: 2, total: 3, ratio: 0.667 });
});

describe.each([false, true])('roles held indirectly (Keycloak < 23: %s)', (legacy) => {
  const realm = legacy ? 'indirect-old' : 'indirect';

  test('through a group, its subgroup and two levels of composites: each holder is privileged', async () => {
    const r = await runMfa(server.url, rolePosture(realm, ['payments-admin']), { env: ENV });
    expect(failing(r)).toEqual(['mfa.user_not_enrolled:fail']);
    // direct, group, subgroup, composite (2 levels), cycle; not the disabled holder, not plain.user.
    expect(m(r).coverage.privileged).toEqual({ enrolled: 3, total: 5, ratio: 0.6 });
    expect(unenrolledUsers(r)).toEqual([
      { id: 'u-group', username: 'group.admin', via: 'role payments-admin through group /payments-team' },
      { id: 'u-composite', username: 'composite.admin', via: 'role super-admin (contains payments-admin)' },
    ]);
  });

  test('realm-management/realm-admin as a client role: directly, through a group and through a realm composite', async () => {
    const r = await runMfa(server.url, rolePosture(realm, ['realm-management/realm-admin']), { env: ENV });
    expect(m(r).coverage.privileged).toEqual({ enrolled: 2, total: 3, ratio: 0.667 });
    expect(unenrolledUsers(r)).toEqual([
      { id: 'u-client-group', username: 'client.group.admin', via: 'role realm-management/realm-admin through group /kc-admins' },
    ]);
  });

  test('both together: the union, and no group, role or page is fetched twice', async () => {
    const urls: string[] = [];
    fault = (req, _res, path) => {
      if (path.startsWith('/admin/')) urls.push(req.url!);
      return false;
    };
    const r = await runMfa(server.url, rolePosture(realm, ['payments-admin', 'realm-management/realm-admin']), { env: ENV });
    expect(m(r).coverage.privileged).toEqual({ enrolled: 5, total: 8, ratio: 0.625 });
    expect(m(r).unenrolledPrivileged).toBe(3);
    expect(urls.length).toBeGreaterThan(20);
    expect(urls.filter((u, i) => urls.indexOf(u) !== i)).toEqual([]);
  });
});

test('a role condition on a client role ("client.role" in condUserRole) covers privileged users given as "client/role"', async () => {
  const r = await runMfa(server.url, rolePosture('client-cond', ['realm-management/realm-admin'], { requireForAllUsers: false }), {
    env: ENV,
  });
  expect(m(r).enforced).toEqual({ browser: 0, direct_grant: 1, privileged: 1 });
  expect(m(r).coverage.privileged).toEqual({ enrolled: 2, total: 2, ratio: 1 });
  expect(r.status).toBe('pass');
});

test('a composite cycle (loop-a ⊃ loop-b ⊃ loop-a, self-loop ⊃ self-loop) ends: each composite is read once', async () => {
  const composites: string[] = [];
  fault = (_req, _res, path) => {
    if (path.endsWith('/composites')) composites.push(path);
    return false;
  };
  const r = await runMfa(server.url, rolePosture('indirect', ['payments-admin']), { env: ENV, timeoutMs: 5000 });
  expect(r.status).toBe('fail');
  expect(composites.length).toBe(new Set(composites).size);
  expect(composites.some((p) => p.endsWith('/role-self-loop/composites'))).toBe(true);
  const loop = await runMfa(server.url, rolePosture('indirect', ['loop-a']), { env: ENV, timeoutMs: 5000 });
  // loop-a is held by loop.admin directly and contains itself through loop-b: still one user.
  expect(m(loop).coverage.privileged).toEqual({ enrolled: 1, total: 1, ratio: 1 });
});

test.each([
  [['no-such-role'], /privileged role "no-such-role" does not exist in realm indirect/],
  [['no-such-client/admin'], /client "no-such-client" of privileged role "no-such-client\/admin" does not exist in realm indirect/],
  [
    ['realm-management/no-such-role'],
    /privileged role "realm-management\/no-such-role" does not exist: client "realm-management" has no role "no-such-role"/,
  ],
])('an unknown privileged role or client %j is an error naming it, not a fail', async (roles, message) => {
  const r = await runMfa(server.url, rolePosture('indirect', roles), { env: ENV });
  expect(r.status).toBe('error');
  expect(r.errorCode).toBe('PROBE_PROVIDER_API');
  expect(r.findings[0].message).toMatch(message);
});

test('a privileged role entry with an empty client or role part is refused by the options schema', async () => {
  for (const bad of ['realm-management/', '/realm-admin']) {
    await expect(runMfa(server.url, rolePosture('indirect', [bad]), { env: ENV })).rejects.toThrow(/client-id\/role-name/);
  }
});

test('subgroups and role groups are read across several first/max pages', async () => {
  const pages: Record<string, string[]> = {};
  fault = (req, _res, path) => {
    const key = path.endsWith('/children')
      ? path.replace(/^.*\/groups\/([^/]+)\/children$/, 'children:$1')
      : path.endsWith('/roles/payments-admin/groups')
        ? 'role-groups'
        : undefined;
    if (key) (pages[key] ??= []).push(new URL(req.url!, 'http://x').searchParams.get('first')!);
    return false;
  };
  const r = await runMfa(server.url, posture('wide', { privilegedRoles: ['payments-admin'] }), { env: ENV, timeoutMs: 20_000 });
  expect(pages['children:g-admins-good']).toEqual(['0', '100']);
  expect(pages['role-groups']).toEqual(['0', '100']);
  // ops.admin, sec.admin, team.admin (in /admins/team-129, on the second page), desk.admin (via /desk-119, likewise).
  expect(m(r).coverage.privileged).toEqual({ enrolled: 3, total: 4, ratio: 0.75 });
  expect(unenrolledUsers(r)).toEqual([{ id: 'u-team', username: 'team.admin', via: 'group /admins/team-129' }]);
});
