/**
 * checks/demo/transaction.yaml against the demo payment-API stub over HTTPS on the demo CA, with credentials the
 * demo's snap-credentials target generates: the check as shipped must pass, and the stub's delay must show.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseChecksFile } from '../../../src/config/load';
import { issue } from '../../../src/demo/pki';
import { demoContext } from '../../../src/demo/run-demo';
import { paymentApiHandler } from '../../../src/demo/targets/payment-api';
import { snapCredentials } from '../../../src/demo/targets/payment-api/snap';
import type { RunningTarget } from '../../../src/demo/types';
import type { ConfigProblem } from '../../../src/errors';
import { runCheck } from '../../../src/probes/runner';
import type { TransactionMeasurements } from '../../../src/probes/transaction/flow';

const ROOT = path.resolve(__dirname, '..', '..', '..');
let dataDir: string;
let creds: RunningTarget;
const settings = { delayMs: 0, errorRate: 0 };
let server: https.Server;
let port: number;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tx-demo-'));
  const ctx = demoContext(dataDir);
  creds = await snapCredentials.start(ctx);
  const cert = issue({ commonName: 'localhost', hosts: ['localhost', '127.0.0.1'] }, ctx.ca);
  server = https.createServer({ cert: cert.certPem + ctx.ca.certPem, key: cert.keyPem }, paymentApiHandler(settings));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await creds.stop();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dataDir, { recursive: true, force: true });
});

function demoChecks() {
  const file = path.join(ROOT, 'checks/demo/transaction.yaml');
  // Point the shipped check at this test's data dir and port; everything else is as shipped.
  const text = readFileSync(file, 'utf8').replaceAll('data/demo/', `${dataDir}/demo/`).replaceAll('127.0.0.1:19443', `127.0.0.1:${port}`);
  const problems: ConfigProblem[] = [];
  const checks = parseChecksFile(file, text, { checkSecrets: true }, problems);
  expect(problems).toEqual([]);
  return checks;
}

describe('demo SNAP flow', () => {
  it('passes as shipped, over HTTPS, with the generated credentials', async () => {
    const [check] = demoChecks();
    expect(check.type).toBe('transaction');
    const r = await runCheck(check, { dataDir });
    expect(r.findings.filter((f) => f.status !== 'pass')).toEqual([]);
    expect(r.status).toBe('pass');
    const m = r.measurements as unknown as TransactionMeasurements;
    expect(m.steps.map((s) => `${s.name}:${s.result}`)).toEqual([
      'access-token:pass',
      'create-payment:pass',
      'status-inquiry:pass',
      'cancel-payment:pass',
    ]);
    expect(m.steps[1].phasesMs!.tls).toBeGreaterThan(0);
    expect(readFileSync(path.join(dataDir, 'demo/snap/client-secret'), 'utf8').length).toBeGreaterThan(30);
    expect(JSON.stringify(r)).not.toContain(readFileSync(path.join(dataDir, 'demo/snap/client-secret'), 'utf8'));
  });

  it('turns warn when the stub is slowed past the degraded thresholds', async () => {
    settings.delayMs = 320;
    try {
      const r = await runCheck(demoChecks()[0], { dataDir });
      expect(r.status).toBe('warn');
      expect(
        r.findings
          .filter((f) => f.status === 'warn')
          .map((f) => f.id)
          .sort(),
      ).toEqual(['transaction.flow.degraded', 'transaction.step.degraded', 'transaction.step.degraded']);
    } finally {
      settings.delayMs = 0;
    }
  });
});
