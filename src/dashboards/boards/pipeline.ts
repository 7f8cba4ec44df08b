/** Pipeline health: the monitor itself — queue, workers, schedule lag, throughput, errors, recorder, config. */
import type { BoardSpec } from '../types';

const RATE = '$__rate_interval';

export const pipeline: BoardSpec = {
  uid: 'pengawas-pipeline',
  title: 'pengawas / Pipeline health',
  description: 'Scheduler, queue, workers and recorder: is the monitor itself doing its job?',
  tags: ['pipeline', 'sre'],
  variables: false,
  rows: [
    {
      title: 'Processes',
      panels: [
        {
          title: 'pengawas processes up',
          type: 'stat',
          w: 6,
          h: 4,
          queries: [{ expr: 'count(pengawas_config_checks)', instant: true }],
          baseColor: 'red',
          thresholds: [['green', 1]],
        },
        {
          title: 'Workers connected',
          type: 'stat',
          w: 6,
          h: 4,
          queries: [{ expr: 'max(pengawas_queue_workers)', instant: true }],
          baseColor: 'red',
          thresholds: [['green', 1]],
        },
        {
          title: 'Config last reload ok',
          type: 'stat',
          w: 6,
          h: 4,
          queries: [{ expr: 'min(pengawas_config_last_reload_success)', instant: true }],
          baseColor: 'red',
          thresholds: [['green', 1]],
          mappings: { '1': { text: 'ok', color: 'green' }, '0': { text: 'rejected', color: 'red' } },
        },
        {
          title: 'Checks configured',
          type: 'stat',
          w: 6,
          h: 4,
          queries: [{ expr: 'max(pengawas_config_checks)', instant: true }],
          baseColor: 'blue',
        },
      ],
    },
    {
      title: 'Queue and schedule',
      panels: [
        {
          title: 'Queue depth by state',
          type: 'timeseries',
          w: 12,
          h: 8,
          queries: [
            { expr: 'max by (state) (pengawas_queue_jobs{state!="completed"})', legend: '{{state}}' },
            // Slots the schedulers hold while the queue is at scheduler.maxBacklog (docs/configuration.md).
            { expr: 'sum(pengawas_scheduler_held_slots)', legend: 'held by schedulers' },
          ],
        },
        {
          title: 'Schedule lag p50 / p95',
          type: 'timeseries',
          w: 12,
          h: 8,
          unit: 's',
          queries: [0.5, 0.95].map((q) => ({
            expr: `histogram_quantile(${q}, sum by (le) (rate(pengawas_schedule_lag_seconds_bucket[${RATE}])))`,
            legend: `p${q * 100}`,
          })),
        },
        {
          title: 'Slots enqueued by outcome',
          type: 'timeseries',
          w: 12,
          h: 8,
          unit: 'ops',
          queries: [{ expr: `sum by (outcome) (rate(pengawas_scheduler_enqueued_total[${RATE}]))`, legend: '{{outcome}}' }],
        },
        {
          title: 'Worker throughput by result',
          type: 'timeseries',
          w: 12,
          h: 8,
          unit: 'ops',
          queries: [{ expr: `sum by (result) (rate(pengawas_check_runs_total[${RATE}]))`, legend: '{{result}}' }],
        },
      ],
    },
    {
      title: 'Errors and recorder',
      panels: [
        {
          title: 'Undecided runs (error) by type',
          type: 'timeseries',
          w: 8,
          h: 8,
          unit: 'ops',
          description: 'Runs whose probe could not decide; retried runs are counted separately.',
          queries: [
            { expr: `sum by (type) (rate(pengawas_check_runs_total{result="error"}[${RATE}]))`, legend: '{{type}} error' },
            { expr: `sum by (type) (rate(pengawas_check_retries_total[${RATE}]))`, legend: '{{type}} retried' },
          ],
        },
        {
          title: 'Recorder lag and pending results',
          type: 'timeseries',
          w: 8,
          h: 8,
          queries: [
            { expr: 'max(pengawas_recorder_lag_seconds)', legend: 'lag (s)' },
            { expr: 'max(pengawas_recorder_pending_results)', legend: 'pending' },
          ],
        },
        {
          title: 'Results recorded by outcome',
          type: 'timeseries',
          w: 8,
          h: 8,
          unit: 'ops',
          queries: [{ expr: `sum by (outcome) (rate(pengawas_recorder_results_total[${RATE}]))`, legend: '{{outcome}}' }],
        },
        {
          title: 'Process memory (RSS)',
          type: 'timeseries',
          w: 12,
          h: 7,
          unit: 'bytes',
          queries: [
            {
              expr: 'max by (instance) (process_resident_memory_bytes and on (job, instance) pengawas_config_checks)',
              legend: '{{instance}}',
            },
          ],
        },
        {
          title: 'Event-loop lag p99',
          type: 'timeseries',
          w: 12,
          h: 7,
          unit: 's',
          queries: [
            {
              expr: 'max by (instance) (nodejs_eventloop_lag_p99_seconds and on (job, instance) pengawas_config_checks)',
              legend: '{{instance}}',
            },
          ],
        },
      ],
    },
  ],
};
