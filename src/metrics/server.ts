/**
 * GET /metrics (Prometheus text), /healthz (process up) and /readyz (Redis reachable and config loaded), over HTTP
 * or, with an exporter-toolkit web config, HTTPS with optional client certificates and basic auth.
 *
 * With basic auth on, /metrics and every other path need credentials, except the two probe endpoints: /healthz says
 * only "ok", and /readyz answers its status code to anyone (load balancers and kubelets rarely carry credentials)
 * but gives the reasons, which name the Redis host, only to an authenticated caller.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { logger } from '../util/logger';
import { BasicAuth } from './basic-auth';
import type { Metrics } from './definitions';
import { loadWebConfig, type WebConfig } from './web-config';

export interface MetricsServerOptions {
  metrics: Metrics;
  port: number;
  host: string;
  /** exporter-toolkit web-config.yml: TLS, basic auth, headers, rate limit. Errors are thrown at start. */
  webConfigFile?: string;
  /** Refreshes gauges read on scrape (queue depth, pending results); bounded by a timeout. */
  beforeScrape?: () => Promise<void>;
  ready: () => Promise<{ ok: boolean; reasons: string[] }>;
}

export interface MetricsServer {
  port: number;
  /** 'https' when the web config turned TLS on. */
  scheme: 'http' | 'https';
  auth?: BasicAuth;
  close(): Promise<void>;
}

async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let t: NodeJS.Timeout | undefined;
  const r = await Promise.race([p.catch(() => undefined), new Promise<undefined>((res) => (t = setTimeout(() => res(undefined), ms)))]);
  clearTimeout(t);
  return r;
}

/** A token bucket, as exporter-toolkit's rate_limit: one token every `intervalMs`, at most `burst` saved up. */
function bucket(rl: WebConfig['rateLimit']): () => boolean {
  if (!rl) return () => true;
  let tokens = rl.burst;
  let last = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(Math.max(rl.burst, 1), tokens + (now - last) / rl.intervalMs);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const web = o.webConfigFile ? loadWebConfig(o.webConfigFile) : undefined;
  const auth = web && web.users.size ? new BasicAuth(web.users) : undefined;
  const allow = bucket(web?.rateLimit);

  const serve = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    for (const [k, v] of Object.entries(web?.headers ?? {})) res.setHeader(k, v);
    try {
      if (!allow()) return void res.writeHead(429, { 'content-type': 'text/plain' }).end('Too Many Requests\n');
      if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      const authed = !auth || (await auth.check(req.headers.authorization));
      if (path === '/readyz' && (req.method === 'GET' || req.method === 'HEAD')) {
        const r = (await within(o.ready(), 2000)) ?? { ok: false, reasons: ['readiness check timed out'] };
        return void res.writeHead(r.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(authed ? r : { ok: r.ok }));
      }
      if (!authed)
        return void res
          .writeHead(401, { 'www-authenticate': 'Basic realm="pengawas"', 'content-type': 'text/plain' })
          .end('Unauthorized\n');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
      } else if (path === '/metrics') {
        if (o.beforeScrape) await within(o.beforeScrape(), 2000);
        const text = await o.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': o.metrics.registry.contentType }).end(text);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('pengawas: try /metrics, /healthz or /readyz\n');
      }
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`error: ${(err as Error).message}\n`);
    }
  };

  const handler: http.RequestListener = (req, res) => void serve(req, res);

  const tlsOpts = web?.tls;
  const server = tlsOpts ? https.createServer(tlsOpts, handler) : http.createServer(handler);
  const stopReload = tlsOpts && web.reloadCert ? watchCert(server as https.Server, web) : () => undefined;
  if (tlsOpts?.allowedSans) {
    const allowed = new Set(tlsOpts.allowedSans);
    server.on('secureConnection', (socket: TLSSocket) => {
      const sans = sansOf(socket);
      if (!sans.some((s) => allowed.has(s))) {
        logger().warn({ sans }, '/metrics client certificate has no allowed SAN; connection closed');
        socket.destroy();
      }
    });
  }
  server.on('tlsClientError', (err: Error) => logger().debug({ err: err.message }, '/metrics TLS handshake failed'));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  logger().info(
    { address: o.host, port: (server.address() as AddressInfo).port, tls: Boolean(tlsOpts), basicAuth: Boolean(auth) },
    'metrics endpoint listening',
  );
  return {
    port: (server.address() as AddressInfo).port,
    scheme: tlsOpts ? 'https' : 'http',
    auth,
    close: () =>
      new Promise<void>((r) => {
        stopReload();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** SAN values of the client certificate, in the forms exporter-toolkit compares (DNS, e-mail, IP, URI). */
function sansOf(socket: TLSSocket): string[] {
  const alt = socket.getPeerCertificate()?.subjectaltname ?? '';
  return alt
    .split(/,\s*/)
    .map((e) => e.replace(/^(DNS|email|IP Address|URI):/, ''))
    .filter(Boolean);
}

/** Swaps in a renewed certificate when cert_file or key_file changes, without a restart (checked every 10 s). */
function watchCert(server: https.Server, web: WebConfig): () => void {
  let last = `${web.tls?.cert}${web.tls?.key}`;
  const t = setInterval(() => {
    try {
      const next = web.reloadCert!();
      const sig = `${next.cert}${next.key}`;
      if (sig === last) return;
      server.setSecureContext({ ...web.tls, ...next });
      last = sig;
      logger().info({ file: web.file }, '/metrics certificate reloaded');
    } catch (e) {
      logger().warn({ err: (e as Error).message }, '/metrics certificate could not be re-read or is invalid; keeping the current one');
    }
  }, 10_000);
  t.unref();
  return () => clearInterval(t);
}
