/** The pengawas_transaction_* family, fed with real flow results, as Prometheus would scrape it. */
import { Registry } from 'prom-client';
import { ProbeFamilies } from '../../../src/metrics/probe-families';
import type { ProbeResult } from '../../../src/results/contract';
import { freePort, startHttp, type Started } from '../../helpers/net';
import { adHocCheck } from '../../../src/probes/ad-hoc';
import { runFlow } from './helpers';

let server: Started;
beforeAll(async () => {
  server = await startHttp((req, res) => {
    if (req.url === '/slow') return setTimeout(() => res.end('{"ok":true}'), 150);
    res.writeHead(req.url === '/broken' ? 500 : 200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
});
afterAll(() => server.close());

/** value of one series in the exposition text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    const parts = inner.split(',');
    if (want.every((w) => parts.includes(w)) && parts.length === want.length) return Number(line.slice(line.indexOf('}') + 2));
  }
  return undefined;
}

const options = {
  steps: [
    { name: 'pay', url: '/ok' },
    { name: 'inquire', url: '/slow' },
  ],
  slo: [
    { name: 'flow', objective: 0.99, latency: '50ms', window: '30d' },
    { name: 'availability', objective: 0.995 },
  ],
};

describe('pengawas_transaction_* metrics', () => {
  it('exports step phases, step and flow outcomes, and SLO gauges and good/total counters', async () => {
    const registry = new Registry();
    const fam = new ProbeFamilies(registry, ['transaction']);
    const results: ProbeResult[] = [];
    results.push(await runFlow(server.url, options, { id: 'tx-m' }));
    results.push(await runFlow(server.url, { ...options, steps: [options.steps[0], { name: 'inquire', url: '/broken' }] }, { id: 'tx-m' }));
    const dead = await freePort();
    results.push(await runFlow(`http://127.0.0.1:${dead}`, options, { id: 'tx-m' }));
    expect(results.map((r) => r.status)).toEqual(['pass', 'fail', 'error']);
    for (const r of results) fam.observe(r);

    const text = await registry.metrics();
    const l = { check: 'tx-m', element: 'efficiency' };
    // Phase histograms per step: two runs of "pay" measured (the third errored before any response).
    expect(sample(text, 'pengawas_transaction_duration_seconds_count', { ...l, step: 'pay', phase: 'ttfb' })).toBe(2);
    // The 500 was fast, the 150 ms one not (buckets wide apart: other suites share the 2 cores).
    expect(sample(text, 'pengawas_transaction_duration_seconds_bucket', { ...l, step: 'inquire', phase: 'total', le: '0.1' })).toBe(1);
    expect(sample(text, 'pengawas_transaction_duration_seconds_bucket', { ...l, step: 'inquire', phase: 'total', le: '1' })).toBe(2);
    expect(sample(text, 'pengawas_transaction_step_runs_total', { ...l, step: 'inquire', result: 'fail' })).toBe(1);
    expect(sample(text, 'pengawas_transaction_step_success', { ...l, step: 'inquire' })).toBe(0);
    expect(sample(text, 'pengawas_transaction_flow_runs_total', { ...l, status: 'error' })).toBe(1);
    expect(sample(text, 'pengawas_transaction_flow_success', l)).toBe(0);
    expect(sample(text, 'pengawas_transaction_flow_duration_seconds_count', l)).toBe(1);
    // SLOs as declared, and the events counted against them.
    expect(sample(text, 'pengawas_transaction_slo_objective_ratio', { ...l, slo: 'flow' })).toBe(0.99);
    expect(sample(text, 'pengawas_transaction_slo_latency_seconds', { ...l, slo: 'flow' })).toBe(0.05);
    expect(sample(text, 'pengawas_transaction_slo_latency_seconds', { ...l, slo: 'availability' })).toBeUndefined();
    expect(sample(text, 'pengawas_transaction_slo_window_seconds', { ...l, slo: 'flow' })).toBe(30 * 86400);
    // flow: run 1 slower than 50 ms (bad), run 2 failed (bad), run 3 errored (bad, counted from the remembered SLOs)
    expect(sample(text, 'pengawas_transaction_slo_events_total', { ...l, slo: 'flow' })).toBe(3);
    expect(sample(text, 'pengawas_transaction_slo_good_total', { ...l, slo: 'flow' })).toBe(0);
    expect(sample(text, 'pengawas_transaction_slo_events_total', { ...l, slo: 'availability' })).toBe(3);
    expect(sample(text, 'pengawas_transaction_slo_good_total', { ...l, slo: 'availability' })).toBe(1);

    fam.forget('tx-m', 'transaction');
    const after = await registry.metrics();
    expect(after).not.toContain('check="tx-m"');
  });

  it('knows SLOs from the configuration: series exist before any run, and a first-ever error counts as bad', async () => {
    const registry = new Registry();
    const fam = new ProbeFamilies(registry, ['transaction']);
    const check = adHocCheck({ type: 'transaction', target: server.url, options, id: 'tx-cfg', element: 'efficiency' });
    fam.configure([check]);
    const l = { check: 'tx-cfg', element: 'efficiency' };
    let text = await registry.metrics();
    expect(sample(text, 'pengawas_transaction_slo_objective_ratio', { ...l, slo: 'availability' })).toBe(0.995);
    expect(sample(text, 'pengawas_transaction_slo_latency_seconds', { ...l, slo: 'flow' })).toBe(0.05);
    expect(sample(text, 'pengawas_transaction_slo_events_total', { ...l, slo: 'flow' })).toBe(0);
    const errored = await runFlow(`http://127.0.0.1:${await freePort()}`, options, { id: 'tx-cfg' });
    expect(errored.status).toBe('error');
    fam.observe(errored);
    text = await registry.metrics();
    expect(sample(text, 'pengawas_transaction_slo_events_total', { ...l, slo: 'flow' })).toBe(1);
    expect(sample(text, 'pengawas_transaction_slo_good_total', { ...l, slo: 'flow' })).toBe(0);
  });

  it('ignores results of other probe types', async () => {
    const registry = new Registry();
    const fam = new ProbeFamilies(registry, ['transaction']);
    fam.observe({
      id: 'x@t',
      checkId: 'x',
      type: 'http',
      element: 'efficiency',
      target: 't',
      status: 'pass',
      scheduledAt: '',
      startedAt: '',
      durationMs: 1,
      attempt: 1,
      findings: [],
      measurements: {},
    });
    expect(await registry.metrics()).not.toContain('check="x"');
  });
});
