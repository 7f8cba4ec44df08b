/**
 * Where alert runbooks are published: one base URL for every `runbook_url`. The rules build an absolute URL at
 * evaluation time from Prometheus's external label `runbook_base_url` (prometheus.yml `global.external_labels`),
 * falling back to DEFAULT_RUNBOOK_BASE_URL, so links are clickable in Prometheus, Alertmanager and every receiver.
 * The same text is used in config/prometheus/rules/*.yml (test/e2e/alerting/tools.test.ts checks they agree).
 */
export const DEFAULT_RUNBOOK_BASE_URL = 'https://github.com/pengawas/pengawas/blob/main/docs/runbooks';

/** The `runbook_url` annotation of an alert. */
export function runbookUrl(alert: string): string {
  return `{{ or $externalLabels.runbook_base_url ${JSON.stringify(DEFAULT_RUNBOOK_BASE_URL)} }}/${alert}.md`;
}

/** A check alert's live expression, silent while a maintenance window covers the check (pengawas_check_in_maintenance). */
export function outsideMaintenance(live: string): string {
  const indented = live
    .trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return (
    `(\n${indented}\n)\n` +
    '# A maintenance window covers the check (pengawas maintenance add): no page, the time is maintenance.\n' +
    'unless on (check) (max by (check) (pengawas_check_in_maintenance) == 1)\n'
  );
}
