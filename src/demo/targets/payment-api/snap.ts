/**
 * A SNAP-style flow on the payment-API stub: B2B access token → direct-debit payment → status inquiry (→ cancel,
 * for cleanups). It VERIFIES what it receives the way a SNAP provider does: the SHA256withRSA token signature
 * against the client's public key, the HMAC-SHA512 transaction signature against the client secret, a fresh
 * X-TIMESTAMP, a known bearer token and an X-EXTERNAL-ID not reused within the day. The stub's delay and error
 * rate (PENGAWAS_DEMO_DELAY_MS, PENGAWAS_DEMO_ERROR_RATE) apply to these routes too.
 *
 * Response codes follow SNAP's HTTP status + service code + case code shape (service 73 access token, 54 direct
 * debit payment, 55 status inquiry, 57 cancel), as published by PJPs implementing SNAP.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { minifyBody, verifyAsymmetric, verifySymmetric } from '../../../probes/transaction/snap';
import type { DemoTarget } from '../../types';
import type { Route } from './route';
import { textOf } from '../../../util/narrow';

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export interface SnapDemoCredentials {
  clientId: string;
  publicKeyPem: string;
  clientSecret: string;
}

/** How far X-TIMESTAMP may be from the server clock (providers commonly allow a few minutes). */
export const MAX_SKEW_MS = 5 * 60_000;
const TOKEN_TTL_MS = 15 * 60_000;
const MAX_ENTRIES = 10_000;

let creds: SnapDemoCredentials | undefined;
const tokens = new Map<string, number>();
const externalIds = new Set<string>();
const payments = new Map<string, { referenceNo: string; partnerReferenceNo: string; amount: unknown; status: string }>();

/** Sets the credentials the stub verifies against (the demo target below, or a test). Clears issued state. */
export function configureSnapDemo(c: SnapDemoCredentials | undefined): void {
  creds = c;
  tokens.clear();
  externalIds.clear();
  payments.clear();
}

function bounded<K, V>(m: Map<K, V> | Set<K>): void {
  if (m.size > MAX_ENTRIES) m.delete(m.keys().next().value as K);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function fresh(timestamp: string | undefined): boolean {
  if (!timestamp || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$/.test(timestamp)) return false;
  const t = Date.parse(timestamp);
  return Number.isFinite(t) && Math.abs(Date.now() - t) <= MAX_SKEW_MS;
}

const deny = (res: ServerResponse, service: string, why: string) =>
  json(res, 401, { responseCode: `401${service}00`, responseMessage: `Unauthorized. ${why}` });

function accessToken(req: IncomingMessage, res: ServerResponse): void {
  if (!creds) return json(res, 503, { responseCode: '5037300', responseMessage: 'SNAP demo credentials not configured' });
  const timestamp = header(req, 'x-timestamp');
  if (!fresh(timestamp)) return deny(res, '73', '[X-TIMESTAMP missing, malformed or stale]');
  if (header(req, 'x-client-key') !== creds.clientId) return deny(res, '73', '[Unknown client]');
  if (!verifyAsymmetric(creds.publicKeyPem, creds.clientId, timestamp!, header(req, 'x-signature') ?? ''))
    return deny(res, '73', '[Signature]');
  const token = randomBytes(24).toString('base64url');
  tokens.set(token, Date.now() + TOKEN_TTL_MS);
  bounded(tokens);
  json(res, 200, {
    responseCode: '2007300',
    responseMessage: 'Successful',
    accessToken: token,
    tokenType: 'Bearer',
    expiresIn: String(TOKEN_TTL_MS / 1000),
  });
}

/** Checks a transaction request; answers and returns false when it must be refused. */
function verifyTransaction(req: IncomingMessage, res: ServerResponse, body: Buffer, service: string): boolean {
  if (!creds) {
    json(res, 503, { responseCode: `503${service}00`, responseMessage: 'SNAP demo credentials not configured' });
    return false;
  }
  const token = (header(req, 'authorization') ?? '').replace(/^Bearer /, '');
  const expiry = tokens.get(token);
  if (!expiry || expiry < Date.now()) return (deny(res, service, '[Access Token Invalid]'), false);
  const timestamp = header(req, 'x-timestamp');
  if (!fresh(timestamp)) return (deny(res, service, '[X-TIMESTAMP missing, malformed or stale]'), false);
  const signed = {
    method: req.method ?? '',
    endpointUrl: req.url ?? '/',
    accessToken: token,
    minifiedBody: minifyBody(body.toString('utf8')),
    timestamp: timestamp!,
  };
  if (!verifySymmetric(creds.clientSecret, signed, header(req, 'x-signature') ?? '')) return (deny(res, service, '[Signature]'), false);
  if (header(req, 'x-partner-id') !== creds.clientId || !header(req, 'channel-id')) {
    json(res, 400, { responseCode: `400${service}02`, responseMessage: 'Invalid Mandatory Field [X-PARTNER-ID or CHANNEL-ID]' });
    return false;
  }
  const externalId = header(req, 'x-external-id');
  const dayKey = `${timestamp!.slice(0, 10)}:${externalId}`;
  if (!externalId || externalIds.has(dayKey)) {
    json(res, 409, { responseCode: `409${service}00`, responseMessage: 'Conflict [X-EXTERNAL-ID missing or used today]' });
    return false;
  }
  externalIds.add(dayKey);
  bounded(externalIds);
  return true;
}

function parse(res: ServerResponse, body: Buffer, service: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(body.toString('utf8') || '{}') as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  json(res, 400, { responseCode: `400${service}01`, responseMessage: 'Invalid Field Format [body]' });
  return undefined;
}

export const SNAP_ROUTES: Route[] = [
  { method: 'POST', path: '/v1.0/access-token/b2b', handler: (req, res) => accessToken(req, res) },
  {
    method: 'POST',
    path: '/v1.0/debit/payment-host-to-host',
    handler: (req, res, body) => {
      if (!verifyTransaction(req, res, body, '54')) return;
      const b = parse(res, body, '54');
      if (!b) return;
      if (typeof b.partnerReferenceNo !== 'string' || !b.partnerReferenceNo) {
        return json(res, 400, { responseCode: '4005402', responseMessage: 'Invalid Mandatory Field [partnerReferenceNo]' });
      }
      const referenceNo = randomUUID().replace(/-/g, '').slice(0, 20);
      payments.set(referenceNo, { referenceNo, partnerReferenceNo: b.partnerReferenceNo, amount: b.amount, status: '00' });
      bounded(payments);
      json(res, 200, { responseCode: '2005400', responseMessage: 'Successful', referenceNo, partnerReferenceNo: b.partnerReferenceNo });
    },
  },
  {
    method: 'POST',
    path: '/v1.0/debit/status',
    handler: (req, res, body) => {
      if (!verifyTransaction(req, res, body, '55')) return;
      const b = parse(res, body, '55');
      if (!b) return;
      const p = payments.get(textOf(b.originalReferenceNo ?? ''));
      if (!p || p.partnerReferenceNo !== b.originalPartnerReferenceNo)
        return json(res, 404, { responseCode: '4045501', responseMessage: 'Transaction Not Found' });
      const cancelled = p.status === '06';
      json(res, 200, {
        responseCode: '2005500',
        responseMessage: 'Successful',
        originalReferenceNo: p.referenceNo,
        originalPartnerReferenceNo: p.partnerReferenceNo,
        serviceCode: '54',
        latestTransactionStatus: p.status,
        transactionStatusDesc: cancelled ? 'Cancelled' : 'Success',
        amount: p.amount,
      });
    },
  },
  {
    method: 'POST',
    path: '/v1.0/debit/cancel',
    handler: (req, res, body) => {
      if (!verifyTransaction(req, res, body, '57')) return;
      const b = parse(res, body, '57');
      if (!b) return;
      const p = payments.get(textOf(b.originalReferenceNo ?? ''));
      if (!p) return json(res, 404, { responseCode: '4045701', responseMessage: 'Transaction Not Found' });
      p.status = '06';
      json(res, 200, {
        responseCode: '2005700',
        responseMessage: 'Successful',
        originalReferenceNo: p.referenceNo,
        originalPartnerReferenceNo: p.partnerReferenceNo,
      });
    },
  },
];

export const SNAP_DEMO_CLIENT_ID = 'pengawas-demo-client';

/**
 * Not a server: provisions the demo client's SNAP credentials under <dataDir>/demo/snap (RSA key pair, client
 * secret; kept across runs) for checks/demo/transaction.yaml to reference with ${file:..}, and hands the public
 * half to the stub above.
 */
export const snapCredentials: DemoTarget = {
  name: 'snap-credentials',
  start(ctx) {
    const dir = path.join(ctx.dir, 'snap');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const keyFile = path.join(dir, 'client-key.pem');
    const pubFile = path.join(dir, 'client-public.pem');
    const secretFile = path.join(dir, 'client-secret');
    if (!existsSync(keyFile) || !existsSync(pubFile) || !existsSync(secretFile)) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
      writeFileSync(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    }
    configureSnapDemo({
      clientId: SNAP_DEMO_CLIENT_ID,
      publicKeyPem: readFileSync(pubFile, 'utf8'),
      clientSecret: readFileSync(secretFile, 'utf8').trim(),
    });
    return Promise.resolve({
      describe: `SNAP demo client credentials in ${dir} (flow on the payment API stub: /v1.0/access-token/b2b → /v1.0/debit/*)`,
      stop: () => {
        configureSnapDemo(undefined);
        return Promise.resolve();
      },
    });
  },
};
