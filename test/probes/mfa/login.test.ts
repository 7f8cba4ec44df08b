/**
 * Live enforcement: the monitoring account signs in with its password alone (must get nothing) and with a real
 * TOTP computed from its seed (must get a token). OIDC servers follow the Resource Owner Password Credentials grant
 * (RFC 6749 §4.3: form POST grant_type=password; 200 {access_token, token_type, expires_in}; 400/401
 * {error: "invalid_grant"}) as Keycloak's token endpoint does, with the one-time code in `totp` (Keycloak direct
 * grant, https://www.keycloak.org/docs/latest/server_admin/ "direct grant"). The form-login server is a plain HTML
 * login with a session cookie, as in-house back-office consoles commonly are.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { goodRealm, weakRealm, type DemoSecrets } from '../../../src/demo/targets/identity/realms';
import { keycloakHandler } from '../../../src/demo/targets/identity/server';
import { totpValid } from '../../../src/probes/mfa/totp';
import { startHttp, type Started } from '../../helpers/net';
import { failing, finding, m, runMfa, send } from './helpers';

const SECRETS: DemoSecrets = {
  clientSecret: 'login-test-secret-77aa',
  monitorPassword: 'Monitor-Passw0rd-x1',
  monitorTotpSeed: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
  adminSeed: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU',
};
const ENV = { MON_PASS: SECRETS.monitorPassword, MON_SEED: SECRETS.monitorTotpSeed };

function oidc(realm: string, extra: Record<string, unknown> = {}) {
  return {
    login: {
      kind: 'oidc-password',
      tokenUrl: `/realms/${realm}/protocol/openid-connect/token`,
      clientId: 'pengawas-login',
      username: 'pengawas-monitor',
      password: '${env:MON_PASS}',
      ...extra,
    },
  };
}

let kc: Started;
let form: Started;
let formFault: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
let formDemandsOtp = true;

/** A login form: POST /login sets `sid` when the password (and, if demanded, a valid `otp`) is right. */
function formHandler(req: IncomingMessage, res: ServerResponse) {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (formFault?.(req, res)) return;
    const f = new URLSearchParams(body);
    if (req.url !== '/login' || req.method !== 'POST') return send(res, 404, { error: 'not found' });
    if (f.get('user') !== 'pengawas-monitor' || f.get('pass') !== SECRETS.monitorPassword) {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<form>wrong password</form>');
    }
    if (formDemandsOtp && !(f.get('code') && totpValid(SECRETS.monitorTotpSeed, f.get('code')!))) {
      res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'pending=1; HttpOnly' });
      return res.end('<form><input name="code"></form>');
    }
    res.writeHead(302, { location: '/dashboard', 'set-cookie': 'sid=abc123; HttpOnly; Secure' });
    res.end();
  });
}

beforeAll(async () => {
  kc = await startHttp(keycloakHandler({ 'pengawas-good': goodRealm(SECRETS), 'pengawas-weak': weakRealm(SECRETS) }));
  form = await startHttp(formHandler);
});
afterAll(async () => {
  await kc.close();
  await form.close();
});
beforeEach(() => {
  formFault = undefined;
  formDemandsOtp = true;
});

test('a server that issues a token on the password alone fails the check (critical)', async () => {
  const r = await runMfa(kc.url, oidc('pengawas-weak'), { env: ENV });
  expect(r.status).toBe('fail');
  const f = finding(r, 'mfa.password_only_login_succeeded')!;
  expect(f).toMatchObject({ status: 'fail', severity: 'critical' });
  expect(m(r).enforced).toEqual({ login: 0 });
  expect(m(r).login).toMatchObject({ passwordOnlyGranted: true, passwordOnlyStatus: 200 });
  expect(JSON.stringify(r)).not.toContain(SECRETS.monitorPassword);
  expect(JSON.stringify(r)).not.toMatch(/access_token/);
});

test('a server that demands a TOTP passes: password alone refused, password + real TOTP accepted', async () => {
  const r = await runMfa(kc.url, oidc('pengawas-good', { totpSeed: '${env:MON_SEED}' }), { env: ENV });
  expect(failing(r)).toEqual([]);
  expect(r.status).toBe('pass');
  expect(m(r).enforced).toEqual({ login: 1 });
  expect(m(r).login).toMatchObject({
    passwordOnlyGranted: false,
    passwordOnlyStatus: 401,
    secondFactorGranted: true,
    secondStepStatus: 200,
  });
  expect(finding(r, 'mfa.password_only_login_succeeded')!.evidence).toMatchObject({ error: 'invalid_grant' });
  expect(JSON.stringify(r)).not.toContain(SECRETS.monitorTotpSeed);
});

test('a wrong seed makes the second step fail: MFA is demanded but the probe cannot prove it works', async () => {
  const r = await runMfa(kc.url, oidc('pengawas-good', { totpSeed: 'MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U' }), { env: ENV });
  expect(failing(r)).toEqual(['mfa.totp_login_failed:fail']);
  expect(m(r).enforced).toEqual({ login: 1 });
});

test('without a seed a refused password is only a warning (cannot tell MFA from a wrong password)', async () => {
  const r = await runMfa(kc.url, oidc('pengawas-good'), { env: ENV });
  expect(r.status).toBe('warn');
  expect(failing(r)).toEqual(['mfa.login_second_step_unverified:warn']);
});

test('a token endpoint answering 500 is an error, not a pass', async () => {
  const broken = await startHttp((_req, res) => send(res, 500, { error: 'server_error' }));
  try {
    const r = await runMfa(broken.url, oidc('x', { totpSeed: '${env:MON_SEED}' }), { env: ENV });
    expect(r.status).toBe('error');
    expect(r.errorCode).toBe('PROBE_PROVIDER_API');
  } finally {
    await broken.close();
  }
});

test('a silent token endpoint times out as an error within the check timeout', async () => {
  const silent = await startHttp(() => undefined);
  try {
    const t0 = Date.now();
    const r = await runMfa(silent.url, oidc('x'), { env: ENV, timeoutMs: 1000 });
    expect(r.status).toBe('error');
    expect(r.errorCode).toMatch(/TIMEOUT|PROVIDER_API/);
    expect(Date.now() - t0).toBeLessThan(2500);
  } finally {
    await silent.close();
  }
});

const formLogin = (extra: Record<string, unknown> = {}) => ({
  login: {
    kind: 'form',
    url: '/login',
    fields: { username: 'user', password: 'pass', otp: 'code' },
    success: { cookie: 'sid' },
    username: 'pengawas-monitor',
    password: '${env:MON_PASS}',
    totpSeed: '${env:MON_SEED}',
    ...extra,
  },
});

test('form login: a code page after the password passes; the session cookie needs the TOTP', async () => {
  const r = await runMfa(form.url, formLogin(), { env: ENV });
  expect(failing(r)).toEqual([]);
  expect(m(r).login).toMatchObject({ kind: 'form', passwordOnlyGranted: false, secondFactorGranted: true });
});

test('form login: a session cookie on the password alone fails', async () => {
  formDemandsOtp = false;
  const r = await runMfa(form.url, formLogin(), { env: ENV });
  expect(finding(r, 'mfa.password_only_login_succeeded')!.status).toBe('fail');
  expect(r.status).toBe('fail');
});

test('form login: a redirect to the dashboard counts as a session when so configured', async () => {
  formDemandsOtp = false;
  const r = await runMfa(form.url, formLogin({ success: { locationMatches: '^/dashboard' } }), { env: ENV });
  expect(finding(r, 'mfa.password_only_login_succeeded')!.status).toBe('fail');
});
