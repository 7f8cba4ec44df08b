/**
 * A target that echoes the configured token back (headers, JSON, body) in every common encoding, cut at several
 * lengths and placed so the 200-character clip falls inside it. Run by a real monitor (in process, own Redis
 * prefix, own evidence store) and ad hoc: the token appears nowhere — not in the result JSON, Redis, the evidence
 * store, /metrics or the logs.
 */
import { rmSync } from 'node:fs';
import pino from 'pino';
import IORedis from 'ioredis';
import { EvidenceStore, storeOptionsFromEnv } from '../../../src/evidence/store';
import { adHocCheck } from '../../../src/probes/ad-hoc';
import { runCheck } from '../../../src/probes/runner';
import { logger, setLogger } from '../../../src/util/logger';
import { startHttp, waitFor, type Started } from '../../helpers/net';
import { sample, startTestMonitor, type TestMonitor } from '../../helpers/monitor';
import { dropPrefix, REDIS_URL } from '../../helpers/redis';

const TOKEN = 'Xy7"q/+Lm=9Kp-Zt_Wr%Vb&Nc\\Hd Jf';
const ENV = 'SECRET_ECHO_TEST_TOKEN';

/** Encodings by Node's own encoders; `skip` = leading characters that encode a non-secret prefix. */
const FORMS: Record<string, (t: string) => { text: string; skip: number }> = {
  raw: (t) => ({ text: t, skip: 0 }),
  upper: (t) => ({ text: t.toUpperCase(), skip: 0 }),
  lower: (t) => ({ text: t.toLowerCase(), skip: 0 }),
  json: (t) => ({ text: JSON.stringify(t).slice(1, -1), skip: 0 }),
  url: (t) => ({ text: encodeURIComponent(t), skip: 0 }),
  form: (t) => ({ text: new URLSearchParams({ t }).toString().slice(2), skip: 0 }),
  base64: (t) => ({ text: Buffer.from(t).toString('base64'), skip: 0 }),
  'base64-bearer': (t) => ({ text: Buffer.from(`Bearer ${t}`).toString('base64'), skip: 10 }),
  base64url: (t) => ({ text: Buffer.from(t).toString('base64url'), skip: 0 }),
  hex: (t) => ({ text: Buffer.from(t).toString('hex'), skip: 0 }),
};

/** The 8-character windows of any form's secret part found in `hay` (case-insensitive). */
function leaks(hay: string): string[] {
  const low = hay.toLowerCase();
  const out: string[] = [];
  for (const [name, f] of Object.entries(FORMS)) {
    const { text, skip } = f(TOKEN);
    const secret = text.slice(skip).toLowerCase();
    for (let i = 0; i + 8 <= secret.length; i++) if (low.includes(secret.slice(i, i + 8))) out.push(`${name}:${secret.slice(i, i + 8)}`);
  }
  return out;
}

function echoServer(): Promise<Started> {
  return startHttp((req, res) => {
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    const form = FORMS[(req.url ?? '').split('/')[2] ?? ''];
    if (!form || !token) return void res.writeHead(404).end();
    const e = form(token).text;
    const headers: Record<string, string> = {};
    // The clip keeps 200 characters: these put its cut 3, 9 and 15 characters into the echo.
    [197, 191, 185].forEach((pad, i) => (headers[`x-echo-pad-${i}`] = `${'p'.repeat(pad)}${e}`));
    [8, 12, 20].forEach((n) => (headers[`x-echo-cut-${n}`] = e.slice(0, n)));
    headers['x-echo'] = e;
    res.writeHead(200, { ...headers, 'content-type': 'application/json' });
    res.end(JSON.stringify({ echo: e, cuts: [8, 12, 20].map((n) => e.slice(0, n)), padded: `${'q'.repeat(190)}${e}` }));
  });
}

function options() {
  return {
    headers: { Authorization: `Bearer \${env:${ENV}}` },
    requireHeaders: ['x-echo', 'x-echo-pad-0', 'x-echo-pad-1', 'x-echo-pad-2', 'x-echo-cut-8', 'x-echo-cut-12', 'x-echo-cut-20'].map(
      (name) => ({ name, matches: '^never$' }),
    ),
    bodyNotMatches: ['"echo"[\\s\\S]*'],
    json: [
      { path: '$.echo', equals: 'no' },
      { path: '$.cuts', equals: 'no' },
      { path: '$.padded', equals: 'no' },
      { path: '$.cuts[1]', equals: 'no' },
    ],
  };
}

describe('a target echoing the token back', () => {
  let target: Started;
  beforeAll(async () => {
    target = await echoServer();
  });
  afterAll(() => target.close());

  it.each(Object.keys(FORMS))('keeps the %s echo out of the result JSON (ad hoc run)', async (form) => {
    const r = await runCheck(adHocCheck({ type: 'http', target: `${target.url}/echo/${form}`, options: options(), timeoutMs: 5000 }), {
      dataDir: '/tmp',
      env: { [ENV]: TOKEN },
    });
    expect(r.status).toBe('fail');
    const text = JSON.stringify(r);
    // The echoes reached the findings (so the check could leak), redacted.
    expect(r.findings.length).toBeGreaterThanOrEqual(11);
    expect(text).toContain('[redacted]');
    expect(leaks(text)).toEqual([]);
    // The cut that fell 3 characters into the echo left none of them either (base64 of "Bearer …" starts with
    // 10 characters that encode "Bearer " only; those may stay).
    const padded = r.findings.find((f) => f.message.startsWith('header x-echo-pad-0'))!.message;
    if (FORMS[form](TOKEN).skip === 0) expect(padded).toContain(`${'p'.repeat(197)}[re…`);
  });

  describe('inside a running monitor', () => {
    let m: TestMonitor;
    let logs = '';
    const previous = logger();

    beforeAll(async () => {
      process.env[ENV] = TOKEN;
      setLogger(pino({ level: 'debug' }, { write: (s: string) => void (logs += s) }));
      const checks = Object.keys(FORMS).map(
        (form) => `  - id: echo-${form}
    type: http
    element: security
    schedule: { every: 1s }
    timeout: 900ms
    target: ${target.url}/echo/${form}
    options: ${JSON.stringify(options())}
`,
      );
      m = await startTestMonitor('secret-echo', `checks:\n${checks.join('')}`);
    });
    afterAll(async () => {
      setLogger(previous);
      delete process.env[ENV];
      await dropPrefix(m.prefix);
      rmSync(m.dir, { recursive: true, force: true });
    });

    it('leaves no trace in Redis, the evidence store, /metrics or the logs', async () => {
      const forms = Object.keys(FORMS);
      const metrics = await waitFor(async () => {
        const t = await m.scrape();
        return forms.every(
          (f) => (sample(t, `pengawas_check_runs_total{check="echo-${f}",element="security",type="http",result="fail"}`) ?? 0) >= 2,
        )
          ? t
          : undefined;
      }, 40_000);
      expect(leaks(metrics)).toEqual([]);

      const r = new IORedis(REDIS_URL);
      let dump = '';
      try {
        let cursor = '0';
        do {
          const [next, keys] = await r.scan(cursor, 'MATCH', `${m.prefix}*`, 'COUNT', 1000);
          for (const k of keys) {
            const type = await r.type(k);
            dump += k;
            if (type === 'string') dump += await r.get(k);
            else if (type === 'hash') dump += JSON.stringify(await r.hgetall(k));
            else if (type === 'stream') dump += JSON.stringify(await r.xrange(k, '-', '+'));
            else if (type === 'list') dump += JSON.stringify(await r.lrange(k, 0, -1));
            else if (type === 'zset') dump += JSON.stringify(await r.zrange(k, 0, -1));
            else if (type === 'set') dump += JSON.stringify(await r.smembers(k));
          }
          cursor = next;
        } while (cursor !== '0');
      } finally {
        r.disconnect();
      }
      expect(dump).toContain('[redacted]'); // results with the echoes did pass through Redis
      expect(leaks(dump)).toEqual([]);

      await m.monitor.stop();
      const store = await EvidenceStore.open(storeOptionsFromEnv(m.settings.dataDir, {}));
      let stored = '';
      try {
        // Every table of the store, whichever backend it is (SQLite by default, PostgreSQL with DATABASE_URL).
        const tables = await store.db.query<{ table_name: string }>(
          store.kind === 'sqlite'
            ? `SELECT name AS table_name FROM sqlite_master WHERE type = 'table'`
            : `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
        );
        for (const { table_name } of tables) stored += JSON.stringify(await store.db.query(`SELECT * FROM ${table_name}`));
      } finally {
        await store.db.close();
      }
      expect(stored).toContain('echo-base64-bearer');
      expect(stored).toContain('[redacted]');
      expect(leaks(stored)).toEqual([]);

      expect(logs.length).toBeGreaterThan(0);
      expect(leaks(logs)).toEqual([]);
    });
  });
});
