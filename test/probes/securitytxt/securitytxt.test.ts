/** The securitytxt probe against local HTTP and HTTPS servers serving valid and broken RFC 9116 files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCa, issue } from '../../../src/demo/pki';
import { securityTxt } from '../../../src/demo/targets/website';
import { Metrics } from '../../../src/metrics/definitions';
import { startHttp, type Started } from '../../helpers/net';
import { DAY, findingIds, probe } from '../freshness/helpers';

let srv: Started;
let tlsServer: https.Server;
let tlsUrl: string;
let dir: string;
let caFile: string;

const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString().replace(/\.\d+Z$/, 'Z');
const VALID = (canonical: string) =>
  `# contact\nContact: mailto:security@example.co.id\nContact: https://example.co.id/report\nExpires: ${iso(100 * DAY)}\nPreferred-Languages: id, en\nCanonical: ${canonical}\nPolicy: https://example.co.id/policy\n`;

beforeAll(async () => {
  srv = await startHttp((req, res) => {
    const files: Record<string, [string, string]> = {
      '/.well-known/security.txt': ['text/plain; charset=utf-8', VALID(`${srv.url}/.well-known/security.txt`)],
      '/expired.txt': ['text/plain; charset=utf-8', `Contact: mailto:a@b.id\nExpires: ${iso(-2 * DAY)}\n`],
      '/soon.txt': ['text/plain; charset=utf-8', `Contact: mailto:a@b.id\nExpires: ${iso(10 * DAY)}\n`],
      '/far.txt': ['text/plain; charset=utf-8', `Contact: mailto:a@b.id\nExpires: ${iso(800 * DAY)}\n`],
      '/broken.txt': [
        'text/html',
        `Contact: http://example.co.id/report\nContact: not a uri\nExpires: 31 Dec 2030\nExpires: ${iso(10 * DAY)}\nPreferred-Languages: en\nthis line is junk\n`,
      ],
      '/no-fields.txt': ['text/plain; charset=utf-8', '# nothing but a comment\n'],
      '/signed.txt': [
        'text/plain; charset=utf-8',
        `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: mailto:security@example.co.id\nExpires: ${iso(100 * DAY)}\n- Preferred-Languages: id\n-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCAAdFiEE\n-----END PGP SIGNATURE-----\n`,
      ],
      '/boom.txt': ['text/plain', ''],
      '/demo.txt': ['text/plain; charset=utf-8', securityTxt(srv.url)],
    };
    const f = files[(req.url ?? '').split('?')[0]];
    if (req.url === '/boom.txt') return res.writeHead(503).end();
    res.writeHead(f ? 200 : 404, { 'content-type': f?.[0] ?? 'text/plain' });
    res.end(f?.[1] ?? 'not found');
  });
  dir = mkdtempSync(path.join(tmpdir(), 'pengawas-sectxt-'));
  const ca = createCa();
  caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, ca.certPem);
  const cert = issue({ commonName: 'localhost', hosts: ['127.0.0.1'] }, ca);
  tlsServer = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(VALID(`${tlsUrl}/.well-known/security.txt`));
  });
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', () => r()));
  tlsUrl = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await srv.close();
  tlsServer.closeAllConnections();
  await new Promise((r) => tlsServer.close(r));
  rmSync(dir, { recursive: true, force: true });
});

test('a valid file over HTTPS passes; the site URL resolves to /.well-known/security.txt', async () => {
  const r = await probe('securitytxt', `${tlsUrl}/`, { caFile, requireFields: ['Policy'], requireLanguages: ['id', 'en'] });
  expect(r.findings.filter((f) => f.status !== 'pass')).toEqual([]);
  expect(r.target).toBe(`${tlsUrl}/.well-known/security.txt`);
  expect(r.measurements).toMatchObject({
    contacts: ['mailto:security@example.co.id', 'https://example.co.id/report'],
    preferredLanguages: ['id', 'en'],
    signed: false,
  });
});

test('plain HTTP breaks RFC 9116 unless the check allows it (demo sites)', async () => {
  // Its Canonical is the plain-HTTP URL too, which RFC 9116 §2.5.2 forbids for a web URI.
  expect(findingIds(await probe('securitytxt', `${srv.url}/`), 'fail').sort()).toEqual([
    'securitytxt.field.insecure_uri',
    'securitytxt.transport.not_https',
  ]);
  expect((await probe('securitytxt', `${srv.url}/`, { requireHttps: false })).status).toBe('pass');
});

test('Expires: expired fails, soon warns, more than a year ahead warns', async () => {
  const o = { requireHttps: false };
  const expired = await probe('securitytxt', `${srv.url}/expired.txt`, o);
  expect(expired.status).toBe('fail');
  expect(findingIds(expired, 'fail')).toEqual(['securitytxt.expires.expired']);
  expect(findingIds(await probe('securitytxt', `${srv.url}/soon.txt`, o), 'warn')).toEqual(['securitytxt.expires.soon']);
  expect(findingIds(await probe('securitytxt', `${srv.url}/far.txt`, o), 'warn')).toEqual(['securitytxt.expires.too_far']);
});

test('a broken file reports every problem: content type, insecure and invalid contacts, bad and duplicate Expires, junk, languages', async () => {
  const r = await probe('securitytxt', `${srv.url}/broken.txt`, {
    requireHttps: false,
    requireLanguages: ['id'],
    requireFields: ['Policy'],
  });
  expect(r.status).toBe('fail');
  expect(findingIds(r).sort()).toEqual(
    [
      'securitytxt.content_type',
      'securitytxt.contact.insecure_uri',
      'securitytxt.contact.invalid',
      'securitytxt.expires.invalid',
      'securitytxt.field.duplicate',
      'securitytxt.syntax.not_a_field',
      'securitytxt.field.missing',
      'securitytxt.language.missing',
    ].sort(),
  );
  const empty = await probe('securitytxt', `${srv.url}/no-fields.txt`, { requireHttps: false });
  expect(findingIds(empty, 'fail').sort()).toEqual(['securitytxt.contact.missing', 'securitytxt.expires.missing']);
});

test('a cleartext-signed file is read inside its signature; canonical mismatch warns', async () => {
  const r = await probe('securitytxt', `${srv.url}/signed.txt`, { requireHttps: false, requireLanguages: ['id'] });
  expect(r.status).toBe('pass');
  expect(r.measurements).toMatchObject({ signed: true, preferredLanguages: ['id'] });
  const moved = await probe('securitytxt', `${srv.url}/.well-known/security.txt?copy=1`, { requireHttps: false });
  expect(findingIds(moved, 'warn')).toEqual(['securitytxt.canonical.mismatch']);
});

test('no file is a fail (nobody to report to); a 5xx or a dead server is an error', async () => {
  const missing = await probe('securitytxt', `${srv.url}/nope.txt`, { requireHttps: false });
  expect(missing.status).toBe('fail');
  expect(findingIds(missing)).toEqual(['securitytxt.missing']);
  expect((await probe('securitytxt', `${srv.url}/boom.txt`)).errorCode).toBe('PROBE_TARGET_UNREACHABLE');
  expect((await probe('securitytxt', 'http://127.0.0.1:1/')).status).toBe('error');
});

test('pengawas_securitytxt_expires_timestamp_seconds carries the Expires of the last decided result', async () => {
  const m = new Metrics({ defaultMetrics: false });
  const r = await probe('securitytxt', `${srv.url}/soon.txt`, { requireHttps: false });
  m.record({ ...r, checkId: 'sec-txt', element: 'cooperation' });
  const text = await m.registry.metrics();
  const ts = Number(/pengawas_securitytxt_expires_timestamp_seconds\{check="sec-txt",element="cooperation"\} (\S+)/.exec(text)?.[1]);
  expect(Math.round((ts * 1000 - Date.now()) / DAY)).toBe(10);
});

test("the demo site's plain-HTTP file passes with requireHttps: false (its own http links), and fails without it", async () => {
  const o = { requireHttps: false, requireFields: ['Policy', 'Preferred-Languages'], requireLanguages: ['id', 'en'] };
  expect(findingIds(await probe('securitytxt', `${srv.url}/demo.txt`, o), 'fail')).toEqual([]);
  // Canonical and Policy each name an http URL: one finding per field.
  expect(findingIds(await probe('securitytxt', `${srv.url}/demo.txt`), 'fail').sort()).toEqual([
    'securitytxt.field.insecure_uri',
    'securitytxt.field.insecure_uri',
    'securitytxt.transport.not_https',
  ]);
});
