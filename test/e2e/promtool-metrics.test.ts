/**
 * `promtool check metrics` (Debian's promtool, the Prometheus project's own linter) on a real /metrics scrape of a
 * running monitor after real probes of most types (http, tls, securitytxt, freshness, transaction, webpage,
 * openapi) against local servers: pengawas's own series are lint-clean, and the check series carry `target` and
 * the check's `labels:`. Node's default metrics (prom-client's nodejs_*_total gauges) are not pengawas's and are
 * reported by name, not hidden.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import { waitFor } from '../helpers/net';
import { sample, startTestMonitor, type TestMonitor } from '../helpers/monitor';
import { Pki } from '../probes/tls/helpers';

jest.setTimeout(180_000);

let m: TestMonitor | undefined;
let pki: Pki;
const closers: Array<() => void> = [];

function listen(srv: http.Server | https.Server): Promise<number> {
  closers.push(() => {
    srv.closeAllConnections();
    srv.close();
  });
  return new Promise((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as net.AddressInfo).port)));
}

const expires = () => new Date(Date.now() + 100 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
const OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'Pay', version: '1' },
  servers: [{ url: 'https://api.example.co.id' }],
  paths: { '/pay': { post: { operationId: 'pay', responses: { '200': { description: 'ok' } } } } },
};
const PAGE = '<!doctype html><html lang="id"><head><title>Bank</title></head><body><a href="/ok">Status</a></body></html>';

beforeAll(async () => {
  pki = new Pki();
  const site = http.createServer((req, res) => {
    if (req.url === '/.well-known/security.txt') {
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(`Contact: mailto:security@example.co.id\nExpires: ${expires()}\nPreferred-Languages: id, en\n`);
    } else if (req.url === '/openapi.json') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(OPENAPI));
    } else if (req.url === '/page') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(PAGE);
    } else if (req.url === '/down') {
      res.statusCode = 503;
      res.end('down');
    } else res.end('{"status":"UP"}');
  });
  const sitePort = await listen(site);
  const leaf = pki.leaf({ name: 'svc', days: 60 });
  const tlsPort = await listen(
    https.createServer(
      { key: readFileSync(leaf.key), cert: readFileSync(leaf.cert, 'utf8') + readFileSync(pki.interCert, 'utf8') },
      (_q, s) => s.end('ok'),
    ),
  );
  const doc = pki.file('policy.md');
  writeFileSync(
    doc,
    `---\nowner: CISO\nlast_reviewed: ${new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10)}\n---\n# Policy\n`,
  );
  const web = `http://127.0.0.1:${sitePort}`;
  const check = (id: string, type: string, element: string, target: string, extra = '') =>
    `  - id: ${id}\n    type: ${type}\n    element: ${element}\n    schedule: { every: 5s }\n    timeout: 4s\n    target: "${target}"\n${extra}`;
  const yaml = [
    'checks:',
    check(
      'api-health',
      'http',
      'sustainability',
      `http://monitor:pa55word-long@127.0.0.1:${sitePort}/health?api_key=abc12345`,
      '    labels: { service: gateway, team: sre }\n',
    ),
    check('api-down', 'http', 'sustainability', `${web}/down`),
    check(
      'tls-svc',
      'tls',
      'security',
      `localhost:${tlsPort}`,
      `    options: { caFile: ${pki.rootCert}, checkRevocation: false, profile: intermediate }\n`,
    ),
    check('sectxt', 'securitytxt', 'consumer_protection', web, '    options: { requireHttps: false }\n'),
    check('policy', 'freshness', 'credibility', `file:${doc}`, '    options: { maxAge: 365d }\n'),
    check(
      'flow',
      'transaction',
      'efficiency',
      web,
      '    options: { steps: [{ name: pay, url: /pay }], slo: [{ name: flow, objective: 0.99, latency: 2s, window: 30d }] }\n',
    ),
    check('site', 'webpage', 'consumer_protection', `${web}/page`),
    check('spec', 'openapi', 'cooperation', `${web}/openapi.json`),
    '',
  ].join('\n');
  m = await startTestMonitor('promtool', yaml);
});

afterAll(async () => {
  await m?.stop();
  for (const c of closers) c();
  pki?.cleanup();
});

function promtool(text: string): { code: number | null; out: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

/** The metric families of the exposition whose names start with `prefix` (HELP, TYPE and samples). */
function familiesOf(text: string, prefix: string): string {
  const out: string[] = [];
  let keep = false;
  for (const line of text.split('\n')) {
    const name = line.startsWith('# ') ? line.split(' ')[2] : line.split(/[{ ]/)[0];
    if (line.startsWith('# HELP ')) keep = name.startsWith(prefix);
    if (keep && line) out.push(line);
  }
  return `${out.join('\n')}\n`;
}

test('promtool check metrics: pengawas series lint-clean on a real scrape after real probes', async () => {
  const ids = ['api-health', 'api-down', 'tls-svc', 'sectxt', 'policy', 'flow', 'site', 'spec'];
  const text = await waitFor(async () => {
    const t = await m!.scrape();
    return ids.every((id) => sample(t, `pengawas_check_last_run_timestamp_seconds{check="${id}"}`) !== undefined) &&
      t.includes('pengawas_tls_cert_info{')
      ? t
      : undefined;
  }, 90_000);
  writeFileSync(path.join(m!.dir, 'scrape.txt'), text); // kept for a failing run's inspection until stop()

  // Every probe family and the pipeline exported something, so the lint below saw them.
  for (const series of [
    'pengawas_http_duration_seconds{',
    'pengawas_tls_cert_expiry_seconds{',
    'pengawas_securitytxt_expires_timestamp_seconds{',
    'pengawas_document_age_seconds{',
    'pengawas_transaction_duration_seconds_bucket{',
    'pengawas_check_failing_finding_info{',
    'pengawas_queue_jobs{',
  ]) {
    expect([series, text.includes(series)]).toEqual([series, true]);
  }
  // Target without credentials on check series; the check's labels on its info series.
  expect(
    sample(
      text,
      'pengawas_check_status{check="api-health",target="http://127.0.0.1:' +
        /127\.0\.0\.1:(\d+)/.exec(text)![1] +
        '/health?api_key=[redacted]"}',
    ),
  ).toBeDefined();
  expect(text).not.toContain('pa55word-long');
  expect(text).not.toContain('abc12345');
  expect(text).toMatch(/pengawas_check_info\{[^}]*check="api-health"[^}]*service="gateway"[^}]*team="sre"[^}]*\} 1/);

  const own = promtool(familiesOf(text, 'pengawas_'));
  expect(own).toEqual({ code: 0, out: '' });
  // On the whole scrape, whatever promtool reports is about series that are not pengawas's.
  const all = promtool(text);
  for (const line of all.out.split('\n').filter(Boolean)) expect(line).not.toMatch(/^pengawas_/);
});

test('promtool check metrics does fail on a pengawas series that breaks the conventions (the lint can fail)', () => {
  const bad =
    '# HELP pengawas_tls_cert_days_left Whole days left\n# TYPE pengawas_tls_cert_days_left gauge\npengawas_tls_cert_days_left{check="x"} 3\n';
  const r = promtool(bad);
  expect(r.code).not.toBe(0);
  expect(r.out).toMatch(/pengawas_tls_cert_days_left use base unit "seconds" instead of "days"/);
});
