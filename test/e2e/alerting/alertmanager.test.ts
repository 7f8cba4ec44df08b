/**
 * The Alertmanager config in a real Alertmanager (Debian's prometheus-alertmanager, clustering off, loopback
 * only): alerts are posted through its API and their state read back, so inhibition is proven as Alertmanager
 * itself applies it. Every receiver URL points at a local sink that answers 200, so nothing leaves the machine.
 */
import { startHttp, type Started } from '../../helpers/net';
import { startAlertmanager, type RunningAlertmanager } from '../../helpers/alertmanager';

jest.setTimeout(30_000);

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

describe('Alertmanager inhibition (real Alertmanager)', () => {
  let am: RunningAlertmanager;
  let sink: Started;
  let url: string;

  beforeAll(async () => {
    sink = await startHttp((_req, res) => res.end('ok'));
    am = await startAlertmanager(sink.url, sink.port);
    url = am.url;
  });

  afterAll(async () => {
    await am?.stop();
    await sink?.close();
  });

  async function post(alerts: Array<Record<string, string>>): Promise<void> {
    const body = alerts.map((labels) => ({ labels, annotations: { summary: labels.alertname }, startsAt: new Date().toISOString() }));
    const res = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
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
    await post([
      {
        alertname: 'PengawasMonitorDown',
        check: '*',
        element: '*',
        severity: 'critical',
        component: 'pipeline',
        instance: 'recorder:9464',
        job: 'pengawas',
      },
    ]);
    const s = await states();
    expect(s.get('PengawasMonitorDown/*')).toBe('active');
    for (const k of [
      'PengawasCheckFailing/other',
      'PengawasTlsProfileViolation/tls-web',
      'PengawasCheckStale/fees',
      'PengawasCertificateExpiresIn7Days/tls-api',
    ])
      expect([k, s.get(k)]).toEqual([k, 'suppressed']);
  });
});
