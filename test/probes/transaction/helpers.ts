/** Runs a transaction check through the real runner (secret resolution, timeout, scrubbing, status). */
import os from 'node:os';
import type { Check } from '../../../src/config/check';
import { runCheck } from '../../../src/probes/runner';
import { transactionOptions } from '../../../src/probes/transaction/options';
import type { TransactionMeasurements } from '../../../src/probes/transaction/flow';
import type { ProbeResult } from '../../../src/results/contract';

export async function runFlow(target: string, raw: unknown, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; id?: string } = {}): Promise<ProbeResult> {
  const options = transactionOptions.parse(raw);
  const check: Check = {
    id: opts.id ?? 'tx-test',
    name: 'transaction test',
    type: 'transaction',
    element: 'efficiency',
    schedule: { kind: 'every', intervalMs: 60_000 } as Check['schedule'],
    scheduleText: 'test',
    timeoutMs: opts.timeoutMs ?? 5000,
    target,
    options: options as Record<string, unknown>,
    severity: 'high',
    labels: {},
    retries: 0,
    enabled: true,
    source: { file: 'test' },
  };
  return runCheck(check, { dataDir: os.tmpdir(), env: opts.env });
}

export function measurements(r: ProbeResult): TransactionMeasurements {
  return r.measurements as unknown as TransactionMeasurements;
}

export function failing(r: ProbeResult): string[] {
  return r.findings.filter((f) => f.status !== 'pass').map((f) => f.id);
}
