/** MFA: enforcement per scope, enrolment coverage of privileged users, identity-provider API cost. */
import { SEL, type BoardSpec } from '../types';

export const mfa: BoardSpec = {
  uid: 'pengawas-mfa',
  title: 'pengawas / MFA',
  description: 'Whether a second factor is enforced, who is enrolled, and what the identity-provider checks cost.',
  tags: ['mfa', 'security'],
  rows: [
    {
      title: 'Enforcement and enrolment',
      panels: [
        {
          title: 'Second factor enforced, by scope',
          type: 'table',
          w: 12,
          h: 9,
          queries: [{ expr: `max by (check, scope) (pengawas_mfa_enforced{${SEL}})` }],
          mappings: { '1': { text: 'enforced', color: 'green' }, '0': { text: 'NOT enforced', color: 'red' } },
        },
        {
          title: 'Enrolment coverage',
          type: 'bargauge',
          w: 12,
          h: 9,
          unit: 'percentunit',
          min: 0,
          max: 1,
          queries: [
            { expr: `max by (check, scope) (pengawas_mfa_enrolment_coverage_ratio{${SEL}})`, legend: '{{check}} {{scope}}', instant: true },
          ],
          baseColor: 'red',
          thresholds: [['green', 1]],
        },
        {
          title: 'Privileged users without a second factor',
          type: 'stat',
          w: 8,
          h: 5,
          queries: [{ expr: `max by (check) (pengawas_mfa_unenrolled_privileged_users{${SEL}})`, legend: '{{check}}', instant: true }],
          baseColor: 'green',
          thresholds: [['red', 1]],
        },
        {
          title: 'Users measured / enrolled',
          type: 'table',
          w: 16,
          h: 5,
          queries: [
            { expr: `max by (check, scope) (pengawas_mfa_scope_users{${SEL}})` },
            { expr: `max by (check, scope) (pengawas_mfa_enrolled_users{${SEL}})` },
          ],
        },
        {
          title: 'MFA findings',
          type: 'table',
          w: 24,
          h: 8,
          queries: [{ expr: `max by (check, finding, severity, status) (pengawas_check_failing_finding_info{type="mfa", ${SEL}})` }],
          hide: ['Value'],
        },
      ],
    },
    {
      title: 'Identity provider',
      panels: [
        {
          title: 'API time per run (total, slowest call)',
          type: 'timeseries',
          w: 8,
          h: 8,
          unit: 's',
          queries: [{ expr: `max by (check, stat) (pengawas_mfa_api_duration_seconds{${SEL}})`, legend: '{{check}} {{stat}}' }],
        },
        {
          title: 'API requests per run',
          type: 'timeseries',
          w: 8,
          h: 8,
          queries: [{ expr: `max by (check) (pengawas_mfa_api_requests{${SEL}})`, legend: '{{check}}' }],
        },
        {
          title: 'Live login duration',
          type: 'timeseries',
          w: 8,
          h: 8,
          unit: 's',
          queries: [{ expr: `max by (check) (pengawas_mfa_login_duration_seconds{${SEL}})`, legend: '{{check}}' }],
        },
      ],
    },
  ],
};
