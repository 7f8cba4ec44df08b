/** Route tables of the payment-API stub; a feature adds its own file of routes and one entry in ROUTES. */
import type { ServerResponse } from 'node:http';
import type { Route } from './route';
import { SNAP_ROUTES } from './snap';
import { parseObject } from '../../../util/narrow';

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
        amount = Number(parseObject(body.toString() || '{}').amount ?? 0);
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
