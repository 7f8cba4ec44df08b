/**
 * `pengawas_mfa_*`: whether a second factor is enforced per scope, enrolment coverage of privileged users, and the
 * identity-provider API latency. Scope labels are bounded (provider scopes or names from the check's config);
 * user names never become labels — they live only in findings' evidence.
 */
import { Gauge } from 'prom-client';
import { SeriesByCheck } from '../series';
import type { MetricFamily } from '../types';
import type { MfaMeasurements } from './index';

export const mfaMetrics: MetricFamily<MfaMeasurements> = {
  create(registry) {
    const labels = ['check', 'element'] as const;
    const enforced = new Gauge({
      name: 'pengawas_mfa_enforced',
      help: 'A second factor is enforced in this scope (1) or not (0), from the last successful run',
      labelNames: [...labels, 'scope'],
      registers: [registry],
    });
    const coverage = new Gauge({
      name: 'pengawas_mfa_enrolment_coverage_ratio',
      help: "Share of the scope's users with a second factor enrolled",
      labelNames: [...labels, 'scope'],
      registers: [registry],
    });
    const enrolled = new Gauge({
      name: 'pengawas_mfa_enrolled_users',
      help: 'Users of the scope with a second factor enrolled',
      labelNames: [...labels, 'scope'],
      registers: [registry],
    });
    const total = new Gauge({
      name: 'pengawas_mfa_scope_users',
      help: 'Users measured in the scope',
      labelNames: [...labels, 'scope'],
      registers: [registry],
    });
    const unenrolled = new Gauge({
      name: 'pengawas_mfa_unenrolled_privileged_users',
      help: 'Privileged users without a second factor enrolled',
      labelNames: labels,
      registers: [registry],
    });
    const apiSeconds = new Gauge({
      name: 'pengawas_mfa_api_duration_seconds',
      help: 'Time spent in identity-provider API calls during the last run, total and slowest call',
      labelNames: [...labels, 'stat'],
      registers: [registry],
    });
    const apiRequests = new Gauge({
      name: 'pengawas_mfa_api_requests',
      help: 'Identity-provider API requests made by the last run (pages, retries and token calls included)',
      labelNames: labels,
      registers: [registry],
    });
    const loginSeconds = new Gauge({
      name: 'pengawas_mfa_login_duration_seconds',
      help: 'Duration of the last live login check (password-only and TOTP steps)',
      labelNames: labels,
      registers: [registry],
    });
    const series = new SeriesByCheck();
    const put = (g: Gauge, l: { check: string; element: string; scope?: string; stat?: string }, v: number) => {
      g.set(l, v);
      series.wrote(g, l);
    };

    return {
      observe(r) {
        // An `error` run decided nothing: keep the last decided values rather than report a false 0.
        if (r.status === 'error') return;
        series.forget(r.checkId); // scopes may change with the config: start from a clean slate per check
        const l = series.labels(r.checkId, r.element);
        const m = r.measurements;
        for (const [scope, v] of Object.entries(m.enforced)) put(enforced, { ...l, scope }, v ? 1 : 0);
        for (const [scope, c] of Object.entries(m.coverage)) {
          put(enrolled, { ...l, scope }, c.enrolled);
          put(total, { ...l, scope }, c.total);
          if (c.ratio !== null) put(coverage, { ...l, scope }, c.ratio);
        }
        if (m.unenrolledPrivileged !== undefined) put(unenrolled, l, m.unenrolledPrivileged);
        if (m.api) {
          put(apiSeconds, { ...l, stat: 'total' }, m.api.totalMs / 1000);
          put(apiSeconds, { ...l, stat: 'max' }, m.api.maxMs / 1000);
          put(apiRequests, l, m.api.requests);
        }
        if (m.login) put(loginSeconds, l, m.login.ms / 1000);
      },
      forget: (checkId) => series.forget(checkId),
    };
  },
};
