import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Check } from '../../../src/config/check';
import { createCa, issue } from '../../../src/demo/pki';
import { runCheck } from '../../../src/probes/runner';
import { adHocCheck } from '../../../src/probes/ad-hoc';
import { startHttp, type Started } from '../../helpers/net';

function check(target: string, options: Record<string, unknown> = {}, timeoutMs = 3000): Check {
  return adHocCheck({ type: 'http', target, options, timeoutMs, id: 'http-test', severity: 'high' });
}

const run = (c: Check) => runCheck(c, { dataDir: '/tmp' });

describe('http probe', () => {
  let server: Started;
  beforeAll(async () => {
    server = await startHttp((req, res) => {
      const url = req.url ?? '/';
      if (url === '/ok') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' });
        res.end(JSON.stringify({ status: 'UP', version: 3, items: [1, 2] }));
      } else if (url === '/redirect') {
        res.writeHead(302, { location: '/ok' }).end();
      } else if (url === '/loop') {
        res.writeHead(302, { location: '/loop' }).end();
      } else if (url === '/slow') {
        setTimeout(() => res.writeHead(200).end('late'), 150);
      } else if (url === '/silent') {
        // never answers
      } else if (url === '/endless') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024, 120);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      } else if (url === '/secret') {
        res.writeHead(200).end(`echo ${req.headers['x-api-key']}`);
      } else res.writeHead(503).end('down');
    });
  });
  afterAll(() => server.close());

  it('passes a healthy endpoint and reports phases that add up to the total', async () => {
    const r = await run(
      check(`${server.url}/ok`, {
        json: [
          { path: '$.status', equals: 'UP' },
          { path: '$.items', type: 'array' },
        ],
        requireHeaders: [{ name: 'X-Content-Type-Options', matches: 'nosniff' }],
      }),
    );
    expect(r.status).toBe('pass');
    expect(r.findings).toEqual([]);
    const m = r.measurements as { status: number; phasesMs: Record<string, number> };
    expect(m.status).toBe(200);
    const p = m.phasesMs;
    expect(p.dns + p.connect + p.tls + p.ttfb + p.transfer).toBeCloseTo(p.total, 3);
    expect(r.id).toMatch(/^http-test@\d{4}-\d\d-\d\dT/);
  });

  it('fails with one finding per broken assertion, naming each', async () => {
    const r = await run(
      check(`${server.url}/ok`, {
        expectStatus: [201],
        json: [
          { path: '$.status', equals: 'DOWN' },
          { path: '$.missing', exists: true },
          { path: '$.version', type: 'string' },
        ],
        requireHeaders: [{ name: 'Strict-Transport-Security' }, { name: 'X-Content-Type-Options', matches: '^sniff$' }],
        bodyMatches: ['"status":"UP"', 'NOPE'],
        bodyNotMatches: ['version'],
      }),
    );
    expect(r.status).toBe('fail');
    const ids = r.findings.map((f) => f.id).sort();
    expect(ids).toEqual([
      'http.body.regex_forbidden',
      'http.body.regex_missing',
      'http.header.mismatch',
      'http.header.missing',
      'http.json.assertion_failed',
      'http.json.assertion_failed',
      'http.json.assertion_failed',
      'http.status.unexpected',
    ]);
    expect(r.findings.find((f) => f.id === 'http.status.unexpected')?.message).toBe('status 200, expected 201');
  });

  it('follows redirects up to the limit', async () => {
    const ok = await run(check(`${server.url}/redirect`));
    expect(ok.status).toBe('pass');
    expect((ok.measurements as { redirects: number }).redirects).toBe(1);
    const loop = await run(check(`${server.url}/loop`, { maxRedirects: 3 }));
    expect(loop.findings.map((f) => f.id)).toEqual(['http.redirect.too_many']);
    const noFollow = await run(check(`${server.url}/redirect`, { followRedirects: false, expectStatus: [302] }));
    expect(noFollow.status).toBe('pass');
  });

  it('warns when degraded and fails when too slow', async () => {
    const warn = await run(check(`${server.url}/slow`, { degradedAfter: '50ms', failAfter: '2s' }));
    expect(warn.status).toBe('warn');
    expect(warn.findings[0].id).toBe('http.latency.degraded');
    const fail = await run(check(`${server.url}/slow`, { degradedAfter: '20ms', failAfter: '60ms' }));
    expect(fail.status).toBe('fail');
    expect(fail.findings[0].id).toBe('http.latency.too_slow');
  });

  it('gives error (not fail) for a refused connection and for a silent server, within the timeout', async () => {
    const refused = await run(check('http://127.0.0.1:1/'));
    expect(refused.status).toBe('error');
    expect(refused.errorCode).toBe('PROBE_TARGET_UNREACHABLE');
    const t0 = Date.now();
    const silent = await run(check(`${server.url}/silent`, {}, 400));
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(silent.status).toBe('error');
    expect(silent.errorCode).toBe('PROBE_TIMEOUT');
  });

  it('stops reading an endless body at the cap', async () => {
    const r = await run(check(`${server.url}/endless`, { maxBodyBytes: 200_000 }, 5000));
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.id)).toEqual(['http.body.too_large']);
    expect((r.measurements as { bodyBytes: number }).bodyBytes).toBe(200_000);
  });

  it('resolves secret references for the request and scrubs them from the result', async () => {
    const c = check(`${server.url}/secret`, { headers: { 'x-api-key': '${env:HTTP_TEST_KEY}' }, bodyMatches: ['^nothing$'] });
    const r = await runCheck(c, { dataDir: '/tmp', env: { HTTP_TEST_KEY: 'sup3r-s3cret-value' } });
    expect(r.status).toBe('fail');
    const text = JSON.stringify(r);
    expect(text).not.toContain('sup3r-s3cret-value');
    // The body echoed the key; the finding's evidence must show it redacted, proving the secret was sent.
    const missing = await runCheck(
      check(`${server.url}/secret`, { headers: { 'x-api-key': '${env:HTTP_TEST_KEY}' }, bodyNotMatches: ['echo .+'] }),
      { dataDir: '/tmp', env: { HTTP_TEST_KEY: 'sup3r-s3cret-value' } },
    );
    expect(missing.findings[0].evidence?.match).toBe('echo [redacted]');
    const unset = await runCheck(c, { dataDir: '/tmp', env: {} });
    expect(unset.status).toBe('error');
    expect(unset.errorCode).toBe('PENGAWAS_SECRET_UNRESOLVED');
  });

  describe('over TLS', () => {
    const ca = createCa('http test CA');
    const leaf = issue({ commonName: 'localhost', hosts: ['localhost', '127.0.0.1'] }, ca);
    let port = 0;
    let srv: https.Server;
    beforeAll(async () => {
      srv = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.writeHead(200).end('secure'));
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
      port = (srv.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((r) => srv.close(() => r())));

    it('trusts a configured CA, reports TLS details and a tls phase', async () => {
      const { writeFileSync, mkdtempSync } = await import('node:fs');
      const dir = mkdtempSync('/tmp/pengawas-ca-');
      writeFileSync(`${dir}/ca.pem`, ca.certPem);
      const r = await run(check(`https://127.0.0.1:${port}/`, { caFile: `${dir}/ca.pem`, expectTls: true }));
      expect(r.status).toBe('pass');
      const m = r.measurements as { tls: { protocol: string }; phasesMs: { tls: number } };
      expect(m.tls.protocol).toBe('TLSv1.3');
      expect(m.phasesMs.tls).toBeGreaterThan(0);
    });

    it('fails (not errors) when the certificate is not trusted', async () => {
      const r = await run(check(`https://127.0.0.1:${port}/`));
      expect(r.status).toBe('fail');
      expect(r.findings[0].id).toBe('http.tls.certificate_invalid');
    });

    it('flags plain HTTP where TLS is required', async () => {
      const r = await run(check(`${server.url}/ok`, { expectTls: true }));
      expect(r.findings.map((f) => f.id)).toEqual(['http.tls.not_used']);
    });
  });

  it('gives error for a server that closes the connection mid-headers', async () => {
    const rude = net.createServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Le'));
    await new Promise<void>((r) => rude.listen(0, '127.0.0.1', () => r()));
    const r = await run(check(`http://127.0.0.1:${(rude.address() as AddressInfo).port}/`));
    rude.close();
    expect(r.status).toBe('error');
  });
});
