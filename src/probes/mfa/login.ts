/**
 * Live enforcement, independent of the provider: a dedicated monitoring account signs in twice.
 * 1. Password alone → must NOT yield a token or session (else `mfa.password_only_login_succeeded`, critical).
 * 2. Password + a TOTP computed from the account's seed (otplib's TOTP engine, RFC 6238) → must succeed.
 * OIDC: the Resource Owner Password Credentials grant (RFC 6749 §4.3; Keycloak "direct grant", which takes the
 * code in a `totp` parameter). Form: an HTTP form post with cookies carried to the one-time-code step.
 * Tokens and cookies are never kept in findings: only whether one was issued.
 */
import { performance } from 'node:perf_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import { ProtocolError, UsageError } from '../../errors';
import type { TimedResponse } from '../../net/timed-request';
import { compilePattern } from '../../util/pattern';
import { asObject } from '../../util/narrow';
import type { Finding } from '../../results/contract';
import { sleep, type ApiClient } from './client';
import { fail, pass, warn } from './findings';
import { totpCode } from './totp';
import type { FormLoginOptions, LoginOptions, OidcLoginOptions } from './options';

export interface LoginOutput {
  findings: Finding[];
  /** 1 when the password alone was refused. */
  enforced: 0 | 1;
  details: {
    kind: string;
    passwordOnlyGranted: boolean;
    secondFactorGranted?: boolean;
    passwordOnlyStatus: number;
    secondStepStatus?: number;
  };
}

export async function liveLogin(api: ApiClient, o: LoginOptions): Promise<LoginOutput> {
  return o.kind === 'oidc-password' ? oidc(api, o) : form(api, o);
}

async function oidc(api: ApiClient, o: OidcLoginOptions): Promise<LoginOutput> {
  const url = api.url(o.tokenUrl);
  const base: Record<string, string> = {
    grant_type: 'password',
    client_id: o.clientId,
    username: o.username,
    password: o.password,
    scope: o.scope,
  };
  if (o.clientSecret) base.client_secret = o.clientSecret;
  const post = (extra: Record<string, string>) =>
    api.send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...base, ...extra }).toString(),
    });
  const granted = (res: TimedResponse, what: string): boolean => {
    if (res.status >= 500 || (res.status !== 200 && res.status !== 400 && res.status !== 401 && res.status !== 403)) {
      throw api.statusError(res.status, what, res.body.toString('utf8'));
    }
    if (res.status !== 200) return false;
    const body = asObject(api.parse(res, what));
    if (typeof body.access_token !== 'string' && typeof body.id_token !== 'string')
      throw new ProtocolError(`token endpoint answered ${what} with 200 but no token`);
    return true;
  };
  const first = await post({});
  const firstGranted = granted(first, `POST ${url.pathname} (password only)`);
  const findings: Finding[] = [
    firstFinding(firstGranted, 'a token', { tokenUrl: url.pathname, status: first.status, error: oauthError(first) }),
  ];
  const details: LoginOutput['details'] = { kind: o.kind, passwordOnlyGranted: firstGranted, passwordOnlyStatus: first.status };
  if (o.totpSeed) {
    const code = await freshCode(o, api);
    const second = await post({ [o.totpParam]: code });
    const ok = granted(second, `POST ${url.pathname} (password + one-time code)`);
    details.secondFactorGranted = ok;
    details.secondStepStatus = second.status;
    findings.push(secondFinding(ok, 'a token', { tokenUrl: url.pathname, status: second.status, error: oauthError(second) }));
  } else if (!firstGranted) {
    findings.push(unverified());
  }
  return { findings, enforced: firstGranted ? 0 : 1, details };
}

async function form(api: ApiClient, o: FormLoginOptions): Promise<LoginOutput> {
  const url = api.url(o.url);
  const creds = { [o.fields.username]: o.username, [o.fields.password]: o.password };
  const post = (target: URL, fields: Record<string, string>, cookie?: string) =>
    api.send(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
      body: new URLSearchParams({ ...o.extraFields, ...fields }).toString(),
    });
  const check = (res: TimedResponse, what: string) => {
    if (res.status >= 500) throw api.statusError(res.status, what, res.body.toString('utf8'));
    return sessionIssued(res, o.success);
  };
  const first = await post(url, creds);
  const firstGranted = check(first, `POST ${url.pathname} (password only)`);
  const findings: Finding[] = [firstFinding(firstGranted, 'a session', { url: url.pathname, status: first.status })];
  const details: LoginOutput['details'] = { kind: o.kind, passwordOnlyGranted: firstGranted, passwordOnlyStatus: first.status };
  if (o.totpSeed) {
    const code = await freshCode(o, api);
    // A separate code page continues the first step's session; a single form takes all three fields at once.
    const otpUrl = o.otpUrl ? api.url(o.otpUrl) : url;
    const second = o.otpUrl
      ? await post(otpUrl, { [o.fields.otp]: code }, cookieHeader(first.headers))
      : await post(url, { ...creds, [o.fields.otp]: code });
    const ok = check(second, `POST ${otpUrl.pathname} (one-time code)`);
    details.secondFactorGranted = ok;
    details.secondStepStatus = second.status;
    findings.push(secondFinding(ok, 'a session', { url: otpUrl.pathname, status: second.status }));
  } else if (!firstGranted) {
    findings.push(unverified());
  }
  return { findings, enforced: firstGranted ? 0 : 1, details };
}

function firstFinding(granted: boolean, what: string, evidence: Record<string, unknown>): Finding {
  return granted
    ? fail(
        'mfa.password_only_login_succeeded',
        'critical',
        `the monitoring account got ${what} with its password alone: a second factor is not enforced`,
        evidence,
      )
    : pass('mfa.password_only_login_succeeded', `the password alone did not yield ${what}`, evidence);
}

function secondFinding(granted: boolean, what: string, evidence: Record<string, unknown>): Finding {
  return granted
    ? pass('mfa.totp_login_failed', `password plus a valid one-time code yields ${what}: the second factor works`, evidence)
    : fail(
        'mfa.totp_login_failed',
        'high',
        `password plus a valid one-time code did not yield ${what}: the second step is broken, or the monitoring account is locked or misconfigured`,
        evidence,
      );
}

function unverified(): Finding {
  return warn(
    'mfa.login_second_step_unverified',
    'low',
    'the password alone was refused, but without a TOTP seed the probe cannot tell a demanded second factor from a wrong password; add totpSeed',
  );
}

/**
 * A code for the current time step. Near the end of a step the code could expire in flight, so wait for the next
 * step (never past the deadline). Providers that refuse code reuse (Keycloak's default) reject a second run within
 * the same step: schedule the check at least one period apart.
 */
async function freshCode(
  o: { totpSeed?: string; totp: { digits: 6 | 7 | 8; period: number; algorithm: 'sha1' | 'sha256' | 'sha512' } },
  api: ApiClient,
): Promise<string> {
  const period = o.totp.period;
  const left = period - ((Date.now() / 1000) % period);
  if (left < 2 && performance.now() + left * 1000 + 500 < api.o.deadline) await sleep(left * 1000 + 50, api.o.signal);
  const secret = (o.totpSeed ?? '').replace(/[\s=]+/g, '').toUpperCase();
  // otplib refuses seeds under 128 bits (RFC 4226 §4 asks for at least that): say so before it throws.
  if (!/^[A-Z2-7]{26,}$/.test(secret)) throw new UsageError('login.totpSeed is not a base32 TOTP seed of at least 128 bits');
  return totpCode(secret, o.totp);
}

function oauthError(res: TimedResponse): string | undefined {
  if (res.status === 200) return undefined;
  try {
    const j = JSON.parse(res.body.toString('utf8')) as { error?: unknown };
    return typeof j.error === 'string' ? j.error.slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}

export function sessionIssued(res: TimedResponse, s: FormLoginOptions['success']): boolean {
  if (s.cookie) {
    const raw = res.headers['set-cookie'] ?? [];
    if (raw.some((c) => c.startsWith(`${s.cookie}=`) && !c.startsWith(`${s.cookie}=;`))) return true;
  }
  const location = res.headers.location;
  if (s.locationMatches && typeof location === 'string' && compilePattern(s.locationMatches).test(location)) return true;
  if (s.bodyMatches && res.status >= 200 && res.status < 300 && compilePattern(s.bodyMatches).test(res.body.toString('utf8'))) return true;
  return false;
}

function cookieHeader(headers: IncomingHttpHeaders): string | undefined {
  const pairs = (headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).filter((p) => p.includes('='));
  return pairs.length ? pairs.join('; ') : undefined;
}
