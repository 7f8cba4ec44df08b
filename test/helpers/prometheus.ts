/**
 * A real Prometheus (Debian's `prometheus`) for tests: temp config and storage, a free loopback port, our rule
 * files loaded; plus PromQL helpers (instant query, selector extraction) and the rule/dashboard expression lists.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { freePort } from './net';
import { ROOT } from './cli';

export const RULES_DIR = path.join(ROOT, 'config', 'prometheus', 'rules');
export const DASHBOARDS_DIR = path.join(ROOT, 'grafana', 'dashboards');

export interface RunningPrometheus {
  url: string;
  query(expr: string): Promise<{ ok: boolean; error?: string; series: number }>;
  /** The instant vector's label sets (empty on error). */
  labels(expr: string): Promise<Array<Record<string, string>>>;
  stop(): Promise<void>;
  log(): string;
}

export interface PrometheusOptions {
  /** Rewrites a rule file before Prometheus loads it (e.g. time-scaled `for:` durations). */
  rules?: (file: string, text: string) => string;
  /** host:port of an Alertmanager to send alerts to. */
  alertmanager?: string;
  /** The scrape job's name (default pengawas): the rules must not depend on it. */
  jobName?: string;
  /** global.external_labels (e.g. runbook_base_url). */
  externalLabels?: Record<string, string>;
}

export async function startPrometheus(scrapeTarget: string, opts: PrometheusOptions = {}): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-prom-'));
  mkdirSync(path.join(dir, 'rules'));
  for (const f of readdirSync(RULES_DIR)) {
    if (opts.rules) writeFileSync(path.join(dir, 'rules', f), opts.rules(f, readFileSync(path.join(RULES_DIR, f), 'utf8')));
    else copyFileSync(path.join(RULES_DIR, f), path.join(dir, 'rules', f));
  }
  // Scrape and evaluate every second so a short test sees counters move and recording rules fill.
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    [
      `global: { scrape_interval: 1s, evaluation_interval: 1s${opts.externalLabels ? `, external_labels: ${JSON.stringify(opts.externalLabels)}` : ''} }`,
      `rule_files: ['${path.join(dir, 'rules')}/*.yml']`,
      ...(opts.alertmanager ? ['alerting:', `  alertmanagers: [{ static_configs: [{ targets: ['${opts.alertmanager}'] }] }]`] : []),
      'scrape_configs:',
      `  - job_name: ${opts.jobName ?? 'pengawas'}`,
      `    static_configs: [{ targets: ['${scrapeTarget}'] }]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child, 5000);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    log: () => out,
    stop,
    async labels(expr) {
      const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
      const body = (await res.json()) as { status: string; data?: { result: Array<{ metric: Record<string, string> }> } };
      return body.status === 'success' ? body.data!.result.map((r) => r.metric) : [];
    },
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
      const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown[] | unknown } };
      if (body.status !== 'success') return { ok: false, error: body.error, series: 0 };
      const r = body.data!.result;
      return { ok: true, series: Array.isArray(r) ? r.length : 1 };
    },
  };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/** Grafana's built-in variables and ours, replaced the way Grafana would for "All" over a short range. */
export function expandGrafanaVars(expr: string): string {
  return expr
    .replace(/\$__rate_interval/g, '1m')
    .replace(/\$__range/g, '5m')
    .replace(/\$__interval/g, '5s')
    .replace(/\$(element|check)\b/g, '.*');
}

/**
 * The series selectors of an expression (metric name and matchers), e.g. `pengawas_check_result{status="fail"}`,
 * without range or offset. Our expressions only use pengawas_*, recording rules (pengawas:*), up, process_* and
 * nodejs_* metrics, so names are recognised by those prefixes rather than by a full PromQL parser.
 */
export function selectorsOf(expr: string): string[] {
  const re = /(?<![A-Za-z0-9_:"])(pengawas[_:][A-Za-z0-9_:]*|up|process_[a-z_]+|nodejs_[a-z0-9_]+)(?![A-Za-z0-9_:(])\s*(\{[^}]*\})?/g;
  const out = new Set<string>();
  for (const m of expr.matchAll(re)) out.add(`${m[1]}${(m[2] ?? '').replace(/\s+/g, ' ')}`);
  return [...out];
}

export interface NamedExpr {
  where: string;
  expr: string;
}

export function ruleExpressions(): { alerts: NamedExpr[]; records: NamedExpr[] } {
  const alerts: NamedExpr[] = [];
  const records: NamedExpr[] = [];
  for (const f of readdirSync(RULES_DIR).filter((x) => x.endsWith('.yml'))) {
    const doc = parse(readFileSync(path.join(RULES_DIR, f), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }>;
    };
    for (const g of doc.groups) {
      for (const r of g.rules) {
        if (r.alert) alerts.push({ where: `${f}: alert ${r.alert}`, expr: r.expr });
        else records.push({ where: `${f}: record ${r.record}`, expr: r.expr });
      }
    }
  }
  return { alerts, records };
}

export function dashboardExpressions(): NamedExpr[] {
  const out: NamedExpr[] = [];
  for (const f of readdirSync(DASHBOARDS_DIR).filter((x) => x.endsWith('.json'))) {
    const board = JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, f), 'utf8')) as {
      panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
    };
    for (const p of board.panels) for (const t of p.targets ?? []) out.push({ where: `${f}: ${p.title}`, expr: t.expr });
  }
  return out;
}
