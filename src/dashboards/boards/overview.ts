/** Overview: the ten elements at a glance, what fails and why, and what changed recently. */
import { SEL, type BoardSpec } from '../types';

const STATUS_MAP = { '1': { text: 'pass', color: 'green' }, '0': { text: 'not pass', color: 'red' } };

export const overview: BoardSpec = {
  uid: 'pengawas-overview',
  title: 'pengawas / Overview',
  description: 'Compliance of the ten elements, failing checks with their reasons, and recent state changes.',
  tags: ['overview'],
  rows: [
    {
      title: 'Now',
      panels: [
        {
          title: 'Checks passing',
          type: 'stat',
          w: 4,
          h: 4,
          queries: [{ expr: `count(max by (check) (pengawas_check_result{status="pass", ${SEL}}) == 1) or vector(0)`, instant: true }],
          baseColor: 'green',
        },
        {
          title: 'Checks warning',
          type: 'stat',
          w: 4,
          h: 4,
          queries: [{ expr: `count(max by (check) (pengawas_check_result{status="warn", ${SEL}}) == 1) or vector(0)`, instant: true }],
          baseColor: 'green',
          thresholds: [['yellow', 1]],
        },
        {
          title: 'Checks failing',
          type: 'stat',
          w: 4,
          h: 4,
          queries: [{ expr: `count(max by (check) (pengawas_check_result{status="fail", ${SEL}}) == 1) or vector(0)`, instant: true }],
          baseColor: 'green',
          thresholds: [['red', 1]],
        },
        {
          title: 'Checks in error (undecided)',
          type: 'stat',
          w: 4,
          h: 4,
          description: 'The probe could not decide (timeout, DNS, credentials): a monitoring gap, not a compliance failure.',
          queries: [{ expr: `count(max by (check) (pengawas_check_result{status="error", ${SEL}}) == 1) or vector(0)`, instant: true }],
          baseColor: 'green',
          thresholds: [['orange', 1]],
        },
        {
          title: 'Stale checks (no result for 3x interval)',
          type: 'stat',
          w: 4,
          h: 4,
          queries: [
            {
              expr: `count(time() - max by (check) (pengawas_check_last_run_timestamp_seconds{${SEL}}) > 3 * max by (check) (pengawas_check_interval_seconds{${SEL}})) or vector(0)`,
              instant: true,
            },
          ],
          baseColor: 'green',
          thresholds: [['orange', 1]],
        },
        {
          title: 'Checks configured',
          type: 'stat',
          w: 4,
          h: 4,
          queries: [{ expr: `count(max by (check) (pengawas_check_info{${SEL}}))`, instant: true }],
          baseColor: 'blue',
        },
      ],
    },
    {
      title: 'The ten elements',
      panels: [
        {
          title: 'Compliance ratio by element',
          type: 'bargauge',
          w: 12,
          h: 10,
          unit: 'percentunit',
          min: 0,
          max: 1,
          description: 'Share of decided checks of the element that pass or only warn. Elements without a decided check show no bar.',
          queries: [
            { expr: 'min by (element) (pengawas_element_compliance_ratio{element=~"$element"})', legend: '{{element}}', instant: true },
          ],
          baseColor: 'red',
          thresholds: [
            ['orange', 0.8],
            ['green', 0.95],
          ],
        },
        {
          title: 'Checks per element by last status',
          type: 'table',
          w: 12,
          h: 10,
          description: 'All ten elements, including those whose checks have not produced a result yet (status none).',
          queries: [{ expr: 'max by (element, status) (pengawas_element_checks{element=~"$element"})' }],
        },
      ],
    },
    {
      title: 'What is failing and why',
      panels: [
        {
          title: 'Failing checks with their findings',
          type: 'table',
          w: 24,
          h: 10,
          description: 'Every finding of the last result that is not pass: the reason a check fails, warns or errors.',
          queries: [{ expr: `max by (element, check, type, finding, severity, status) (pengawas_check_failing_finding_info{${SEL}})` }],
          hide: ['Value'],
        },
      ],
    },
    {
      title: 'Recent state changes',
      panels: [
        {
          title: 'Check status over time',
          type: 'state-timeline',
          w: 16,
          h: 12,
          queries: [{ expr: `max by (check) (pengawas_check_status{${SEL}})`, legend: '{{check}}' }],
          baseColor: 'red',
          thresholds: [['green', 1]],
          mappings: STATUS_MAP,
        },
        {
          title: 'Status changes in the time range',
          type: 'table',
          w: 8,
          h: 12,
          queries: [{ expr: `sort_desc(max by (check, element) (changes(pengawas_check_status{${SEL}}[$__range])))` }],
        },
        {
          title: 'Seconds since last result',
          type: 'table',
          w: 24,
          h: 8,
          unit: 's',
          queries: [{ expr: `sort_desc(time() - max by (check, element, type) (pengawas_check_last_run_timestamp_seconds{${SEL}}))` }],
        },
      ],
    },
  ],
};
