/**
 * Reads a Prometheus exporter-toolkit web configuration file (`web-config.yml`: tls_server_config,
 * http_server_config, basic_auth_users, rate_limit) into Node TLS options, so operators reuse the file they already
 * write for node_exporter. Unknown fields and bad values are start-up errors naming the file and the field.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import bcrypt from 'bcryptjs';
import { parse } from 'yaml';
import { ConfigError, type ConfigProblem } from '../errors';
import { durationMs } from '../util/schema';

export interface WebConfig {
  file: string;
  /** Undefined when the file configures no TLS: plain HTTP, as exporter-toolkit does. */
  tls?: TlsOptions & { cert?: string; key?: string; allowedSans?: string[] };
  /** Re-reads cert_file/key_file (exporter-toolkit reloads them on every handshake; we do when they change). */
  reloadCert?: () => SecureContextOptions & { cert: string; key: string };
  users: Map<string, string>;
  headers: Record<string, string>;
  rateLimit?: { intervalMs: number; burst: number };
  http2: boolean;
}

// The exact field names and values exporter-toolkit accepts (its docs/web-configuration.md and web/tls_config.go).
const TOP = ['tls_server_config', 'http_server_config', 'basic_auth_users', 'rate_limit'];
const TLS_FIELDS = [
  'cert',
  'key',
  'client_ca',
  'cert_file',
  'key_file',
  'client_auth_type',
  'client_ca_file',
  'client_allowed_sans',
  'min_version',
  'max_version',
  'cipher_suites',
  'prefer_server_cipher_suites',
  'curve_preferences',
];
const VERSIONS: Record<string, TlsOptions['minVersion']> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };
const CLIENT_AUTH = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'RequireClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
];
const CURVES: Record<string, string> = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' };
/** Go's crypto/tls CipherSuites() names (TLS ≤ 1.2) → OpenSSL names; the test checks this table against `openssl ciphers -stdname`. */
export const CIPHERS: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
};
// TLS 1.3 suites are listed by Go but not configurable there either; accepted and ignored, as Go does.
const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const HEADERS: Record<string, string[] | undefined> = {
  'Strict-Transport-Security': undefined,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': undefined,
  'Content-Security-Policy': undefined,
};

type Obj = Record<string, unknown>;

export function loadWebConfig(file: string): WebConfig {
  const problems: ConfigProblem[] = [];
  const bad = (field: string, message: string) => problems.push({ file, field, message });
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8')) ?? {};
  } catch (e) {
    throw new ConfigError([{ file, field: '(file)', message: (e as Error).message.split('\n')[0] }]);
  }
  const root = asObject(raw, '(file)', bad);
  for (const k of Object.keys(root)) if (!TOP.includes(k)) bad(k, `unknown field (exporter-toolkit web config knows ${TOP.join(', ')})`);
  const dir = path.dirname(path.resolve(file));
  // exporter-toolkit resolves relative paths against the web config file's folder.
  const rel = (p: string) => path.resolve(dir, p);

  const users = new Map<string, string>();
  const au = asObject(root.basic_auth_users ?? {}, 'basic_auth_users', bad);
  for (const [user, hash] of Object.entries(au)) {
    const field = `basic_auth_users.${user}`;
    if (typeof hash !== 'string') bad(field, 'must be a bcrypt hash string');
    else if (!isBcrypt(hash))
      bad(field, 'is not a bcrypt hash (make one with `htpasswd -nBC 10 "" | tr -d \':\\n\'`); plain passwords are refused');
    else users.set(user, hash);
  }

  const hs = asObject(root.http_server_config ?? {}, 'http_server_config', bad);
  for (const k of Object.keys(hs)) if (k !== 'http2' && k !== 'headers') bad(`http_server_config.${k}`, 'unknown field (http2, headers)');
  if (hs.http2 !== undefined && typeof hs.http2 !== 'boolean') bad('http_server_config.http2', 'must be true or false');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(asObject(hs.headers ?? {}, 'http_server_config.headers', bad))) {
    const field = `http_server_config.headers.${k}`;
    if (!(k in HEADERS)) bad(field, `this header can not be configured (allowed: ${Object.keys(HEADERS).join(', ')})`);
    else if (typeof v !== 'string') bad(field, 'must be a string');
    else if (HEADERS[k] && !HEADERS[k].includes(v)) bad(field, `must be one of ${HEADERS[k].join(', ')}, got "${v}"`);
    else if (v !== '') headers[k] = v;
  }

  let rateLimit: WebConfig['rateLimit'];
  if (root.rate_limit !== undefined) {
    const rl = asObject(root.rate_limit, 'rate_limit', bad);
    for (const k of Object.keys(rl)) if (k !== 'interval' && k !== 'burst') bad(`rate_limit.${k}`, 'unknown field (interval, burst)');
    const iv = durationMs.safeParse(rl.interval ?? '0s');
    if (!iv.success) bad('rate_limit.interval', 'must be a duration such as 100ms or 1s');
    if (rl.burst !== undefined && !(Number.isInteger(rl.burst) && (rl.burst as number) >= 0))
      bad('rate_limit.burst', 'must be a whole number ≥ 0');
    if (iv.success && iv.data > 0) rateLimit = { intervalMs: iv.data, burst: Number(rl.burst ?? 0) };
  }

  const tc = asObject(root.tls_server_config ?? {}, 'tls_server_config', bad);
  for (const k of Object.keys(tc)) if (!TLS_FIELDS.includes(k)) bad(`tls_server_config.${k}`, 'unknown field');
  const str = (k: string): string | undefined => {
    const v = tc[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') return void bad(`tls_server_config.${k}`, 'must be a string');
    return v;
  };
  const list = (k: string): string[] => {
    const v = tc[k];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return (bad(`tls_server_config.${k}`, 'must be a list of strings'), []);
    return v as string[];
  };
  const enabled = ['cert', 'key', 'client_ca', 'cert_file', 'key_file', 'client_ca_file', 'client_auth_type'].some(
    (k) => str(k) !== undefined,
  );
  let tls: WebConfig['tls'];
  let reloadCert: WebConfig['reloadCert'];
  if (enabled) {
    const certFile = str('cert_file') && rel(str('cert_file')!);
    const keyFile = str('key_file') && rel(str('key_file')!);
    if (!certFile && !str('cert')) bad('tls_server_config.cert_file', 'missing one of cert or cert_file');
    if (!keyFile && !str('key')) bad('tls_server_config.key_file', 'missing one of key or key_file');
    const read = (f: string, field: string): string | undefined => {
      try {
        return readFileSync(f, 'utf8');
      } catch (e) {
        return void bad(`tls_server_config.${field}`, `cannot read ${f} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    };
    const cert = certFile ? read(certFile, 'cert_file') : str('cert');
    const key = keyFile ? read(keyFile, 'key_file') : str('key');
    const caFile = str('client_ca_file') && rel(str('client_ca_file')!);
    const ca = caFile ? read(caFile, 'client_ca_file') : str('client_ca');
    const auth = str('client_auth_type') ?? 'NoClientCert';
    if (!CLIENT_AUTH.includes(auth))
      bad(
        'tls_server_config.client_auth_type',
        `invalid ClientAuth "${auth}" (NoClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert)`,
      );
    if (ca && auth === 'NoClientCert')
      bad('tls_server_config.client_ca_file', "client CA's have been configured without a Client Auth Policy (set client_auth_type)");
    const verifies = auth === 'RequireAndVerifyClientCert' || auth === 'VerifyClientCertIfGiven';
    if (verifies && !ca)
      bad('tls_server_config.client_ca_file', `client_auth_type ${auth} needs client_ca_file (or client_ca) to verify against`);
    // Node cannot accept an unverified client certificate and still require one; the insecure Go policies
    // (the toolkit's own docs call them insecure) are refused rather than silently made stricter or looser.
    if (auth === 'RequestClientCert' || auth === 'RequireAnyClientCert' || auth === 'RequireClientCert') {
      bad(
        'tls_server_config.client_auth_type',
        `${auth} accepts unverified client certificates; pengawas supports NoClientCert, VerifyClientCertIfGiven and RequireAndVerifyClientCert`,
      );
    }
    const sans = tc.client_allowed_sans === undefined ? undefined : list('client_allowed_sans');
    if (sans && auth !== 'RequireAndVerifyClientCert')
      bad('tls_server_config.client_allowed_sans', 'requires client_auth_type RequireAndVerifyClientCert');
    const version = (k: string, dflt: string) => {
      const v = str(k) ?? dflt;
      if (!(v in VERSIONS)) bad(`tls_server_config.${k}`, `unknown TLS version "${v}" (TLS10, TLS11, TLS12, TLS13)`);
      return VERSIONS[v];
    };
    const ciphers: string[] = [];
    for (const c of list('cipher_suites')) {
      if (CIPHERS[c]) ciphers.push(CIPHERS[c]);
      else if (!TLS13_SUITES.includes(c)) bad('tls_server_config.cipher_suites', `unknown cipher: ${c}`);
    }
    const curves: string[] = [];
    for (const c of list('curve_preferences')) {
      if (CURVES[c]) curves.push(CURVES[c]);
      else bad('tls_server_config.curve_preferences', `unknown curve: ${c} (${Object.keys(CURVES).join(', ')})`);
    }
    const psc = tc.prefer_server_cipher_suites;
    if (psc !== undefined && typeof psc !== 'boolean') bad('tls_server_config.prefer_server_cipher_suites', 'must be true or false');
    tls = {
      cert,
      key,
      ...(ca ? { ca } : {}),
      requestCert: verifies,
      rejectUnauthorized: auth === 'RequireAndVerifyClientCert',
      minVersion: version('min_version', 'TLS12'),
      maxVersion: version('max_version', 'TLS13'),
      ...(ciphers.length ? { ciphers: ciphers.join(':') } : {}),
      ...(curves.length ? { ecdhCurve: curves.join(':') } : {}),
      honorCipherOrder: psc !== false,
      ...(sans ? { allowedSans: sans } : {}),
    };
    if (certFile && keyFile)
      reloadCert = () => ({ cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), ...(ca ? { ca } : {}) });
  }
  if (problems.length) throw new ConfigError(problems);
  return { file, tls, reloadCert, users, headers, rateLimit, http2: hs.http2 !== false };
}

function asObject(v: unknown, field: string, bad: (f: string, m: string) => void): Obj {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Obj;
  bad(field, 'must be a mapping');
  return {};
}

function isBcrypt(hash: string): boolean {
  if (!/^\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) return false;
  try {
    bcrypt.getRounds(hash);
    return true;
  } catch {
    return false;
  }
}
