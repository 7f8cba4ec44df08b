/**
 * One raw handshake attempt: connect (plus STARTTLS), send a hand-built ClientHello, read until the answer is
 * known, close. For TLS <= 1.2 it reads on to ServerHelloDone to see the certificate and the ephemeral key
 * parameters; TLS 1.3 encrypts those, so it stops at the ServerHello.
 */
import { ProbeError, ProtocolError, TargetUnreachableError } from '../../../errors';
import { cipherByCode } from '../ciphers';
import { STARTTLS, type StartTls } from '../starttls';
import { Conn } from '../transport';
import { buildClientHello, type HelloSpec } from './clienthello';
import { ALERTS, HS, type Protocol } from './constants';
import { RecordReader, parseCertificateList, parseServerHello, parseServerKeyExchange, type KeyExchange } from './records';

export interface Endpoint {
  /** The target's name as configured (error messages, and the certificate name when `servername` is unset). */
  host: string;
  /** The IP address the scan is pinned to (addresses.ts); every connection goes there. Unset: `host`. */
  address?: string;
  port: number;
  servername?: string;
  starttls?: StartTls;
}

export interface HandshakeLimits {
  signal: AbortSignal;
  timeoutMs: number;
  /** Cap on bytes read from the server per attempt (a huge certificate chain stops here). */
  maxBytes: number;
}

export type HelloOutcome =
  | {
      accepted: true;
      version: number;
      cipher: number;
      retry: boolean;
      group?: number;
      kex?: KeyExchange;
      certificates?: Buffer[];
      /** ServerHello compression method and extension types (records.ts). */
      compression?: number;
      extensions?: number[];
      /** The SCT list the server sent in the TLS extension (records.ts). */
      sctList?: Buffer;
      /** TLS <= 1.2 read to ServerHelloDone: whether the server asked for a client certificate (absent: not seen). */
      certificateRequest?: boolean;
    }
  | { accepted: false; alert?: string };

/** Opens a connection ready for TLS bytes (after the STARTTLS preamble when configured). */
export async function openEndpoint(ep: Endpoint, limits: HandshakeLimits, phase: string): Promise<Conn> {
  const conn = await Conn.open(ep.address ?? ep.host, ep.port, { signal: limits.signal, timeoutMs: limits.timeoutMs, phase });
  try {
    if (ep.starttls) await STARTTLS[ep.starttls](conn);
    return conn;
  } catch (e) {
    conn.close();
    throw e;
  }
}

export async function tryHello(ep: Endpoint, spec: Omit<HelloSpec, 'servername'>, limits: HandshakeLimits): Promise<HelloOutcome> {
  const { conn, outcome } = await openHello(ep, spec, limits);
  conn.close();
  return outcome;
}

/** As tryHello, but the connection stays open after the server's first flight (the caller sends more, then closes). */
export async function openHello(
  ep: Endpoint,
  spec: Omit<HelloSpec, 'servername'>,
  limits: HandshakeLimits,
): Promise<{ conn: Conn; outcome: HelloOutcome }> {
  const conn = await openEndpoint(ep, limits, `${spec.protocol} handshake`);
  try {
    conn.write(buildClientHello({ ...spec, servername: ep.servername }));
    return { conn, outcome: await readAnswer(conn, spec.protocol, limits.maxBytes) };
  } catch (e) {
    conn.close();
    throw e;
  }
}

async function readAnswer(conn: Conn, protocol: Protocol, maxBytes: number): Promise<HelloOutcome> {
  const reader = new RecordReader(maxBytes);
  let hello: ReturnType<typeof parseServerHello> | undefined;
  let certificates: Buffer[] | undefined;
  let kex: KeyExchange | undefined;
  let certificateRequest = false;
  for (;;) {
    let chunk: Buffer | null;
    try {
      chunk = await conn.read();
    } catch (e) {
      // A reset after the ServerHello still answered the question; before it, a reset is a refusal.
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ECONNRESET' || code === 'EPIPE') {
        if (hello) return { accepted: true, ...hello, kex, certificates };
        return { accepted: false, alert: 'connection reset' };
      }
      if (e instanceof ProbeError) throw e;
      throw new TargetUnreachableError(`connection failed during the handshake: ${code ?? (e as Error).message}`, { cause: e });
    }
    if (!chunk) {
      if (hello) return { accepted: true, ...hello, kex, certificates };
      if (reader.partial) throw new ProtocolError('server closed the connection in the middle of its handshake answer');
      return { accepted: false, alert: 'connection closed' };
    }
    let messages;
    try {
      messages = reader.push(chunk);
    } catch (e) {
      // Past the ServerHello, a too-long or broken flight does not undo what the ServerHello told us.
      if (hello && e instanceof ProtocolError) return { accepted: true, ...hello, kex, certificates };
      throw e;
    }
    for (const m of messages) {
      if (m.kind === 'alert') {
        if (hello) return { accepted: true, ...hello, kex, certificates };
        return { accepted: false, alert: ALERTS[m.description] ?? `alert ${m.description}` };
      }
      if (m.type === HS.serverHello) {
        hello = parseServerHello(m.body);
        if (protocol === 'TLSv1.3' || hello.version >= 0x0304 || hello.retry) return { accepted: true, ...hello };
      } else if (!hello) {
        throw new ProtocolError(`expected ServerHello, got handshake message type ${m.type}`);
      } else if (m.type === HS.certificate) {
        certificates = parseCertificateList(m.body);
      } else if (m.type === HS.serverKeyExchange) {
        const kx = cipherByCode(hello.cipher)?.kx ?? '';
        kex = parseServerKeyExchange(m.body, kx);
      } else if (m.type === HS.certificateRequest) {
        certificateRequest = true;
      } else if (m.type === HS.serverHelloDone) {
        return { accepted: true, ...hello, kex, certificates, certificateRequest };
      }
    }
  }
}
