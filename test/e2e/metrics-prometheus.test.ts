/**
 * A real Prometheus (Debian `prometheus`) scrapes /metrics over TLS with a client certificate and basic auth, the
 * way the operator's Prometheus would (`scheme: https`, `tls_config`, `basic_auth`): the right credentials give
 * up == 1, a wrong password or a missing client certificate give up == 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { Metrics } from '../../src/metrics/definitions';
import { startMetricsServer, type MetricsServer } from '../../src/metrics/server';
import { stopChild } from '../helpers/prometheus';
import { get } from '../helpers/https-get';
import { freePort, waitFor } from '../helpers/net';
import { makePki, type TestPki } from '../helpers/pki';

jest.setTimeout(120_000);

let pki: TestPki;
let dir: string;
let server: MetricsServer;
let base: string;
let client: { cert: string; key: string };

beforeAll(async () => {
  pki = makePki();
  client = pki.client('prometheus', 'DNS:prometheus.monitoring');
  dir = mkdtempSync(path.join(tmpdir(), 'pengawas-webcfg-'));
  // cert_file/key_file given relative to the web config's folder, as exporter-toolkit resolves them.
  writeFileSync(
    path.join(pki.dir, 'web-config.yml'),
    [
      'tls_server_config:',
      '  cert_file: server.crt',
      '  key_file: server.key',
      '  client_auth_type: RequireAndVerifyClientCert',
      '  client_ca_file: ca.crt',
      '  client_allowed_sans: [prometheus.monitoring]',
      'http_server_config:',
      '  headers: { X-Content-Type-Options: nosniff }',
      'basic_auth_users:',
      `  prometheus: '${bcrypt.hashSync('scrape-secret', 10)}'`,
      '',
    ].join('\n'),
  );
  server = await startMetricsServer({
    metrics: new Metrics(),
    port: 0,
    host: '127.0.0.1',
    webConfigFile: path.join(pki.dir, 'web-config.yml'),
    ready: async () => ({ ok: false, reasons: ['Redis at redis://10.1.2.3:6379 does not answer'] }),
  });
  base = `https://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  pki?.remove();
  rmSync(dir, { recursive: true, force: true });
});

test('the endpoint speaks TLS only, checks the client certificate, and answers 401 to a wrong password', async () => {
  expect(server.scheme).toBe('https');
  const tls = { ca: pki.ca, ...client };
  const ok = await get(`${base}/metrics`, { ...tls, user: 'prometheus', pass: 'scrape-secret' });
  expect(ok.status).toBe(200);
  expect(ok.body).toContain('pengawas_');
  expect(ok.headers['x-content-type-options']).toBe('nosniff');

  const wrong = await get(`${base}/metrics`, { ...tls, user: 'prometheus', pass: 'guess' });
  expect(wrong.status).toBe(401);
  expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
  expect(wrong.body).not.toContain('pengawas_');
  expect((await get(`${base}/metrics`, { ...tls, user: 'nobody', pass: 'scrape-secret' })).status).toBe(401);
  expect((await get(`${base}/metrics`, tls)).status).toBe(401);

  // Probe endpoints: /healthz open; /readyz gives its status to anyone, the reasons only with credentials.
  expect((await get(`${base}/healthz`, tls)).status).toBe(200);
  const anon = await get(`${base}/readyz`, tls);
  expect(anon.status).toBe(503);
  expect(anon.body).not.toContain('10.1.2.3');
  expect((await get(`${base}/readyz`, { ...tls, user: 'prometheus', pass: 'scrape-secret' })).body).toContain('10.1.2.3');

  // Without a client certificate, or with one the CA did not sign, the handshake itself fails.
  await expect(get(`${base}/metrics`, { ca: pki.ca, user: 'prometheus', pass: 'scrape-secret' })).rejects.toThrow();
  // A certificate from the same CA whose SAN is not in client_allowed_sans is cut off after the handshake.
  const other = pki.client('intruder', 'DNS:intruder.example');
  await expect(get(`${base}/metrics`, { ca: pki.ca, ...other, user: 'prometheus', pass: 'scrape-secret' })).rejects.toThrow();
  await expect(get(`http://127.0.0.1:${server.port}/metrics`, { user: 'prometheus', pass: 'scrape-secret' })).rejects.toThrow();
});

test('a real Prometheus scrapes it: right credentials up == 1; wrong password or no client cert up == 0', async () => {
  const port = await freePort();
  const cfg = path.join(dir, 'prometheus.yml');
  writeFileSync(path.join(dir, 'good.pass'), 'scrape-secret');
  writeFileSync(path.join(dir, 'bad.pass'), 'not-the-secret');
  const target = `127.0.0.1:${server.port}`;
  const job = (name: string, passFile: string, withCert: boolean) =>
    [
      `  - job_name: ${name}`,
      '    scheme: https',
      `    basic_auth: { username: prometheus, password_file: ${path.join(dir, passFile)} }`,
      `    tls_config: { ca_file: ${pki.ca}${withCert ? `, cert_file: ${client.cert}, key_file: ${client.key}` : ''} }`,
      `    static_configs: [{ targets: ['${target}'] }]`,
    ].join('\n');
  writeFileSync(
    cfg,
    [
      'global: { scrape_interval: 1s, scrape_timeout: 900ms }',
      'scrape_configs:',
      job('good', 'good.pass', true),
      job('badpass', 'bad.pass', true),
      job('nocert', 'good.pass', false),
      '',
    ].join('\n'),
  );
  const prom = spawn(
    'prometheus',
    [`--config.file=${cfg}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  prom.stdout!.on('data', (d) => (log += d));
  prom.stderr!.on('data', (d) => (log += d));
  const query = async (expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
    return ((await res.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }).data.result;
  };
  try {
    const up = await waitFor(
      async () => {
        const r = await query('up');
        const byJob = Object.fromEntries(r.map((s) => [s.metric.job, s.value[1]]));
        return Object.keys(byJob).length === 3 ? byJob : undefined;
      },
      60_000,
      500,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\nprometheus log:\n${log}`);
    });
    expect(up).toEqual({ good: '1', badpass: '0', nocert: '0' });
    // Several more scrapes: the bcrypt verdict is cached, so scrapes stop costing a bcrypt run each.
    const before = server.auth!.bcryptRuns;
    await waitFor(async () => Number((await query('count_over_time(up{job="good"}[1m])'))[0]?.value[1] ?? 0) >= 6, 30_000, 500);
    expect(Number((await query('min_over_time(up{job="good"}[1m])'))[0].value[1])).toBe(1);
    expect(Number((await query('max_over_time(up{job="badpass"}[1m])'))[0].value[1])).toBe(0);
    expect(server.auth!.bcryptRuns - before).toBe(0);
    expect(Number((await query('scrape_samples_scraped{job="good"}'))[0].value[1])).toBeGreaterThan(10);
  } finally {
    await stopChild(prom, 5000);
  }
});
