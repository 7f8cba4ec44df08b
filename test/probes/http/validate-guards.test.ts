/**
 * `pengawas validate` (the real CLI) refuses, before anything runs: patterns the linear-time engine cannot run
 * (naming the construct and the field), and secrets too short to scrub (naming the check and the reference,
 * never the value). The catastrophic pattern itself is valid: it is safe on this engine.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { adHocCheck } from '../../../src/probes/ad-hoc';
import { runCheck } from '../../../src/probes/runner';
import { runCli } from '../../helpers/cli';

function folder(yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-guards-'));
  writeFileSync(path.join(dir, 'checks.yaml'), yaml);
  return dir;
}

const check = (id: string, options: string) => `  - id: ${id}
    type: http
    element: security
    schedule: { every: 30s }
    target: http://127.0.0.1:9/
    options: ${options}
`;

describe('validate guards', () => {
  it('names the construct and field of a pattern the engine cannot run', async () => {
    const dir = folder(
      `checks:\n${check('backref', '{ bodyMatches: ["ok", "(a)\\\\1"] }')}${check('lookaround', '{ requireHeaders: [{ name: X-Frame-Options, matches: "(?<!ALLOW)DENY" }] }')}`,
    );
    const r = await runCli(['validate', '--checks', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /check "backref" options\.bodyMatches\[1\]: .*unsupported regular expression \/\(a\)\\1\/: back-reference `\\1`/,
    );
    expect(r.stderr).toMatch(/check "lookaround" options\.requireHeaders\[0\]\.matches: .*negative look-behind/);
  });

  it('accepts (a+)+$: catastrophic for a backtracking engine, linear here', async () => {
    const r = await runCli(['validate', '--checks', folder(`checks:\n${check('redos', '{ bodyMatches: ["(a+)+$"] }')}`)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('refuses a secret shorter than 8 characters, naming check and reference but not the value', async () => {
    const dir = folder(`checks:\n${check('short-secret', '{ headers: { Authorization: "Bearer ${env:GUARD_PIN}" } }')}`);
    const r = await runCli(['validate', '--checks', dir], { env: { GUARD_PIN: 'z7q4' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /check "short-secret" options\.headers\.Authorization: secret reference \$\{env:GUARD_PIN\} resolves to fewer than 8 characters/,
    );
    expect(r.stderr).not.toContain('z7q4');
    const ok = await runCli(['validate', '--checks', dir], { env: { GUARD_PIN: 'z7q4-long-enough' } });
    expect(ok.code).toBe(0);
  });

  it('refuses to run with one that became short after validate: error, naming the reference', async () => {
    const c = adHocCheck({ type: 'http', target: 'http://127.0.0.1:9/', options: { headers: { 'x-pin': '${env:GUARD_PIN}' } } });
    const r = await runCheck(c, { dataDir: '/tmp', env: { GUARD_PIN: 'z7q4' } });
    expect(r.status).toBe('error');
    expect(r.errorCode).toBe('PENGAWAS_SECRET_UNRESOLVED');
    expect(r.findings[0].message).toMatch(/options\.headers\.x-pin: secret reference \$\{env:GUARD_PIN\} resolves to fewer than 8/);
  });
});
