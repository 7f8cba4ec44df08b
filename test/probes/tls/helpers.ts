/**
 * Test plumbing for the tls probe: a private PKI made with the openssl CLI (root → intermediate → leaves, an
 * `openssl ca` database that an `openssl ocsp` responder can serve), `openssl s_server` instances on free
 * ports, and a runner that scans through the real check runner.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PengawasError, ProbeTimeoutError } from '../../../src/errors';
import { runTls } from '../../../src/probes/tls';
import type { LookupAll } from '../../../src/probes/tls/addresses';
import { tlsOptions } from '../../../src/probes/tls/options';
import { worstStatus, type ProbeResult } from '../../../src/results/contract';
import { freePort, waitFor } from '../../helpers/net';

export function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

export interface LeafSpec {
  name: string;
  cn?: string;
  san?: string;
  keyBits?: number;
  /** `ec`: a P-256 key (ECDSA certificate) instead of RSA. */
  keyType?: 'rsa' | 'ec';
  md?: string;
  /** openssl ca dates, YYMMDDHHMMSSZ */
  startdate?: string;
  enddate?: string;
  days?: number;
  ocspUrl?: string;
  crlUrl?: string;
  /** Further openssl extension lines (e.g. `tlsfeature=status_request`, an SCT list as `<oid>=DER:…`). */
  extensions?: string[];
}

export interface Leaf {
  cert: string;
  key: string;
  /** leaf + intermediate, as a server should send it */
  fullchain: string;
}

/** A root CA, an intermediate (the issuer of every leaf) and an `openssl ca` database. */
export class Pki {
  readonly dir: string;
  readonly rootCert: string;
  readonly interCert: string;
  readonly interKey: string;

  constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-tls-'));
    const d = this.dir;
    mkdirSync(path.join(d, 'newcerts'));
    writeFileSync(path.join(d, 'index.txt'), '');
    writeFileSync(path.join(d, 'serial'), '1000\n');
    writeFileSync(path.join(d, 'crlnumber'), '01\n');
    writeFileSync(path.join(d, 'ca.cnf'), caConfig(d, { cert: 'inter.pem', key: 'inter.key', extra: V3_INTER }));
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'root.key',
        '-out',
        'root.pem',
        '-days',
        '3650',
        '-subj',
        '/CN=pengawas test root',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      d,
    );
    openssl(
      [
        'req',
        '-new',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'inter.key',
        '-out',
        'inter.csr',
        '-subj',
        '/CN=pengawas test intermediate',
      ],
      d,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'inter.csr',
        '-CA',
        'root.pem',
        '-CAkey',
        'root.key',
        '-CAcreateserial',
        '-out',
        'inter.pem',
        '-days',
        '3650',
        '-extfile',
        'ca.cnf',
        '-extensions',
        'v3_inter',
      ],
      d,
    );
    this.rootCert = path.join(d, 'root.pem');
    this.interCert = path.join(d, 'inter.pem');
    this.interKey = path.join(d, 'inter.key');
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  leaf(spec: LeafSpec): Leaf {
    const d = this.dir;
    const n = spec.name;
    const key =
      spec.keyType === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', `rsa:${spec.keyBits ?? 2048}`];
    openssl(['req', '-new', ...key, '-nodes', '-keyout', `${n}.key`, '-out', `${n}.csr`, '-subj', `/CN=${spec.cn ?? 'localhost'}`], d);
    const ext = [
      '[ext]',
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${spec.san ?? 'DNS:localhost,IP:127.0.0.1'}`,
      ...(spec.ocspUrl ? [`authorityInfoAccess=OCSP;URI:${spec.ocspUrl}`] : []),
      ...(spec.crlUrl ? [`crlDistributionPoints=URI:${spec.crlUrl}`] : []),
      ...(spec.extensions ?? []),
    ].join('\n');
    writeFileSync(path.join(d, `${n}.ext`), ext);
    const dates = spec.startdate ? ['-startdate', spec.startdate, '-enddate', spec.enddate!] : ['-days', String(spec.days ?? 90)];
    openssl(
      [
        'ca',
        '-batch',
        '-config',
        'ca.cnf',
        '-in',
        `${n}.csr`,
        '-out',
        `${n}.pem`,
        '-notext',
        '-md',
        spec.md ?? 'sha256',
        '-extfile',
        `${n}.ext`,
        '-extensions',
        'ext',
        ...dates,
      ],
      d,
    );
    writeFileSync(path.join(d, `${n}.full.pem`), readFileSync(path.join(d, `${n}.pem`), 'utf8') + readFileSync(this.interCert, 'utf8'));
    return { cert: path.join(d, `${n}.pem`), key: path.join(d, `${n}.key`), fullchain: path.join(d, `${n}.full.pem`) };
  }

  selfSigned(name: string): Leaf {
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.pem`,
        '-days',
        '365',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      this.dir,
    );
    const cert = path.join(this.dir, `${name}.pem`);
    return { cert, key: path.join(this.dir, `${name}.key`), fullchain: cert };
  }

  revoke(leaf: Leaf): void {
    openssl(['ca', '-batch', '-config', 'ca.cnf', '-revoke', leaf.cert], this.dir);
  }

  /** A DER CRL of the intermediate listing every revoked leaf. */
  crl(): Buffer {
    openssl(['ca', '-batch', '-config', 'ca.cnf', '-gencrl', '-crldays', '7', '-out', 'crl.pem'], this.dir);
    openssl(['crl', '-in', 'crl.pem', '-outform', 'DER', '-out', 'crl.der'], this.dir);
    return readFileSync(this.file('crl.der'));
  }

  /** An OCSP response for `leaf` made offline (for s_server -status_file). */
  ocspResponse(leaf: Leaf, name: string): string {
    const d = this.dir;
    openssl(['ocsp', '-issuer', this.interCert, '-cert', leaf.cert, '-no_nonce', '-reqout', `${name}.req`], d);
    openssl(
      [
        'ocsp',
        '-index',
        'index.txt',
        '-rsigner',
        this.interCert,
        '-rkey',
        this.interKey,
        '-CA',
        this.interCert,
        '-reqin',
        `${name}.req`,
        '-respout',
        `${name}.ocsp`,
        '-ndays',
        '1',
      ],
      d,
    );
    return path.join(d, `${name}.ocsp`);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An `openssl ca` configuration for a CA whose database files live in `dir` (named `<db>-index.txt`… when `db`). */
export function caConfig(dir: string, o: { cert: string; key: string; db?: string; extra?: string }): string {
  const db = o.db ? `${o.db}-` : '';
  return `
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = ${dir}
database = $dir/${db}index.txt
new_certs_dir = $dir/newcerts
serial = $dir/${db}serial
crlnumber = $dir/${db}crlnumber
certificate = $dir/${o.cert}
private_key = $dir/${o.key}
default_md = sha256
default_crl_days = 7
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
${o.extra ?? ''}`;
}

const V3_INTER = `[ v3_inter ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
`;

/** A child process listening on a port, stopped by `stop()`. */
export interface Server {
  port: number;
  stop(): Promise<void>;
}

export function waitListening(port: number, timeoutMs = 10_000, host = '127.0.0.1'): Promise<boolean> {
  return waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, host);
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    timeoutMs,
    50,
  );
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Starts a server child on a free port and waits until it listens; `readyOn` waits for its output instead
 * (the `openssl ocsp` responder serves one connection at a time and stalls on a probe connection).
 */
export async function startChild(
  cmd: string,
  args: (port: number) => string[],
  cwd: string,
  readyOn?: RegExp,
  fixedPort?: number,
  host = '127.0.0.1',
): Promise<Server> {
  const port = fixedPort ?? (await freePort());
  const child = spawn(cmd, args(port), { cwd, stdio: ['pipe', readyOn ? 'pipe' : 'ignore', readyOn ? 'pipe' : 'ignore'] });
  if (readyOn) {
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    await waitFor(() => readyOn.test(out), 10_000, 20);
  } else {
    await waitListening(port, 10_000, host);
  }
  return { port, stop: () => stopChild(child) };
}

/**
 * `openssl s_server` with a certificate and extra flags (-www so HTTPS requests get an answer); `at` binds it to
 * another loopback address and/or a given port (several servers on one port, one per address).
 */
export function sServer(
  leaf: { cert: string; key: string; chain?: string },
  flags: string[],
  cwd: string,
  at: { host?: string; port?: number } = {},
): Promise<Server> {
  const host = at.host ?? '127.0.0.1';
  return startChild(
    'openssl',
    (port) => [
      's_server',
      '-accept',
      `${host}:${port}`,
      '-cert',
      leaf.cert,
      '-key',
      leaf.key,
      ...(leaf.chain ? ['-cert_chain', leaf.chain] : []),
      '-www',
      '-quiet',
      ...flags,
    ],
    cwd,
    undefined,
    at.port,
    host,
  );
}

/**
 * Runs the probe as src/probes/runner.ts does (timeout → AbortSignal, ProbeError → `error` result), without
 * loading the whole probe registry into the test.
 */
export async function scan(
  target: string,
  options: Record<string, unknown> = {},
  timeoutMs = 20_000,
  deps: { lookup?: LookupAll } = {},
): Promise<ProbeResult & { elapsedMs: number }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new ProbeTimeoutError(timeoutMs)), timeoutMs);
  const t0 = Date.now();
  const base = {
    id: 'tls-test@now',
    checkId: 'tls-test',
    type: 'tls',
    element: 'security' as const,
    target,
    scheduledAt: '',
    startedAt: '',
    attempt: 1,
  };
  try {
    const hardStop = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }),
    );
    const out = await Promise.race([
      runTls(target, tlsOptions.parse(options), { signal: controller.signal, timeoutMs, dataDir: os.tmpdir(), checkId: 'tls-test' }, deps),
      hardStop,
    ]);
    const status = out.status ?? worstStatus(out.findings.map((f) => f.status));
    return {
      ...base,
      status,
      durationMs: Date.now() - t0,
      findings: out.findings,
      measurements: out.measurements,
      elapsedMs: Date.now() - t0,
    };
  } catch (e) {
    const code = e instanceof PengawasError ? e.code : 'PROBE_UNEXPECTED';
    return {
      ...base,
      status: 'error',
      errorCode: code,
      durationMs: Date.now() - t0,
      findings: [{ id: `probe.error.${code.toLowerCase()}`, severity: 'info', status: 'error', message: (e as Error).message }],
      measurements: {},
      elapsedMs: Date.now() - t0,
    };
  } finally {
    clearTimeout(timer);
  }
}

export function ids(r: ProbeResult): string[] {
  return r.findings.map((f) => f.id).sort();
}

export const measurements = (r: ProbeResult) =>
  r.measurements as {
    protocols: Record<string, boolean>;
    ciphers: Array<{ protocol: string; name: string; code: string; strength: string }>;
    certificate: Record<string, unknown> | null;
    hsts: Record<string, unknown> | null;
    groups: string[];
    serverPreference: Record<string, boolean>;
    profile: { name: string; compliant: boolean } | null;
    handshakes: number;
    [k: string]: unknown;
  };

/** An `openssl ca -startdate/-enddate` time `days` from now (YYMMDDHHMMSSZ). */
export function stamp(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
}
