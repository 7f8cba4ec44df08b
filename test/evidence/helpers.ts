/**
 * Evidence tests run every scenario on both backends: SQLite in a temp folder, and PostgreSQL on this machine in
 * a database created for the test file (pengawas_ev_<random>) and dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { ElementId } from '../../src/elements';
import { EvidenceStore } from '../../src/evidence/store';
import { startOfDay } from '../../src/evidence/tz';
import type { Finding, ProbeResult, Status } from '../../src/results/contract';

export const PG_ADMIN = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const BACKENDS = ['sqlite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface TestEnv {
  dataDir: string;
  databaseUrl?: string;
  open(): Promise<EvidenceStore>;
  cleanup(): Promise<void>;
}

export async function makeEnv(backend: Backend): Promise<TestEnv> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-ev-'));
  let databaseUrl: string | undefined;
  let dbName: string | undefined;
  if (backend === 'postgres') {
    dbName = `pengawas_ev_${randomBytes(5).toString('hex')}`;
    const admin = new Client(PG_ADMIN);
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(PG_ADMIN);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  return {
    dataDir,
    databaseUrl,
    open: () => EvidenceStore.open({ dataDir, databaseUrl }),
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
      if (dbName) {
        const admin = new Client(PG_ADMIN);
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.end();
      }
    },
  };
}

export function result(
  checkId: string,
  element: ElementId,
  slot: Date,
  status: Status,
  findings: Finding[] = [],
  durationMs = 10,
): ProbeResult {
  const t = slot.toISOString();
  return {
    id: `${checkId}@${t}`,
    checkId,
    type: 'http',
    element,
    target: `https://${checkId}.example`,
    status,
    scheduledAt: t,
    startedAt: t,
    durationMs,
    attempt: 1,
    findings,
    measurements: {},
    ...(status === 'error' ? { errorCode: 'PROBE_TIMEOUT' } : {}),
  };
}

export const TLS10: Finding = { id: 'tls.protocol.tls1_0_enabled', severity: 'high', status: 'fail', message: 'TLS 1.0 is accepted' };
export const CERT: Finding = { id: 'tls.cert.expiring', severity: 'medium', status: 'fail', message: 'certificate expires in 9 days' };
export const STALE: Finding = {
  id: 'document.stale',
  severity: 'medium',
  status: 'fail',
  message: 'fee schedule not updated for 200 days',
};
export const SLOW: Finding = { id: 'http.latency.slow', severity: 'low', status: 'warn', message: 'answered in 2.1 s' };

export const HOUR = 3_600_000;
export const TZ = 'Asia/Jakarta';

/**
 * October 2026 (WIB), hourly, 744 slots per check, with rules simple enough to count by hand:
 *  - api-tls (security): fail (TLS 1.0) when slot % 10 == 0 and on the last slot: 75 + 1 = 76 fails, 668 passes.
 *  - pay-latency (efficiency): error when slot % 50 == 0 (15 slots), else warn when slot % 7 == 0 (107 multiples
 *    of 7 minus 0, 350, 700 = 104), else pass (625).
 *  - docs-fresh (consumer_protection): fail (stale) from Oct 10 00:00 to Oct 13 00:00 WIB (72 slots), else pass.
 * September: api-tls fails with TLS 1.0 and the expiring certificate on Sept 15 (24 slots), to test deltas.
 */
export function octoberResults(): ProbeResult[] {
  const out: ProbeResult[] = [];
  const start = startOfDay('2026-10-01', TZ).getTime();
  const staleFrom = startOfDay('2026-10-10', TZ).getTime();
  const staleTo = startOfDay('2026-10-13', TZ).getTime();
  for (let i = 0; i < 744; i++) {
    const slot = new Date(start + i * HOUR);
    const tlsFail = i % 10 === 0 || i === 743;
    out.push(result('api-tls', 'security', slot, tlsFail ? 'fail' : 'pass', tlsFail ? [TLS10] : [], 100 + (i % 20)));
    const latency = i % 50 === 0 ? 'error' : i % 7 === 0 ? 'warn' : 'pass';
    out.push(result('pay-latency', 'efficiency', slot, latency, latency === 'warn' ? [SLOW] : [], 200 + (i % 10)));
    const stale = slot.getTime() >= staleFrom && slot.getTime() < staleTo;
    out.push(result('docs-fresh', 'consumer_protection', slot, stale ? 'fail' : 'pass', stale ? [STALE] : [], 5));
  }
  return out;
}

export function septemberResults(): ProbeResult[] {
  const start = startOfDay('2026-09-15', TZ).getTime();
  return Array.from({ length: 24 }, (_, i) => result('api-tls', 'security', new Date(start + i * HOUR), 'fail', [TLS10, CERT], 100));
}

export async function writeAll(store: EvidenceStore, results: ProbeResult[], batch = 500): Promise<void> {
  for (let i = 0; i < results.length; i += batch) await store.writeResults(results.slice(i, i + batch).map((r) => ({ result: r })));
}
