/** Runs an mfa check through the real runner (options schema, secret resolution, timeout, scrubbing). */
import os from 'node:os';
import type { Check } from '../../../src/config/check';
import type { MfaMeasurements } from '../../../src/probes/mfa';
import { mfaOptions } from '../../../src/probes/mfa/options';
import { runCheck } from '../../../src/probes/runner';
import type { ProbeResult } from '../../../src/results/contract';

export async function runMfa(target: string, raw: unknown, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; id?: string } = {}): Promise<ProbeResult> {
  const options = mfaOptions.parse(raw);
  const check: Check = {
    id: opts.id ?? 'mfa-test',
    name: 'mfa test',
    type: 'mfa',
    element: 'security',
    schedule: { kind: 'every', intervalMs: 60_000 } as Check['schedule'],
    scheduleText: 'test',
    timeoutMs: opts.timeoutMs ?? 8000,
    target,
    options: options as Record<string, unknown>,
    severity: 'critical',
    labels: {},
    retries: 0,
    enabled: true,
    source: { file: 'test' },
  };
  return runCheck(check, { dataDir: os.tmpdir(), env: opts.env });
}

export function m(r: ProbeResult): MfaMeasurements {
  return r.measurements as unknown as MfaMeasurements;
}

/** Ids of findings that did not pass, with their status: "mfa.x:fail". */
export function failing(r: ProbeResult): string[] {
  return r.findings.filter((f) => f.status !== 'pass').map((f) => `${f.id}:${f.status}`).sort();
}

export function finding(r: ProbeResult, id: string) {
  return r.findings.find((f) => f.id === id && f.status !== 'pass') ?? r.findings.find((f) => f.id === id);
}

/** JSON error body in the shape of the provider's published error responses. */
export function send(res: import('node:http').ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
