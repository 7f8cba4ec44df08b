/**
 * A maintenance window end to end with real processes: an HTTP server answering 503, a pengawas monitor checking
 * it, `pengawas maintenance add|end` (the built CLI, its own process, on the monitor's store), a real Prometheus
 * with our rules and a real Alertmanager with our routing, every receiver pointed at a local sink. Time is scaled
 * 30x as in timeline.test.ts (PengawasCheckFailing's 5 minutes take 10 s).
 *  1. Inside the window the failing check pages nobody: pengawas_check_in_maintenance is 1, no PengawasCheckFailing
 *     in Prometheus, no notification for the check.
 *  2. After `maintenance end` it pages: the notification names the finding's message and carries an absolute,
 *     clickable runbook URL built from the external label runbook_base_url.
 *  3. The month's pack shows the window's runs as maintenance, not failures.
 * Needs `npm run build` (the CLI runs from dist/).
 */
import { startTestMonitor, type TestMonitor } from '../../helpers/monitor';
import { runCli } from '../../helpers/cli';
import { sleep, startHttp, waitFor, type Started } from '../../helpers/net';
import { withEvidence } from '../../../src/evidence/access';
import { startAlertmanager, type RunningAlertmanager } from '../../helpers/alertmanager';
import { startPrometheus, type RunningPrometheus } from '../../helpers/prometheus';

jest.setTimeout(300_000);

const SCALE = 30;
const scaleDuration = (v: string) => {
  const m = /^(\d+)(s|m|h)$/.exec(v)!;
  const s = Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
  return `${Math.max(1, Math.round(s / SCALE))}s`;
};
const scaleFor = (text: string) =>
  text.replace(/^(\s+for:) (\d+[smh])$/gm, (_, k: string, v: string) => `${k} ${v === '0m' ? '0s' : scaleDuration(v)}`);
const scaleAm = (text: string) =>
  text.replace(
    /^(\s+(?:group_wait|group_interval|repeat_interval):) (\S+)$/gm,
    (_, k: string, v: string) => `${k} ${k.includes('repeat') ? '1h' : scaleDuration(v)}`,
  );
const RUNBOOKS = 'https://runbooks.example.co.id/pengawas';

interface Note {
  receiver: string;
  at: number;
  body: Record<string, unknown>;
}

describe('maintenance window end to end (real Prometheus and Alertmanager, time scaled 30x)', () => {
  let target: Started;
  let sink: Started;
  let mon: TestMonitor | undefined;
  let am: RunningAlertmanager | undefined;
  let prom: RunningPrometheus | undefined;
  const notes: Note[] = [];
  const t0 = Date.now();

  afterAll(async () => {
    await mon?.stop();
    await prom?.stop();
    await am?.stop();
    await target?.close();
    await sink?.close();
  });

  it('silences a failing check inside the window, pages with the message and runbook after it, and the pack shows maintenance', async () => {
    target = await startHttp((_req, res) => {
      res.statusCode = 503;
      res.end('down for maintenance');
    });
    sink = await startHttp((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        try {
          notes.push({ receiver: req.url ?? '', at: Date.now() - t0, body: JSON.parse(body) as Record<string, unknown> });
        } catch {
          // e-mail goes to SMTP, not here
        }
        res.end('{"status":"success"}');
      });
    });
    const checks = [
      'checks:',
      '  - id: core-db-api',
      '    type: http',
      '    element: security',
      '    severity: high',
      '    owner: sre',
      '    schedule: { every: 2s }',
      '    timeout: 1s',
      `    target: ${target.url}/health`,
      '',
    ].join('\n');
    mon = await startTestMonitor('maint-e2e', checks);
    const env = { PENGAWAS_DATA_DIR: mon.settings.dataDir, PENGAWAS_LOG_LEVEL: 'silent' };
    // The window is recorded by another process, through the store, while the monitor runs.
    const add = await runCli(
      [
        'maintenance',
        'add',
        '--check',
        'core-db-api',
        '--from',
        new Date().toISOString(),
        '--to',
        new Date(Date.now() + 3_600_000).toISOString(),
        '--reason',
        'database upgrade',
        '--by',
        'sre-budi',
        '--json',
      ],
      { env, timeoutMs: 90_000 },
    );
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const window = JSON.parse(add.stdout) as { id: number };
    const listed = await runCli(['maintenance', 'list', '--active'], { env, timeoutMs: 90_000 });
    expect(listed.stdout).toMatch(new RegExp(`^window ${window.id}: check core-db-api from .* by sre-budi: database upgrade\n$`));
    // Bad input is named: two scopes at once, an unknown check (the running monitor recorded its configuration).
    const two = await runCli(
      [
        'maintenance',
        'add',
        '--check',
        'core-db-api',
        '--all',
        '--from',
        new Date().toISOString(),
        '--to',
        '2099-01-01',
        '--reason',
        'x',
        '--by',
        'y',
      ],
      { env, timeoutMs: 90_000 },
    );
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('give exactly one of --check, --element, --label, --all (got --check, --all)');
    const unknown = await runCli(
      [
        'maintenance',
        'add',
        '--check',
        'core-db-apj',
        '--from',
        new Date().toISOString(),
        '--to',
        new Date(Date.now() + 60_000).toISOString(),
        '--reason',
        'x',
        '--by',
        'y',
      ],
      { env, timeoutMs: 90_000 },
    );
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('checkId "core-db-apj" is not a check of the configuration in force');
    am = await startAlertmanager(sink.url, sink.port, scaleAm);
    prom = await startPrometheus(`127.0.0.1:${mon.monitor.metricsPort}`, {
      rules: (_f, t) => scaleFor(t),
      alertmanager: am.address,
      externalLabels: { runbook_base_url: RUNBOOKS },
    });
    const failingAlerts = () => prom!.labels('ALERTS{alertname="PengawasCheckFailing", check="core-db-api"}');

    // 1. Inside the window: the check fails (raw) and is in maintenance; no alert, no notification.
    await waitFor(async () => (await prom!.labels('pengawas_check_in_maintenance{check="core-db-api"} == 1')).length > 0, 60_000, 500);
    await waitFor(
      async () => (await prom!.labels('pengawas_check_result{check="core-db-api", status="fail"} == 1')).length > 0,
      60_000,
      500,
    );
    await sleep(25_000); // 2.5x the scaled `for` of PengawasCheckFailing, plus group_wait
    expect(await failingAlerts()).toEqual([]);
    expect(notes.filter((n) => JSON.stringify(n.body).includes('core-db-api'))).toEqual([]);

    // 2. The window ends: the failure pages, naming its message, with a clickable runbook.
    const end = await runCli(['maintenance', 'end', String(window.id), '--by', 'sre-budi'], { env, timeoutMs: 90_000 });
    expect(end.code).toBe(0);
    expect(end.stdout).toMatch(/ended early by sre-budi/);
    const endedAt = Date.now() - t0;
    await waitFor(
      async () => notes.some((n) => n.receiver === '/pagerduty' && JSON.stringify(n.body).includes('core-db-api')),
      90_000,
      500,
    );
    const page = notes.find((n) => n.receiver === '/pagerduty' && JSON.stringify(n.body).includes('core-db-api'))!;
    expect(page.at).toBeGreaterThan(endedAt);
    const payload = page.body.payload as { summary: string; custom_details: { description: string; runbook: string } };
    expect(payload.summary).toBe('Check core-db-api (security) is failing');
    expect(payload.custom_details.description).toContain('http.status.unexpected (high): status 503, expected 2xx;');
    expect(payload.custom_details.runbook).toBe(`${RUNBOOKS}/PengawasCheckFailing.md`);
    expect(page.body.links).toEqual([{ href: `${RUNBOOKS}/PengawasCheckFailing.md`, text: 'Runbook: PengawasCheckFailing' }]);
    // The chat message carries the same absolute URL.
    await waitFor(async () => notes.some((n) => n.receiver === '/slack' && JSON.stringify(n.body).includes('core-db-api')), 30_000, 500);
    const chat = JSON.stringify(notes.find((n) => n.receiver === '/slack' && JSON.stringify(n.body).includes('core-db-api'))!.body);
    expect(chat).toContain(`Runbook: ${RUNBOOKS}/PengawasCheckFailing.md`);

    // 3. The pack of this month: the runs in the window are maintenance, the later ones failures.
    const month = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Jakarta' }).slice(0, 7);
    const built = await withEvidence({ dataDir: mon.settings.dataDir }, 'buildPack', {
      month,
      outDir: `${mon.dir}/pack`,
      lang: 'en',
      overwrite: true,
    });
    const { readFileSync } = await import('node:fs');
    const html = readFileSync(`${built.outDir}/report.html`, 'utf8');
    const m = /data-maintenance-check="core-db-api" data-maintenance-ms="(\d+)" data-maintenance-runs="(\d+)"/.exec(html);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThan(5);
    const row =
      /data-check="core-db-api" data-runs="(\d+)" data-passes="0" data-warns="0" data-fails="(\d+)" data-waived="0" data-errors="0"/.exec(
        html,
      );
    expect(row).not.toBeNull();
    expect(Number(row![1])).toBe(Number(row![2]) + Number(m![2]));
  });
});
