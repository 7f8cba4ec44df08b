/** The demo's HTTPS payment-API stub, on a certificate from the demo CA, with a configurable delay and error rate. */
import https from 'node:https';
import { issue } from '../../pki';
import { DEMO_PORTS } from '../../ports';
import type { DemoTarget } from '../../types';
import type { StubSettings } from './route';
import { json, ROUTES } from './routes';

export function stubSettings(env: NodeJS.ProcessEnv = process.env): StubSettings {
  return {
    delayMs: Number(env.PENGAWAS_DEMO_DELAY_MS ?? 0) || 0,
    errorRate: Math.min(1, Math.max(0, Number(env.PENGAWAS_DEMO_ERROR_RATE ?? 0) || 0)),
  };
}

export function paymentApiHandler(settings: StubSettings) {
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1024 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => void answer());
    const answer = async () => {
      if (settings.delayMs > 0) await new Promise((r) => setTimeout(r, settings.delayMs));
      if (settings.errorRate > 0 && Math.random() < settings.errorRate) return json(res, 500, { error: 'injected failure' });
      const path = (req.url ?? '/').split('?')[0];
      const route = ROUTES.find(
        (r) => r.method === req.method && (r.path.endsWith('*') ? path.startsWith(r.path.slice(0, -1)) : r.path === path),
      );
      if (!route) return json(res, 404, { error: `no route ${req.method} ${path}` });
      try {
        await route.handler(req, res, Buffer.concat(chunks), settings);
      } catch (e) {
        json(res, 500, { error: (e as Error).message });
      }
    };
  };
}

export const paymentApi: DemoTarget = {
  name: 'payment-api',
  async start(ctx) {
    const cert = issue({ commonName: 'localhost', hosts: ['localhost', '127.0.0.1'], days: 90 }, ctx.ca);
    const server = https.createServer({ cert: cert.certPem + ctx.ca.certPem, key: cert.keyPem }, paymentApiHandler(stubSettings()));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(DEMO_PORTS.paymentApi, '127.0.0.1', () => resolve());
    });
    return {
      describe: `payment API stub  https://127.0.0.1:${DEMO_PORTS.paymentApi}/health`,
      stop: () => new Promise<void>((r) => server.close(() => r())),
    };
  },
};
