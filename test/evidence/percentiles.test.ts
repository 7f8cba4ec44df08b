/**
 * A month's p50/p95 come from merged daily duration histograms, within the stated bound of the exact percentile of
 * every raw duration, where the old "median of daily p50, worst daily p95" is far off. Days rolled up before
 * histograms were kept fall back to that approximation, and say so. Sealed histograms are covered by the seal.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  bucketBounds,
  histogramOf,
  histogramPercentile,
  MAX_RELATIVE_ERROR,
  mergeHistograms,
  OVERFLOW,
  parseHistogram,
  RATIO,
} from '../../src/evidence/duration-histogram';
import { buildPack } from '../../src/evidence/pack/build';
import { verifyPack } from '../../src/evidence/pack/verify';
import { sealOf, type RollupRow } from '../../src/evidence/rollups';
import type { EvidenceStore } from '../../src/evidence/store';
import { startOfDay } from '../../src/evidence/tz';
import { verifyStore } from '../../src/evidence/verify-store';
import type { ProbeResult } from '../../src/results/contract';
import { BACKENDS, makeEnv, result, TZ, writeAll, type TestEnv } from './helpers';

const NOW = new Date('2026-11-05T03:00:00Z');
const TEN_MIN = 600_000;

/** percentile_cont over the raw durations: what PostgreSQL would give with every row kept. */
function exact(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = p * (s.length - 1);
  const lo = Math.floor(h);
  return s[lo] + (h - lo) * (s[Math.ceil(h)] - s[lo]);
}

const rel = (got: number, want: number) => Math.abs(got - want) / want;

/** Runs every 10 minutes from the start of `day` (WIB), with the given durations. */
function runs(checkId: string, day: string, durations: number[]): ProbeResult[] {
  const start = startOfDay(day, TZ).getTime();
  return durations.map((d, i) => result(checkId, 'efficiency', new Date(start + i * TEN_MIN), 'pass', [], d));
}

/**
 * skew: Oct 1, 100 runs at 10 ms; Oct 2, 10 runs at 1000 ms. True p50 = 10 ms; median of the daily p50s = 505 ms.
 * tail: Oct 1–20, 50 runs a day between 10 and 60 ms; Oct 21, 20 runs at 3000 ms (2% of 1,020 runs). True p95 ≈ 57 ms;
 * the worst daily p95 = 3000 ms.
 */
function month(): Map<string, Map<string, number[]>> {
  const m = new Map<string, Map<string, number[]>>([
    ['skew', new Map()],
    ['tail', new Map()],
  ]);
  m.get('skew')!.set('2026-10-01', Array(100).fill(10)).set('2026-10-02', Array(10).fill(1000));
  for (let d = 1; d <= 20; d++)
    m.get('tail')!.set(
      `2026-10-${String(d).padStart(2, '0')}`,
      Array.from({ length: 50 }, (_, i) => 10 + ((d * 7 + i * 13) % 50) + 0.37),
    );
  m.get('tail')!.set('2026-10-21', Array(20).fill(3000));
  return m;
}

/** The old method over the same days: median of the daily p50s, worst daily p95. */
function oldMethod(days: Map<string, number[]>): { p50: number; p95: number } {
  const p50s = [...days.values()].map((xs) => exact(xs, 0.5)).sort((a, b) => a - b);
  const mid = Math.floor(p50s.length / 2);
  return {
    p50: p50s.length % 2 ? p50s[mid] : (p50s[mid - 1] + p50s[mid]) / 2,
    p95: Math.max(...[...days.values()].map((xs) => exact(xs, 0.95))),
  };
}

function checkRow(html: string, id: string): Record<string, string> {
  const m = new RegExp(`<tr data-check="${id}"[^>]*>`).exec(html);
  if (!m) throw new Error(`no row for ${id}`);
  return Object.fromEntries([...m[0].matchAll(/data-([a-z0-9-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
}

describe('duration histogram', () => {
  it('has ~10% buckets from 1 ms to past 120 s, and reads any percentile within the stated bound', () => {
    expect(bucketBounds(1)).toEqual([1, RATIO]);
    expect(bucketBounds(OVERFLOW)[0]).toBeGreaterThanOrEqual(120_000);
    expect(OVERFLOW - 1).toBeGreaterThanOrEqual(120);
    expect(MAX_RELATIVE_ERROR).toBeLessThan(0.05);
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let t = 0; t < 50; t++) {
      const xs = Array.from({ length: 1 + Math.floor(rnd() * 500) }, () => Math.exp(rnd() * Math.log(100_000)) + 1);
      const h = mergeHistograms([histogramOf(xs.slice(0, 7)), histogramOf(xs.slice(7))]);
      for (const p of [0, 0.01, 0.5, 0.9, 0.95, 0.99, 1])
        expect(rel(histogramPercentile(h, p)!, exact(xs, p))).toBeLessThanOrEqual(MAX_RELATIVE_ERROR + 1e-12);
    }
  });
});

describe.each(BACKENDS)('month percentiles from duration histograms on %s', (backend) => {
  let env: TestEnv;
  let store: EvidenceStore;
  let out: string;
  const data = month();

  beforeAll(async () => {
    env = await makeEnv(backend);
    store = await env.open();
    out = mkdtempSync(path.join(os.tmpdir(), 'pengawas-pct-'));
    const all = [...data].flatMap(([id, days]) => [...days].flatMap(([day, xs]) => runs(id, day, xs)));
    await writeAll(
      store,
      all.sort((a, b) => a.scheduledAt.localeCompare(b.scheduledAt)),
    );
    await buildPack(store, { month: '2026-10', outDir: path.join(out, 'pack'), now: NOW });
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await env?.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  const rollup = async (id: string, day: string) =>
    (await store.db.query<RollupRow>(`SELECT * FROM evidence_rollups WHERE check_id = $1 AND day = $2`, [id, day]))[0];

  it("stores each day's histogram in its sealed rollup, bucketed as the code defines", async () => {
    for (const [id, days] of data) {
      for (const [day, xs] of days) {
        const r = await rollup(id, day);
        expect(r.final).toBe(true);
        expect(parseHistogram(r.duration_hist)).toEqual(histogramOf(xs));
      }
    }
  });

  it('reports month p50/p95 within the stated error of the exact value, where the daily approximation is far off', () => {
    const html = readFileSync(path.join(out, 'pack', 'report.html'), 'utf8');
    expect(html).toContain('data-percentile-note="histogram"');
    expect(html).not.toContain('data-percentile-note="daily-approximation"');
    expect(html).toContain('within 5% of the exact percentile');
    for (const [id, days] of data) {
      const row = checkRow(html, id);
      expect(row['percentile-method']).toBe('histogram');
      const xs = [...days.values()].flat();
      const old = oldMethod(days);
      for (const [p, got, prior] of [
        [0.5, row['p50-ms'], old.p50],
        [0.95, row['p95-ms'], old.p95],
      ] as const) {
        expect(rel(Number(got), exact(xs, p))).toBeLessThanOrEqual(MAX_RELATIVE_ERROR);
        if ((id === 'skew' && p === 0.5) || (id === 'tail' && p === 0.95)) expect(rel(prior, exact(xs, p))).toBeGreaterThan(1); // more than 100% off
      }
    }
    expect(verifyPack(path.join(out, 'pack')).ok).toBe(true);
  });

  it('verify --store passes with sealed histograms and names a sealed histogram that was edited', async () => {
    expect(await verifyStore(store.db, store.timezone)).toMatchObject({ ok: true, problems: [] });
    const before = (await rollup('skew', '2026-10-01')).duration_hist;
    const edited = { ...parseHistogram(before)! };
    const k = Object.keys(edited)[0];
    edited[k] -= 1;
    edited['1'] = 1; // one run moved to the 1 ms bucket: same run count, different durations
    await store.db.query(
      `UPDATE evidence_rollups SET duration_hist = ${store.db.dialect.json('$1')} WHERE check_id = 'skew' AND day = '2026-10-01'`,
      [JSON.stringify(edited)],
    );
    const v = await verifyStore(store.db, store.timezone);
    expect(v.problems).toEqual([
      { table: 'evidence_rollups', where: 'check skew day 2026-10-01', problem: 'seal does not match the rollup (the rollup was edited)' },
      { table: 'evidence_rollups', where: 'check skew day 2026-10-01', problem: 'duration_hist differs from the stored results' },
    ]);
    await store.db.query(`UPDATE evidence_rollups SET duration_hist = NULL WHERE check_id = 'skew' AND day = '2026-10-01'`);
    expect((await verifyStore(store.db, store.timezone)).problems.map((p) => p.problem)).toEqual([
      'seal does not match the rollup (the rollup was edited)',
    ]);
    await store.db.query(
      `UPDATE evidence_rollups SET duration_hist = ${store.db.dialect.json('$1')} WHERE check_id = 'skew' AND day = '2026-10-01'`,
      [JSON.stringify(before)],
    );
    expect((await verifyStore(store.db, store.timezone)).ok).toBe(true);
  });

  it('falls back to the daily approximation, and says so, for a check with days rolled up before histograms', async () => {
    // A row sealed before histograms were kept: no histogram, and a seal over the other fields only.
    const legacy = await rollup('skew', '2026-10-02');
    await store.db.query(`UPDATE evidence_rollups SET duration_hist = NULL, seal = $1 WHERE check_id = 'skew' AND day = '2026-10-02'`, [
      sealOf({ ...legacy, duration_hist: null }),
    ]);
    expect(await verifyStore(store.db, store.timezone)).toMatchObject({ ok: true, problems: [] });
    await buildPack(store, { month: '2026-10', outDir: path.join(out, 'mixed'), now: NOW });
    const html = readFileSync(path.join(out, 'mixed', 'report.html'), 'utf8');
    // Both notes: tail is still read from histograms, skew is not.
    expect(html).toContain('data-percentile-note="histogram"');
    expect(html).toContain('data-percentile-note="daily-approximation"');
    expect(html).toContain('Checks marked ≈');
    expect(html).toContain('median of the daily medians');
    const skew = checkRow(html, 'skew');
    // Median of the two daily p50s (10 and 1000 ms), and the worse daily p95 (1000 ms): the old method exactly.
    expect(skew).toMatchObject({ 'percentile-method': 'daily-approximation', 'p50-ms': '505', 'p95-ms': '1000' });
    expect(html).toMatch(/<tr data-check="skew"[\s\S]*?≈ 505\.0\sms[\s\S]*?≈ 1000\.0\sms/);
    expect(checkRow(html, 'tail')['percentile-method']).toBe('histogram');
    expect(verifyPack(path.join(out, 'mixed')).ok).toBe(true);
  });
});
