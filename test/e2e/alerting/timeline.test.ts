/**
 * The alert timeline of a failing TLS check, end to end with real processes: an `openssl s_server` that accepts
 * TLS 1.0, a pengawas monitor scanning it, a real Prometheus loading our rule files and a real Alertmanager with
 * our routing and inhibition, every receiver pointed at a local sink. Time is scaled 30x (every `for:` of the rules
 * and Alertmanager's group timers divided by 30) so minutes of on-call time take seconds.
 *
 * 1. One page, right away: the security pager gets exactly one trigger for the check, not the generic
 *    PengawasCheckFailing first and the specific TLS alert later.
 * 2. No false RESOLVED: when the monitor stops, the check's alerts stay firing (PengawasMonitorDown pages SRE and
 *    silences them) instead of resolving for a problem nobody fixed.
 * The same run with the rules as they were before (specific alerts waiting 10 minutes, no hold while the monitor
 * is down) shows both faults, so the test can fail.
 */
import { Pki, sServer, type Server } from '../../probes/tls/helpers';
import { startTestMonitor, type TestMonitor } from '../../helpers/monitor';
import { sleep, startHttp, waitFor, type Started } from '../../helpers/net';
import { startAlertmanager, type RunningAlertmanager } from '../../helpers/alertmanager';
import { startPrometheus, type RunningPrometheus } from '../../helpers/prometheus';

jest.setTimeout(240_000);

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

/** The rules as they were before: specific alerts waited up to 15 minutes, and nothing held them while the monitor was down. */
const before = (text: string) =>
  text
    .replace(/(- alert: (?:PengawasTls\w+|PengawasCertificateExpiresIn(?:30|14)Days)\n(?:.*\n)*?\s+for:) 5m/g, '$1 10m')
    .replace(
      /expr: \|\n( +)\(\n((?:.*\n)*?)\1\)\n\1# The monitor is unavailable.*\n.*\n\1or\n\1\(\n(?:.*\n)*?\1\)\n/g,
      (_, ind: string, body: string) => `expr: |\n${body.replace(new RegExp(`^${ind}  `, 'gm'), ind)}`,
    );

interface Page {
  action: string;
  key: string;
  summary: string;
  at: number;
}

async function scenario(rules: (f: string, t: string) => string) {
  const pages: Page[] = [];
  const t0 = Date.now();
  const sink: Started = await startHttp((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url === '/pagerduty') {
        const e = JSON.parse(body) as { event_action: string; dedup_key: string; payload?: { summary?: string } };
        pages.push({ action: e.event_action, key: e.dedup_key, summary: e.payload?.summary ?? '', at: Date.now() - t0 });
      }
      res.end('{"status":"success"}');
    });
  });
  const pki = new Pki();
  const leaf = pki.leaf({ name: 'legacy' });
  let server: Server | undefined;
  let mon: TestMonitor | undefined;
  let am: RunningAlertmanager | undefined;
  let prom: RunningPrometheus | undefined;
  try {
    server = await sServer(
      { ...leaf, chain: pki.interCert },
      ['-min_protocol', 'TLSv1', '-max_protocol', 'TLSv1.2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA:@SECLEVEL=0'],
      pki.dir,
    );
    const checks = [
      'checks:',
      '  - id: tls-legacy',
      '    type: tls',
      '    element: security',
      '    severity: high',
      '    owner: appsec',
      '    schedule: { every: 5s }',
      '    timeout: 4s',
      `    target: 127.0.0.1:${server.port}`,
      `    options: { caFile: ${pki.rootCert}, profile: intermediate, hsts: false }`,
      '',
    ].join('\n');
    mon = await startTestMonitor('alert-timeline', checks);
    am = await startAlertmanager(sink.url, sink.port, scaleAm);
    // Any job name: the rules recognise pengawas targets by their series, not by job="pengawas".
    prom = await startPrometheus(`127.0.0.1:${mon.monitor.metricsPort}`, {
      rules: (f, t) => scaleFor(rules(f, t)),
      alertmanager: am.address,
      jobName: 'payments-monitor',
    });
    const firing = (name: string) => prom!.labels(`ALERTS{alertname="${name}", alertstate="firing", check="tls-legacy"}`);
    // Both the generic and the specific alert reach `firing` (10 s and 20 s with the old rules, 10 s with the new).
    await waitFor(
      async () => (await firing('PengawasTlsInsecureProtocol')).length > 0 && (await firing('PengawasCheckFailing')).length > 0,
      90_000,
      500,
    );
    await sleep(4000); // group_wait (1 s) and a notification round trip
    const triggersWhileUp = pages.filter((p) => p.action === 'trigger').map((p) => p.summary);

    // The monitor stops: its scrape fails, its series go stale.
    const stopAt = Date.now() - t0;
    await mon.stop();
    mon = undefined;
    await waitFor(async () => (await prom!.labels('ALERTS{alertname="PengawasMonitorDown", alertstate="firing"}')).length > 0, 60_000, 500);
    await sleep(15_000); // more than one group_interval (10 s): a RESOLVED would have gone out by now
    const heldInPrometheus = (await firing('PengawasTlsInsecureProtocol')).length > 0 && (await firing('PengawasCheckFailing')).length > 0;
    const resolvedAfterStop = pages.filter((p) => p.action === 'resolve' && p.at >= stopAt).map((p) => p.summary);
    const monitorDownPaged = pages.some((p) => p.action === 'trigger' && /cannot be scraped/.test(p.summary));
    return { triggersWhileUp, heldInPrometheus, resolvedAfterStop, monitorDownPaged, pages };
  } finally {
    await mon?.stop();
    await prom?.stop();
    await am?.stop();
    await server?.stop();
    await sink.close();
  }
}

describe('alert timeline of a failing TLS check (real Prometheus and Alertmanager, time scaled 30x)', () => {
  it('pages once, from the first alert, and does not resolve while the monitor is down', async () => {
    const r = await scenario((_f, t) => t);
    expect(r.triggersWhileUp).toEqual(['tls-legacy accepts TLSv1; tls-legacy accepts TLSv1.1']);
    expect(r.heldInPrometheus).toBe(true);
    expect(r.resolvedAfterStop).toEqual([]);
    expect(r.monitorDownPaged).toBe(true);
  });

  it('the rules as they were before page twice and resolve when the monitor stops (the test can fail)', async () => {
    const r = await scenario((_f, t) => before(t));
    expect(r.triggersWhileUp.length).toBe(2);
    expect(r.triggersWhileUp[0]).toMatch(/^Check tls-legacy \(security\) is failing$/);
    expect(r.heldInPrometheus).toBe(false);
  });
});
