/**
 * mfa posture against a Keycloak-shaped server (src/demo/targets/identity/server.ts). Shapes follow the Keycloak
 * Admin REST API reference, https://www.keycloak.org/docs-api/latest/rest-api (RealmRepresentation otpPolicy* and
 * bruteForceProtected; GET /admin/realms/{realm}/authentication/flows/{flowAlias}/executions returning
 * AuthenticationExecutionInfoRepresentation with requirement/level/index; /authentication/required-actions;
 * /group-by-path/{path}; /groups/{id}/members and /roles/{role}/users with `first`/`max` offset paging;
 * /users/{id}/credentials). Flow semantics and the default "Browser - Conditional OTP" sub-flow follow the Server
 * Administration Guide, "Configuring authentication" (docs.redhat.com … red_hat_build_of_keycloak/24.0 …).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { goodRealm, roleConditionalBrowserFlow, enforcedDirectGrantFlow, weakRealm, type DemoSecrets } from '../../../src/demo/targets/identity/realms';
import { keycloakHandler, type KcRealm } from '../../../src/demo/targets/identity/server';
import { startHttp, type Started } from '../../helpers/net';
import { failing, finding, m, runMfa, send } from './helpers';

const SECRETS: DemoSecrets = { clientSecret: 'kc-test-secret-5f0c2a', monitorPassword: 'monitor-pass-9d1e', monitorTotpSeed: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', adminSeed: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU' };
const ENV = { KC_SECRET: SECRETS.clientSecret };

function posture(realm: string, extra: Record<string, unknown> = {}) {
  return { posture: { provider: 'keycloak', realm, clientId: 'pengawas-audit', clientSecret: '${env:KC_SECRET}', privilegedGroups: ['/admins'], ...extra } };
}

/** A realm whose /admins group has 230 members (3 pages of 100), 7 of them without a second factor. */
function bigRealm(): KcRealm {
  const r = goodRealm(SECRETS);
  r.realm.realm = 'big';
  r.users = Array.from({ length: 230 }, (_, i) => ({ id: `u-${i}`, username: `admin${i}`, password: 'x', groups: ['/admins'], ...(i % 33 === 5 ? {} : { credentialTypes: ['otp'] }) }));
  return r;
}

/** OTP REQUIRED only for holders of realm-admin (conditional-user-role), password-only for everyone else. */
function roleRealm(): KcRealm {
  const r = goodRealm(SECRETS);
  r.realm.realm = 'roles';
  r.realm.browserFlow = 'browser-admin-otp';
  r.flows = { 'browser-admin-otp': roleConditionalBrowserFlow('cfg-1'), 'direct-grant-mfa': enforcedDirectGrantFlow() };
  r.configs = { 'cfg-1': { id: 'cfg-1', alias: 'admins', config: { condUserRole: 'realm-admin', negateOutput: 'false' } } };
  r.roles = ['realm-admin', 'auditor'];
  r.users = r.users.map((u) => (u.groups?.includes('/admins') ? { ...u, realmRoles: ['realm-admin'] } : u));
  return r;
}

let server: Started;
let fault: ((req: IncomingMessage, res: ServerResponse, path: string) => boolean) | undefined;
let tokenCalls = 0;

beforeAll(async () => {
  const realms = { 'pengawas-good': goodRealm(SECRETS), 'pengawas-weak': weakRealm(SECRETS), big: bigRealm(), roles: roleRealm() };
  const handler = keycloakHandler(realms, {
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
    'mfa.flow_not_enforced:fail',
    'mfa.otp_policy_weak:fail',
    'mfa.user_not_enrolled:fail',
  ]);
  expect(finding(r, 'mfa.flow_not_enforced')!.message).toMatch(/user configured/);
  const weak = finding(r, 'mfa.otp_policy_weak')!.evidence as { problems: Array<{ field: string }> };
  expect(weak.problems.map((p) => p.field).sort()).toEqual(['otpPolicyCodeReusable', 'otpPolicyDigits', 'otpPolicyLookAheadWindow', 'otpPolicyPeriod']);
  const unenrolled = finding(r, 'mfa.user_not_enrolled')!.evidence as { users: Array<{ id: string; username: string }> };
  expect(unenrolled.users).toEqual([{ id: 'u-weak-2', username: 'legacy.admin' }]);
  expect(m(r).enforced).toEqual({ browser: 0, direct_grant: 0, privileged: 0 });
  expect(m(r).coverage.privileged).toEqual({ enrolled: 1, total: 2, ratio: 0.5 });
  // Evidence names users, never secrets.
  expect(JSON.stringify(r)).not.toContain(SECRETS.clientSecret);
  expect(JSON.stringify(r)).not.toContain(SECRETS.monitorPassword);
});

test('a role-conditional OTP covers privileged users by role but not everyone', async () => {
  const r = await runMfa(server.url, { posture: { provider: 'keycloak', realm: 'roles', clientId: 'pengawas-audit', clientSecret: '${env:KC_SECRET}', privilegedRoles: ['realm-admin'] } }, { env: ENV });
  expect(m(r).enforced).toEqual({ browser: 0, direct_grant: 1, privileged: 1 });
  expect(failing(r)).toEqual(['mfa.flow_not_enforced:fail']);
  expect(finding(r, 'mfa.flow_not_enforced')!.evidence).toMatchObject({ requirement: 'REQUIRED only for role(s) realm-admin' });
  const lenient = await runMfa(server.url, { posture: { provider: 'keycloak', realm: 'roles', clientId: 'pengawas-audit', clientSecret: '${env:KC_SECRET}', privilegedRoles: ['realm-admin'], requireForAllUsers: false } }, { env: ENV });
  expect(lenient.status).toBe('pass');
});

test('a privileged role nobody holds is a warning: coverage cannot be measured', async () => {
  const r = await runMfa(server.url, { posture: { provider: 'keycloak', realm: 'roles', clientId: 'pengawas-audit', clientSecret: '${env:KC_SECRET}', privilegedRoles: ['auditor'], requireForAllUsers: false, flows: ['directGrant'] } }, { env: ENV });
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
