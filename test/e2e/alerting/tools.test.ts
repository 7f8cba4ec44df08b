/**
 * Static checks with the real tools from Debian: promtool (check rules, test rules, check config) and amtool
 * (check-config, routing). Also: every alert has the labels/annotations on-call needs, a runbook page, and unit
 * tests that see it both firing and silent.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../../helpers/cli';
import { MONITOR_UNAVAILABLE } from '../../../src/alerting/hold';
import { runbookUrl } from '../../../src/alerting/runbooks';
import { RULES_DIR } from '../../helpers/prometheus';

jest.setTimeout(300_000);

const TESTS_DIR = path.join(ROOT, 'config', 'prometheus', 'tests');
const AM_DIR = path.join(ROOT, 'config', 'alertmanager');
const ruleFiles = readdirSync(RULES_DIR)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => path.join(RULES_DIR, f));
const testFiles = readdirSync(TESTS_DIR)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => path.join(TESTS_DIR, f));

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules: Rule[] = ruleFiles.flatMap((f) =>
  (parse(readFileSync(f, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules),
);
const alertNames = [...new Set(rules.filter((r) => r.alert).map((r) => r.alert!))];

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  // promtool test rules over every file takes 16 s of CPU: minutes on a loaded two-core machine.
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 240_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

describe('Prometheus rules', () => {
  it('pass promtool check rules', () => {
    const r = run('promtool', ['check', 'rules', ...ruleFiles]);
    expect(r.out).not.toMatch(/FAILED|error/i);
    expect(r.code).toBe(0);
  });

  it('pass their promtool unit tests', () => {
    const r = run('promtool', ['test', 'rules', ...testFiles]);
    expect(r.out).not.toMatch(/FAILED/);
    expect(r.code).toBe(0);
  });

  it('promtool test rules catches a broken rule (the unit tests can fail)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-promtool-'));
    try {
      mkdirSync(path.join(dir, 'rules'));
      mkdirSync(path.join(dir, 'tests'));
      for (const f of ruleFiles) copyFileSync(f, path.join(dir, 'rules', path.basename(f)));
      copyFileSync(path.join(TESTS_DIR, 'checks_test.yml'), path.join(dir, 'tests', 'checks_test.yml'));
      // Fire a stale check as failing too: the stale-vs-failing test must notice.
      const file = path.join(dir, 'rules', 'checks.yml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/unless on \(check\)\n/, 'or on (check)\n'));
      const r = run('promtool', ['test', 'rules', path.join(dir, 'tests', 'checks_test.yml')]);
      expect(r.code).not.toBe(0);
      expect(r.out).toMatch(/FAILED/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every alert carries severity, element and check, a summary, a description and its runbook', () => {
    const problems: string[] = [];
    // Labels are judged on the alerts the unit tests saw firing: element/check often come from the series and
    // severity from the check definition, so the rule text alone does not show them.
    for (const f of testFiles) {
      const doc = parse(readFileSync(f, 'utf8')) as {
        tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: Array<{ exp_labels: Record<string, string> }> }> }>;
      };
      for (const t of doc.tests) {
        for (const a of t.alert_rule_test ?? []) {
          for (const e of a.exp_alerts ?? [])
            for (const l of ['severity', 'element', 'check'])
              if (!e.exp_labels[l]) problems.push(`${a.alertname} in ${path.basename(f)}: fires without ${l}`);
        }
      }
    }
    for (const r of rules.filter((x) => x.alert)) {
      for (const a of ['summary', 'description', 'runbook_url']) if (!r.annotations?.[a]) problems.push(`${r.alert}: no ${a}`);
      // Absolute, from the one base URL (external label runbook_base_url, else the default): clickable everywhere.
      if (r.annotations?.runbook_url !== runbookUrl(r.alert!)) problems.push(`${r.alert}: runbook_url ${r.annotations?.runbook_url}`);
      const page = path.join(ROOT, 'docs', 'runbooks', `${r.alert}.md`);
      if (!existsSync(page)) problems.push(`${r.alert}: no runbook page`);
      else
        for (const h of ['## What it means', '## How to confirm', '## How to fix', '## Whom to tell'])
          if (!readFileSync(page, 'utf8').includes(h)) problems.push(`${r.alert}: runbook lacks "${h}"`);
    }
    expect(problems).toEqual([]);
  });

  it('every check alert of a target is silent while a maintenance window covers the check', () => {
    // Check alerts on the target's behaviour; not CheckStale (the monitor itself stopped) nor pipeline/element alerts.
    const notTarget = new Set(['PengawasCheckStale', 'PengawasEvidencePackOverdue', 'PengawasEvidenceStoreDown']);
    const missing = rules
      .filter((r) => r.alert && r.labels?.component === 'check' && !notTarget.has(r.alert))
      .filter((r) => !r.expr!.includes('unless on (check) (max by (check) (pengawas_check_in_maintenance) == 1)'))
      .map((r) => r.alert);
    expect(missing).toEqual([]);
  });

  it('every alert has unit tests where it fires and where it stays silent', () => {
    const fires = new Set<string>();
    const silent = new Set<string>();
    for (const f of testFiles) {
      const doc = parse(readFileSync(f, 'utf8')) as {
        tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
      };
      for (const t of doc.tests) for (const a of t.alert_rule_test ?? []) (a.exp_alerts?.length ? fires : silent).add(a.alertname);
    }
    expect(alertNames.filter((a) => !fires.has(a))).toEqual([]);
    expect(alertNames.filter((a) => !silent.has(a))).toEqual([]);
  });

  it('a specific alert that silences PengawasCheckFailing never waits longer than it (one page, from the first)', () => {
    const am = parse(readFileSync(path.join(AM_DIR, 'alertmanager.yml'), 'utf8')) as {
      inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[] }>;
    };
    const inhibit = am.inhibit_rules.find((r) => r.target_matchers.includes('alertname="PengawasCheckFailing"'));
    const pattern = new RegExp(`^(?:${/alertname=~"(.+)"/.exec(inhibit!.source_matchers[0])![1]})$`);
    const minutes = (d: string) => Number(/^(\d+)m$/.exec(d)?.[1] ?? NaN);
    const generic = minutes(rules.find((r) => r.alert === 'PengawasCheckFailing')!.for!);
    const specific = rules.filter((r) => r.alert && pattern.test(r.alert));
    expect(specific.length).toBeGreaterThan(10);
    expect(specific.filter((r) => !(minutes(r.for!) <= generic)).map((r) => `${r.alert} for ${r.for}`)).toEqual([]);
  });

  it('every check and element alert holds its firing state while the monitor is unavailable', () => {
    const held = rules.filter((r) => r.alert && ['check', 'element'].includes(r.labels?.component ?? ''));
    expect(held.length).toBeGreaterThan(15);
    expect(
      held
        .filter((r) => !r.expr.includes(`ALERTS{alertname="${r.alert}", alertstate="firing"`) || !r.expr.includes(MONITOR_UNAVAILABLE))
        .map((r) => r.alert),
    ).toEqual([]);
  });

  it('runbook pages exist only for alerts that exist', () => {
    const pages = readdirSync(path.join(ROOT, 'docs', 'runbooks'))
      .filter((f) => f !== 'README.md')
      .map((f) => f.replace(/\.md$/, ''));
    expect(pages.sort()).toEqual([...alertNames].sort());
  });
});

describe('Prometheus and Alertmanager configuration', () => {
  it('prometheus.yml passes promtool check config (rule paths pointed at a temp copy)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-promcfg-'));
    try {
      mkdirSync(path.join(dir, 'rules'));
      for (const f of ruleFiles) copyFileSync(f, path.join(dir, 'rules', path.basename(f)));
      const cfg = readFileSync(path.join(ROOT, 'config', 'prometheus', 'prometheus.yml'), 'utf8').replace(
        '/etc/prometheus/rules',
        path.join(dir, 'rules'),
      );
      writeFileSync(path.join(dir, 'prometheus.yml'), cfg);
      const r = run('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
      expect(r.out).toMatch(/SUCCESS: 6 rule files found|SUCCESS: \d+ rule files found/);
      expect(r.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const env = () => {
    const vars: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    for (const line of readFileSync(path.join(AM_DIR, 'example.env'), 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      if (m) vars[m[1]] = m[2];
    }
    return vars;
  };

  function rendered(): { dir: string; file: string } {
    const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-am-'));
    const file = path.join(dir, 'alertmanager.yml');
    execFileSync('sh', [path.join(AM_DIR, 'render.sh'), path.join(AM_DIR, 'alertmanager.yml'), file], { env: env() });
    return { dir, file };
  }

  it('the rendered Alertmanager config passes amtool check-config and keeps no placeholder', () => {
    const { dir, file } = rendered();
    try {
      const text = readFileSync(file, 'utf8');
      expect(text).not.toMatch(/\$\{[A-Z_]+\}/);
      expect(text).toContain('https://hooks.slack.com/services/T000/B000/XXXX');
      const r = run('amtool', ['check-config', file]);
      expect(r.out).toMatch(/SUCCESS/);
      expect(r.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('render.sh refuses to run with a receiver variable unset', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-am-'));
    try {
      const e = env();
      delete e.SLACK_WEBHOOK_URL;
      const r = run('sh', [path.join(AM_DIR, 'render.sh'), path.join(AM_DIR, 'alertmanager.yml'), path.join(dir, 'out.yml')], e);
      expect(r.code).not.toBe(0);
      expect(r.out).toContain('SLACK_WEBHOOK_URL is not set');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('routes by severity and element', () => {
    const { dir, file } = rendered();
    const route = (...labels: string[]) => run('amtool', ['config', 'routes', 'test', `--config.file=${file}`, ...labels]).stdout.trim();
    try {
      expect(route('alertname=PengawasMfaNotEnforced', 'element=security', 'severity=critical', 'component=check')).toBe(
        'security-pager,security-chat',
      );
      expect(route('alertname=PengawasTlsProfileViolation', 'element=security', 'severity=warning', 'component=check')).toBe(
        'security-chat',
      );
      expect(route('alertname=PengawasSloFastBurn', 'element=efficiency', 'severity=critical', 'component=check')).toBe(
        'sre-pager,sre-chat',
      );
      expect(route('alertname=PengawasWorkersAbsent', 'element=*', 'severity=critical', 'component=pipeline')).toBe('sre-pager,sre-chat');
      expect(route('alertname=PengawasRecorderLagging', 'element=*', 'severity=warning', 'component=pipeline')).toBe('sre-chat');
      expect(route('alertname=PengawasCheckFailing', 'element=consumer_protection', 'severity=high', 'component=check')).toBe(
        'compliance-email',
      );
      expect(route('alertname=PengawasDocumentReviewDue', 'element=capability', 'severity=info', 'component=check')).toBe(
        'default-webhook',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('inhibits failures under a stale check or a down monitor, and warnings under a critical of the same check', () => {
    const am = parse(readFileSync(path.join(AM_DIR, 'alertmanager.yml'), 'utf8')) as {
      inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal?: string[] }>;
    };
    const find = (src: RegExp) => am.inhibit_rules.find((r) => r.source_matchers.some((m) => src.test(m)));
    expect(find(/PengawasMonitorDown/)?.target_matchers).toContain('component=~"check|element"');
    expect(find(/PengawasCheckStale/)?.equal).toEqual(['check']);
    const crit = find(/severity="critical"/);
    expect(crit?.equal).toEqual(['check']);
    expect(crit?.target_matchers.join(' ')).toMatch(/warning/);
    // Stale and critical must not silence each other (both would vanish).
    expect(crit?.target_matchers).toContain('alertname!="PengawasCheckStale"');
  });
});
