/** Small bounded HTTP(S) GET/POST for OCSP responders and CRL distribution points. */
import http from 'node:http';
import https from 'node:https';
import { ProbeAbortedError, ProbeError, ProbeTimeoutError, ResponseTooLargeError, TargetUnreachableError } from '../../../errors';

export interface FetchLimits {
  signal: AbortSignal;
  timeoutMs: number;
  maxBytes: number;
}

export function fetchBytes(
  url: string,
  limits: FetchLimits,
  body?: { type: string; data: Buffer },
): Promise<{ status: number; data: Buffer }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(u, {
      method: body ? 'POST' : 'GET',
      headers: body ? { 'content-type': body.type, 'content-length': body.data.length } : {},
      agent: false,
    });
    const timer = setTimeout(() => req.destroy(new ProbeTimeoutError(limits.timeoutMs, `fetching ${u.origin}`)), limits.timeoutMs);
    const onAbort = () => req.destroy(limits.signal.reason instanceof ProbeError ? limits.signal.reason : new ProbeAbortedError());
    limits.signal.addEventListener('abort', onAbort, { once: true });
    const finish = () => {
      clearTimeout(timer);
      limits.signal.removeEventListener('abort', onAbort);
    };
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limits.maxBytes) req.destroy(new ResponseTooLargeError(limits.maxBytes));
        else chunks.push(c);
      });
      res.on('end', () => {
        finish();
        resolve({ status: res.statusCode ?? 0, data: Buffer.concat(chunks) });
      });
      res.on('error', () => undefined);
    });
    req.on('error', (e) => {
      finish();
      reject(e instanceof ProbeError ? e : new TargetUnreachableError(`${u.origin}: ${e.message}`, { cause: e }));
    });
    req.end(body?.data);
  });
}
