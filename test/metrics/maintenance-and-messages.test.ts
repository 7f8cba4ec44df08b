/**
 * The two series alerts use to say why and to stay silent: pengawas_check_failing_finding_info{message} (one line,
 * bounded, one series per active finding, replaced when the message changes) and pengawas_check_in_maintenance
 * (every configured check 0 or 1; a check in maintenance leaves its element's compliance ratio). Read from the
 * exposition text prom-client serves, with checks loaded from YAML by the real loader.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadChecks } from '../../src/config/load';
import { findingMessageLabel, Metrics, MESSAGE_LABEL_MAX } from '../../src/metrics/definitions';
import type { ProbeResult } from '../../src/results/contract';

const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-msg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function checks() {
  writeFileSync(
    path.join(dir, 'c.yaml'),
    [
      'checks:',
      ...['a', 'b'].flatMap((id) => [
        `  - id: ${id}`,
        '    type: http',
        '    element: security',
        '    schedule: { every: 1m }',
        `    target: http://127.0.0.1:9/${id}`,
      ]),
    ].join('\n'),
  );
  return loadChecks(dir);
}

const result = (checkId: string, status: 'pass' | 'fail', message = ''): ProbeResult => ({
  id: `${checkId}-${Math.random()}`,
  checkId,
  type: 'http',
  element: 'security',
  target: 'http://127.0.0.1:9/',
  status,
  scheduledAt: new Date().toISOString(),
  startedAt: new Date().toISOString(),
  durationMs: 5,
  attempt: 1,
  findings: status === 'fail' ? [{ id: 'http.status.unexpected', severity: 'high', status: 'fail', message }] : [],
  measurements: {},
});

describe('finding messages and maintenance on /metrics', () => {
  it('bounds a message label: one line, no control characters, at most 96 characters', () => {
    expect(findingMessageLabel('status 503,\n\texpected\u0000 2xx ')).toBe('status 503, expected 2xx');
    const long = findingMessageLabel('é'.repeat(500));
    expect([...long].length).toBe(MESSAGE_LABEL_MAX);
    expect(long.endsWith('…')).toBe(true);
    expect(3 * MESSAGE_LABEL_MAX + 2 * 2).toBeLessThanOrEqual(300);
  });

  it('keeps one message series per active finding and replaces it when the message changes', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.syncChecks(checks());
    m.record(result('a', 'fail', 'status 503, expected 2xx'));
    m.record(result('a', 'fail', 'status 502, expected 2xx'));
    const text = await m.registry.getSingleMetricAsString('pengawas_check_failing_finding_info');
    expect(text.split('\n').filter((l) => l.startsWith('pengawas_check_failing_finding_info{'))).toEqual([
      'pengawas_check_failing_finding_info{check="a",element="security",type="http",target="http://127.0.0.1:9/a",finding="http.status.unexpected",severity="high",status="fail",message="status 502, expected 2xx"} 1',
    ]);
  });

  it('exports in_maintenance for every configured check and leaves checks in maintenance out of the element ratio', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.syncChecks(checks());
    m.record(result('a', 'fail', 'down'));
    m.record(result('b', 'pass'));
    expect(await m.registry.getSingleMetricAsString('pengawas_element_compliance_ratio')).toContain(
      'pengawas_element_compliance_ratio{element="security"} 0.5',
    );
    m.setMaintenance(new Set(['a']));
    const maint = await m.registry.getSingleMetricAsString('pengawas_check_in_maintenance');
    expect(maint).toContain('pengawas_check_in_maintenance{check="a",element="security",type="http",target="http://127.0.0.1:9/a"} 1');
    expect(maint).toContain('pengawas_check_in_maintenance{check="b",element="security",type="http",target="http://127.0.0.1:9/b"} 0');
    expect(await m.registry.getSingleMetricAsString('pengawas_element_compliance_ratio')).toContain(
      'pengawas_element_compliance_ratio{element="security"} 1',
    );
    // A reload keeps the known state for the checks that remain.
    m.syncChecks(checks());
    expect(await m.registry.getSingleMetricAsString('pengawas_check_in_maintenance')).toContain(
      'pengawas_check_in_maintenance{check="a",element="security",type="http",target="http://127.0.0.1:9/a"} 1',
    );
  });
});
