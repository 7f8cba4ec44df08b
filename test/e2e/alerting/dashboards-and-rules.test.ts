/**
 * End to end: `pengawas demo` (its demo targets, the monitor on checks/demo) scraped every second by a real
 * Prometheus that loads our rule files. Then every expression of every alert rule, recording rule and dashboard
 * panel goes to Prometheus' query API: it must parse, and every series selector in it must match at least one
 * series (dashboard panels must also return a series as a whole). This keeps metric names in rules, dashboards
 * and code from drifting apart.
 *
 * The demo targets listen on FIXED ports (19443-19480, src/demo/ports.ts): this test must not run at the same
 * time as another `pengawas demo` (another test file that starts the demo, or a demo left running by hand).
 *
 * The demo's checks are copied with their intervals shortened to 15 s, so every probe type reports within the
 * test's budget (the 1- and 5-minute schedules of checks/demo would not).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { startCli, ROOT } from '../../helpers/cli';
import { freePort } from '../../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../../helpers/redis';
import {
  dashboardExpressions,
  expandGrafanaVars,
  ruleExpressions,
  RULES_DIR,
  selectorsOf,
  startPrometheus,
  stopChild,
  type RunningPrometheus,
} from '../../helpers/prometheus';

jest.setTimeout(120_000);

/**
 * Series that exist only when something goes wrong and that the demo cannot produce. Each entry says why.
 * Keys are selectors as selectorsOf() prints them (Grafana variables expanded). Failure-only series the demo CAN
 * produce have a demo check instead: errors and retries come from checks/demo/undecided.yaml, failing findings
 * from the weak MFA realm, the weak TLS endpoint and the expired training attestation.
 */
const FAILURE_ONLY: Record<string, string> = {
  pengawas_tls_cert_revoked:
    'set only when OCSP/CRL can decide; the demo CA publishes neither (the tls probe tests cover revocation with a local OCSP responder)',
  'pengawas_tls_cert_revoked{element=~".*", check=~".*"}': 'as above',
};

/** Metric names used inside annotation templates (query "..."), checked by name only. */
function annotationMetrics(): string[] {
  const names = new Set<string>();
  for (const f of readdirSync(RULES_DIR).filter((x) => x.endsWith('.yml'))) {
    const doc = parse(readFileSync(path.join(RULES_DIR, f), 'utf8')) as {
      groups: Array<{ rules: Array<{ annotations?: Record<string, string> }> }>;
    };
    for (const g of doc.groups)
      for (const r of g.rules)
        for (const a of Object.values(r.annotations ?? {})) for (const m of a.matchAll(/\b(pengawas_[a-z0-9_]+)/g)) names.add(m[1]);
  }
  return [...names];
}

const SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
const seconds = (v: unknown, fallback: number) => {
  const m = typeof v === 'string' ? /^(\d+)(ms|s|m|h|d)$/.exec(v) : null;
  return m ? Number(m[1]) * SECONDS[m[2]] : typeof v === 'number' ? v / 1000 : fallback;
};

/**
 * Copies checks/demo (with its evidence folders: the demo seeds attestations from <checks>/attestation-evidence)
 * and cuts every interval above 15 s to 15 s (never below the check's own timeout).
 */
function shortenSchedules(dir: string): void {
  cpSync(path.join(ROOT, 'checks', 'demo'), dir, { recursive: true });
  for (const f of readdirSync(path.join(ROOT, 'checks', 'demo')).filter((x) => /\.ya?ml$/.test(x))) {
    const doc = parse(readFileSync(path.join(ROOT, 'checks', 'demo', f), 'utf8')) as { checks?: Array<Record<string, unknown>> };
    for (const c of doc.checks ?? []) {
      const sched = c.schedule as { every?: string } | string;
      if (typeof sched !== 'object' || sched.every === undefined || seconds(sched.every, 0) <= 15) continue;
      c.schedule = { every: `${Math.max(15, Math.ceil(seconds(c.timeout, 10)))}s` };
    }
    writeFileSync(path.join(dir, f), stringify(doc));
  }
}

describe('rules and dashboards against a real Prometheus scraping pengawas demo', () => {
  let demo: ReturnType<typeof startCli>;
  let prom: RunningPrometheus;
  let checksDir: string;
  const prefix = testPrefix('alerting-e2e');

  beforeAll(async () => {
    checksDir = mkdtempSync(path.join(tmpdir(), 'pengawas-alerting-checks-'));
    shortenSchedules(checksDir);
    const metricsPort = await freePort();
    demo = startCli(['demo', '--checks', checksDir, '--metrics-port', String(metricsPort), '--prefix', prefix, '--log-level', 'warn'], {
      REDIS_URL,
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).ok) break;
      } catch {
        // not up yet
      }
      if (demo.exitCode !== null || Date.now() > deadline) throw new Error(`pengawas demo did not start:\n${demo.output()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    prom = await startPrometheus(`127.0.0.1:${metricsPort}`);
  });

  afterAll(async () => {
    await prom?.stop();
    if (demo) await stopChild(demo, 10_000);
    await dropPrefix(prefix);
    rmSync(checksDir, { recursive: true, force: true });
  });

  it('every rule and panel expression parses and every selector has series', async () => {
    const { alerts, records } = ruleExpressions();
    const panels = dashboardExpressions().map((p) => ({ ...p, expr: expandGrafanaVars(p.expr) }));
    const all = [...alerts, ...records, ...panels];
    expect(alerts.length).toBeGreaterThan(20);
    expect(panels.length).toBeGreaterThan(40);

    const wanted = new Map<string, string>(); // selector -> first place it is used
    for (const e of all) for (const s of selectorsOf(e.expr)) if (!wanted.has(s)) wanted.set(s, e.where);
    for (const name of annotationMetrics()) if (!wanted.has(name)) wanted.set(name, 'an annotation template');
    for (const s of Object.keys(FAILURE_ONLY)) wanted.delete(s);

    // Wait until every selector has data (probes report within one 15 s interval, rates need two scrapes).
    let missing: string[] = [];
    const deadline = Date.now() + 75_000;
    do {
      missing = [];
      for (const [s] of wanted) if ((await prom.query(s)).series === 0) missing.push(s);
      if (missing.length === 0) break;
      await new Promise((r) => setTimeout(r, 2000));
    } while (Date.now() < deadline);
    expect(missing.map((s) => `${s}  (used in ${wanted.get(s)})`)).toEqual([]);
    // A series that just appeared has one sample; rate() and increase() need two, so let a few scrapes pass.
    await new Promise((r) => setTimeout(r, 3000));

    const problems: string[] = [];
    for (const e of all) {
      const r = await prom.query(e.expr);
      if (!r.ok) problems.push(`${e.where}: does not parse: ${r.error}`);
    }
    for (const p of panels) {
      if (selectorsOf(p.expr).every((sel) => sel in FAILURE_ONLY)) continue; // a panel that shows only failures
      const r = await prom.query(p.expr);
      if (r.ok && r.series === 0) problems.push(`${p.where}: returns no series: ${p.expr}`);
    }
    // Recording rules feed the SLO alerts and the burn-rate panel: they must evaluate to series, not just parse.
    for (const rec of records) {
      const name = rec.where.split('record ')[1];
      if ((await prom.query(name)).series === 0) problems.push(`${rec.where}: recorded no series`);
    }
    expect(problems).toEqual([]);
  });

  it('alerts evaluate on the demo data with the right labels: fail vs error, severity from the check', async () => {
    // `for:` keeps them pending during a short test; pending already shows the rule matched with these labels.
    const alerts = async (sel: string) => (await prom.query(`ALERTS${sel}`)).series;
    const deadline = Date.now() + 20_000;
    const want = [
      '{alertname="PengawasCheckFailing", check="demo-mfa-posture-weak", severity="critical", owner="identity-team", element="security"}',
      '{alertname="PengawasMfaNotEnforced", check="demo-mfa-posture-weak", severity="critical"}',
      '{alertname="PengawasCheckErroring", check="demo-dr-site-unreachable", severity="warning"}',
      '{alertname="PengawasTlsInsecureProtocol", check="demo-tls-weak"}',
    ];
    let missing: string[] = [];
    do {
      missing = [];
      for (const w of want) if ((await alerts(w)) === 0) missing.push(w);
      if (!missing.length) break;
      await new Promise((r) => setTimeout(r, 1000));
    } while (Date.now() < deadline);
    expect(missing).toEqual([]);
    // An undecided check is never reported as failing; a passing check raises nothing.
    expect(await alerts('{alertname="PengawasCheckFailing", check="demo-dr-site-unreachable"}')).toBe(0);
    expect(await alerts('{check="demo-mfa-posture-good"}')).toBe(0);
    expect(await alerts('{alertname="PengawasCheckStale"}')).toBe(0);
  });

  it('the failure-only exceptions are still used somewhere (no stale exception list)', () => {
    const used = new Set<string>();
    const { alerts, records } = ruleExpressions();
    for (const e of [...alerts, ...records, ...dashboardExpressions().map((p) => ({ ...p, expr: expandGrafanaVars(p.expr) }))])
      for (const s of selectorsOf(e.expr)) used.add(s);
    for (const s of Object.keys(FAILURE_ONLY)) expect([s, used.has(s)]).toEqual([s, true]);
  });
});
