/**
 * The Alertmanager config in a real Alertmanager (Debian's prometheus-alertmanager, clustering off, loopback
 * only): alerts are posted through its API and their state read back, so inhibition is proven as Alertmanager
 * itself applies it. Every receiver URL points at a local sink that answers 200, so nothing leaves the machine.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/cli';
import { freePort, startHttp, type Started } from '../helpers/net';
import { stopChild } from './prometheus';

const AM_DIR = path.join(ROOT, 'config', 'alertmanager');
jest.setTimeout(30_000);

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

describe('Alertmanager inhibition (real Alertmanager)', () => {
  let dir: string;
  let am: ChildProcess;
  let sink: Started;
  let url: string;

  beforeAll(async () => {
    sink = await startHttp((_req, res) => res.end('ok'));
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-am-live-'));
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    for (const line of readFileSync(path.join(AM_DIR, 'example.env'), 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      if (m) env[m[1]] = m[2];
    }
    Object.assign(env, {
      ALERT_WEBHOOK_URL: `${sink.url}/webhook`,
      SLACK_WEBHOOK_URL: `${sink.url}/slack`,
      PAGERDUTY_URL: `${sink.url}/pagerduty`,
      SMTP_SMARTHOST: `127.0.0.1:${sink.port}`,
    });
    execFileSync('sh', [path.join(AM_DIR, 'render.sh'), path.join(AM_DIR, 'alertmanager.yml'), path.join(dir, 'am.yml')], { env });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    am = spawn('prometheus-alertmanager', [`--config.file=${path.join(dir, 'am.yml')}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'], { stdio: 'ignore' });
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        if ((await fetch(`${url}/-/ready`)).ok) break;
      } catch {
        // starting
      }
      if (am.exitCode !== null || Date.now() > deadline) throw new Error('alertmanager did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    if (am) await stopChild(am, 5000);
    await sink?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function post(alerts: Array<Record<string, string>>): Promise<void> {
    const body = alerts.map((labels) => ({ labels, annotations: { summary: labels.alertname }, startsAt: new Date().toISOString() }));
    const res = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  }

  async function states(): Promise<Map<string, string>> {
    const res = await fetch(`${url}/api/v2/alerts`);
    const list = (await res.json()) as AmAlert[];
    return new Map(list.map((a) => [`${a.labels.alertname}/${a.labels.check}`, a.status.state]));
  }

  it('a stale check silences its failure; critical silences warning of the same check only; stale and critical do not cancel out', async () => {
    await post([
      { alertname: 'PengawasCheckStale', check: 'fees', element: 'consumer_protection', severity: 'warning', component: 'check' },
      { alertname: 'PengawasCheckFailing', check: 'fees', element: 'consumer_protection', severity: 'critical', component: 'check' },
      { alertname: 'PengawasCheckFailing', check: 'other', element: 'consumer_protection', severity: 'high', component: 'check' },
      { alertname: 'PengawasCertificateExpiresIn7Days', check: 'tls-api', element: 'security', severity: 'critical', component: 'check' },
      { alertname: 'PengawasTlsProfileViolation', check: 'tls-api', element: 'security', severity: 'warning', component: 'check' },
      { alertname: 'PengawasTlsProfileViolation', check: 'tls-web', element: 'security', severity: 'warning', component: 'check' },
    ]);
    const s = await states();
    expect(s.get('PengawasCheckFailing/fees')).toBe('suppressed');
    expect(s.get('PengawasCheckStale/fees')).toBe('active');
    expect(s.get('PengawasCheckFailing/other')).toBe('active');
    expect(s.get('PengawasTlsProfileViolation/tls-api')).toBe('suppressed');
    expect(s.get('PengawasCertificateExpiresIn7Days/tls-api')).toBe('active');
    expect(s.get('PengawasTlsProfileViolation/tls-web')).toBe('active');
  });

  it('a specific alert silences the generic failing alert of the same check at the same severity only', async () => {
    await post([
      { alertname: 'PengawasCheckFailing', check: 'mfa-admin', element: 'security', severity: 'high', component: 'check' },
      { alertname: 'PengawasMfaNotEnforced', check: 'mfa-admin', element: 'security', severity: 'high', component: 'check' },
      { alertname: 'PengawasCheckFailing', check: 'ir-plan', element: 'security', severity: 'critical', component: 'check' },
      { alertname: 'PengawasDocumentStale', check: 'ir-plan', element: 'security', severity: 'warning', component: 'check' },
    ]);
    const s = await states();
    expect(s.get('PengawasCheckFailing/mfa-admin')).toBe('suppressed');
    expect(s.get('PengawasMfaNotEnforced/mfa-admin')).toBe('active');
    // Different severities: the critical generic alert stays (and silences the warning by the severity rule).
    expect(s.get('PengawasCheckFailing/ir-plan')).toBe('active');
    expect(s.get('PengawasDocumentStale/ir-plan')).toBe('suppressed');
  });

  it('a down monitor silences every check alert but stays visible itself', async () => {
    await post([{ alertname: 'PengawasMonitorDown', check: '*', element: '*', severity: 'critical', component: 'pipeline', instance: 'recorder:9464', job: 'pengawas' }]);
    const s = await states();
    expect(s.get('PengawasMonitorDown/*')).toBe('active');
    for (const k of ['PengawasCheckFailing/other', 'PengawasTlsProfileViolation/tls-web', 'PengawasCheckStale/fees', 'PengawasCertificateExpiresIn7Days/tls-api']) expect([k, s.get(k)]).toEqual([k, 'suppressed']);
  });
});
