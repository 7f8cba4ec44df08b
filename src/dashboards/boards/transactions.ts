/** Transactions & latency: flows and steps by phase, percentiles, SLOs and error budget; HTTP check phases. */
import { SEL, type BoardSpec } from '../types';

const RATE = '$__rate_interval';
const phaseQuantile = (q: number) =>
  `histogram_quantile(${q}, sum by (le, check, step) (rate(pengawas_transaction_duration_seconds_bucket{${SEL}, phase="total"}[${RATE}])))`;

export const transactions: BoardSpec = {
  uid: 'pengawas-transactions',
  title: 'pengawas / Transactions & latency',
  description: 'Synthetic payment flows step by step: phases, percentiles, success, SLO burn and error budget; HTTP check timings.',
  tags: ['transaction', 'latency', 'slo'],
  rows: [
    {
      title: 'Flows',
      panels: [
        {
          title: 'Last flow succeeded',
          type: 'stat',
          w: 8,
          h: 5,
          queries: [{ expr: `max by (check) (pengawas_transaction_flow_success{${SEL}})`, legend: '{{check}}', instant: true }],
          baseColor: 'red',
          thresholds: [['green', 1]],
          mappings: { '1': { text: 'ok', color: 'green' }, '0': { text: 'failed', color: 'red' } },
        },
        {
          title: 'Flows by status (range)',
          type: 'table',
          w: 8,
          h: 5,
          queries: [{ expr: `sum by (check, status) (increase(pengawas_transaction_flow_runs_total{${SEL}}[$__range]))` }],
        },
        {
          title: 'Step success (last flow)',
          type: 'table',
          w: 8,
          h: 5,
          queries: [{ expr: `max by (check, step) (pengawas_transaction_step_success{${SEL}})` }],
        },
        {
          title: 'Flow duration p50 / p95 / p99',
          type: 'timeseries',
          w: 12,
          h: 8,
          unit: 's',
          queries: [0.5, 0.95, 0.99].map((q) => ({
            expr: `histogram_quantile(${q}, sum by (le, check) (rate(pengawas_transaction_flow_duration_seconds_bucket{${SEL}}[${RATE}])))`,
            legend: `{{check}} p${q * 100}`,
          })),
        },
        {
          title: 'Step duration p95 (total)',
          type: 'timeseries',
          w: 12,
          h: 8,
          unit: 's',
          queries: [{ expr: phaseQuantile(0.95), legend: '{{check}} {{step}}' }],
        },
        {
          title: 'Step phases (mean over the interval)',
          type: 'timeseries',
          w: 24,
          h: 8,
          unit: 's',
          description: 'dns, connect, tls, ttfb, transfer of each step, as blackbox_exporter splits an HTTP probe.',
          queries: [
            {
              expr: `sum by (step, phase) (rate(pengawas_transaction_duration_seconds_sum{${SEL}, phase!="total"}[${RATE}])) / sum by (step, phase) (rate(pengawas_transaction_duration_seconds_count{${SEL}, phase!="total"}[${RATE}]))`,
              legend: '{{step}} {{phase}}',
            },
          ],
        },
      ],
    },
    {
      title: 'SLOs',
      panels: [
        {
          title: 'SLO objective',
          type: 'table',
          w: 8,
          h: 7,
          unit: 'percentunit',
          queries: [{ expr: `max by (check, slo) (pengawas_transaction_slo_objective_ratio{${SEL}})` }],
        },
        {
          title: 'Burn rate (1h)',
          type: 'timeseries',
          w: 8,
          h: 7,
          description: '1 = spending the error budget exactly over the SLO window; the fast-burn page fires above 14.4 (1h) and 6 (6h).',
          queries: [
            {
              expr: `max by (check, slo) (pengawas:transaction_slo_error_ratio:rate1h{${SEL}}) / on (check, slo) (1 - max by (check, slo) (pengawas_transaction_slo_objective_ratio{${SEL}}))`,
              legend: '{{check}} {{slo}}',
            },
          ],
          thresholds: [
            ['orange', 6],
            ['red', 14.4],
          ],
        },
        {
          title: 'Error budget left (SLO window, data kept)',
          type: 'gauge',
          w: 8,
          h: 7,
          unit: 'percentunit',
          max: 1,
          queries: [
            {
              expr: `1 - (1 - sum by (check, slo) (increase(pengawas_transaction_slo_good_total{${SEL}}[30d])) / sum by (check, slo) (increase(pengawas_transaction_slo_events_total{${SEL}}[30d]))) / on (check, slo) (1 - max by (check, slo) (pengawas_transaction_slo_objective_ratio{${SEL}}))`,
              legend: '{{check}} {{slo}}',
              instant: true,
            },
          ],
          baseColor: 'red',
          thresholds: [
            ['orange', 0.25],
            ['green', 0.5],
          ],
        },
      ],
    },
    {
      title: 'HTTP checks',
      panels: [
        {
          title: 'Last request phases',
          type: 'timeseries',
          w: 12,
          h: 8,
          unit: 's',
          queries: [{ expr: `max by (check, phase) (pengawas_http_duration_seconds{${SEL}})`, legend: '{{check}} {{phase}}' }],
        },
        { title: 'Status code', type: 'table', w: 6, h: 8, queries: [{ expr: `max by (check) (pengawas_http_status_code{${SEL}})` }] },
        {
          title: 'Body bytes and redirects',
          type: 'table',
          w: 6,
          h: 8,
          queries: [
            { expr: `max by (check) (pengawas_http_content_length_bytes{${SEL}})` },
            { expr: `max by (check) (pengawas_http_redirects{${SEL}})` },
          ],
        },
        {
          title: 'Check duration p95 by type',
          type: 'timeseries',
          w: 24,
          h: 8,
          unit: 's',
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (le, type) (rate(pengawas_check_duration_seconds_bucket{${SEL}}[${RATE}])))`,
              legend: '{{type}}',
            },
          ],
        },
      ],
    },
  ],
};
