/**
 * The demo's identity target as `pengawas demo` runs it (HTTPS on a demo-CA certificate, secrets in files
 * referenced by ${file:..}) checked with checks/demo/mfa.yaml, and the pengawas_mfa_* series those results make.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseChecksFile } from '../../../src/config/load';
import { createCa, issue } from '../../../src/demo/pki';
import { demoSecrets } from '../../../src/demo/targets/identity';
import { goodRealm, weakRealm } from '../../../src/demo/targets/identity/realms';
import { keycloakHandler } from '../../../src/demo/targets/identity/server';
import { Metrics } from '../../../src/metrics/definitions';
import { runCheck } from '../../../src/probes/runner';
import type { ProbeResult } from '../../../src/results/contract';
import { ROOT } from '../../helpers/cli';

let dir: string;
let server: https.Server;
let url: string;
const results = new Map<string, ProbeResult>();

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-mfa-demo-'));
  const ca = createCa();
  writeFileSync(path.join(dir, 'ca.pem'), ca.certPem);
  const secrets = demoSecrets(path.join(dir, 'identity'));
  const cert = issue({ commonName: 'localhost', hosts: ['127.0.0.1'] }, ca);
  server = https.createServer(
    { cert: cert.certPem, key: cert.keyPem },
    keycloakHandler({ 'pengawas-good': goodRealm(secrets), 'pengawas-weak': weakRealm(secrets) }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // The demo checks as written, pointed at this server and at this run's data directory instead of data/demo.
  const file = path.join(ROOT, 'checks/demo/mfa.yaml');
  const text = readFileSync(file, 'utf8').replaceAll('https://127.0.0.1:19447', url).replaceAll('data/demo/', `${dir}/`);
  const problems: unknown[] = [];
  const checks = parseChecksFile(file, text, { checkSecrets: true }, problems as never);
  expect(problems).toEqual([]);
  expect(checks.map((c) => c.id)).toEqual(['demo-mfa-posture-good', 'demo-mfa-posture-weak', 'demo-mfa-login-good', 'demo-mfa-login-weak']);
  for (const c of checks) results.set(c.id, await runCheck(c, { dataDir: dir }));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

test('the good realm passes and the weak realm fails, over HTTPS with the demo CA', () => {
  expect(results.get('demo-mfa-posture-good')!.status).toBe('pass');
  expect(results.get('demo-mfa-login-good')!.status).toBe('pass');
  expect(results.get('demo-mfa-posture-weak')!.status).toBe('fail');
  expect(results.get('demo-mfa-login-weak')!.status).toBe('fail');
  const secret = readFileSync(path.join(dir, 'identity', 'monitor-password'), 'utf8');
  for (const r of results.values()) expect(JSON.stringify(r)).not.toContain(secret);
});

test('pengawas_mfa_* series carry check, element and bounded scopes; no user names as labels', async () => {
  const metrics = new Metrics({ defaultMetrics: false });
  for (const r of results.values()) metrics.record(r);
  const text = await metrics.registry.metrics();
  expect(text).toContain('pengawas_mfa_enforced{check="demo-mfa-posture-weak",element="security",scope="browser"} 0');
  expect(text).toContain('pengawas_mfa_enforced{check="demo-mfa-posture-good",element="security",scope="privileged"} 1');
  expect(text).toContain('pengawas_mfa_enforced{check="demo-mfa-login-weak",element="security",scope="login"} 0');
  expect(text).toContain('pengawas_mfa_enrolment_coverage_ratio{check="demo-mfa-posture-weak",element="security",scope="privileged"} 0.5');
  expect(text).toContain('pengawas_mfa_unenrolled_privileged_users{check="demo-mfa-posture-weak",element="security"} 1');
  expect(text).toMatch(/pengawas_mfa_api_duration_seconds\{check="demo-mfa-posture-good",element="security",stat="total"\} \d/);
  expect(text).not.toContain('legacy.admin');

  // An error run keeps the last decided values; a check that leaves the configuration drops its series.
  const good = results.get('demo-mfa-posture-good')!;
  metrics.record({ ...good, status: 'error', measurements: {}, findings: [] });
  expect(await metrics.registry.metrics()).toContain(
    'pengawas_mfa_enforced{check="demo-mfa-posture-good",element="security",scope="privileged"} 1',
  );
  metrics.families.forget('demo-mfa-posture-good', 'mfa');
  expect(await metrics.registry.metrics()).not.toContain('check="demo-mfa-posture-good",element="security",scope');
});
