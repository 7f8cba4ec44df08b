/**
 * The report in a real browser (headless Chromium), in both languages: no horizontal overflow on a 1280 px screen
 * nor at the A4 portrait print width (186 mm between 12 mm margins = 703 CSS px, with the print rules applied), a
 * 1280 px screenshot, and report.pdf printed on A4 and listed in the signed manifest; without Chromium the pack
 * has no PDF and the report says so.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Check } from '../../src/config/check';
import { buildPack, CHROMIUM } from '../../src/evidence/pack/build';
import { verifyPack } from '../../src/evidence/pack/verify';
import type { EvidenceStore } from '../../src/evidence/store';
import { HOUR, makeEnv, octoberResults, septemberResults, writeAll, type TestEnv } from './helpers';

const NOW = new Date('2026-11-05T03:00:00Z');
/** Where to keep the screenshots for a human to look at (optional). */
const KEEP = process.env.PENGAWAS_REPORT_SHOTS;

// A check with long unbroken values (a long id, target and option values), the kind that used to widen tables.
const LONG: Check = {
  id: 'demo-el-consumer-complaint-channel-with-a-very-long-identifier-for-layout',
  name: 'Kanal pengaduan konsumen (formulir dan janji waktu tanggapan)',
  type: 'http',
  element: 'consumer_protection',
  schedule: { kind: 'every', intervalMs: HOUR },
  scheduleText: 'every 3600s',
  intervalMs: HOUR,
  timeoutMs: 10_000,
  target:
    'https://pengaduan.contoh-penyelenggara-pembayaran.co.id/layanan/konsumen/formulir-pengaduan?kanal=web&bahasa=id&versi=2026-10-01',
  options: {
    bodyMatches: ['Formulir[^<]{0,200}Pengaduan[^<]{0,200}(Kirim|Ajukan)[^<]{0,200}3 x 24 jam'],
    headers: {
      'Content-Security-Policy':
        "default-src 'self'; script-src 'self' https://cdn.contoh-penyelenggara-pembayaran.co.id; object-src 'none'",
    },
    failAfter: 1000,
    maxAge: 31_536_000_000,
  },
  severity: 'medium',
  labels: {},
  retries: 1,
  enabled: true,
  source: { file: 'checks/x.yaml' },
  description: 'The complaint channel answers with a working form and states its response promise.',
  descriptionId: 'Kanal pengaduan menjawab dengan formulir yang berfungsi dan mencantumkan janji waktu tanggapan.',
};

const BASE = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--hide-scrollbars',
];

/** Measures, in the page itself, every element's right edge against the viewport and every table against its box. */
const MEASURE = `<script>
addEventListener('load', () => {
  const vw = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > vw + 0.5) wide.push(el.tagName + (el.dataset.check ? '[' + el.dataset.check + ']' : '') + ' right=' + Math.round(r.right));
  }
  const tables = [...document.querySelectorAll('table')].map((t) => t.scrollWidth - t.clientWidth).filter((d) => d > 0);
  const out = { viewport: vw, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 10), overflowingTables: tables.length, tables: document.querySelectorAll('table').length };
  document.body.setAttribute('data-measure', JSON.stringify(out));
});
</script>`;

function chromium(dir: string, args: string[]) {
  const run = spawnSync(
    CHROMIUM,
    [...BASE, `--user-data-dir=${path.join(dir, `profile-${Math.random().toString(36).slice(2)}`)}`, ...args],
    { encoding: 'utf8', timeout: 180_000, maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.status !== 0 && !run.stdout) throw new Error(`chromium failed (${run.status}): ${run.stderr.slice(-2000)}`);
  return run;
}

/** Loads a copy of the report with the measuring script (the original forbids scripts) and returns the page's numbers. */
function measure(
  dir: string,
  report: string,
  width: number,
  print: boolean,
): { viewport: number; scrollWidth: number; wide: string[]; overflowingTables: number; tables: number } {
  let html = readFileSync(report, 'utf8').replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
  // The print layout: the same rules the PDF uses, applied on screen at the printable width of A4.
  if (print) html = html.replace('@media print{', '@media all{');
  const copy = path.join(dir, `measure-${width}-${path.basename(path.dirname(report))}.html`);
  writeFileSync(copy, html.replace('</body>', `${MEASURE}</body>`));
  const run = chromium(dir, [`--window-size=${width},1000`, '--virtual-time-budget=5000', '--dump-dom', `file://${copy}`]);
  const m = /data-measure="([^"]*)"/.exec(run.stdout);
  if (!m) throw new Error(`no measurement in the dumped DOM (${run.stdout.length} bytes): ${run.stderr.slice(-1000)}`);
  return JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
}

function pngSize(file: string): { width: number; height: number } {
  const png = readFileSync(file);
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Every page's MediaBox in points (PDF 1.7 §7.7.3.3); A4 is 595.28 × 841.89 pt. */
function mediaBoxes(pdf: Buffer): Array<[number, number]> {
  const text = pdf.toString('latin1');
  return [...text.matchAll(/\/MediaBox\s*\[\s*([\d.-]+)\s+([\d.-]+)\s+([\d.-]+)\s+([\d.-]+)\s*\]/g)].map((m) => [
    Number(m[3]) - Number(m[1]),
    Number(m[4]) - Number(m[2]),
  ]);
}

(existsSync(CHROMIUM) ? describe : describe.skip)('evidence report in headless Chromium', () => {
  let env: TestEnv;
  let store: EvidenceStore;
  let dir: string;

  beforeAll(async () => {
    env = await makeEnv('sqlite');
    store = await env.open();
    dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-render-'));
    await store.recordConfig('cfg-october', [LONG], new Date('2026-09-01T00:00:00Z'));
    await writeAll(store, septemberResults());
    await writeAll(store, octoberResults());
    for (const lang of ['en', 'id'] as const)
      await buildPack(store, { month: '2026-10', outDir: path.join(dir, lang), lang, pdf: true, now: NOW });
  }, 300_000);

  afterAll(async () => {
    await store?.close();
    await env?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(['en', 'id'] as const)(
    'fits a 1280 px screen without horizontal overflow (%s)',
    (lang) => {
      const m = measure(dir, path.join(dir, lang, 'report.html'), 1280, false);
      expect(m.viewport).toBeGreaterThan(1200);
      expect(m.tables).toBeGreaterThanOrEqual(6);
      expect({ scrollWidth: m.scrollWidth <= m.viewport, wide: m.wide, overflowingTables: m.overflowingTables }).toEqual({
        scrollWidth: true,
        wide: [],
        overflowingTables: 0,
      });
    },
    200_000,
  );

  it.each(['en', 'id'] as const)(
    'fits the printable width of A4 portrait with the print rules (%s)',
    (lang) => {
      const m = measure(dir, path.join(dir, lang, 'report.html'), 703, true);
      expect({ scrollWidth: m.scrollWidth <= m.viewport, wide: m.wide, overflowingTables: m.overflowingTables }).toEqual({
        scrollWidth: true,
        wide: [],
        overflowingTables: 0,
      });
    },
    200_000,
  );

  it.each(['en', 'id'] as const)(
    'takes a 1280 px wide screenshot (%s)',
    (lang) => {
      const shot = path.join(dir, `report-${lang}.png`);
      chromium(dir, ['--window-size=1280,2400', `--screenshot=${shot}`, `file://${path.join(dir, lang, 'report.html')}`]);
      expect(pngSize(shot)).toEqual({ width: 1280, height: 2400 });
      if (KEEP) (mkdirSync(KEEP, { recursive: true }), copyFileSync(shot, path.join(KEEP, `report-${lang}.png`)));
    },
    200_000,
  );

  it.each(['en', 'id'] as const)('prints report.pdf on A4, listed in the signed manifest (%s)', (lang) => {
    const pdf = readFileSync(path.join(dir, lang, 'report.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const boxes = mediaBoxes(pdf);
    expect(boxes.length).toBeGreaterThanOrEqual(2);
    for (const [w, h] of boxes) expect([Math.abs(w - 595.28) < 2, Math.abs(h - 841.89) < 2]).toEqual([true, true]);
    const v = verifyPack(path.join(dir, lang));
    expect(v.ok).toBe(true);
    expect(v.manifest!.files.map((f) => f.path)).toContain('report.pdf');
    expect(readFileSync(path.join(dir, lang, 'report.html'), 'utf8')).toContain('data-pdf="printed"');
    if (KEEP) copyFileSync(path.join(dir, lang, 'report.pdf'), path.join(KEEP, `report-${lang}.pdf`));
  });

  it('builds without a PDF, and says so, when Chromium is not installed', async () => {
    const out = path.join(dir, 'no-chromium');
    const r = await buildPack(store, {
      month: '2026-10',
      outDir: out,
      lang: 'id',
      pdf: true,
      chromium: path.join(dir, 'not-installed', 'chromium'),
      now: NOW,
    });
    expect(r.manifest.files.map((f) => f.path)).not.toContain('report.pdf');
    expect(existsSync(path.join(out, 'report.pdf'))).toBe(false);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(
      /<p data-pdf="missing">Tidak ada report\.pdf: Chromium tidak terpasang/,
    );
    expect(verifyPack(out).ok).toBe(true);
  });
});
