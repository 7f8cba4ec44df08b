/**
 * Probe type `mfa`: proves multi-factor authentication is enforced, not just configured.
 * - posture: reads the identity provider's admin API (registry.ts: keycloak.ts, okta.ts, entra.ts) through one bounded client;
 * - login: signs a monitoring account in with its password alone (must be refused) and with a TOTP (must work).
 * An API that cannot be read (401/403/429/5xx, malformed JSON, timeout) throws a ProbeError → `error`, never `pass`.
 */
import { performance } from 'node:perf_hooks';
import { parseWebUrl, readCa, checkWebTarget } from '../../net/target';
import type { Finding } from '../../results/contract';
import { defineProbe, type ProbeContext } from '../types';
import { ApiClient, type ApiStats, type TokenSource } from './client';
import type { PostureOutput } from './findings';
import { liveLogin, type LoginOutput } from './login';
import { mfaOptions, type MfaOptions } from './options';
import { providerOf } from './registry';

export interface MfaMeasurements {
  provider?: string;
  /** Scope → 1 enforced / 0 not; `login` is the live check. */
  enforced: Record<string, 0 | 1>;
  coverage: Record<string, { enrolled: number; total: number; ratio: number | null }>;
  unenrolledPrivileged?: number;
  api?: ApiStats;
  login?: LoginOutput['details'] & { ms: number };
  details?: Record<string, unknown>;
}

function client(
  provider: string,
  base: URL,
  o: MfaOptions,
  ctx: ProbeContext,
  deadline: number,
  ca: string | undefined,
  auth?: TokenSource,
): ApiClient {
  return new ApiClient({
    provider,
    baseUrl: base,
    auth,
    signal: ctx.signal,
    deadline,
    maxBodyBytes: o.maxBodyBytes,
    requestTimeoutMs: o.requestTimeout,
    ca,
    verifyTls: o.verifyTls,
    maxRetries: o.maxRetries,
    maxRetryWaitMs: o.maxRetryWait,
    maxPages: o.maxPages,
  });
}

async function posture(
  base: URL,
  o: MfaOptions,
  ctx: ProbeContext,
  deadline: number,
  ca: string | undefined,
): Promise<{ out: PostureOutput; stats: ApiStats }> {
  const p = o.posture!;
  const provider = providerOf(p);
  const api = client(p.provider, base, o, ctx, deadline, ca, provider.auth(base, p));
  try {
    const out = await provider.posture(api, p, o.maxPrivilegedUsers);
    return { out, stats: api.stats };
  } finally {
    api.close();
  }
}

export const mfaProbe = defineProbe<typeof mfaOptions, MfaMeasurements>({
  type: 'mfa',
  summary: 'MFA enforcement: identity-provider posture (Keycloak, Okta, Entra ID) and a live password-only / TOTP login',
  defaultElement: 'security',
  timesHttp: true,
  targetHelp: 'base URL of the identity provider (Keycloak server, Okta org, Graph endpoint) or of the login site',
  checkTarget: checkWebTarget,
  options: mfaOptions,
  async run(target, o, ctx) {
    const base = parseWebUrl(target);
    const ca = o.caFile ? await readCa(o.caFile) : undefined;
    // Leave a sliver of the check's time so a slow API ends in our own error, not the runner's hard stop.
    const deadline = performance.now() + Math.max(50, ctx.timeoutMs - 100);
    const findings: Finding[] = [];
    const m: MfaMeasurements = { enforced: {}, coverage: {} };
    if (o.posture) {
      const { out, stats } = await posture(base, o, ctx, deadline, ca);
      findings.push(...out.findings);
      m.provider = o.posture.provider;
      m.enforced = { ...out.enforced };
      for (const [scope, c] of Object.entries(out.coverage))
        m.coverage[scope] = { ...c, ratio: c.total > 0 ? round(c.enrolled / c.total) : null };
      m.unenrolledPrivileged = out.unenrolledPrivileged;
      m.api = { requests: stats.requests, totalMs: round(stats.totalMs), maxMs: round(stats.maxMs) };
      m.details = out.details;
    }
    if (o.login) {
      const api = client('login', base, o, ctx, deadline, ca);
      const t0 = performance.now();
      try {
        const login = await liveLogin(api, o.login);
        findings.push(...login.findings);
        m.enforced.login = login.enforced;
        m.login = { ...login.details, ms: round(performance.now() - t0) };
      } finally {
        api.close();
      }
    }
    return { target: base.href, findings, measurements: m };
  },
});

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
