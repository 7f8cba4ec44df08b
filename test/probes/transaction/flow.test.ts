/** Flow mechanics against a local server: variables across steps, every assertion type, stop/cleanup, OAuth2. */
import { freePort, startHttp, type Started } from '../../helpers/net';
import { transactionOptions } from '../../../src/probes/transaction/options';
import { failing, measurements, runFlow } from './helpers';

let server: Started;
const seen: string[] = [];
let issued = '';

beforeAll(async () => {
  server = await startHttp((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push(`${req.method} ${url.pathname}`);
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      if (url.pathname === '/orders' && req.method === 'POST') {
        const b = JSON.parse(body) as { ref: string; trace: string };
        return send(201, { order: { id: `ord-${b.ref}`, amount: 1000 }, trace: b.trace });
      }
      if (url.pathname.startsWith('/orders/ord-') && req.method === 'GET') {
        return send(200, `{"ok":true} confirmation=CONF-${url.pathname.slice(12)}`, { 'x-receipt': `rcpt-${url.pathname.slice(12)}` });
      }
      if (url.pathname === '/settle' && req.method === 'POST') {
        const right = req.headers['x-receipt'] === 'rcpt-R77' && body === 'confirm CONF-R77' && url.searchParams.get('ref') === 'R77';
        return send(right ? 200 : 422, { settled: right, currency: 'IDR', amount: '1000' }, { 'x-request-id': 'abc' });
      }
      if (url.pathname === '/slow') return setTimeout(() => send(200, { ok: true }), 120);
      if (url.pathname === '/cleanup') return send(204, '');
      if (url.pathname === '/oauth/token' && req.method === 'POST') {
        const basic = Buffer.from('client-a:s3cr3t-value').toString('base64');
        if (
          req.headers.authorization !== `Basic ${basic}` ||
          !body.includes('grant_type=client_credentials') ||
          !body.includes('scope=payments')
        )
          return send(401, { error: 'invalid_client' });
        issued = `tok-${Date.now()}`;
        return send(200, { access_token: issued, token_type: 'Bearer', expires_in: 300 });
      }
      if (url.pathname === '/api/balance') {
        return req.headers.authorization === `Bearer ${issued}` ? send(200, { balance: 5 }) : send(401, { error: 'invalid_token' });
      }
      send(404, { error: 'no route' });
    });
  });
});
afterAll(() => server.close());
beforeEach(() => {
  seen.length = 0;
});

const threeSteps = {
  variables: { ref: 'R77', trace: '{{$uuid}}' },
  steps: [
    {
      name: 'create',
      method: 'POST',
      url: '/orders',
      json: { ref: '{{ref}}', trace: '{{trace}}' },
      extract: [{ name: 'orderId', from: 'json', path: '$.order.id' }],
      expect: { status: [201], json: [{ path: '$.trace', matches: '^[0-9a-f-]{36}$' }] },
    },
    {
      name: 'read',
      url: '/orders/{{orderId}}',
      extract: [
        { name: 'receipt', from: 'header', header: 'X-Receipt' },
        { name: 'conf', from: 'body', regex: 'confirmation=(CONF-\\w+)' },
      ],
    },
    {
      name: 'settle',
      method: 'POST',
      url: '/settle?ref={{ref}}',
      headers: { 'X-Receipt': '{{receipt}}' },
      body: 'confirm {{conf}}',
      expect: { status: [200], json: [{ path: '$.settled', equals: true }] },
    },
  ],
  cleanup: { name: 'tidy', method: 'DELETE', url: '/cleanup' },
};

describe('transaction flows', () => {
  it('carries variables from JSON, headers and body regexes across three steps', async () => {
    const r = await runFlow(server.url, threeSteps);
    expect(failing(r)).toEqual([]);
    expect(r.status).toBe('pass');
    const m = measurements(r);
    expect(m.steps.map((s) => `${s.name}:${s.result}`)).toEqual(['create:pass', 'read:pass', 'settle:pass', 'tidy:pass']);
    expect(m.steps[1].path).toBe('/orders/ord-R77');
    for (const s of m.steps) expect(s.phasesMs!.total).toBeGreaterThan(0);
    expect(m.flowMs).toBeCloseTo(
      m.steps.slice(0, 3).reduce((a, s) => a + s.phasesMs!.total, 0),
      2,
    );
  });

  const assertionCases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['status', { status: [201] }, 'transaction.status.unexpected', /status 200, expected 201/],
    [
      'JSON value',
      { json: [{ path: '$.currency', equals: 'USD' }] },
      'transaction.json.assertion_failed',
      /\$\.currency is "IDR", expected "USD"/,
    ],
    [
      'JSON type',
      { json: [{ path: '$.amount', type: 'number' }] },
      'transaction.json.assertion_failed',
      /\$\.amount is string, expected number/,
    ],
    ['JSON presence', { json: [{ path: '$.fee' }] }, 'transaction.json.assertion_failed', /\$\.fee is missing/],
    ['header missing', { headers: [{ name: 'X-Trace-Id' }] }, 'transaction.header.missing', /required header X-Trace-Id is missing/],
    [
      'header value',
      { headers: [{ name: 'X-Request-Id', matches: '^\\d+$' }] },
      'transaction.header.mismatch',
      /header X-Request-Id is "abc"/,
    ],
    ['body regex', { bodyMatches: ['"settled":false'] }, 'transaction.body.regex_missing', /does not match/],
    ['forbidden body regex', { bodyNotMatches: ['"settled":true'] }, 'transaction.body.regex_forbidden', /matches forbidden/],
  ];
  it.each(assertionCases)('fails with a clear finding when the %s assertion does not hold', async (_name, expect_, id, message) => {
    const o = structuredClone(threeSteps) as typeof threeSteps & { steps: Array<Record<string, unknown>> };
    const settle = o.steps[2] as { expect: Record<string, unknown> };
    settle.expect = { status: ['2xx'], ...expect_ };
    const r = await runFlow(server.url, o);
    expect(r.status).toBe('fail');
    const f = r.findings.find((x) => x.id === id)!;
    expect(f).toBeDefined();
    expect(f.message).toMatch(/^step "settle": /);
    expect(f.message).toMatch(message);
    expect(f.evidence).toMatchObject({ step: 'settle' });
    expect(measurements(r).failedStep).toBe('settle');
  });

  it('fails when a variable cannot be extracted, stops the flow there and still runs the cleanup', async () => {
    const o = structuredClone(threeSteps);
    (o.steps[0].extract as Array<{ path: string }>)[0].path = '$.order.missing';
    const r = await runFlow(server.url, o);
    expect(r.status).toBe('fail');
    expect(failing(r)).toEqual(['transaction.extract.missing']);
    expect(r.findings[0].message).toMatch(/step "create": cannot extract orderId/);
    expect(seen).toEqual(['POST /orders', 'DELETE /cleanup']);
    expect(measurements(r).steps.map((s) => s.name)).toEqual(['create', 'tidy']);
    expect(measurements(r).completed).toBe(false);
  });

  it('runs the cleanup after a step that could not run, then reports error naming the step', async () => {
    const dead = await freePort();
    const o = structuredClone(threeSteps);
    o.steps[1].url = `http://127.0.0.1:${dead}/orders/{{orderId}}`;
    const r = await runFlow(server.url, o);
    expect(r.status).toBe('error');
    expect(r.errorCode).toBe('PROBE_TARGET_UNREACHABLE');
    expect(r.findings[0].message).toMatch(/^step "read": ECONNREFUSED/);
    expect(seen).toEqual(['POST /orders', 'DELETE /cleanup']);
  });

  it('warns on a degraded step, fails on a too slow one, and keeps measuring the steps after it', async () => {
    const steps = [
      { name: 'slow', url: '/slow', degradedAfter: '50ms', failAfter: '1s' },
      { name: 'after', url: '/orders/ord-R77' },
    ];
    const warn = await runFlow(server.url, { steps });
    expect(warn.status).toBe('warn');
    expect(failing(warn)).toEqual(['transaction.step.degraded']);
    expect(measurements(warn).steps.map((s) => s.result)).toEqual(['warn', 'pass']);

    const fail = await runFlow(server.url, { steps: [{ ...steps[0], failAfter: '80ms' }, steps[1]] });
    expect(fail.status).toBe('fail');
    expect(failing(fail)).toEqual(['transaction.step.too_slow']);
    expect(fail.findings.find((f) => f.id === 'transaction.step.too_slow')!.message).toMatch(/step "slow" took 1\d\d\.\d ms, limit 80 ms/);
    expect(measurements(fail).steps.map((s) => s.result)).toEqual(['fail', 'pass']);
    expect(measurements(fail).completed).toBe(true);
  });

  it('applies flow thresholds to the sum of the steps and marks the SLO bad when its latency is exceeded', async () => {
    const r = await runFlow(server.url, {
      steps: [
        { name: 'slow', url: '/slow' },
        { name: 'read', url: '/orders/ord-R77' },
      ],
      degradedAfter: '100ms',
      slo: [
        { name: 'fast', objective: 0.99, latency: '100ms' },
        { name: 'avail', objective: 0.999 },
      ],
    });
    expect(r.status).toBe('warn');
    expect(failing(r)).toEqual(['transaction.flow.degraded']);
    expect(measurements(r).slo.map((s) => [s.name, s.good])).toEqual([
      ['fast', false],
      ['avail', true],
    ]);
  });

  it('gets an OAuth2 client-credentials token and sends it as a bearer token; the secret stays out of the result', async () => {
    const o = {
      auth: { type: 'oauth2', tokenUrl: '/oauth/token', clientId: 'client-a', clientSecret: '${env:OAUTH_SECRET}', scope: 'payments' },
      steps: [{ name: 'balance', url: '/api/balance', expect: { json: [{ path: '$.balance', equals: 5 }] } }],
    };
    const r = await runFlow(server.url, o, { env: { OAUTH_SECRET: 's3cr3t-value' } });
    expect(failing(r)).toEqual([]);
    expect(measurements(r).steps.map((s) => `${s.name}:${s.status}`)).toEqual(['access-token:200', 'balance:200']);
    expect(JSON.stringify(r)).not.toContain('s3cr3t-value');
    expect(JSON.stringify(r)).not.toContain(issued);

    const bad = await runFlow(server.url, o, { env: { OAUTH_SECRET: 'wrong-secret-value' } });
    expect(bad.status).toBe('error');
    expect(bad.errorCode).toBe('PROBE_CREDENTIALS');
    expect(bad.findings[0].message).toMatch(/step "access-token": the target rejected the client credentials/);
  });
});

describe('transaction options', () => {
  it('rejects a step that uses a variable no earlier step provides', () => {
    const r = transactionOptions.safeParse({
      steps: [
        { name: 'a', url: '/x/{{later}}' },
        { name: 'b', url: '/y', extract: [{ name: 'later', from: 'json', path: '$.x' }] },
      ],
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toMatch(/step "a" uses \{\{later\}\}/);
  });

  it('rejects unknown generators, duplicate step names and a body given twice', () => {
    expect(transactionOptions.safeParse({ steps: [{ name: 'a', url: '/x/{{$nope}}' }] }).success).toBe(false);
    expect(
      transactionOptions.safeParse({
        steps: [
          { name: 'a', url: '/x' },
          { name: 'a', url: '/y' },
        ],
      }).success,
    ).toBe(false);
    expect(transactionOptions.safeParse({ steps: [{ name: 'a', url: '/x', body: 'x', json: {} }] }).success).toBe(false);
    expect(
      transactionOptions.safeParse({ steps: [{ name: 'a', url: '/x/{{$digits:6}}/{{$uuid}}' }], slo: [{ objective: 1.5 }] }).success,
    ).toBe(false);
    expect(
      transactionOptions.safeParse({
        headers: { 'X-Order': '{{orderId}}' },
        steps: [{ name: 'a', url: '/x', extract: [{ name: 'orderId', from: 'json', path: '$.id' }] }],
      }).success,
    ).toBe(false);
    expect(
      transactionOptions.safeParse({ headers: { 'X-Request-Id': '{{$uuid}}' }, steps: [{ name: 'a', url: '/x/{{$digits:6}}' }] }).success,
    ).toBe(true);
  });
});
