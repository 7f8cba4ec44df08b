/** HTTP Strict Transport Security (RFC 6797): one HTTPS GET, the header parsed. */
import https from 'node:https';
import { isIP } from 'node:net';
import { ProbeAbortedError, ProbeError, ProbeTimeoutError, TlsHandshakeError } from '../../errors';

export interface Hsts {
  present: boolean;
  maxAge?: number;
  includeSubDomains: boolean;
  preload: boolean;
  status?: number;
  header?: string;
}

export function parseHsts(header: string | undefined): Hsts {
  if (!header) return { present: false, includeSubDomains: false, preload: false };
  const parts = header.split(';').map((p) => p.trim().toLowerCase());
  const age = parts.map((p) => /^max-age\s*=\s*"?(\d+)"?$/.exec(p)).find(Boolean);
  return {
    present: true,
    maxAge: age ? Number(age[1]) : undefined,
    includeSubDomains: parts.includes('includesubdomains'),
    preload: parts.includes('preload'),
    header,
  };
}

export function fetchHsts(opts: {
  host: string;
  address?: string;
  port: number;
  servername?: string;
  path: string;
  signal: AbortSignal;
  timeoutMs: number;
}): Promise<Hsts> {
  return new Promise((resolve, reject) => {
    const name = opts.servername ?? opts.host;
    const req = https.request({
      // Pinned to the scan's address; SNI and Host stay the name.
      host: opts.address ?? opts.host,
      port: opts.port,
      path: opts.path,
      method: 'GET',
      servername: isIP(name) ? undefined : name,
      headers: { host: name, 'user-agent': 'pengawas-tls' },
      // The certificate is judged by the scan itself; here only the header matters.
      rejectUnauthorized: false,
      agent: false,
    });
    const timer = setTimeout(() => req.destroy(new ProbeTimeoutError(opts.timeoutMs, 'HSTS request')), opts.timeoutMs);
    const onAbort = () => req.destroy(opts.signal.reason instanceof ProbeError ? opts.signal.reason : new ProbeAbortedError());
    opts.signal.addEventListener('abort', onAbort, { once: true });
    const finish = () => {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
    };
    req.on('response', (res) => {
      finish();
      const raw: string | string[] | undefined = res.headers['strict-transport-security'];
      resolve({ ...parseHsts(typeof raw === 'string' ? raw : raw?.[0]), status: res.statusCode });
      res.destroy();
    });
    req.on('error', (e) => {
      finish();
      reject(e instanceof ProbeError ? e : new TlsHandshakeError(`HSTS request failed: ${e.message}`, { cause: e }));
    });
    req.end();
  });
}
