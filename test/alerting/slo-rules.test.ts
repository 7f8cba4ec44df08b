/** `pengawas rules generate`: burn-rate math, tier selection, and the committed rules file kept current. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { burnRate, generateSloRules } from '../../src/alerting/slo-rules';
import { loadChecks } from '../../src/config/load';
import { ROOT, runCli } from '../helpers/cli';

function flowCheck(id: string, slo: string): string {
  return `  - id: ${id}
    name: ${id}
    type: transaction
    element: efficiency
    schedule: { every: 30s }
    timeout: 10s
    target: https://127.0.0.1:1
    options:
      steps: [{ name: ping, url: /ping }]
      slo: ${slo}
`;
}

describe('SLO burn-rate rules', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'pengawas-slo-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the SRE workbook burn rates for a 30-day window and scales them with the window', () => {
    expect(burnRate(0.02, 30 * 86400, 3600)).toBe(14.4);
    expect(burnRate(0.05, 30 * 86400, 6 * 3600)).toBe(6);
    expect(burnRate(0.1, 30 * 86400, 3 * 86400)).toBe(1);
    expect(burnRate(0.02, 7 * 86400, 3600)).toBe(3.36);
  });

  it('generates one recording rule per window and three alerts per SLO with thresholds from objective and window', () => {
    writeFileSync(
      path.join(dir, 'c.yaml'),
      `checks:\n${flowCheck('pay', '[{ name: flow, objective: 0.999, window: 30d }, { name: fast, objective: 0.99, latency: 500ms, window: 7d }]')}`,
    );
    const g = generateSloRules(loadChecks(dir).checks, dir);
    expect(g.skipped).toEqual([]);
    const doc = parse(g.yaml) as {
      groups: Array<{ name: string; rules: Array<{ record?: string; alert?: string; expr: string; labels?: Record<string, string> }> }>;
    };
    expect(doc.groups.map((x) => x.name)).toEqual(['pengawas-slo']);
    const records = doc.groups[0].rules.filter((r) => r.record).map((r) => r.record);
    expect(records).toEqual(['5m', '30m', '1h', '6h', '3d'].map((w) => `pengawas:transaction_slo_error_ratio:rate${w}`));
    const alerts = doc.groups[0].rules.filter((r) => r.alert);
    expect(alerts).toHaveLength(6);
    // 99.9 % over 30 d: 14.4 x 0.001 on 1h and 5m.
    expect(alerts[0].expr).toContain('rate1h{check="pay", slo="flow"} > 0.0144');
    expect(alerts[0].expr).toContain('rate5m{check="pay", slo="flow"} > 0.0144');
    expect(alerts[0].labels).toMatchObject({ severity: 'critical', long_window: '1h', short_window: '5m' });
    // 99 % over 7 d: 3.36 x 0.01 on 1h; the slow tier is 0.1 x 7d / 3d = 0.2333 x 0.01.
    expect(alerts[3].expr).toContain('rate1h{check="pay", slo="fast"} > 0.0336');
    expect(alerts[5].expr).toContain('rate3d{check="pay", slo="fast"} > 0.002333');
    expect(alerts[5].labels).toMatchObject({ severity: 'warning' });
  });

  it('skips tiers a short window or a loose objective cannot use, and says why', () => {
    writeFileSync(
      path.join(dir, 'c.yaml'),
      `checks:\n${flowCheck('short', '[{ objective: 0.99, window: 1d }]')}${flowCheck('loose', '[{ objective: 0.9, window: 30d }]')}`,
    );
    const g = generateSloRules(loadChecks(dir).checks, dir);
    expect(g.skipped.find((s) => s.startsWith('short/flow 3d/6h'))).toMatch(/not longer than the 3d alert window/);
    expect(g.skipped.find((s) => s.startsWith('loose/flow 1h/5m'))).toMatch(/can never be exceeded/);
    const alerts = (parse(g.yaml) as { groups: Array<{ rules: Array<{ alert?: string }> }> }).groups[0].rules.filter((r) => r.alert);
    // short (1 d): the 1h and 6h tiers (burn 0.48 and 0.2); loose (90 %): 6h (6 x 0.1) and 3d (1 x 0.1), not 1h (1.44).
    expect(alerts).toHaveLength(4);
  });

  it('the generated rules pass promtool check rules', () => {
    writeFileSync(path.join(dir, 'c.yaml'), `checks:\n${flowCheck('pay', '[{ objective: 0.995, window: 28d }]')}`);
    const out = path.join(dir, 'slo.yml');
    writeFileSync(out, generateSloRules(loadChecks(dir).checks, dir).yaml);
    const r = spawnSync('promtool', ['check', 'rules', out], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toMatch(/SUCCESS: 8 rules found/);
  });

  it('CLI: writes the file, and --verify tells whether config/prometheus/rules/slo.yml is current', async () => {
    const out = path.join(dir, 'slo.yml');
    const w = await runCli(['rules', 'generate', '--checks', 'checks/demo', '--out', out]);
    expect(w.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(path.join(ROOT, 'config', 'prometheus', 'rules', 'slo.yml'), 'utf8'));
    const ok = await runCli(['rules', 'generate', '--checks', 'checks/demo', '--out', 'config/prometheus/rules/slo.yml', '--verify']);
    expect(ok.code).toBe(0);
    writeFileSync(out, 'groups: []\n');
    const stale = await runCli(['rules', 'generate', '--checks', 'checks/demo', '--out', out, '--verify']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/out of date/);
  });
});
