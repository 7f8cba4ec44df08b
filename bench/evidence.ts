/**
 * `npm run bench:evidence`: how fast the evidence store takes results, and how fast a month's pack builds, on
 * SQLite and on PostgreSQL.
 *
 *  1. Write throughput: 1,000 checks' results through EvidenceStore.writeResults — in batches of 500 (what the
 *     recorder sink's group commit does) and one result per transaction (the worst case) — next to a plain
 *     multi-row INSERT of the same rows without chain, waivers or incidents (the floor any store pays).
 *  2. Pack build: one month (October 2026, 31 days) for 1,000 checks on 1-minute schedules = 44,640,000 results.
 *     Inserting 44.6 M raw rows through the chained path is not feasible on this 2-core machine in a bench run
 *     (hours), so the bench writes the daily rollups those results produce (31,000 sealed rollups, finding
 *     rollups, incidents) directly, which is exactly what `evidence build` reads; raw rows are never scanned.
 * Env: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres), BENCH_WRITES (default 20000).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ELEMENT_IDS } from '../src/elements';
import { buildPack } from '../src/evidence/pack/build';
import { verifyPack } from '../src/evidence/pack/verify';
import { histogramOf, histogramText, mergeHistograms, type DurationHistogram } from '../src/evidence/duration-histogram';
import { sealOf, type RollupRow } from '../src/evidence/rollups';
import { EvidenceStore } from '../src/evidence/store';
import { startOfDay, parseMonth } from '../src/evidence/tz';
import type { ProbeResult } from '../src/results/contract';
import { setLogLevel } from '../src/util/logger';

const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WRITES = Number(process.env.BENCH_WRITES ?? 20_000);
const CHECKS = 1000;
const MONTH = '2026-10';
const TZ = 'Asia/Jakarta';

function results(n: number, offset: number): ProbeResult[] {
  const out: ProbeResult[] = [];
  const t0 = new Date('2026-11-02T00:00:00Z').getTime() + offset * 60_000;
  for (let i = 0; i < n; i++) {
    const check = `check-${String(i % CHECKS).padStart(4, '0')}`;
    const slot = new Date(t0 + Math.floor(i / CHECKS) * 60_000).toISOString();
    const fail = i % 37 === 0;
    out.push({
      id: `${check}@${slot}`,
      checkId: check,
      type: 'http',
      element: ELEMENT_IDS[i % 10],
      target: `https://${check}.example.co.id/health`,
      status: fail ? 'fail' : 'pass',
      scheduledAt: slot,
      startedAt: slot,
      durationMs: 20 + (i % 50),
      attempt: 1,
      findings: fail ? [{ id: 'http.status.unexpected', severity: 'high', status: 'fail', message: 'expected 200, got 503' }] : [],
      measurements: { status: fail ? 503 : 200, phasesMs: { dns: 0.4, connect: 1.1, tls: 4.2, ttfb: 12.5, transfer: 0.3 } },
    });
  }
  return out;
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

async function insertRows(store: EvidenceStore, table: string, cols: string[], rows: unknown[][]): Promise<void> {
  const per = Math.floor(30_000 / cols.length);
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    const values = chunk.map((_, r) => `(${cols.map((__, c) => `$${r * cols.length + c + 1}`).join(', ')})`).join(', ');
    await store.db.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values}`, chunk.flat());
  }
}

/** A histogram of `count` runs at each of the given durations (ms). */
function dayHistogram(parts: Array<[number, number]>): DurationHistogram {
  return mergeHistograms(parts.map(([ms, count]) => Object.fromEntries(Object.entries(histogramOf([ms])).map(([k]) => [k, count]))));
}

/** The sealed rollups one month of 1,000 one-minute checks produces (1,440 runs per check per day). */
async function seedMonth(store: EvidenceStore): Promise<number> {
  const month = parseMonth(MONTH)!;
  const rollups: unknown[][] = [];
  const findings: unknown[][] = [];
  const incidents: unknown[][] = [];
  for (let c = 0; c < CHECKS; c++) {
    const check = `check-${String(c).padStart(4, '0')}`;
    for (const [d, day] of month.days.entries()) {
      const start = startOfDay(day, TZ).getTime();
      const fails = (c + d) % 13 === 0 ? 30 + (c % 7) : 0;
      const errors = (c * 31 + d) % 17 === 0 ? 2 : 0;
      const warns = c % 5 === 0 ? 10 : 0;
      const p50 = 40 + (c % 30);
      const p95 = 120 + (c % 60);
      const r: RollupRow = {
        check_id: check,
        day,
        element: ELEMENT_IDS[c % 10],
        type: ['http', 'tls', 'transaction', 'freshness'][c % 4],
        runs: 1440,
        passes: 1440 - fails - errors - warns,
        warns,
        fails,
        waived: 0,
        errors,
        p50_ms: p50,
        p95_ms: p95,
        // The day's duration histogram (what `evidence build` merges for the month's p50/p95): 1,440 runs shaped
        // around the day's p50 and p95.
        duration_hist: dayHistogram([
          [p50 * 0.8, 500],
          [p50, 300],
          [p50 * 1.3, 400],
          [p95 * 0.9, 168],
          [p95, 58],
          [p95 * 1.6, 14],
        ]),
        first_failure_at: fails ? new Date(start + 3_600_000) : null,
        last_failure_at: fails ? new Date(start + 3_600_000 + (fails - 1) * 60_000) : null,
        first_run_at: new Date(start),
        last_run_at: new Date(start + 1439 * 60_000),
        last_hash: randomBytes(32).toString('hex'),
      };
      rollups.push([
        r.check_id,
        r.day,
        r.element,
        r.type,
        r.runs,
        r.passes,
        r.warns,
        r.fails,
        r.waived,
        r.errors,
        r.p50_ms,
        r.p95_ms,
        r.first_failure_at,
        r.last_failure_at,
        r.first_run_at,
        r.last_run_at,
        r.last_hash,
        true,
        sealOf(r),
        histogramText(r.duration_hist as DurationHistogram),
      ]);
      if (fails) {
        findings.push([
          check,
          day,
          'http.status.unexpected',
          'high',
          'fail',
          fails,
          0,
          r.first_failure_at,
          r.last_failure_at,
          'expected 200, got 503',
        ]);
        incidents.push([
          check,
          r.element,
          r.first_failure_at,
          new Date(r.last_failure_at!.getTime() + 60_000),
          `${check}@${r.first_failure_at!.toISOString()}`,
          `${check}@x`,
          'http.status.unexpected',
        ]);
      }
      if (warns)
        findings.push([
          check,
          day,
          'http.latency.slow',
          'low',
          'warn',
          warns,
          0,
          new Date(start),
          new Date(start + 600_000),
          'answered in 2.1 s',
        ]);
    }
  }
  await insertRows(
    store,
    'evidence_rollups',
    [
      'check_id',
      'day',
      'element',
      'type',
      'runs',
      'passes',
      'warns',
      'fails',
      'waived',
      'errors',
      'p50_ms',
      'p95_ms',
      'first_failure_at',
      'last_failure_at',
      'first_run_at',
      'last_run_at',
      'last_hash',
      'final',
      'seal',
      'duration_hist',
    ],
    rollups,
  );
  await insertRows(
    store,
    'evidence_finding_rollups',
    ['check_id', 'day', 'finding_id', 'severity', 'status', 'occurrences', 'waived', 'first_seen_at', 'last_seen_at', 'message'],
    findings,
  );
  await insertRows(
    store,
    'evidence_incidents',
    ['check_id', 'element', 'started_at', 'ended_at', 'opened_by', 'closed_by', 'findings'],
    incidents,
  );
  return rollups.length;
}

interface Row {
  backend: string;
  batched: number;
  single: number;
  plain: number;
  seal: number;
  seedS: number;
  buildS: number;
  verifyS: number;
  reportMB: number;
}

async function benchBackend(backend: 'sqlite' | 'postgres'): Promise<Row> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-bench-ev-'));
  let dbName: string | undefined;
  let url: string | undefined;
  if (backend === 'postgres') {
    dbName = `pengawas_ev_bench_${randomBytes(4).toString('hex')}`;
    const admin = new Client(PG);
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(PG);
    u.pathname = `/${dbName}`;
    url = u.toString();
  }
  const store = await EvidenceStore.open({ dataDir, databaseUrl: url, timezone: TZ });
  try {
    const batch = results(WRITES, 0);
    const tb = await timeIt(async () => {
      for (let i = 0; i < batch.length; i += 500) await store.writeResults(batch.slice(i, i + 500).map((result) => ({ result })));
    });
    // Sealing: the daily rollup pass over raw rows (maintain), here over the day the batch above landed in.
    const sealS = await timeIt(() => store.maintain(new Date('2026-11-05T00:00:00Z')));
    const singles = results(Math.min(2000, WRITES), 10_000);
    const ts = await timeIt(async () => {
      for (const result of singles) await store.writeResults([{ result }]);
    });
    await store.db.query(
      `CREATE TABLE bench_plain (result_id text PRIMARY KEY, stream text, body text, status text, scheduled_at timestamptz, duration_ms float8)`,
    );
    const plain = results(WRITES, 20_000);
    const tp = await timeIt(() =>
      insertRows(
        store,
        'bench_plain',
        ['result_id', 'stream', 'body', 'status', 'scheduled_at', 'duration_ms'],
        plain.map((r) => [r.id, r.checkId, JSON.stringify(r), r.status, r.scheduledAt, r.durationMs]),
      ),
    );
    const seedS = await timeIt(() => seedMonth(store));
    const out = path.join(dataDir, 'pack');
    let reportBytes = 0;
    const buildS = await timeIt(async () => {
      const r = await buildPack(store, { month: MONTH, outDir: out, now: new Date('2026-11-28T00:00:00Z') });
      reportBytes = r.manifest.files.find((f) => f.path === 'report.html')!.bytes;
      if (r.manifest.totals.runs !== CHECKS * 31 * 1440) throw new Error(`pack counted ${r.manifest.totals.runs} runs`);
    });
    let ok = false;
    const verifyS = await timeIt(async () => {
      ok = verifyPack(out).ok;
    });
    if (!ok) throw new Error('pack did not verify');
    // Every check's month p50/p95 must have come from the merged histograms, not the daily approximation.
    const methods = readFileSync(path.join(out, 'report.html'), 'utf8').match(/data-percentile-method="histogram"/g)?.length ?? 0;
    if (methods !== CHECKS) throw new Error(`only ${methods} of ${CHECKS} checks had their percentiles read from histograms`);
    return {
      backend,
      batched: WRITES / tb,
      single: singles.length / ts,
      plain: WRITES / tp,
      seal: WRITES / sealS,
      seedS,
      buildS,
      verifyS,
      reportMB: reportBytes / 1e6,
    };
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (dbName) {
      const admin = new Client(PG);
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
  }
}

async function main(): Promise<void> {
  setLogLevel('warn');
  const rows: Row[] = [];
  for (const b of ['sqlite', 'postgres'] as const) {
    process.stderr.write(`bench ${b}...\n`);
    rows.push(await benchBackend(b));
  }
  const f = (n: number) => Math.round(n).toLocaleString('en-US');
  process.stdout.write(
    `\nEvidence store, ${WRITES.toLocaleString('en-US')} results from ${CHECKS} checks; pack of ${MONTH}: ${CHECKS} checks × 1-min schedule = ${(CHECKS * 31 * 1440).toLocaleString('en-US')} results as 31,000 sealed daily rollups\n\n`,
  );
  process.stdout.write(
    '| backend | store rows/s, group commit (500/tx) | store rows/s, 1 result/tx | plain INSERT rows/s (no chain, floor) | sealing rollups, raw rows/s | seed rollups s | `evidence build` s | pack verify s | report.html MB |\n|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const r of rows)
    process.stdout.write(
      `| ${r.backend} | ${f(r.batched)} | ${f(r.single)} | ${f(r.plain)} | ${f(r.seal)} | ${r.seedS.toFixed(1)} | ${r.buildS.toFixed(2)} | ${r.verifyS.toFixed(2)} | ${r.reportMB.toFixed(2)} |\n`,
    );
  process.stdout.write(
    `\nPipeline need at 1,000 checks on 1-minute schedules: ${(CHECKS / 60).toFixed(1)} results/s. Raw insertion of the full month would take ${rows.map((r) => `${r.backend} ${((CHECKS * 31 * 1440) / r.batched / 3600).toFixed(1)} h`).join(', ')} at the group-commit rate.\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
