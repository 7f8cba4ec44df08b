/** Runs a transaction check through the real runner (secret resolution, timeout, scrubbing, status). */
import os from 'node:os';
import { adHocCheck } from '../../../src/probes/ad-hoc';
import { runCheck } from '../../../src/probes/runner';
import type { TransactionMeasurements } from '../../../src/probes/transaction/flow';
import type { ProbeResult } from '../../../src/results/contract';

export async function runFlow(
  target: string,
  raw: unknown,
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; id?: string } = {},
): Promise<ProbeResult> {
  const check = adHocCheck({
    type: 'transaction',
    target,
    options: raw,
    id: opts.id ?? 'tx-test',
    element: 'efficiency',
    severity: 'high',
    timeoutMs: opts.timeoutMs ?? 5000,
  });
  return runCheck(check, { dataDir: os.tmpdir(), env: opts.env });
}

export function measurements(r: ProbeResult): TransactionMeasurements {
  return r.measurements as unknown as TransactionMeasurements;
}

export function failing(r: ProbeResult): string[] {
  return r.findings.filter((f) => f.status !== 'pass').map((f) => f.id);
}
