/**
 * Credentials do not follow a redirect to another origin (scheme, host, port) nor a downgrade to http, as the
 * WHATWG Fetch "HTTP-redirect fetch" step and curl do; same-origin redirects keep them. The listeners record
 * every header they receive, the way an attacker's server would.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createCa, issue } from '../../../src/demo/pki';
import { adHocCheck } from '../../../src/probes/ad-hoc';
import { runCheck } from '../../../src/probes/runner';
import { fetchText } from '../../../src/net/fetch-text';
import { withSecrets } from '../../../src/util/secret-scope';
import { startHttp, type Started } from '../../helpers/net';

const TOKEN = 'rT0k-4f9a1c-Qx7mZ2';
const KEY = 'api-key-Z8q2w7e';
const env = { RT_TOKEN: TOKEN, RT_KEY: KEY };
const HEADERS = { Authorization: 'Bearer ${env:RT_TOKEN}', 'X-Api-Key': 'k=${env:RT_KEY}', Cookie: 'session=abc123', 'X-Plain': 'hello' };

type Seen = Array<{ url: string; headers: http.IncomingHttpHeaders }>;

function recorder(seen: Seen, route: (url: string) => string | undefined): http.RequestListener {
  return (req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const to = route(req.url ?? '');
    if (to) res.writeHead(302, { location: to }).end();
    else res.writeHead(200).end('landed');
  };
}

const run = (target: string, options: Record<string, unknown> = {}) =>
  runCheck(adHocCheck({ type: 'http', target, options: { headers: HEADERS, ...options }, timeoutMs: 5000 }), { dataDir: '/tmp', env });

const carriesSecret = (h: http.IncomingHttpHeaders) => JSON.stringify(h).includes(TOKEN) || JSON.stringify(h).includes(KEY);

describe('http probe redirects and credentials', () => {
  let a: Started;
  let b: Started;
  const seenA: Seen = [];
  const seenB: Seen = [];

  beforeAll(async () => {
    b = await startHttp(recorder(seenB, (u) => (u === '/back' ? `${a.url}/landed-back` : undefined)));
    a = await startHttp(
      recorder(
        seenA,
        (u) =>
          ({
            '/to-b': `${b.url}/land`,
            '/same': '/ok',
            '/to-b-and-back': `${b.url}/back`,
            '/to-localhost': `http://localhost:${a.port}/ok`,
          })[u],
      ),
    );
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });
  beforeEach(() => {
    seenA.length = 0;
    seenB.length = 0;
  });

  it('keeps credentials on a same-origin redirect (control)', async () => {
    const r = await run(`${a.url}/same`);
    expect(r.status).toBe('pass');
    expect(seenA.map((s) => s.headers.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });

  it('sends no token, key or cookie to another port, and says which headers it withheld', async () => {
    const r = await run(`${a.url}/to-b`);
    expect(r.status).toBe('pass');
    expect(seenA[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seenB).toHaveLength(1);
    expect(carriesSecret(seenB[0].headers)).toBe(false);
    expect(seenB[0].headers.cookie).toBeUndefined();
    expect(seenB[0].headers['x-plain']).toBe('hello');
    expect((r.measurements as { headersStrippedOnRedirect: string[] }).headersStrippedOnRedirect.sort()).toEqual([
      'Authorization',
      'Cookie',
      'X-Api-Key',
    ]);
  });

  it('does not hand them back when the chain returns to the first origin (A → B → A)', async () => {
    await run(`${a.url}/to-b-and-back`);
    expect(seenA.map((s) => s.url)).toEqual(['/to-b-and-back', '/landed-back']);
    expect(carriesSecret(seenA[1].headers)).toBe(false);
  });

  it('treats another host name on the same port as another origin', async () => {
    await run(`${a.url}/to-localhost`);
    expect(seenA).toHaveLength(2);
    expect(carriesSecret(seenA[1].headers)).toBe(false);
  });

  it('applies to the document fetcher (freshness, webpage, securitytxt, openapi) too', async () => {
    const res = await withSecrets([TOKEN], () =>
      fetchText(new URL(`${a.url}/to-b`), {
        headers: { authorization: `Bearer ${TOKEN}`, 'x-plain': 'hello' },
        maxBytes: 1000,
        timeoutMs: 5000,
        signal: new AbortController().signal,
      }),
    );
    expect(res.status).toBe(200);
    expect(seenB).toHaveLength(1);
    expect(carriesSecret(seenB[0].headers)).toBe(false);
    expect(seenB[0].headers['x-plain']).toBe('hello');
  });
});

describe('https → http downgrade on the same host and port', () => {
  // One port speaking both TLS and plain HTTP (routed on the first byte), so only the scheme changes.
  const ca = createCa('redirect test CA');
  const leaf = issue({ commonName: '127.0.0.1', hosts: ['127.0.0.1'] }, ca);
  const seen: Array<{ tls: boolean; headers: http.IncomingHttpHeaders }> = [];
  let port = 0;
  let front: net.Server;
  let caFile = '';
  beforeAll(async () => {
    const plain = http.createServer((req, res) => {
      seen.push({ tls: false, headers: req.headers });
      res.writeHead(200).end('plain');
    });
    const secure = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
      seen.push({ tls: true, headers: req.headers });
      res.writeHead(302, { location: `http://127.0.0.1:${port}/plain` }).end();
    });
    front = net.createServer((socket) => {
      socket.once('data', (first) => {
        socket.pause();
        socket.unshift(first);
        (first[0] === 0x16 ? secure : plain).emit('connection', socket);
        process.nextTick(() => socket.resume());
      });
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
    port = (front.address() as AddressInfo).port;
    const dir = mkdtempSync('/tmp/pengawas-redirect-ca-');
    caFile = `${dir}/ca.pem`;
    writeFileSync(caFile, ca.certPem);
  });
  afterAll(() => new Promise<void>((r) => front.close(() => r())));

  it('withholds the token from the plain-HTTP request', async () => {
    const r = await run(`https://127.0.0.1:${port}/`, { caFile });
    expect(r.status).toBe('pass');
    expect(seen.map((s) => s.tls)).toEqual([true, false]);
    expect(seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(carriesSecret(seen[1].headers)).toBe(false);
  });
});
