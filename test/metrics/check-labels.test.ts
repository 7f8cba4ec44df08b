/**
 * Check series carry `target` (credentials stripped) and `pengawas_check_info` the check's own YAML `labels:`,
 * validated against the Prometheus label grammar (https://prometheus.io/docs/concepts/data_model/: names match
 * [a-zA-Z_][a-zA-Z0-9_]*, names starting with "__" are reserved) and bounded in count and length.
 */
import { hashChecks, parseChecksFile } from '../../src/config/load';
import type { Check, CheckSet } from '../../src/config/check';
import type { ConfigProblem } from '../../src/errors';
import { Metrics } from '../../src/metrics/definitions';
import type { ProbeResult } from '../../src/results/contract';
import { stripCredentials } from '../../src/util/scrub';

function parse(labels: string, target = 'https://127.0.0.1:8443/health'): { checks: Check[]; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const yaml = `checks:\n  - id: api\n    type: http\n    element: security\n    schedule: { every: 1m }\n    target: "${target}"\n    labels: ${labels}\n`;
  const checks = parseChecksFile('c.yaml', yaml, {}, problems);
  return { checks, problems };
}

function set(checks: Check[]): CheckSet {
  return { checks, byId: new Map(checks.map((c) => [c.id, c])), hash: hashChecks(checks), loadedAt: new Date() };
}

function result(c: Check, status: ProbeResult['status']): ProbeResult {
  const now = new Date().toISOString();
  return {
    id: `${c.id}@${now}`,
    checkId: c.id,
    type: c.type,
    element: c.element,
    target: c.target,
    status,
    scheduledAt: now,
    startedAt: now,
    durationMs: 5,
    attempt: 1,
    findings: [],
    measurements: {},
  };
}

describe('check labels: validated at load', () => {
  it.each([
    ['{ "1st": x }', /"1st" is not a Prometheus label name/],
    ['{ "bad-name": x }', /"bad-name" is not a Prometheus label name/],
    ['{ __name: x }', /"__name" starts with "__"/],
    ['{ target: x }', /"target" is reserved/],
    ['{ job: x }', /"job" is reserved/],
    ['{ instance: x }', /"instance" is reserved/],
    [`{ ${'a'.repeat(65)}: x }`, /longer than 64 characters/],
    [`{ team: "${'v'.repeat(257)}" }`, /at most 256 characters/],
    ['{ team: "" }', /must not be empty/],
    [`{ ${Array.from({ length: 17 }, (_, i) => `l${i}: v`).join(', ')} }`, /at most 16 labels per check/],
  ])('%s is refused with a message naming it', (labels, message) => {
    const { problems } = parse(labels);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => `${p.field}: ${p.message}`).join('\n')).toMatch(message);
    expect(problems[0]).toMatchObject({ file: 'c.yaml', checkId: 'api' });
    expect(problems[0].field).toMatch(/^labels/);
  });

  it('accepts ordinary labels', () => {
    expect(parse('{ service: payment-api, team_2: sre }').problems).toEqual([]);
  });
});

describe('stripCredentials', () => {
  it.each([
    ['https://user:s3cretpass@api.example.co.id/health', 'https://api.example.co.id/health'],
    ['https://token@api.example.co.id/', 'https://api.example.co.id/'],
    ['https://api.example.co.id/x?api_key=abcdef123&page=2', 'https://api.example.co.id/x?api_key=[redacted]&page=2'],
    ['https://h/x?X-Amz-Signature=abc&access_token=t#frag', 'https://h/x?X-Amz-Signature=[redacted]&access_token=[redacted]#frag'],
    ['git+https://bot:ghp_xxxxxxxxxx@git.example/docs.git', 'git+https://git.example/docs.git'],
    ['db.example:5432', 'db.example:5432'],
    ['mailto:a@b', 'mailto:a@b'],
  ])('%s → %s', (input, out) => {
    expect(stripCredentials(input)).toBe(out);
  });

  it('bounds the length', () => {
    const t = stripCredentials(`https://h/${'a'.repeat(1000)}`);
    expect(t).toHaveLength(256);
    expect(t.endsWith('…')).toBe(true);
  });
});

describe('check series carry the target and pengawas_check_info the labels', () => {
  it('exports target without credentials, labels on the info series, and drops series when they change', async () => {
    const a = parse('{ service: payment-api, team: sre }', 'https://monitor:hunter2hunter2@127.0.0.1:8443/health?token=abc').checks[0];
    const m = new Metrics({ defaultMetrics: false });
    m.syncChecks(set([a]));
    m.record(result(a, 'fail'));
    let text = await m.registry.metrics();
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('token=abc');
    const target = 'https://127.0.0.1:8443/health?token=[redacted]';
    expect(text).toContain(`pengawas_check_status{check="api",element="security",type="http",target="${target}"} 0`);
    expect(text).toContain(`pengawas_check_runs_total{check="api",element="security",type="http",target="${target}",result="fail"} 1`);
    expect(text).toMatch(new RegExp(`pengawas_check_info\\{[^}]*service="payment-api"[^}]*\\} 1`));
    expect(text).toMatch(/pengawas_check_info\{[^}]*team="sre"[^}]*\} 1/);

    // Another label set on reload: the info series is rebuilt with the new names, no stale label left.
    const b = parse('{ flow: direct-debit }', 'https://127.0.0.1:9443/health').checks[0];
    m.syncChecks(set([b]));
    text = await m.registry.metrics();
    expect(text).toMatch(/pengawas_check_info\{[^}]*flow="direct-debit"[^}]*\} 1/);
    expect(text).not.toContain('service="payment-api"');
    // The target changed: the old target's series are gone, not left stale beside the new ones.
    expect(text).not.toContain('8443');
    m.record(result(b, 'pass'));
    expect(await m.registry.metrics()).toContain(
      'pengawas_check_status{check="api",element="security",type="http",target="https://127.0.0.1:9443/health"} 1',
    );
  });
});
