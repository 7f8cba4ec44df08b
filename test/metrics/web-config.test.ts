/**
 * The exporter-toolkit web-config.yml reader: the field names and values are those of exporter-toolkit's
 * docs/web-configuration.md; every bad file is a start-up error naming the file and the field.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { ConfigError } from '../../src/errors';
import { BasicAuth } from '../../src/metrics/basic-auth';
import { CIPHERS, loadWebConfig } from '../../src/metrics/web-config';
import { makePki, type TestPki } from '../helpers/pki';

let pki: TestPki;
let dir: string;
beforeAll(() => {
  pki = makePki();
  dir = mkdtempSync(path.join(tmpdir(), 'pengawas-webcfg-unit-'));
});
afterAll(() => {
  pki.remove();
  rmSync(dir, { recursive: true, force: true });
});

function problems(yaml: string): string[] {
  const file = path.join(dir, 'web.yml');
  writeFileSync(file, yaml);
  try {
    loadWebConfig(file);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.map((p) => {
      expect(p.file).toBe(file);
      return `${p.field}: ${p.message}`;
    });
  }
}

const tls = () => `tls_server_config:\n  cert_file: ${pki.serverCert}\n  key_file: ${pki.serverKey}\n`;

test('a full, valid file (the options of the documented schema) loads', () => {
  const hash = bcrypt.hashSync('pw', 4);
  const yaml = `${tls()}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${pki.ca}\n  client_allowed_sans: [a.example]\n  min_version: TLS12\n  max_version: TLS13\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]\n  curve_preferences: [X25519, CurveP256]\n  prefer_server_cipher_suites: true\nhttp_server_config:\n  http2: false\n  headers: { X-Frame-Options: deny, Strict-Transport-Security: max-age=31536000 }\nbasic_auth_users:\n  alice: '${hash}'\nrate_limit: { interval: 100ms, burst: 5 }\n`;
  expect(problems(yaml)).toEqual([]);
  const c = loadWebConfig(path.join(dir, 'web.yml'));
  expect(c.tls).toMatchObject({
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256',
    ecdhCurve: 'X25519:P-256',
    allowedSans: ['a.example'],
  });
  expect(c.rateLimit).toEqual({ intervalMs: 100, burst: 5 });
  expect(c.http2).toBe(false);
});

test('only basic auth, no TLS: plain HTTP with auth (as exporter-toolkit does)', () => {
  expect(problems(`basic_auth_users:\n  bob: '${bcrypt.hashSync('x', 4)}'\n`)).toEqual([]);
  expect(loadWebConfig(path.join(dir, 'web.yml')).tls).toBeUndefined();
});

test.each([
  ['plain password', 'basic_auth_users:\n  bob: hunter2\n', 'basic_auth_users.bob: is not a bcrypt hash'],
  ['unknown top field', 'tls_config: {}\n', 'tls_config: unknown field'],
  [
    'unknown tls field',
    `${'tls_server_config:\n  cert_file: x\n  key_file: y\n  certfile: z\n'}`,
    'tls_server_config.certfile: unknown field',
  ],
  [
    'missing key',
    `tls_server_config:\n  cert_file: ${'/nonexistent/c.pem'}\n`,
    'tls_server_config.key_file: missing one of key or key_file',
  ],
  [
    'unreadable cert',
    'tls_server_config:\n  cert_file: /nonexistent/c.pem\n  key_file: /nonexistent/k.pem\n',
    'tls_server_config.cert_file: cannot read /nonexistent/c.pem (ENOENT)',
  ],
  ['bad client auth', 'CLIENT_AUTH', 'tls_server_config.client_auth_type: invalid ClientAuth "Sometimes"'],
  ['CA without policy', 'CA_ONLY', "tls_server_config.client_ca_file: client CA's have been configured without a Client Auth Policy"],
  ['version', 'VERSION', 'tls_server_config.min_version: unknown TLS version "TLS1.2"'],
  ['cipher', 'CIPHER', 'tls_server_config.cipher_suites: unknown cipher: TLS_RSA_WITH_RC4_128_SHA'],
  [
    'header',
    'http_server_config:\n  headers: { X-Powered-By: me }\n',
    'http_server_config.headers.X-Powered-By: this header can not be configured',
  ],
  [
    'header value',
    'http_server_config:\n  headers: { X-Frame-Options: allow }\n',
    'http_server_config.headers.X-Frame-Options: must be one of deny, sameorigin',
  ],
  ['sans without verify', 'SANS', 'tls_server_config.client_allowed_sans: requires client_auth_type RequireAndVerifyClientCert'],
  ['not yaml', 'a: [\n', '(file):'],
])('%s → an error naming the field', (_name, yaml, expected) => {
  const y = yaml
    .replace('CLIENT_AUTH', `${tls()}  client_auth_type: Sometimes\n`)
    .replace('CA_ONLY', `${tls()}  client_ca_file: ${pki.ca}\n`)
    .replace('VERSION', `${tls()}  min_version: TLS1.2\n`)
    .replace('CIPHER', `${tls()}  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n`)
    .replace('SANS', `${tls()}  client_allowed_sans: [x]\n`);
  expect(problems(y).join('\n')).toContain(expected);
});

test('the Go → OpenSSL cipher table agrees with openssl itself (`openssl ciphers -stdname`)', () => {
  const out = execFileSync('openssl', ['ciphers', '-stdname', 'ALL'], { encoding: 'utf8' });
  const std = new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [iana, , ossl] = l.split(/\s+/);
        return [iana, ossl];
      }),
  );
  for (const [go, ossl] of Object.entries(CIPHERS)) expect([go, std.get(go)]).toEqual([go, ossl]);
});

test('basic auth: right password accepted, others refused, verdicts cached (one bcrypt run per credential)', async () => {
  const auth = new BasicAuth(new Map([['alice', bcrypt.hashSync('s3cret', 4)]]));
  const h = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
  expect(await auth.check(h('alice', 's3cret'))).toBe(true);
  expect(await auth.check(h('alice', 'wrong'))).toBe(false);
  expect(await auth.check(h('mallory', 's3cret'))).toBe(false);
  expect(await auth.check('Bearer x')).toBe(false);
  expect(await auth.check(undefined)).toBe(false);
  expect(auth.bcryptRuns).toBe(3);
  for (let i = 0; i < 50; i++) expect(await auth.check(h('alice', 's3cret'))).toBe(true);
  expect(await auth.check(h('mallory', 's3cret'))).toBe(false);
  expect(auth.bcryptRuns).toBe(3);
});
