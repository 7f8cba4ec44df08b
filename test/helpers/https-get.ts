/** A GET over HTTP(S) with an explicit CA, optional client certificate and basic auth (fetch cannot set a CA). */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

export interface GetOptions {
  ca?: string;
  cert?: string;
  key?: string;
  user?: string;
  pass?: string;
}

export function get(url: string, o: GetOptions = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const u = new URL(url);
  const headers: Record<string, string> = {};
  if (o.user !== undefined) headers.authorization = `Basic ${Buffer.from(`${o.user}:${o.pass ?? ''}`).toString('base64')}`;
  const lib = u.protocol === 'https:' ? https : http;
  const tls =
    u.protocol === 'https:'
      ? { ca: o.ca && readFileSync(o.ca), cert: o.cert && readFileSync(o.cert), key: o.key && readFileSync(o.key), agent: false as const }
      : {};
  return new Promise((resolve, reject) => {
    const req = lib.get(url, { headers, ...tls, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
