/**
 * Maintenance windows as real Alertmanager silences (settings `maintenance.alertmanager`), with the built CLI and a
 * real Alertmanager (Debian's prometheus-alertmanager, our config) behind a loopback proxy that records what reaches
 * it:
 *  - `maintenance add --check` makes a v2 silence: active, matcher check="<id>", createdBy = --by, comment = reason
 *    and window id, the window's end; the token goes as a bearer header from a ${env:…} reference; the silence id is
 *    recorded with the window (listed, hash-chained: `evidence verify --store` passes);
 *  - an alert posted for that check is suppressed by that silence, one for another check is not;
 *  - --label, --element and --all scopes silence exactly the covered checks' alerts, never check="*" ones;
 *  - `maintenance end` expires the silence (state expired, the alert active again) and records the expiry;
 *  - Alertmanager down: the window is recorded and listed, the error names the Alertmanager and the window.
 * Needs `npm run build` (the CLI runs from dist/).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Check } from '../../../src/config/check';
import { EvidenceStore } from '../../../src/evidence/store';
import { startAlertmanager, type RunningAlertmanager } from '../../helpers/alertmanager';
import { runCli } from '../../helpers/cli';
import { freePort, startHttp, waitFor, type Started } from '../../helpers/net';

jest.setTimeout(180_000);

const TOKEN = 'am-token-for-the-test-1234';
const check = (id: string, element: string, labels: Record<string, string> = {}) =>
  ({
    id,
    name: id,
    type: 'http',
    element,
    scheduleText: '@hourly',
    timeoutMs: 1000,
    target: `https://${id}.example`,
    options: {},
    severity: 'high',
    labels,
    enabled: true,
  }) as unknown as Check;

interface AmSilence {
  id: string;
  status: { state: string };
  matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual: boolean }>;
  createdBy: string;
  comment: string;
  startsAt: string;
  endsAt: string;
}
interface AmAlert {
  labels: Record<string, string>;
  status: { state: string; silencedBy: string[] };
}
interface Window {
  id: number;
  endsAt: string;
  silence?: { id: string; alertmanager: string; matchers: unknown[]; expiredAt?: string };
  silenceError?: string;
}

describe('maintenance windows as Alertmanager silences (real Alertmanager)', () => {
  let dir: string;
  let am: RunningAlertmanager;
  let proxy: Started;
  let proxyClosed = false;
  const seen: Array<{ method: string; path: string; authorization?: string }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-silence-'));
    const sink = await startHttp((_req, res) => res.end());
    am = await startAlertmanager(sink.url, sink.port);
    await sink.close(); // no notification is looked at here
    proxy = await startHttp((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method!, path: req.url!, authorization: req.headers.authorization });
        void fetch(`${am.url}${req.url}`, {
          method: req.method,
          headers: { 'content-type': 'application/json' },
          body: chunks.length ? Buffer.concat(chunks) : undefined,
        }).then(async (r) => {
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' });
          res.end(await r.text());
        });
      });
    });
    const store = await EvidenceStore.open({ dataDir: path.join(dir, 'data'), timezone: 'Asia/Jakarta' });
    await store.recordConfig('cfg-1', [
      check('api-tls', 'security', { tier: 'gold' }),
      check('pay.latency', 'efficiency', { tier: 'gold' }),
      check('docs-fresh', 'consumer_protection'),
      check('web-lang', 'inclusivity'),
    ]);
    await store.close();
    const settings = (url: string) =>
      `maintenance:\n  alertmanager:\n    url: ${url}\n    bearerToken: "\${env:AM_TOKEN}"\n    timeout: 3s\n`;
    writeFileSync(path.join(dir, 'settings.yaml'), settings(proxy.url));
    writeFileSync(path.join(dir, 'down.yaml'), settings(`http://127.0.0.1:${await freePort()}`));
    writeFileSync(path.join(dir, 'no-token.yaml'), settings(proxy.url).replace('AM_TOKEN', 'AM_TOKEN_NOT_SET'));
  });
  afterAll(async () => {
    if (!proxyClosed) await proxy?.close();
    await am?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[], config = 'settings.yaml') =>
    runCli([...args, '--config', path.join(dir, config)], {
      env: { PENGAWAS_DATA_DIR: path.join(dir, 'data'), DATABASE_URL: '', AM_TOKEN: TOKEN, PENGAWAS_LOG_LEVEL: 'warn' },
    });
  const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
  const add = async (scope: string[], config?: string) => {
    const r = await cli(
      [
        'maintenance',
        'add',
        ...scope,
        '--from',
        new Date().toISOString(),
        '--to',
        inAnHour(),
        '--reason',
        'core switch upgrade',
        '--by',
        'Budi',
        '--json',
      ],
      config,
    );
    expect([r.code, r.stderr]).toEqual([0, config ? r.stderr : '']);
    return { window: JSON.parse(r.stdout) as Window, stderr: r.stderr };
  };
  const silence = async (id: string) => (await (await fetch(`${am.url}/api/v2/silence/${id}`)).json()) as AmSilence;
  /** Posts one firing alert per label set and returns Alertmanager's view of each, once it has computed the status. */
  const alerts = async (labelSets: Array<Record<string, string>>) => {
    const endsAt = new Date(Date.now() + 600_000).toISOString();
    const res = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        labelSets.map((labels) => ({ labels: { alertname: 'PengawasCheckFailing', severity: 'high', ...labels }, endsAt })),
      ),
    });
    expect(res.status).toBe(200);
    const key = (l: Record<string, string>) => `${l.check}|${l.element}`;
    return waitFor(async () => {
      const all = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as AmAlert[];
      const mine = labelSets.map((l) => all.find((a) => key(a.labels) === key(l)));
      return mine.every((a) => a && a.status.state !== 'unprocessed') ? (mine as AmAlert[]) : undefined;
    });
  };
  const states = (xs: AmAlert[]) => xs.map((a) => `${a.labels.check}:${a.status.state}`);

  let checkWindow: Window;

  it('add --check: an active silence with the check matcher, who, why and until when; its id recorded with the window', async () => {
    const before = Date.now();
    checkWindow = (await add(['--check', 'api-tls'])).window;
    expect(checkWindow.silence).toMatchObject({ alertmanager: proxy.url });
    const s = await silence(checkWindow.silence!.id);
    expect(s.status.state).toBe('active');
    expect(s.matchers).toEqual([{ name: 'check', value: 'api-tls', isRegex: false, isEqual: true }]);
    expect(s.createdBy).toBe('Budi');
    expect(s.comment).toBe(`core switch upgrade (pengawas maintenance window ${checkWindow.id})`);
    expect(Date.parse(s.endsAt)).toBe(Date.parse(checkWindow.endsAt));
    expect(Date.parse(s.startsAt)).toBeGreaterThanOrEqual(before - 5000);
    const post = seen.find((x) => x.method === 'POST' && x.path === '/api/v2/silences');
    expect(post?.authorization).toBe(`Bearer ${TOKEN}`);
    const listed = JSON.parse((await cli(['maintenance', 'list', '--json'])).stdout) as Window[];
    expect(listed.find((w) => w.id === checkWindow.id)?.silence?.id).toBe(checkWindow.silence!.id);
  });

  it('an alert for that check is silenced by it; another check, and check="*", are not', async () => {
    const got = await alerts([
      { check: 'api-tls', element: 'security' },
      { check: 'docs-fresh', element: 'consumer_protection' },
      { check: '*', element: '*', alertname: 'PengawasMonitorDown' },
    ]);
    expect(states(got)).toEqual(['api-tls:suppressed', 'docs-fresh:active', '*:active']);
    expect(got[0].status.silencedBy).toEqual([checkWindow.silence!.id]);
  });

  it('--label, --element and --all silence exactly the covered checks, never the monitor-wide alerts', async () => {
    const label = (await add(['--label', 'tier=gold'])).window;
    // pay.latency: the dot is escaped, so the regex does not also match "pay-latency" or "payXlatency".
    expect((await silence(label.silence!.id)).matchers).toEqual([
      { name: 'check', value: 'api-tls|pay\\.latency', isRegex: true, isEqual: true },
    ]);
    const el = (await add(['--element', 'inclusivity'])).window;
    const got = await alerts([
      { check: 'pay.latency', element: 'efficiency' },
      { check: 'payXlatency', element: 'efficiency' },
      { check: 'web-lang', element: 'inclusivity' },
      { check: '*', element: 'inclusivity', alertname: 'PengawasElementCompliance' },
    ]);
    expect(states(got)).toEqual(['pay.latency:suppressed', 'payXlatency:active', 'web-lang:suppressed', '*:active']);
    expect(got[2].status.silencedBy).toEqual([el.silence!.id]);
    const all = (await add(['--all'])).window;
    const after = await alerts([
      { check: 'docs-fresh', element: 'consumer_protection' },
      { check: '*', element: '*', alertname: 'PengawasMonitorDown' },
    ]);
    expect(states(after)).toEqual(['docs-fresh:suppressed', '*:active']);
    for (const w of [label, el, all]) expect((await cli(['maintenance', 'end', String(w.id), '--by', 'Budi'])).code).toBe(0);
  });

  it('end: the silence is expired, the alert active again, the expiry recorded; the store verifies', async () => {
    const r = await cli(['maintenance', 'end', String(checkWindow.id), '--by', 'Budi', '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const ended = JSON.parse(r.stdout) as Window;
    expect(ended.silence?.expiredAt).toBeDefined();
    expect((await silence(checkWindow.silence!.id)).status.state).toBe('expired');
    expect(
      seen.some(
        (x) => x.method === 'DELETE' && x.path === `/api/v2/silence/${checkWindow.silence!.id}` && x.authorization === `Bearer ${TOKEN}`,
      ),
    ).toBe(true);
    const [a] = await alerts([{ check: 'api-tls', element: 'security' }]);
    await waitFor(async () => (await alerts([{ check: 'api-tls', element: 'security' }]))[0].status.state === 'active');
    expect(a.labels.check).toBe('api-tls');
    const v = await cli(['evidence', 'verify', '--store']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^ok: /);
  });

  it('Alertmanager down: the window is recorded and listed, the error names the Alertmanager and the window', async () => {
    const { window, stderr } = await add(['--check', 'docs-fresh'], 'down.yaml');
    expect(window.silence).toBeUndefined();
    expect(window.silenceError).toMatch(
      /cannot reach Alertmanager at http:\/\/127\.0\.0\.1:\d+ \(POST \/api\/v2\/silences\): ECONNREFUSED/,
    );
    expect(stderr).toContain(
      `maintenance window ${window.id} is recorded and its alerts are silenced by the rules (pengawas_check_in_maintenance), but no Alertmanager silence was made: cannot reach Alertmanager`,
    );
    expect(stderr).not.toContain(TOKEN);
    const active = JSON.parse((await cli(['maintenance', 'list', '--active', '--json'], 'down.yaml')).stdout) as Window[];
    expect(active.map((w) => w.id)).toContain(window.id);
    // The token's reference does not resolve: the same, with the reference named.
    const noToken = await add(['--check', 'docs-fresh'], 'no-token.yaml');
    expect(noToken.window.silence).toBeUndefined();
    expect(noToken.stderr).toContain(
      `maintenance window ${noToken.window.id} is recorded and its alerts are silenced by the rules (pengawas_check_in_maintenance), but no Alertmanager silence was made: environment variable AM_TOKEN_NOT_SET is not set`,
    );
    // A window whose silence was made, ended while Alertmanager is away: ended, and told what is left behind.
    const made = (await add(['--check', 'web-lang'])).window;
    await proxy.close(); // the Alertmanager the silence was made in is now unreachable
    proxyClosed = true;
    const r = await cli(['maintenance', 'end', String(made.id), '--by', 'Budi']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^window ${made.id}: .*ended early by Budi`));
    expect(r.stderr).toContain(
      `maintenance window ${made.id} is ended, but its Alertmanager silence was not expired: cannot reach Alertmanager at ${proxy.url}`,
    );
    expect(r.stderr).toContain(`amtool silence expire ${made.silence!.id}`);
  });
});
