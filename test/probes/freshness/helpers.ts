/** Builds checks for the freshness tests the way the config loader would (options through the probe's schema). */
import { adHocCheck } from '../../../src/probes/ad-hoc';
import type { Check } from '../../../src/config/check';
import { runCheck } from '../../../src/probes/runner';
import type { ProbeResult } from '../../../src/results/contract';

export const DAY = 86_400_000;

export function isoDay(msFromNow: number): string {
  return new Date(Date.now() + msFromNow).toISOString().slice(0, 10);
}

export function makeCheck(type: string, target: string, options: Record<string, unknown> = {}, timeoutMs = 10_000): Check {
  return adHocCheck({ type, target, options, timeoutMs, id: `test-${type}` });
}

export function probe(type: string, target: string, options: Record<string, unknown> = {}, timeoutMs?: number): Promise<ProbeResult> {
  return runCheck(makeCheck(type, target, options, timeoutMs), { dataDir: '/tmp' });
}

export function findingIds(r: ProbeResult, status?: string): string[] {
  return r.findings.filter((f) => !status || f.status === status).map((f) => f.id);
}
