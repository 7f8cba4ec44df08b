/**
 * `validate` says ok only to what the probes accept at run time, and every message quotes the bad value and
 * what was expected. Targets are also run through the probe itself (an already-aborted signal, so nothing is
 * contacted) to show that what `validate` rejects is exactly what the probe would reject.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadChecks } from '../../src/config/load';
import { ConfigError, UsageError, type ConfigProblem } from '../../src/errors';
import { getProbe, probeTypes } from '../../src/probes/registry';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function problemsIn(yaml: string, checkSecrets = false): ConfigProblem[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-validate-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'c.yaml'), yaml);
  try {
    loadChecks(dir, { checkSecrets });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

const one = (fields: Record<string, string>) =>
  `checks:\n  - ${Object.entries({
    id: 'c1',
    type: 'http',
    element: 'security',
    schedule: '{ every: 1m }',
    target: 'http://127.0.0.1:9/',
    ...fields,
  })
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n    ')}\n`;

describe('validate rejects what a probe would reject at run time', () => {
  // Bad targets per type; each must be rejected by validate AND by the probe's own run().
  const BAD_TARGETS: Array<[string, string, Record<string, unknown>]> = [
    ['http', 'api.example.co.id/health', {}],
    ['http', 'ftp://files.example.co.id/', {}],
    ['webpage', 'www.example.co.id', {}],
    ['securitytxt', 'mailto:security@example.co.id', {}],
    ['openapi', 'openapi.yaml', {}],
    ['transaction', '/v1/payments', { steps: [{ name: 'pay', url: '/v1/payments' }] }],
    ['tls', 'api.example.co.id:99999', {}],
    ['tls', 'https://api.example.co.id/', {}],
    ['freshness', 'ftp://docs.example.co.id/policy.md', {}],
    ['attestation', 'has spaces in it', {}],
  ];
  it.each(BAD_TARGETS)('%s target %j: a problem at validate, and a usage error from the probe', async (type, target, options) => {
    const problems = problemsIn(one({ type, target: JSON.stringify(target), options: JSON.stringify(options) }));
    const p = problems.find((x) => x.field === 'target');
    expect(p?.message).toContain(`"${target}"`);
    expect(p?.line).toBe(6);
    const probe = getProbe(type)!;
    const signal = AbortSignal.abort();
    await expect(
      probe.run(target, probe.options.parse(options), { signal, timeoutMs: 1000, dataDir: tmpdir(), checkId: 'c1' }),
    ).rejects.toBeInstanceOf(UsageError);
  });

  it('accepts good targets of each kind', () => {
    const yaml = `checks:\n${[
      ['http', 'https://api.example.co.id/health'],
      ['tls', 'api.example.co.id:8443'],
      ['tls', '[::1]:443'],
      ['freshness', 'git:docs/policy.md'],
      ['attestation', 'bcp-drill'],
    ]
      .map(([type, target], i) => `  - { id: t${i}, type: ${type}, element: security, schedule: { every: 1h }, target: "${target}" }\n`)
      .join('')}`;
    expect(problemsIn(yaml)).toEqual([]);
  });

  it('a misspelt TLS profile is rejected with the nearest name; names and paths are accepted', () => {
    const bad = problemsIn(one({ type: 'tls', target: 'api.example.co.id:443', options: '{ profile: mozila-modern }' }));
    expect(bad).toHaveLength(1);
    expect(bad[0].field).toBe('options.profile');
    expect(bad[0].message).toMatch(/unknown TLS profile "mozila-modern"; did you mean "mozilla-modern"\?/);
    expect(problemsIn(one({ type: 'tls', target: 'a.example:443', options: '{ profile: intermedate }' }))[0].message).toMatch(
      /did you mean "intermediate"/,
    );
    for (const ok of ['mozilla-modern', 'modern', 'none', 'profiles/operator.yaml', 'operator.yml']) {
      expect(problemsIn(one({ type: 'tls', target: 'a.example:443', options: `{ profile: ${ok} }` }))).toEqual([]);
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-validate-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'c.yaml'), one({ type: 'tls', target: 'a.example:443', options: '{ profile: Mozilla-Modern }' }));
    expect(loadChecks(dir).checks[0].options.profile).toBe('modern');
  });

  it('a duplicate id is reported even when the first copy has other errors', () => {
    const problems = problemsIn(
      `checks:\n  - { id: twin, type: http, element: nope, schedule: "bad", target: "not a url" }\n  - { id: twin, type: http, element: security, schedule: { every: 1m }, target: "http://x/" }\n`,
    );
    const dup = problems.filter((p) => p.field === 'id');
    expect(dup).toHaveLength(1);
    expect(dup[0].line).toBe(3);
    expect(dup[0].message).toMatch(/duplicate check id "twin"; first defined at .*c\.yaml:2/);
    expect(problems.map((p) => p.field).sort()).toEqual(['element', 'id', 'schedule', 'target']);
  });

  it('an unknown element quotes the value and suggests the nearest', () => {
    const [p] = problemsIn(one({ element: 'securty' }));
    expect(p.field).toBe('element');
    expect(p.message).toMatch(/^"securty" is not one of security, efficiency, .*; did you mean "security"\?$/);
    expect(problemsIn(one({ element: 'banana' }))[0].message).not.toMatch(/did you mean/);
  });

  it('unknown fields name the field, its value and the nearest known field', () => {
    const problems = problemsIn(one({ retrys: '3', options: '{ expectStatuss: [200], folowRedirects: false }' }));
    const by = (f: string) => problems.find((p) => p.field === f)?.message;
    expect(by('retrys')).toMatch(/^unknown field "retrys" \(value 3\); did you mean "retries"\?/);
    expect(by('options.expectStatuss')).toMatch(
      /unknown field "expectStatuss" \(value a list \(1 items\)\); did you mean "expectStatus"\?/,
    );
    expect(by('options.folowRedirects')).toMatch(/unknown field "folowRedirects" \(value false\); did you mean "followRedirects"\?/);
  });

  it('wrong types and out-of-range numbers name the value', () => {
    const problems = problemsIn(one({ retries: '"three"', options: '{ maxRedirects: 99 }' }));
    expect(problems.find((p) => p.field === 'retries')?.message).toBe('expected number, got "three"');
    expect(problems.find((p) => p.field === 'options.maxRedirects')?.message).toMatch(/^99: /);
  });

  it('schedules: every mistake names the value and what was expected', () => {
    const msg = (schedule: string) => problemsIn(one({ schedule })).find((p) => p.field === 'schedule')?.message;
    expect(msg('"every 5"')).toMatch(
      /^schedule "every 5" is not a valid cron expression .*expected a cron expression like .*\{ every: <duration like 30s or 5m> \}.*for an interval write \{ every: 5s \}$/,
    );
    expect(msg('{ every: 5 minutes }')).toBe('schedule every "5 minutes" — expected a duration like 30s, 5m or 1h');
    expect(msg('{ every: 500ms }')).toBe('schedule every "500ms" is shorter than the minimum of 1s');
    expect(msg('{ cron: "0 * * * *", timezone: Asia/Jakrta }')).toMatch(
      /^schedule timezone "Asia\/Jakrta" is not an IANA time zone; did you mean "Asia\/Jakarta"\?/,
    );
    expect(msg('{ evry: 5m }')).toMatch(/^unknown schedule field "evry"; did you mean "every"\?/);
    expect(msg('{ every: 5m, cron: "* * * * *" }')).toMatch(/either \{ every \} or \{ cron, timezone \}/);
    expect(problemsIn(one({ schedule: '{ cron: "0 2 * * *", timezone: Asia/Makassar }' }))).toEqual([]);
  });

  it('on the machine that runs probes: an unreadable caFile and an invalid TLS profile YAML are problems', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-validate-files-'));
    dirs.push(dir);
    const profile = path.join(dir, 'operator.yaml');
    writeFileSync(profile, 'name: operator-minimum\nprotocols: [TLSv1.2, TLSv1.4]\n');
    const missingCa = path.join(dir, 'no-such-ca.pem');
    const problems = problemsIn(
      one({ type: 'tls', target: 'a.example:443', options: `{ profile: "${profile}", caFile: "${missingCa}" }` }),
      true,
    );
    expect(problems.find((p) => p.field === 'options.caFile')?.message).toBe(`caFile "${missingCa}" cannot be read here (ENOENT)`);
    expect(problems.find((p) => p.field === 'options.profile')?.message).toMatch(
      /^TLS profile ".*operator\.yaml" is invalid: protocols\.1: /,
    );
    // Elsewhere (validate --no-secrets on a laptop) those files are not looked at.
    expect(
      problemsIn(one({ type: 'tls', target: 'a.example:443', options: `{ profile: "${profile}", caFile: "${missingCa}" }` }), false),
    ).toEqual([]);
    writeFileSync(profile, 'name: operator-minimum\nextends: intermediate\nminRsaBits: 3072\n');
    writeFileSync(missingCa, '-----BEGIN CERTIFICATE-----\n');
    expect(
      problemsIn(one({ type: 'tls', target: 'a.example:443', options: `{ profile: "${profile}", caFile: "${missingCa}" }` }), true),
    ).toEqual([]);
  });
});
