/**
 * The demo's public website (plain HTTP on DEMO_PORTS.website): fee schedule, terms, privacy policy, complaint
 * form, payment page, status page (HTML and JSON), `/.well-known/security.txt` (RFC 9116) and the payment API's
 * OpenAPI document, in Bahasa Indonesia and English. `/` picks the language from Accept-Language.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_PORTS } from '../../ports';
import type { DemoTarget } from '../../types';
import { paymentApiOpenApi } from './openapi';
import { PAGES, renderPage, renderStatus } from './pages';

const DAY = 86_400_000;
/** security.txt stays valid: Expires is always ~180 days ahead (RFC 9116 recommends less than a year). */
const SECURITY_TXT_VALIDITY_DAYS = 180;

const STATUS_COMPONENTS = [
  { name: 'Payment API', status: 'operational' },
  { name: 'QRIS', status: 'operational' },
  { name: 'Virtual Account', status: 'operational' },
  { name: 'Merchant dashboard', status: 'operational' },
];

export function securityTxt(origin: string, now = Date.now()): string {
  const expires = new Date(Math.floor((now + SECURITY_TXT_VALIDITY_DAYS * DAY) / DAY) * DAY).toISOString().replace('.000Z', 'Z');
  return [
    '# Security contact of PT Contoh Pembayaran Nusantara (pengawas demo, fictitious)',
    'Contact: mailto:security@contoh-pembayaran.co.id',
    'Contact: tel:+62-21-5000-000',
    `Expires: ${expires}`,
    'Preferred-Languages: id, en',
    `Canonical: ${origin}/.well-known/security.txt`,
    `Policy: ${origin}/en/security-policy`,
    '',
  ].join('\n');
}

function httpDate(isoDay: string): string {
  return new Date(`${isoDay}T00:00:00Z`).toUTCString();
}

export function websiteHandler(): http.RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const origin = `http://${req.headers.host ?? `127.0.0.1:${DEMO_PORTS.website}`}`;
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': type,
        'content-length': Buffer.byteLength(body),
        'x-content-type-options': 'nosniff',
        ...headers,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST')
      return send(405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: 'GET, HEAD, POST' });
    if (path === '/') {
      const wantsEnglish = /^\s*en\b/i.test(req.headers['accept-language'] ?? '');
      res.writeHead(302, { location: wantsEnglish ? '/en/' : '/id/', vary: 'Accept-Language' });
      return res.end();
    }
    const page = PAGES[path];
    if (page) {
      if (req.method === 'POST') return send(303, 'text/plain; charset=utf-8', '', { location: path });
      return send(
        200,
        'text/html; charset=utf-8',
        renderPage(path, page, origin),
        page.lastModified ? { 'last-modified': httpDate(page.lastModified) } : {},
      );
    }
    switch (path) {
      case '/status':
        return send(200, 'text/html; charset=utf-8', renderStatus(STATUS_COMPONENTS, new Date().toISOString()), {
          'cache-control': 'no-store',
        });
      case '/status.json':
        return send(
          200,
          'application/json',
          JSON.stringify({ status: 'operational', updated_at: new Date().toISOString(), components: STATUS_COMPONENTS }),
          { 'cache-control': 'no-store' },
        );
      case '/.well-known/security.txt':
        return send(200, 'text/plain; charset=utf-8', securityTxt(origin));
      case '/openapi.json':
        return send(200, 'application/json', JSON.stringify(paymentApiOpenApi(), null, 2), { 'last-modified': httpDate('2026-10-01') });
      case '/static/logo.svg':
        return send(200, 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><title>logo</title></svg>');
      default:
        if (path.startsWith('/static/')) return send(200, 'image/png', '');
        return send(
          404,
          'text/html; charset=utf-8',
          '<!doctype html><html lang="id"><head><title>Tidak ditemukan / Not found</title></head><body><h1>404</h1></body></html>',
        );
    }
  };
}

/** Starts the website on a port (0 = any free one, for tests); resolves with the port and a stop function. */
export function startWebsite(port: number, host = '127.0.0.1'): Promise<{ port: number; url: string; stop(): Promise<void> }> {
  const server = http.createServer(websiteHandler());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({
        port: actual,
        url: `http://${host}:${actual}`,
        stop: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

export const website: DemoTarget = {
  name: 'website',
  async start() {
    const s = await startWebsite(DEMO_PORTS.website);
    return { describe: `public website       ${s.url}/id/  (security.txt, status, OpenAPI)`, stop: () => s.stop() };
  },
};
