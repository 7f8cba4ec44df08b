/** GET /metrics (Prometheus text), /healthz (process up) and /readyz (Redis reachable and config loaded). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './definitions';

export interface MetricsServerOptions {
  metrics: Metrics;
  port: number;
  host: string;
  /** Refreshes gauges read on scrape (queue depth, pending results); bounded by a timeout. */
  beforeScrape?: () => Promise<void>;
  ready: () => Promise<{ ok: boolean; reasons: string[] }>;
}

async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let t: NodeJS.Timeout | undefined;
  const r = await Promise.race([p.catch(() => undefined), new Promise<undefined>((res) => (t = setTimeout(() => res(undefined), ms)))]);
  clearTimeout(t);
  return r;
}

export async function startMetricsServer(o: MetricsServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
      } else if (path === '/metrics') {
        if (o.beforeScrape) await within(o.beforeScrape(), 2000);
        const text = await o.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': o.metrics.registry.contentType }).end(text);
      } else if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/readyz') {
        const r = (await within(o.ready(), 2000)) ?? { ok: false, reasons: ['readiness check timed out'] };
        res.writeHead(r.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(r));
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('pengawas: try /metrics, /healthz or /readyz\n');
      }
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`error: ${(err as Error).message}\n`);
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
