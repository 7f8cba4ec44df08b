/** A generated month with known counts → the pack's numbers exactly; verify catches any altered byte. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildPack } from '../../src/evidence/pack/build';
import { verifyPack } from '../../src/evidence/pack/verify';
import type { EvidenceStore } from '../../src/evidence/store';
import { startOfDay } from '../../src/evidence/tz';
import { addWaiver } from '../../src/evidence/waivers';
import { recordAttestation } from '../../src/evidence/attestations';
import type { Check } from '../../src/config/check';
import { Metrics } from '../../src/metrics/definitions';
import { setEvidenceLastBuild } from '../../src/metrics/families/evidence';
import { buildMonthlyPack } from '../../src/evidence/monthly';
import { BACKENDS, makeEnv, octoberResults, septemberResults, TZ, writeAll, type TestEnv } from './helpers';

const NOW = new Date('2026-11-05T03:00:00Z');

const appliedCheck = (id: string, maxMs: number): Check => ({
  id,
  name: 'API gateway TLS',
  type: 'tls',
  element: 'security',
  schedule: { kind: 'every', intervalMs: 3_600_000 },
  scheduleText: 'every 3600s',
  intervalMs: 3_600_000,
  timeoutMs: 10_000,
  target: 'api.example.co.id:443',
  options: { profile: 'mozilla-intermediate', maxHandshakeMs: maxMs },
  severity: 'high',
  labels: {},
  retries: 1,
  enabled: true,
  source: { file: 'checks/tls.yaml' },
});

function attrs(html: string, selector: RegExp): Record<string, string> {
  const m = selector.exec(html);
  if (!m) throw new Error(`no element matching ${selector}`);
  const out: Record<string, string> = {};
  for (const a of m[0].matchAll(/data-([a-z-]+)="([^"]*)"/g)) out[a[1]] = a[2];
  return out;
}

describe.each(BACKENDS)('evidence pack on %s', (backend) => {
  let env: TestEnv;
  let store: EvidenceStore;
  let out: string;
  let pack: string;

  beforeAll(async () => {
    env = await makeEnv(backend);
    store = await env.open();
    out = mkdtempSync(path.join(os.tmpdir(), 'pengawas-pack-'));
    await writeAll(store, septemberResults());
    // The stale-document finding is waived for one day (Oct 11 WIB): 24 of its 72 failures count as waived.
    await addWaiver(
      store,
      {
        checkId: 'docs-fresh',
        findingId: 'document.stale',
        reason: 'new fee schedule in legal review',
        approver: 'CISO',
        risk: 'low',
        startsAt: startOfDay('2026-10-11', TZ),
        expiresAt: startOfDay('2026-10-12', TZ),
      },
      new Date('2026-10-10T12:00:00Z'),
    );
    await recordAttestation(
      store,
      {
        checkId: 'drp-test',
        by: 'Head of IT Ops',
        evidenceHash: 'a'.repeat(64),
        evidenceRef: 'dms://drp/2026-q3',
        expiresAt: new Date('2027-01-01T00:00:00Z'),
        note: 'DRP test Q3',
      },
      new Date('2026-10-03T02:00:00Z'),
    );
    await store.recordConfig('cfg-september', [appliedCheck('api-tls', 1500)], new Date('2026-09-01T00:00:00Z'));
    await store.recordConfig('cfg-october', [appliedCheck('api-tls', 2500)], new Date('2026-10-20T00:00:00Z'));
    await writeAll(store, octoberResults());
    pack = path.join(out, 'pack');
    await buildPack(store, { month: '2026-10', outDir: pack, now: NOW });
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await env?.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  it('reports the exact per-check counts, pass rates and time in failure', () => {
    const html = readFileSync(path.join(pack, 'report.html'), 'utf8');
    const tls = attrs(html, /<tr data-check="api-tls"[^>]*>/);
    expect(tls).toMatchObject({ runs: '744', passes: '668', fails: '76', waived: '0', errors: '0', 'failure-ms': String(76 * 3_600_000) });
    expect(Number(tls['pass-rate'])).toBeCloseTo(668 / 744, 12);
    const lat = attrs(html, /<tr data-check="pay-latency"[^>]*>/);
    expect(lat).toMatchObject({ runs: '744', passes: '625', warns: '104', fails: '0', errors: '15', 'pass-rate': '1', 'failure-ms': '0' });
    const docs = attrs(html, /<tr data-check="docs-fresh"[^>]*>/);
    expect(docs).toMatchObject({ runs: '744', passes: '672', fails: '48', waived: '24', 'failure-ms': String(72 * 3_600_000) });
    expect(Number(docs['pass-rate'])).toBeCloseTo(672 / 744, 12);
    const total = attrs(html, /<tr data-totals="true"[^>]*>/);
    expect(total).toMatchObject({
      runs: String(3 * 744),
      passes: String(668 + 625 + 672),
      warns: '104',
      fails: '124',
      waived: '24',
      errors: '15',
    });
    const sec = attrs(html, /<tr data-element="security"[^>]*>/);
    expect(sec.runs).toBe('744');
    // 75 one-hour incidents + the one carried over from September + the one still open at month end.
    expect(attrs(html, /<table data-incidents="[^"]*"[^>]*>/).incidents).toBe(String(76 + 1));
    expect(attrs(html, /<p data-delta-new[^>]*>/)).toMatchObject({ 'delta-new': '2', 'delta-still': '1', 'delta-resolved': '1' });
    expect(html).toContain('PBI No. 2 of 2024 and PADG No. 24 of 2024');
    expect(html).toContain('new fee schedule in legal review');
    expect(html).toContain('dms://drp/2026-q3');
    // One language per report: the English report holds no Indonesian labels (the Indonesian one is checked in report-i18n.test.ts).
    expect(html).toContain('Pass rate');
    expect(html).not.toContain('Tingkat kelulusan');
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!api-tls|pay-latency|docs-fresh|www\.w3\.org\/2000\/svg)/);
  });

  it('shows the configuration applied at the end of the month and its changes, and signs the definitions hash', () => {
    const html = readFileSync(path.join(pack, 'report.html'), 'utf8');
    expect(html).toContain('maxHandshakeMs: 2500 ms');
    expect(html).toContain('mozilla-intermediate');
    expect(html).toMatch(/2026-10-20 07:00 — <code>cfg-october<\/code>/);
    const manifest = JSON.parse(readFileSync(path.join(pack, 'manifest.json'), 'utf8'));
    expect(manifest.checkDefinitions).toEqual({
      sha256: 'cfg-october',
      applied: [
        { sha256: 'cfg-september', appliedAt: '2026-09-01T00:00:00.000Z' },
        { sha256: 'cfg-october', appliedAt: '2026-10-20T00:00:00.000Z' },
      ],
    });
    expect(manifest).toMatchObject({
      month: '2026-10',
      empty: false,
      period: { timezone: 'Asia/Jakarta', complete: true, from: '2026-09-30T17:00:00.000Z', to: '2026-10-31T17:00:00.000Z' },
    });
  });

  it('builds last month from the monthly job and publishes the build time gauge', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const before = Date.now() / 1000;
    const r = await buildMonthlyPack(store, { now: NOW, onBuilt: setEvidenceLastBuild });
    expect(r.outDir).toBe(path.join(env.dataDir, 'packs', '2026-10'));
    expect(r.manifest.totals.runs).toBe(3 * 744);
    expect(verifyPack(r.outDir).ok).toBe(true);
    const gauge = (await metrics.registry.getSingleMetric('pengawas_evidence_last_build_timestamp_seconds')!.get()).values[0].value;
    expect(gauge).toBeGreaterThanOrEqual(before);
    // Rebuilding in place replaces the previous pack.
    expect((await buildMonthlyPack(store, { now: NOW })).outDir).toBe(r.outDir);
  });

  it('writes per-day CSV rows that add up to the month', () => {
    const text = readFileSync(path.join(pack, 'results.csv'), 'utf8');
    expect(text.startsWith('\uFEFFday,')).toBe(true); // the UTF-8 byte-order mark, for spreadsheets
    const lines = text.slice(1).trim().split('\r\n');
    const header = lines[0].split(',');
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
    expect(rows).toHaveLength(3 * 31);
    const sum = (check: string, col: string) => rows.filter((r) => r.check_id === check).reduce((s, r) => s + Number(r[col]), 0);
    expect([sum('api-tls', 'runs'), sum('api-tls', 'fail'), sum('docs-fresh', 'waived'), sum('pay-latency', 'error')]).toEqual([
      744, 76, 24, 15,
    ]);
    const oct11 = rows.find((r) => r.check_id === 'docs-fresh' && r.day === '2026-10-11')!;
    expect([oct11.runs, oct11.fail, oct11.waived, oct11.sealed]).toEqual(['24', '0', '24', 'yes']);
    const findings = readFileSync(path.join(pack, 'findings.csv'), 'utf8');
    expect(findings).toMatch(/docs-fresh,consumer_protection,document\.stale,medium,fail,72,24,/);
    expect(findings).toMatch(/api-tls,security,tls\.cert\.expiring,medium,fail,0,0,,,no,resolved/);
  });

  it('emits OCSF Compliance Findings (class 2003)', () => {
    const ocsf = JSON.parse(readFileSync(path.join(pack, 'findings.ocsf.json'), 'utf8')) as Array<Record<string, any>>;
    expect(ocsf).toHaveLength(3);
    for (const f of ocsf) expect(f).toMatchObject({ class_uid: 2003, category_uid: 2, type_uid: 200301, activity_id: 1 });
    const tls = ocsf.find((f) => f.finding_info.title === 'tls.protocol.tls1_0_enabled')!;
    expect(tls.compliance).toMatchObject({
      status_id: 3,
      standards: ['PBI No. 2 of 2024 and PADG No. 24 of 2024', 'PADG No. 23/15/PADG/2021', 'PBI No. 22/23/PBI/2020'],
    });
    expect(tls.status_id).toBe(1); // still failing at the end of the month
    expect(tls.count).toBe(76);
  });

  it('verifies, then names any file with one flipped byte', () => {
    expect(verifyPack(pack)).toMatchObject({ ok: true, problems: [] });
    for (const name of readdirSync(pack)) {
      const copy = path.join(out, `flip-${name}`);
      execFileSync('cp', ['-r', pack, copy]);
      const file = path.join(copy, name);
      const buf = readFileSync(file);
      const at = Math.floor(buf.length / 2);
      buf[at] = buf[at] ^ 0x01;
      writeFileSync(file, buf);
      const v = verifyPack(copy);
      expect(v.ok).toBe(false);
      expect(v.problems.map((p) => `${p.file}: ${p.problem}`).join('\n')).toContain(name === 'manifest.sig' ? 'manifest.sig' : name);
      rmSync(copy, { recursive: true, force: true });
    }
    writeFileSync(path.join(pack, 'extra.txt'), 'added later');
    expect(verifyPack(pack).problems).toEqual([{ file: 'extra.txt', problem: 'not listed in manifest.json (added after signing)' }]);
    rmSync(path.join(pack, 'extra.txt'));
  });

  it('builds a pack for a month without data that says so', async () => {
    const empty = path.join(out, 'empty');
    const r = await buildPack(store, { month: '2026-07', outDir: empty, lang: 'id', now: NOW });
    expect(r.manifest.empty).toBe(true);
    const html = readFileSync(path.join(empty, 'report.html'), 'utf8');
    expect(html).toContain('<html lang="id">');
    expect(html).toContain('data-empty="true"');
    expect(html).toContain('Tidak ada hasil yang tercatat untuk periode ini.');
    expect(verifyPack(empty).ok).toBe(true);
  });
});

const chromium = '/usr/bin/chromium';
(existsSync(chromium) ? describe : describe.skip)('report in headless Chromium', () => {
  it('renders with no console messages and produces a screenshot', async () => {
    const env = await makeEnv('sqlite');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-chromium-'));
    try {
      const store = await env.open();
      await writeAll(store, octoberResults().slice(0, 600));
      await buildPack(store, { month: '2026-10', outDir: path.join(dir, 'pack'), now: NOW });
      await store.close();
      const shot = path.join(dir, 'shot.png');
      const args = [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${path.join(dir, 'profile')}`,
        '--enable-logging=stderr',
        '--v=0',
        '--window-size=1400,2000',
        `--screenshot=${shot}`,
        `file://${path.join(dir, 'pack', 'report.html')}`,
      ];
      const { spawnSync } = await import('node:child_process');
      const run = spawnSync(chromium, args, { encoding: 'utf8', timeout: 90_000 });
      const consoleLines = run.stderr.split('\n').filter((l) => /:CONSOLE|Refused|Content Security Policy/i.test(l));
      expect(consoleLines).toEqual([]);
      expect(existsSync(shot)).toBe(true);
      const png = readFileSync(shot);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.length).toBeGreaterThan(20_000);
    } finally {
      await env.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
