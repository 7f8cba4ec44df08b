/**
 * Alert expressions that survive a monitor outage. When pengawas cannot be scraped, every series it exports goes
 * stale and an alert on them would resolve at the next evaluation: Alertmanager would send RESOLVED for problems
 * nobody fixed. The hold branch keeps an alert that is already firing while (a) the series it judges are gone and
 * (b) a pengawas target is down or none is up; PengawasMonitorDown inhibits it meanwhile, and the live branch takes
 * over again as soon as the monitor is back. The same text is used in config/prometheus/rules/*.yml.
 */

/**
 * A pengawas scrape target that is down, whatever its job name: `up == 0` on a target whose scrapes carried
 * `pengawas_config_checks` (every pengawas process exports it) within the last day. No `job` matcher.
 */
export const PENGAWAS_TARGET_DOWN = 'up == 0 and on (job, instance) last_over_time(pengawas_config_checks[1d])';

/** True (one sample) while a pengawas scrape target is down or no pengawas process is up. */
export const MONITOR_UNAVAILABLE = `((count(${PENGAWAS_TARGET_DOWN}) > 0) or absent(pengawas_config_checks))`;

export interface HoldSpec {
  alert: string;
  /** The rule's static labels: they are on ALERTS and must be dropped so the labels equal the live branch's. */
  staticLabels: Record<string, string>;
  /** Extra label matchers selecting this rule's own alerts when several rules share the alert name. */
  match?: Record<string, string>;
  /** `check` for check alerts, `element` for element alerts. */
  on: 'check' | 'element';
}

export function holdWhileMonitorUnavailable(live: string, h: HoldSpec): string {
  const drop = ['alertname', 'alertstate', ...Object.keys(h.staticLabels)].join(', ');
  const matchers = [
    `alertname=${JSON.stringify(h.alert)}`,
    'alertstate="firing"',
    ...Object.entries(h.match ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
  ].join(', ');
  const present =
    h.on === 'check'
      ? 'max by (check) (pengawas_check_last_run_timestamp_seconds)'
      : 'max by (element) (pengawas_element_compliance_ratio)';
  const indented = live
    .trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return (
    `(\n${indented}\n)\n` +
    '# The monitor is unavailable: its series went stale, the problem did not go away. Hold the firing alert\n' +
    '# (PengawasMonitorDown inhibits it) instead of resolving it; live series take over when the monitor is back.\n' +
    `or\n(\n  max without (${drop}) (ALERTS{${matchers}})\n  unless on (${h.on}) ${present}\n  and on () ${MONITOR_UNAVAILABLE}\n)\n`
  );
}
