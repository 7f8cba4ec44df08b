/** Runs an mfa check through the real runner (options schema, secret resolution, timeout, scrubbing). */
import os from 'node:os';
import { adHocCheck } from '../../../src/probes/ad-hoc';
import type { MfaMeasurements } from '../../../src/probes/mfa';
import { runCheck } from '../../../src/probes/runner';
import type { ProbeResult } from '../../../src/results/contract';

/** Every run also checks the result contract's rule that a finding id appears at most once per result. */
export async function runMfa(
  target: string,
  raw: unknown,
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; id?: string } = {},
): Promise<ProbeResult> {
  const check = adHocCheck({
    type: 'mfa',
    target,
    options: raw,
    id: opts.id ?? 'mfa-test',
    element: 'security',
    severity: 'critical',
    timeoutMs: opts.timeoutMs ?? 8000,
  });
  const r = await runCheck(check, { dataDir: os.tmpdir(), env: opts.env });
  const ids = r.findings.map((f) => f.id);
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (repeated.length) throw new Error(`finding id(s) repeated in one result: ${[...new Set(repeated)].join(', ')}`);
  return r;
}

export function m(r: ProbeResult): MfaMeasurements {
  return r.measurements as unknown as MfaMeasurements;
}

/** Ids of findings that did not pass, with their status: "mfa.x:fail". */
export function failing(r: ProbeResult): string[] {
  return r.findings
    .filter((f) => f.status !== 'pass')
    .map((f) => `${f.id}:${f.status}`)
    .sort();
}

export function finding(r: ProbeResult, id: string) {
  return r.findings.find((f) => f.id === id && f.status !== 'pass') ?? r.findings.find((f) => f.id === id);
}

/** JSON error body in the shape of the provider's published error responses. */
export function send(res: import('node:http').ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
