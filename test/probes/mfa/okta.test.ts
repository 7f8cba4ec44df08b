/** mfa posture against a local server with the Okta Management API's published shapes (see fakes/okta.ts). */
import { generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startHttp, type Started } from '../../helpers/net';
import { oktaHandler, type OktaAdmin, type OktaState } from './fakes/okta';
import { failing, finding, m, runMfa, send } from './helpers';

const API_TOKEN = '00Abc-okta-api-token-for-tests-9f8e7d';
const totp = { factorType: 'token:software:totp', status: 'ACTIVE' };
const push = { factorType: 'push', status: 'ACTIVE' };

function state(over: Partial<OktaState> = {}): OktaState {
  return {
    apiToken: API_TOKEN,
    adminConsoleFactorMode: '2FA',
    enrollment: 'REQUIRED',
    sessionRequireFactor: true,
    roleAssignees: [
      { id: '00u-super', login: 'super.admin@bank.example', factors: [totp] },
      { id: '00u-app', login: 'app.admin@bank.example', factors: [push] },
    ],
    groups: {},
    pageSize: 200,
    ...over,
  };
}

let server: Started | undefined;
let current: OktaState;
let fault: ((req: IncomingMessage, res: ServerResponse, path: string) => boolean) | undefined;

async function start(s: OktaState): Promise<string> {
  current = s;
  server = await startHttp(oktaHandler(s, (req, res, path) => fault?.(req, res, path) ?? false));
  return server.url;
}
afterEach(async () => {
  fault = undefined;
  await server?.close();
  server = undefined;
});

const opts = (extra: Record<string, unknown> = {}) => ({ posture: { provider: 'okta', apiToken: '${env:OKTA_TOKEN}', ...extra } });
const ENV = { OKTA_TOKEN: API_TOKEN };

test('enforced: 2FA on the Admin Console, enrollment required, every admin with a factor → pass', async () => {
  const url = await start(state());
  const r = await runMfa(url, opts(), { env: ENV });
  expect(failing(r)).toEqual([]);
  expect(m(r).enforced).toEqual({ global_session: 1, admin_console: 1 });
  expect(m(r).coverage.privileged).toEqual({ enrolled: 2, total: 2, ratio: 1 });
  expect(JSON.stringify(r)).not.toContain(API_TOKEN);
});

test('not enforced: 1FA admin console, optional enrollment, an admin with only a security question', async () => {
  const weak: OktaAdmin = {
    id: '00u-legacy',
    login: 'legacy.admin@bank.example',
    factors: [
      { factorType: 'question', status: 'ACTIVE' },
      { factorType: 'token:software:totp', status: 'PENDING_ACTIVATION' },
    ],
  };
  const url = await start(
    state({
      adminConsoleFactorMode: '1FA',
      enrollment: 'OPTIONAL',
      sessionRequireFactor: false,
      roleAssignees: [...state().roleAssignees, weak],
    }),
  );
  const r = await runMfa(url, opts(), { env: ENV });
  expect(r.status).toBe('fail');
  expect(failing(r)).toEqual([
    'mfa.admin_not_enforced:fail',
    'mfa.enrolment_not_required:fail',
    'mfa.global_session_single_factor:warn',
    'mfa.user_not_enrolled:fail',
  ]);
  expect(finding(r, 'mfa.admin_not_enforced')!.severity).toBe('critical');
  expect((finding(r, 'mfa.user_not_enrolled')!.evidence as { users: unknown }).users).toEqual([
    { id: '00u-legacy', username: 'legacy.admin@bank.example' },
  ]);
  expect(m(r).enforced).toEqual({ global_session: 0, admin_console: 0 });
  expect(m(r).unenrolledPrivileged).toBe(1);
});

test('2FA counts only with a possession constraint when the rule lists constraints', async () => {
  const withPossession = await start(
    state({ adminConsoleConstraints: [{ knowledge: { types: ['PASSWORD'] }, possession: { deviceBound: 'REQUIRED' } }] }),
  );
  expect(m(await runMfa(withPossession, opts(), { env: ENV })).enforced.admin_console).toBe(1);
  await server!.close();
  const knowledgeOnly = await start(state({ adminConsoleConstraints: [{ knowledge: { types: ['PASSWORD'] } }, { inherence: {} }] }));
  const r = await runMfa(knowledgeOnly, opts(), { env: ENV });
  expect(m(r).enforced.admin_console).toBe(0);
  expect(failing(r)).toEqual(['mfa.admin_not_enforced:fail']);
});

test('a configured app whose authentication policy is 1FA fails mfa.app_not_enforced under its own scope', async () => {
  const url = await start(state({ adminConsoleFactorMode: '1FA' }));
  const r = await runMfa(url, opts({ checkAdminConsole: false, apps: [{ id: '0oa-payments', scope: 'payments_console' }] }), { env: ENV });
  expect(failing(r)).toEqual(['mfa.app_not_enforced:fail']);
  expect(m(r).enforced).toEqual({ global_session: 1, payments_console: 0 });
});

test('admins are read across several pages: iam assignees via _links.next, group members via Link rel="next"', async () => {
  const members: OktaAdmin[] = Array.from({ length: 25 }, (_, i) => ({
    id: `00u-g${i}`,
    login: `ops${i}@bank.example`,
    factors: i === 13 ? [] : [totp],
  }));
  const assignees: OktaAdmin[] = Array.from({ length: 12 }, (_, i) => ({
    id: `00u-a${i}`,
    login: `adm${i}@bank.example`,
    factors: [push],
  }));
  const pages: string[] = [];
  fault = (req, _res, path) => {
    if (path.includes('/groups/') || path.includes('/iam/'))
      pages.push(`${path.split('/')[3]}:${new URL(req.url!, 'http://x').searchParams.get('after') ?? 'first'}`);
    return false;
  };
  const url = await start(state({ roleAssignees: assignees, groups: { '00g-ops-admins': members }, pageSize: 10 }));
  const r = await runMfa(url, opts({ privilegedGroups: ['00g-ops-admins'] }), { env: ENV });
  expect(pages.filter((p) => p.startsWith('groups'))).toHaveLength(3);
  expect(pages.filter((p) => p.startsWith('iam'))).toEqual(['iam:first', 'iam:00u-a9']);
  expect(m(r).coverage.privileged).toEqual({ enrolled: 36, total: 37, ratio: 0.973 });
  expect((finding(r, 'mfa.user_not_enrolled')!.evidence as { users: unknown }).users).toEqual([
    { id: '00u-g13', username: 'ops13@bank.example' },
  ]);
});

test('an OAuth service app signs a private_key_jwt client assertion and reads the API with a bearer token', async () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const url = await start(
    state({ oauthClientId: '0oa-pengawas', oauthPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() }),
  );
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const r = await runMfa(
    url,
    { posture: { provider: 'okta', oauth: { clientId: '0oa-pengawas', privateKey: '${env:OKTA_KEY}' } } },
    { env: { OKTA_KEY: key } },
  );
  expect(r.status).toBe('pass');
  expect(JSON.stringify(r)).not.toContain('PRIVATE KEY');
});

test("401 E0000011 (revoked API token) → error PROBE_CREDENTIALS with Okta's reason", async () => {
  const url = await start(state());
  const r = await runMfa(url, opts(), { env: { OKTA_TOKEN: 'revoked-token-value' } });
  expect(r.status).toBe('error');
  expect(r.errorCode).toBe('PROBE_CREDENTIALS');
  expect(r.findings[0].message).toMatch(/E0000011: Invalid token provided/);
  expect(JSON.stringify(r)).not.toContain('revoked-token-value');
});

test('403 E0000006 (read-only admin lacks a scope) → error PROBE_PERMISSION_DENIED', async () => {
  fault = (_req, res, path) => {
    if (!path.startsWith('/api/v1/iam/')) return false;
    send(res, 403, {
      errorCode: 'E0000006',
      errorSummary: 'You do not have permission to perform the requested action',
      errorLink: 'E0000006',
      errorId: 'oae1',
      errorCauses: [],
    });
    return true;
  };
  const url = await start(state());
  const r = await runMfa(url, opts(), { env: ENV });
  expect(r.errorCode).toBe('PROBE_PERMISSION_DENIED');
  expect(r.findings[0].message).toMatch(/E0000006/);
});

test('429 E0000047 with X-Rate-Limit-Reset in the near future is waited out', async () => {
  let limited = 0;
  fault = (_req, res, path) => {
    if (!path.endsWith('/factors') || limited++ > 0) return false;
    const reset = Math.ceil(Date.now() / 1000) + 1;
    send(
      res,
      429,
      {
        errorCode: 'E0000047',
        errorSummary: 'API call exceeded rate limit due to too many requests.',
        errorLink: 'E0000047',
        errorId: 'oae2',
        errorCauses: [],
      },
      { 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) },
    );
    return true;
  };
  const url = await start(state());
  const r = await runMfa(url, opts(), { env: ENV });
  expect(r.status).toBe('pass');
  expect(limited).toBeGreaterThan(1);
});

test('a next link to another origin is refused: the token must not leave the org', async () => {
  fault = (_req, res, path) => {
    if (path !== '/api/v1/iam/assignees/users') return false;
    send(res, 200, { value: [{ id: '00u-super' }], _links: { next: { href: 'http://127.0.0.2:9/api/v1/iam/assignees/users?after=x' } } });
    return true;
  };
  const url = await start(state());
  const r = await runMfa(url, opts(), { env: ENV });
  expect(r.errorCode).toBe('PROBE_PROTOCOL');
  expect(r.findings[0].message).toMatch(/another origin/);
  expect(current.apiToken).toBe(API_TOKEN);
});

/** Requests per list path, with the `after` cursor of each: proves every page was read. */
function recordPages(match: RegExp): string[] {
  const seen: string[] = [];
  fault = (req, _res, path) => {
    if (match.test(path)) seen.push(`${path}?${new URL(req.url!, 'http://x').searchParams.get('after') ?? 'first'}`);
    return false;
  };
  return seen;
}

test('global session policies and their rules are read across three Link rel="next" pages: a weak rule on page 3 is found', async () => {
  const strong = (i: number) => ({ id: `ses-${i}`, name: `Policy ${i}`, rules: [{ id: `r-${i}`, name: 'MFA', requireFactor: true }] });
  const sessionPolicies = Array.from({ length: 24 }, (_, i) => strong(i));
  sessionPolicies.push({
    id: 'ses-24',
    name: 'Contractors',
    rules: Array.from({ length: 25 }, (_, i) => ({ id: `rc-${i}`, name: `Rule ${i}`, requireFactor: i !== 23 })),
  });
  const url = await start(state({ sessionPolicies, policyPageSize: 10 }));
  const seen = recordPages(/^\/api\/v1\/policies(\/ses-24\/rules)?$/);
  const r = await runMfa(url, opts({ checkAdminConsole: false, includeRoleAssignees: false }), { env: ENV });
  expect(seen.filter((p) => p.startsWith('/api/v1/policies?'))).toEqual([
    '/api/v1/policies?first',
    '/api/v1/policies?first',
    '/api/v1/policies?ses-9',
    '/api/v1/policies?ses-19',
  ]); // MFA_ENROLL, then 3 OKTA_SIGN_ON pages
  expect(seen.filter((p) => p.startsWith('/api/v1/policies/ses-24/rules'))).toEqual([
    '/api/v1/policies/ses-24/rules?first',
    '/api/v1/policies/ses-24/rules?rc-9',
    '/api/v1/policies/ses-24/rules?rc-19',
  ]);
  expect(failing(r)).toEqual(['mfa.global_session_single_factor:warn']);
  expect(finding(r, 'mfa.global_session_single_factor')!.evidence).toEqual({ rules: ['Contractors / Rule 23'] });
  expect(m(r).enforced.global_session).toBe(0);
});

test('Admin Console rules are read across three pages: a 1FA rule on the last page fails admin_not_enforced', async () => {
  const adminRules = [
    { id: 'ra-1', name: 'Office', factorMode: '2FA' as const },
    { id: 'ra-2', name: 'VPN', factorMode: '2FA' as const },
    { id: 'ra-3', name: 'Break-glass kiosk', factorMode: '1FA' as const },
  ];
  const url = await start(state({ adminRules, policyPageSize: 2 }));
  const seen = recordPages(/^\/api\/v1\/policies\/rst-admin\/rules$/);
  const r = await runMfa(url, opts(), { env: ENV });
  expect(seen).toEqual([
    '/api/v1/policies/rst-admin/rules?first',
    '/api/v1/policies/rst-admin/rules?ra-1',
    '/api/v1/policies/rst-admin/rules?ra-3',
  ]);
  expect(failing(r)).toEqual(['mfa.admin_not_enforced:fail']);
  expect(finding(r, 'mfa.admin_not_enforced')!.evidence).toEqual({
    apps: [{ scope: 'admin_console', app: 'Okta Admin Console', enforced: false, rules: ['Break-glass kiosk'] }],
  });
});

test('role assignees carry no status: suspended and deprovisioned admins are read from /users/{id} and left out', async () => {
  const gone: OktaAdmin[] = [
    { id: '00u-suspended', login: 'suspended.admin@bank.example', factors: [], status: 'SUSPENDED' },
    { id: '00u-deprov', login: 'former.admin@bank.example', factors: [], status: 'DEPROVISIONED' },
    { id: '00u-locked', login: 'locked.admin@bank.example', factors: [], status: 'LOCKED_OUT' },
  ];
  const url = await start(state({ roleAssignees: [...state().roleAssignees, ...gone] }));
  const users = recordPages(/^\/api\/v1\/users\/[^/]+$/);
  const r = await runMfa(url, opts(), { env: ENV });
  expect(users.sort()).toEqual([
    '/api/v1/users/00u-app?first',
    '/api/v1/users/00u-deprov?first',
    '/api/v1/users/00u-locked?first',
    '/api/v1/users/00u-super?first',
    '/api/v1/users/00u-suspended?first',
  ]);
  // A locked-out admin will sign in again once unlocked: still counted, and without a factor.
  expect(m(r).coverage.privileged).toEqual({ enrolled: 2, total: 3, ratio: 0.667 });
  expect((finding(r, 'mfa.user_not_enrolled')!.evidence as { users: unknown }).users).toEqual([
    { id: '00u-locked', username: 'locked.admin@bank.example' },
  ]);
});

test('several configured apps give one app_not_enforced finding with each app in the evidence', async () => {
  const url = await start(state({ adminConsoleFactorMode: '1FA' }));
  const r = await runMfa(
    url,
    opts({
      checkAdminConsole: false,
      apps: [
        { id: '0oa-payments', scope: 'payments_console' },
        { id: '0oa-treasury', scope: 'treasury' },
      ],
    }),
    { env: ENV },
  );
  expect(r.findings.filter((f) => f.id === 'mfa.app_not_enforced')).toHaveLength(1);
  expect((finding(r, 'mfa.app_not_enforced')!.evidence as { apps: unknown[] }).apps).toHaveLength(2);
  expect(m(r).enforced).toEqual({ global_session: 1, payments_console: 0, treasury: 0 });
});
