import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadChecks } from '../../src/config/load';
import { ConfigError, type ConfigProblem } from '../../src/errors';
import { spawnSource } from '../helpers/cli-source';

async function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = spawnSource(args, { PENGAWAS_LOG_LEVEL: 'silent', ...opts.env });
  let stdout = '';
  p.stdout!.on('data', (d) => (stdout += d));
  const { code } = await p.exited;
  return { code, stdout, stderr: p.output().replace(stdout, '') };
}

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-cfg-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function problemsOf(dir: string, env: NodeJS.ProcessEnv = {}): ConfigProblem[] {
  try {
    loadChecks(dir, { checkSecrets: true, env });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

const GOOD = `checks:
  - id: api-health
    name: API health
    type: http
    element: sustainability
    schedule: { every: 30s }
    timeout: 5s
    target: http://127.0.0.1:9/health
    severity: high
    owner: sre
    runbook: https://runbooks.example.co.id/api
    labels: { team: payments }
    options:
      headers: { Authorization: "Bearer \${env:API_TOKEN}" }
`;

describe('checks as code', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const mk = (files: Record<string, string>) => {
    const d = dirWith(files);
    dirs.push(d);
    return d;
  };

  it('loads a valid check with defaults and keeps secret references unresolved', () => {
    const set = loadChecks(mk({ 'a.yaml': GOOD }), { checkSecrets: true, env: { API_TOKEN: 't0ps3cret' } });
    const c = set.byId.get('api-health')!;
    expect(c.schedule).toEqual({ kind: 'every', intervalMs: 30_000 });
    expect(c.timeoutMs).toBe(5000);
    expect(c.retries).toBe(2);
    expect((c.options.headers as Record<string, string>).Authorization).toBe('Bearer ${env:API_TOKEN}');
    expect(c.options.expectStatus).toEqual(['2xx']);
    expect(set.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lists every problem at once with file, line, check id and field', () => {
    const bad = `checks:
  - id: dup
    type: http
    element: security
    schedule: "*/5 * * * *"
    target: http://x
  - id: dup
    type: http
    element: safety
    schedule: "61 * * * *"
    target: http://x
  - id: weird
    type: carrier-pigeon
    element: security
    schedule: { every: 1m }
    target: http://x
  - id: secret
    type: http
    element: security
    schedule: { every: 1m }
    target: http://x
    options:
      headers: { X-Key: "\${env:NOT_SET_ANYWHERE}" }
      expectStatus: [700]
`;
    const problems = problemsOf(mk({ 'bad.yaml': bad, 'syntax.yml': 'checks:\n  - id: a\n    type: [unclosed\n' }));
    const find = (field: string, checkId?: string) =>
      problems.find((p) => p.field === field && (checkId === undefined || p.checkId === checkId));
    expect(find('element', 'dup')?.message).toMatch(/security.*inclusivity|expected one of/i);
    expect(find('element', 'dup')?.line).toBe(9);
    expect(find('schedule', 'dup')?.message).toMatch(/schedule "61 \* \* \* \*" is not a valid cron expression \(minute "61"/);
    expect(find('type', 'weird')?.message).toMatch(/^unknown probe type "carrier-pigeon"; known types: .*http/);
    expect(find('options.headers.X-Key', 'secret')?.message).toMatch(/missing secret reference \$\{env:NOT_SET_ANYWHERE\}/);
    expect(find('options.expectStatus[0]', 'secret')).toBeDefined();
    const syntax = problems.find((p) => p.field === '(yaml)');
    expect(syntax?.file).toMatch(/syntax\.yml$/);
    expect(syntax?.line).toBeGreaterThanOrEqual(3);
    expect(syntax?.message).toMatch(/YAML syntax error/);
    // The duplicate is reported even though the second copy has other errors (element, schedule).
    expect(find('id', 'dup')?.message).toMatch(/duplicate check id "dup"; first defined at .*bad\.yaml:2/);
    expect(find('id', 'dup')?.line).toBe(7);
    const dupDir = mk({ 'a.yaml': GOOD, 'b.yaml': GOOD });
    const dup = problemsOf(dupDir, { API_TOKEN: 'x-long-enough' }).find((p) => p.field === 'id');
    expect(dup?.message).toMatch(/duplicate check id "api-health"; first defined at .*a\.yaml:2/);
    expect(dup?.file).toMatch(/b\.yaml$/);
  });

  it('rejects secret references outside options and timeouts longer than the interval', () => {
    const text = `checks:
  - id: leaky
    type: http
    element: security
    schedule: { every: 10s }
    timeout: 30s
    target: "https://api/\${env:TOKEN}"
`;
    const problems = problemsOf(mk({ 'x.yaml': text }), { TOKEN: 'abc' });
    expect(problems.find((p) => p.field === 'target')?.message).toMatch(/only allowed inside options/);
    expect(problems.find((p) => p.field === 'timeout')?.message).toMatch(/longer than the schedule interval/);
  });

  it('`pengawas validate` prints every problem and exits 2; a valid folder exits 0', async () => {
    const bad = mk({ 'bad.yaml': 'checks:\n  - id: Bad Id\n    type: http\n    element: nope\n    schedule: "x"\n    target: http://x\n' });
    const r = await runCli(['validate', '--checks', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:2 check "Bad Id" id: "Bad Id": expected lower-case/);
    expect(r.stderr).toMatch(/bad\.yaml:4 check "Bad Id" element:/);
    expect(r.stderr).toMatch(/bad\.yaml:5 check "Bad Id" schedule: schedule "x" is not a valid cron expression/);
    const ok = await runCli(['validate', '--checks', mk({ 'a.yaml': GOOD })], { env: { API_TOKEN: 'x-long-enough' } });
    expect(ok.stdout).toMatch(/^ok: 1 checks/);
    expect(ok.code).toBe(0);
  });
});
