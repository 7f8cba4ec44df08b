/**
 * One HTTP(S) request with per-phase timings taken from socket events on the monotonic clock
 * (performance.now), on a fresh connection unless an agent is given. Bounded by a deadline and a body cap, so a
 * hostile target (silent, slow, endless body) cannot hold a worker.
 *
 * Phases are durations that add up to the total: dns (lookup), connect (TCP), tls (handshake), ttfb (connection
 * ready → first response byte: sending the request and the server's time, as curl's starttransfer − pretransfer),
 * transfer (first byte → last byte). The total runs from the first network action (the lookup, or for an IP
 * literal the connection attempt) to the last byte, so the probe's own set-up before it is not counted as the
 * target's latency. Checked against a packet capture by `npm run bench:latency` and test/…/wire.test.ts.
 */
import dns, { type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket, PeerCertificate } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { DnsError, ProbeAbortedError, ProbeError, ProbeTimeoutError, TargetUnreachableError, TlsHandshakeError } from '../errors';

export type Phase = 'dns' | 'connect' | 'tls' | 'ttfb' | 'transfer';
export const PHASES: readonly Phase[] = ['dns', 'connect', 'tls', 'ttfb', 'transfer'];

export interface PhaseTimings {
  dns: number;
  connect: number;
  tls: number;
  ttfb: number;
  transfer: number;
  total: number;
}

export interface TimedRequest {
  url: URL;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Hard limit for the whole exchange, in ms. */
  timeoutMs: number;
  /** Also honoured: the caller's cancellation (check timeout, shutdown). */
  signal?: AbortSignal;
  /** Stop reading the body after this many bytes; `bodyTruncated` tells. */
  maxBodyBytes: number;
  /** Extra CA certificates (PEM) to trust, for private PKI. */
  ca?: string | string[];
  /** Verify the server certificate (default true). */
  verifyTls?: boolean;
  servername?: string;
  /** Reuse connections through this agent instead of a fresh one per request. */
  agent?: http.Agent;
}

export interface TlsInfo {
  protocol: string | null;
  cipher: string | null;
  authorized: boolean;
  authorizationError?: string;
  peerCertificate?: { subject: string; issuer: string; validTo: string; validFrom: string; fingerprint256: string };
}

export interface TimedResponse {
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  bodyBytes: number;
  bodyTruncated: boolean;
  timings: PhaseTimings;
  httpVersion: string;
  tls?: TlsInfo;
}

const TLS_ERROR = /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_OSSL|HOSTNAME_MISMATCH)/;

function classify(err: NodeJS.ErrnoException, host: string, phase: string): ProbeError {
  if (err instanceof ProbeError) return err;
  const code = err.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NODATA') {
    return new DnsError(host, code);
  }
  if (TLS_ERROR.test(code) || /ssl|tls|certificate/i.test(err.message)) {
    const e = new TlsHandshakeError(`TLS failed with ${host}: ${err.message}`, { cause: err });
    (e as TlsHandshakeError & { tlsCode?: string }).tlsCode = code;
    return e;
  }
  return new TargetUnreachableError(`${code || 'connection error'} during ${phase} with ${host}: ${err.message}`, {
    cause: err,
  });
}

function describeCert(cert: PeerCertificate | undefined): TlsInfo['peerCertificate'] {
  if (!cert || !cert.subject) return undefined;
  const name = (o: Record<string, unknown> | undefined) =>
    o
      ? Object.entries(o)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(', ')
      : '';
  return {
    subject: name(cert.subject),
    issuer: name(cert.issuer),
    validFrom: cert.valid_from,
    validTo: cert.valid_to,
    fingerprint256: cert.fingerprint256,
  };
}

export function timedRequest(opts: TimedRequest): Promise<TimedResponse> {
  const isTls = opts.url.protocol === 'https:';
  const host = opts.url.hostname;
  const t0 = performance.now();
  const marks: { start?: number; lookup?: number; connect?: number; secure?: number; firstByte?: number; lastData?: number } = {};
  let dataSocket: Socket | undefined;
  // Runs before the HTTP parser (prepended), so parsing time is not counted as network time; the last chunk's
  // arrival, not the parser's later 'end', closes the transfer phase.
  const onData = () => {
    const now = performance.now();
    marks.firstByte ??= now;
    marks.lastData = now;
    phase = 'transfer';
  };
  // A hostname's lookup goes through here, so the dns phase starts when the lookup really does.
  const lookup = (
    name: string,
    options: LookupOneOptions | LookupAllOptions,
    cb: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    marks.start ??= performance.now();
    dns.lookup(name, options as LookupAllOptions, (err, address, family?: number) => {
      marks.lookup ??= performance.now();
      cb(err, address, family);
    });
  };
  let phase: string = isIp(host) ? 'connect' : 'dns';

  return new Promise<TimedResponse>((resolve, reject) => {
    let settled = false;
    // True once the whole response was read: only then may the connection live on (keep-alive agent).
    let complete = false;
    const finish = (err: Error | null, value?: TimedResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      // A keep-alive socket outlives this request: leave no listener behind on it.
      dataSocket?.removeListener('data', onData);
      // Decided before the body ended (cap reached, timeout, abort, error): close now, or the download goes on
      // in the background, holding a socket and a core, and a one-shot CLI never exits.
      if (err || !complete) req.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const onAbort = () => finish(new ProbeAbortedError(String(opts.signal?.reason ?? 'cancelled')));
    const timer = setTimeout(() => finish(new ProbeTimeoutError(opts.timeoutMs, phase)), opts.timeoutMs);
    if (opts.signal?.aborted) {
      // Nothing started yet (and `req` does not exist): just refuse.
      clearTimeout(timer);
      return reject(new ProbeAbortedError(String(opts.signal.reason ?? 'cancelled')));
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const common = {
      method: opts.method ?? 'GET',
      headers: { 'user-agent': 'pengawas', ...opts.headers },
      agent: opts.agent ?? false,
      maxHeaderSize: 16 * 1024,
      // Reject anything but IPv4/IPv6 answers promptly; the deadline above bounds the rest.
      timeout: opts.timeoutMs,
      lookup,
    };
    const req = isTls
      ? https.request(opts.url, {
          ...common,
          ca: opts.ca,
          rejectUnauthorized: opts.verifyTls !== false,
          servername: opts.servername ?? (isIp(host) ? undefined : host),
        })
      : http.request(opts.url, common);

    req.on('socket', (socket: Socket) => {
      if (!socket.connecting) {
        // A reused keep-alive socket: no dns/connect/tls this time; waiting for the socket counts as ttfb.
        marks.start = marks.lookup = marks.connect = marks.secure = t0;
        phase = 'ttfb';
      } else {
        // An IP literal has no lookup: Node hands the socket over on the tick after its connect() call sent
        // the SYN, so this mark is late by that call's return rather than early by Node's set-up before it
        // (both about 0.1 ms on a slow VM; the capture in bench:latency shows this one is the closer).
        marks.start ??= performance.now();
      }
      socket.once('lookup', () => {
        marks.lookup ??= performance.now();
        phase = 'connect';
      });
      socket.once('connect', () => {
        marks.connect = performance.now();
        phase = isTls ? 'tls' : 'ttfb';
      });
      if (isTls) {
        socket.once('secureConnect', () => {
          marks.secure = performance.now();
          phase = 'ttfb';
        });
      }
      dataSocket = socket;
      socket.prependListener('data', onData);
    });
    req.on('error', (err) => finish(classify(err, host, phase)));
    req.on('timeout', () => finish(new ProbeTimeoutError(opts.timeoutMs, phase)));

    req.on('response', (res) => {
      marks.firstByte ??= performance.now();
      phase = 'transfer';
      const chunks: Buffer[] = [];
      let bytes = 0;
      let truncated = false;
      const done = () => {
        const end = truncated ? performance.now() : (marks.lastData ?? performance.now());
        const start = marks.start ?? t0;
        const lookup = marks.lookup ?? start;
        const connect = marks.connect ?? lookup;
        const secure = isTls ? (marks.secure ?? connect) : connect;
        const first = marks.firstByte ?? end;
        const socket = res.socket as TLSSocket | null;
        finish(null, {
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body: Buffer.concat(chunks),
          bodyBytes: bytes,
          bodyTruncated: truncated,
          httpVersion: res.httpVersion,
          timings: {
            dns: lookup - start,
            connect: connect - lookup,
            tls: secure - connect,
            ttfb: first - secure,
            transfer: end - first,
            total: end - start,
          },
          tls: isTls && socket && typeof socket.getProtocol === 'function' ? tlsInfo(socket) : undefined,
        });
      };
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = opts.maxBodyBytes - bytes;
        if (chunk.length > room) {
          if (room > 0) chunks.push(chunk.subarray(0, room));
          bytes += Math.max(room, 0);
          truncated = true;
          done();
          return;
        }
        chunks.push(chunk);
        bytes += chunk.length;
      });
      res.on('end', () => {
        complete = true;
        done();
      });
      res.on('aborted', () => finish(new TargetUnreachableError(`${host} closed the connection mid-body`)));
      res.on('error', (err) => finish(classify(err, host, 'transfer')));
    });

    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

function tlsInfo(socket: TLSSocket): TlsInfo {
  const cipher = socket.getCipher?.();
  return {
    protocol: socket.getProtocol?.() ?? null,
    cipher: cipher?.standardName ?? cipher?.name ?? null,
    authorized: socket.authorized,
    authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
    peerCertificate: describeCert(socket.getPeerCertificate?.()),
  };
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
