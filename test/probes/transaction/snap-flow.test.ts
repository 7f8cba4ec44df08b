/**
 * The probe against the demo payment-API stub's SNAP flow, which verifies signatures like a SNAP provider:
 * right credentials pass; a wrong key, a wrong secret, a stale timestamp, a tampered body or a reused
 * X-EXTERNAL-ID are rejected, so these tests prove the signing is right, not just present.
 */
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { paymentApiHandler } from '../../../src/demo/targets/payment-api';
import { configureSnapDemo } from '../../../src/demo/targets/payment-api/snap';
import { minifyBody, signAsymmetric, signSymmetric } from '../../../src/probes/transaction/snap';
import { offsetTimestamp } from '../../../src/probes/transaction/template';
import { startHttp, type Started } from '../../helpers/net';
import { failing, measurements, runFlow } from './helpers';

const pem = () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    priv: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    pub: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};
const CLIENT = 'partner-42';
const SECRET = 'hmac-secret-0123456789';
const keys = pem();
const otherKeys = pem();

let server: Started;
const seen: string[] = [];

beforeAll(async () => {
  configureSnapDemo({ clientId: CLIENT, publicKeyPem: keys.pub, clientSecret: SECRET });
  const handler = paymentApiHandler({ delayMs: 0, errorRate: 0 });
  server = await startHttp((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
});
afterAll(async () => {
  configureSnapDemo(undefined);
  await server.close();
});
beforeEach(() => {
  seen.length = 0;
});

const env = { SNAP_KEY: keys.priv, SNAP_SECRET: SECRET, OTHER_KEY: otherKeys.priv };

function flow(overrides: { privateKey?: string; clientSecret?: string } = {}) {
  return {
    auth: {
      type: 'snap',
      clientId: CLIENT,
      privateKey: overrides.privateKey ?? '${env:SNAP_KEY}',
      clientSecret: overrides.clientSecret ?? '${env:SNAP_SECRET}',
    },
    variables: { ref: 'PGW{{$digits:12}}' },
    steps: [
      {
        name: 'create-payment',
        method: 'POST',
        url: '/v1.0/debit/payment-host-to-host',
        json: { partnerReferenceNo: '{{ref}}', amount: { value: '10000.00', currency: 'IDR' } },
        extract: [{ name: 'referenceNo', from: 'json', path: '$.referenceNo' }],
        expect: { status: [200], json: [{ path: '$.responseCode', equals: '2005400' }] },
      },
      {
        name: 'status-inquiry',
        method: 'POST',
        url: '/v1.0/debit/status',
        json: { originalPartnerReferenceNo: '{{ref}}', originalReferenceNo: '{{referenceNo}}', serviceCode: '54' },
        expect: { status: [200], json: [{ path: '$.latestTransactionStatus', equals: '00' }] },
      },
    ],
    cleanup: { name: 'cancel', method: 'POST', url: '/v1.0/debit/cancel', json: { originalReferenceNo: '{{referenceNo}}' } },
    slo: [{ objective: 0.99, latency: '2s' }],
  };
}

describe('transaction probe with SNAP signing', () => {
  it('passes the whole flow: token → payment → status inquiry, cleanup after', async () => {
    const r = await runFlow(server.url, flow(), { env });
    expect(failing(r)).toEqual([]);
    expect(r.status).toBe('pass');
    const m = measurements(r);
    expect(m.steps.map((s) => [s.name, s.result, s.status])).toEqual([
      ['access-token', 'pass', 200],
      ['create-payment', 'pass', 200],
      ['status-inquiry', 'pass', 200],
      ['cancel', 'pass', 200],
    ]);
    expect(m.steps[3].cleanup).toBe(true);
    expect(m.completed).toBe(true);
    expect(m.slo).toEqual([expect.objectContaining({ name: 'flow', objective: 0.99, latencyMs: 2000, good: true })]);
    expect(seen).toEqual([
      'POST /v1.0/access-token/b2b',
      'POST /v1.0/debit/payment-host-to-host',
      'POST /v1.0/debit/status',
      'POST /v1.0/debit/cancel',
    ]);
    // Neither the key, the secret nor the issued token leaves the probe.
    const text = JSON.stringify(r);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('PRIVATE KEY');
  });

  it('is an error naming the token step when the private key is wrong', async () => {
    const r = await runFlow(server.url, flow({ privateKey: '${env:OTHER_KEY}' }), { env });
    expect(r.status).toBe('error');
    expect(r.errorCode).toBe('PROBE_CREDENTIALS');
    expect(r.findings[0].message).toMatch(/step "access-token".*HTTP 401/);
    // The cleanup needs {{referenceNo}}, which never came: it is skipped rather than sent half-filled.
    expect(seen).toEqual(['POST /v1.0/access-token/b2b']);
  });

  it('is an error naming the step when the client secret is wrong, and stops the flow there', async () => {
    const r = await runFlow(server.url, flow({ clientSecret: 'not-the-secret' }), { env });
    expect(r.status).toBe('error');
    expect(r.errorCode).toBe('PROBE_CREDENTIALS');
    expect(r.findings[0].message).toMatch(/step "create-payment".*SNAP signature/);
    expect(seen).toEqual(['POST /v1.0/access-token/b2b', 'POST /v1.0/debit/payment-host-to-host']);
  });
});

describe('token reuse (auth.reuseToken)', () => {
  it('fetches one token for several runs, and a fresh one after the provider stops accepting it', async () => {
    const o = flow();
    (o.auth as Record<string, unknown>).reuseToken = true;
    const first = await runFlow(server.url, o, { env, id: 'tx-reuse' });
    const second = await runFlow(server.url, o, { env, id: 'tx-reuse' });
    expect([first.status, second.status]).toEqual(['pass', 'pass']);
    expect(measurements(second).steps[0]).toMatchObject({ name: 'access-token', result: 'skipped' });
    expect(seen.filter((s) => s.includes('access-token'))).toHaveLength(1);

    // The provider forgets its tokens (restart, revocation): one error, then the next run starts afresh.
    configureSnapDemo({ clientId: CLIENT, publicKeyPem: keys.pub, clientSecret: SECRET });
    const revoked = await runFlow(server.url, o, { env, id: 'tx-reuse' });
    expect(revoked.errorCode).toBe('PROBE_CREDENTIALS');
    const again = await runFlow(server.url, o, { env, id: 'tx-reuse' });
    expect(again.status).toBe('pass');
    expect(seen.filter((s) => s.includes('access-token'))).toHaveLength(2);
  });
});

/** Raw signed requests, to show the stub refuses what a SNAP provider refuses. */
function post(path: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${server.url}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let data = '';
        res.on('data', (c) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function token(at = new Date()): Promise<{ status: number; body: string }> {
  const ts = offsetTimestamp(at);
  return post(
    '/v1.0/access-token/b2b',
    { 'X-TIMESTAMP': ts, 'X-CLIENT-KEY': CLIENT, 'X-SIGNATURE': signAsymmetric(keys.priv, CLIENT, ts) },
    '{"grantType":"client_credentials"}',
  );
}

function signedHeaders(
  accessToken: string,
  path: string,
  body: string,
  at = new Date(),
  externalId = String(Date.now()) + Math.random().toString().slice(2, 8),
) {
  const ts = offsetTimestamp(at);
  return {
    Authorization: `Bearer ${accessToken}`,
    'X-TIMESTAMP': ts,
    'X-SIGNATURE': signSymmetric(SECRET, { method: 'POST', endpointUrl: path, accessToken, minifiedBody: minifyBody(body), timestamp: ts }),
    'X-PARTNER-ID': CLIENT,
    'X-EXTERNAL-ID': externalId,
    'CHANNEL-ID': '95221',
  };
}

describe('the SNAP stub rejects wrong or stale signatures', () => {
  const path = '/v1.0/debit/payment-host-to-host';
  const body = '{"partnerReferenceNo":"R1","amount":{"value":"1.00","currency":"IDR"}}';

  it('refuses a token request signed 10 minutes ago, accepts the same signed now', async () => {
    const stale = await token(new Date(Date.now() - 10 * 60_000));
    expect(stale.status).toBe(401);
    expect(stale.body).toContain('stale');
    const ok = await token();
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).responseCode).toBe('2007300');
  });

  it('refuses a stale, tampered or replayed transaction request', async () => {
    const t = JSON.parse((await token()).body).accessToken as string;
    expect((await post(path, signedHeaders(t, path, body, new Date(Date.now() - 10 * 60_000)), body)).status).toBe(401);
    // Signed for one body, sent with another amount.
    const tampered = await post(path, signedHeaders(t, path, body), body.replace('1.00', '1000000.00'));
    expect(tampered.status).toBe(401);
    expect(tampered.body).toContain('Signature');
    // Signed for another path.
    expect((await post(path, signedHeaders(t, '/v1.0/debit/status', body), body)).status).toBe(401);
    // Whitespace does not matter: the signature covers the minified body.
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    const h = signedHeaders(t, path, pretty, new Date(), 'EXT-1');
    expect((await post(path, h, pretty)).status).toBe(200);
    // The same X-EXTERNAL-ID again the same day is refused.
    expect((await post(path, signedHeaders(t, path, body, new Date(), 'EXT-1'), body)).status).toBe(409);
  });
});
