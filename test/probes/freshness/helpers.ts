/** Builds checks for the freshness tests the way the config loader would (options through the probe's schema). */
import type { Check } from '../../../src/config/check';
import { getProbe } from '../../../src/probes/registry';
import { runCheck } from '../../../src/probes/runner';
import type { ProbeResult } from '../../../src/results/contract';

export const DAY = 86_400_000;

export function isoDay(msFromNow: number): string {
  return new Date(Date.now() + msFromNow).toISOString().slice(0, 10);
}

export function makeCheck(type: string, target: string, options: Record<string, unknown> = {}, timeoutMs = 10_000): Check {
  const probe = getProbe(type);
  if (!probe) throw new Error(`probe type ${type} is not registered`);
  const parsed = probe.options.parse(options) as Record<string, unknown>;
  return {
    id: `test-${type}`,
    name: target,
    type,
    element: probe.defaultElement,
    schedule: { kind: 'every', intervalMs: 60_000 },
    scheduleText: 'every 60s',
    timeoutMs,
    target,
    options: parsed,
    severity: 'medium',
    labels: {},
    retries: 0,
    enabled: true,
    source: { file: 'test' },
  };
}

export function probe(type: string, target: string, options: Record<string, unknown> = {}, timeoutMs?: number): Promise<ProbeResult> {
  return runCheck(makeCheck(type, target, options, timeoutMs), { dataDir: '/tmp' });
}

export function findingIds(r: ProbeResult, status?: string): string[] {
  return r.findings.filter((f) => !status || f.status === status).map((f) => f.id);
}
