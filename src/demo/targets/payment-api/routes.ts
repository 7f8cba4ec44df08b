/** Route tables of the payment-API stub; a feature adds its own file of routes and one entry in ROUTES. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SNAP_ROUTES } from './snap';

export interface StubSettings {
  /** Extra delay before answering, ms (PENGAWAS_DEMO_DELAY_MS). */
  delayMs: number;
  /** Share of requests answered with 500 (PENGAWAS_DEMO_ERROR_RATE, 0..1). */
  errorRate: number;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer, settings: StubSettings) => void | Promise<void>;

export interface Route {
  method: string;
  /** Exact path, or a prefix when it ends with `*`. */
  path: string;
  handler: Handler;
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const SECURITY_HEADERS = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'",
};

let seq = 0;
const payments = new Map<string, { id: string; amount: number; status: string }>();

export const CORE_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/health',
    handler: (_req, res) => json(res, 200, { status: 'UP', service: 'payment-api' }, SECURITY_HEADERS),
  },
  {
    method: 'POST',
    path: '/v1/payments',
    handler: (_req, res, body) => {
      let amount = 0;
      try {
        amount = Number((JSON.parse(body.toString() || '{}') as { amount?: number }).amount ?? 0);
      } catch {
        return json(res, 400, { error: 'invalid JSON' });
      }
      const id = `pay-${++seq}`;
      payments.set(id, { id, amount, status: 'PENDING' });
      json(res, 201, { id, status: 'PENDING' }, SECURITY_HEADERS);
    },
  },
  {
    method: 'GET',
    path: '/v1/payments/*',
    handler: (req, res) => {
      const id = (req.url ?? '').split('?')[0].split('/').pop() ?? '';
      const p = payments.get(id);
      if (!p) return json(res, 404, { error: 'not found' });
      json(res, 200, { ...p, status: 'SUCCESS' }, SECURITY_HEADERS);
    },
  },
];

export const ROUTES: Route[] = [...CORE_ROUTES, ...SNAP_ROUTES];
