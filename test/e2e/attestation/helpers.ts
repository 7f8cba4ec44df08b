/** Attestation tests: checks built through the real config loader, and small store helpers. */
import { createHash } from 'node:crypto';
import type { Check } from '../../../src/config/check';
import { parseChecksFile } from '../../../src/config/load';
import type { ConfigProblem } from '../../../src/errors';

export const DAY = 86_400_000;

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** An `attestation` check as the loader makes it (options after schema defaults). */
export function attestationCheck(target: string, options: Record<string, unknown> = {}, id = `att-${target}`): Check {
  const yaml = JSON.stringify({
    checks: [{ id, name: id, type: 'attestation', element: 'capability', schedule: { every: '1m' }, timeout: '5s', target, options }],
  });
  const problems: ConfigProblem[] = [];
  const [check] = parseChecksFile('test.yaml', yaml, {}, problems);
  if (problems.length || !check) throw new Error(`bad test check: ${JSON.stringify(problems)}`);
  return check;
}

export const CHECKS_YAML = `checks:
  - id: drill-check
    name: Tabletop drill attested
    type: attestation
    element: capability
    schedule: { every: 1h }
    timeout: 5s
    target: tabletop-drill
    options: { warnBefore: 30d }
  - id: tls-api
    name: any other check
    type: http
    element: security
    schedule: { every: 1h }
    timeout: 5s
    target: http://127.0.0.1:9/
`;
