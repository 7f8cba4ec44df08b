/**
 * Long work shows progress on a terminal and nothing elsewhere: `evidence build` over a month of results under a real
 * pseudo-TTY (`script -qfc`, util-linux) draws its stages on stderr — rollups (days counted), reading (records
 * verified), coverage, report, PDF, signing — and erases the line before the result; with --json, and through pipes,
 * there is no progress at all. Own data folder, SQLite store seeded with 4 hourly checks over November 2026.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EvidenceStore } from '../../src/evidence/store';
import type { ProbeResult } from '../../src/results/contract';
import { BIN, ROOT, runCli } from '../helpers/cli';

jest.setTimeout(180_000);
const hasScript = spawnSync('script', ['--version']).status === 0;
const hasChromium = existsSync('/usr/bin/chromium');
const CHECKS = ['api-health', 'api-tls', 'pay-flow', 'docs-fresh'];
const HOURS = 30 * 24;

function novemberResults(): ProbeResult[] {
  const start = Date.parse('2026-10-31T17:00:00Z'); // 1 November, 00:00 WIB
  const out: ProbeResult[] = [];
  for (let h = 0; h < HOURS; h++)
    for (const checkId of CHECKS) {
      const t = new Date(start + h * 3_600_000).toISOString();
      const fail = h % 13 === 0;
      out.push({
        id: `${checkId}@${t}`,
        checkId,
        type: 'http',
        element: 'sustainability',
        target: `https://${checkId}.example`,
        status: fail ? 'fail' : 'pass',
        scheduledAt: t,
        startedAt: t,
        durationMs: 20,
        attempt: 1,
        findings: fail ? [{ id: 'http.status.unexpected', severity: 'high', status: 'fail', message: 'status 503, expected 2xx' }] : [],
        measurements: {},
      });
    }
  return out;
}

/** Runs the built CLI under `script`, stdout and stderr both on the pseudo-terminal; returns what it showed. */
async function onTty(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: unknown; out: string }> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfc', command, '/dev/null'], { cwd: ROOT, env });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise((r) => child.once('close', r));
  return { code, out };
}

describe('progress of evidence build', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-progress-'));
    const store = await EvidenceStore.open({ dataDir: path.join(dir, 'data'), timezone: 'Asia/Jakarta' });
    try {
      const all = novemberResults();
      for (let i = 0; i < all.length; i += 500) await store.writeResults(all.slice(i, i + 500).map((result) => ({ result })));
    } finally {
      await store.close();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = () => ({ ...process.env, PENGAWAS_DATA_DIR: path.join(dir, 'data'), DATABASE_URL: '', PENGAWAS_LOG_LEVEL: 'warn' });

  (hasScript ? it : it.skip)('on a TTY: every stage in order with its counts, erased before the result', async () => {
    const { code, out } = await onTty(
      ['evidence', 'build', '--month', '2026-11', '--out', path.join(dir, 'tty'), ...(hasChromium ? [] : ['--no-pdf'])],
      env(),
    );
    expect(code).toBe(0);
    const steps = hasChromium ? 6 : 5;
    // Every day of November holds results and none is sealed yet: 30 days to roll up, counted one by one.
    const expected = [
      new RegExp(`building the 2026-11 evidence pack: \\[1/${steps}\\] rollups: 0/30 days to roll up`),
      ...Array.from({ length: 30 }, (_, i) => new RegExp(`\\[1/${steps}\\] rollups: ${i + 1}/30 days to roll up`)),
      new RegExp(`\\[2/${steps}\\] reading: \\d+ records in \\d+ chains verified; reading the month`),
      new RegExp(`\\[3/${steps}\\] coverage: ${CHECKS.length * 30} check-days of ${CHECKS.length} checks, \\d+ incidents`),
      new RegExp(`\\[4/${steps}\\] report: rendering report.html and the CSV files of ${CHECKS.length} checks`),
      ...(hasChromium ? [/\[5\/6\] pdf: printing report.pdf/] : []),
      new RegExp(`\\[${steps}/${steps}\\] signing: signing the manifest of ${hasChromium ? 9 : 8} files`),
    ];
    let at = 0;
    for (const re of expected) {
      const m = re.exec(out.slice(at));
      expect([re.source, m ? 'found' : 'missing']).toEqual([re.source, 'found']);
      at += m!.index + m![0].length;
    }
    // The records verified are at least the results written (each result is a chain record).
    expect(Number(/reading: (\d+) records/.exec(out)![1])).toBeGreaterThanOrEqual(CHECKS.length * HOURS);
    const erased = out.lastIndexOf('\r\x1b[K');
    const result = out.indexOf('evidence pack 2026-11 written to');
    expect(erased).toBeGreaterThan(at - 200);
    expect(result).toBeGreaterThan(erased);
    expect(out).toContain(`${CHECKS.length} checks, ${CHECKS.length * HOURS} runs`);
  });

  (hasScript ? it : it.skip)('on a TTY with --json: the JSON only, no progress', async () => {
    const { code, out } = await onTty(
      ['evidence', 'build', '--month', '2026-11', '--no-pdf', '--json', '--out', path.join(dir, 'json')],
      env(),
    );
    expect(code).toBe(0);
    expect(out).not.toContain('\x1b[K');
    expect(out).not.toMatch(/rollups:|signing:/);
    const parsed = JSON.parse(out.replace(/\r/g, '')) as { manifest: { totals: { runs: number } } };
    expect(parsed.manifest.totals.runs).toBe(CHECKS.length * HOURS);
  });

  it('through pipes: the result on stdout, nothing on stderr (and --docs-root reaches the build)', async () => {
    const r = await runCli(['evidence', 'build', '--month', '2026-11', '--no-pdf', '--docs-root', dir, '--out', path.join(dir, 'piped')], {
      env: env(),
      timeoutMs: 120_000,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^evidence pack 2026-11 written to/);
    expect(r.stderr).toBe('');
  });
});
