/**
 * Session checks through Node's tls (OpenSSL) as a real client: resumption by session id (RFC 5246, tickets
 * refused) and by ticket (RFC 5077 / TLS 1.3 PSK), TLS 1.3 0-RTT advertised in the ticket (max_early_data) and
 * client-initiated renegotiation (checkClientRenegotiation, one more connection the scan makes last: a server may
 * stall after refusing one, as `openssl s_server` does for a second): four connections in two pairs side by side,
 * then the fifth. What counts as what is in docs/probes/tls.md.
 */
import { constants } from 'node:crypto';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { asn1, util, type Asn1 } from './cert/forge-asn1';
import { ProbeAbortedError, ProbeError, ProbeTimeoutError, TlsHandshakeError } from '../../errors';
import type { Limiter } from './limiter';
import { verdictTimer } from '../../util/verdict-timer';
import { openEndpoint, type Endpoint, type HandshakeLimits } from './wire/handshake';

/** true: the property holds; null: not applicable or undecided (`notes` says why). */
export interface SessionChecks {
  /** A TLS <= 1.2 session resumed by its id alone (the client refuses tickets). */
  resumptionById: boolean | null;
  /** A session resumed by a ticket (TLS 1.2 SessionTicket, or a TLS 1.3 PSK from a NewSessionTicket). */
  resumptionByTicket: boolean | null;
  ticketProtocol?: string;
  /** TLS 1.3: the server's ticket allows 0-RTT early data (its max_early_data is above 0). */
  earlyData: boolean | null;
  maxEarlyData?: number;
  /** A renegotiation the client started over TLS <= 1.2 completed. */
  clientRenegotiation: boolean | null;
  renegotiationAnswer?: string;
  notes: string[];
}

interface Conn {
  socket: tls.TLSSocket;
  session?: Buffer;
  /** Waits until the server's first session (ticket) arrived, at most `ms`. */
  waitSession(ms: number): Promise<Buffer | undefined>;
  /** Sends close_notify (bounded wait for it to be written): an unclean end makes servers drop the session. */
  end(ms: number): Promise<void>;
  close(): void;
  /** Set once the connection's own deadline (or the check's cancellation) ended it: a close then says nothing of the server. */
  readonly failed: Error | undefined;
}

const contexts = new Map<string, tls.SecureContext>();
function context(maxVersion: tls.SecureVersion, noTicket: boolean): tls.SecureContext {
  const key = `${maxVersion}/${noTicket}`;
  let c = contexts.get(key);
  if (!c) {
    c = tls.createSecureContext({
      minVersion: 'TLSv1',
      maxVersion,
      ciphers: 'ALL:!aNULL:@SECLEVEL=0',
      secureOptions: noTicket ? constants.SSL_OP_NO_TICKET : 0,
    });
    contexts.set(key, c);
  }
  return c;
}

/** One Node tls connection over the endpoint (STARTTLS preamble, pinned address), bounded by the scan's limits. */
async function connect(
  ep: Endpoint,
  limits: HandshakeLimits,
  o: { maxVersion: tls.SecureVersion; noTicket?: boolean; session?: Buffer },
): Promise<Conn> {
  const raw = await openEndpoint(ep, limits, 'session handshake');
  const socket = raw.detach();
  return new Promise<Conn>((resolve, reject) => {
    let session: Buffer | undefined;
    let onSession: (() => void) | undefined;
    const s = tls.connect({
      socket,
      servername: ep.servername && !isIP(ep.servername) ? ep.servername : undefined,
      secureContext: context(o.maxVersion, Boolean(o.noTicket)),
      rejectUnauthorized: false,
      session: o.session,
    });
    const onAbort = () => s.destroy(limits.signal.reason instanceof ProbeError ? limits.signal.reason : new ProbeAbortedError());
    const timer = setTimeout(() => s.destroy(new ProbeTimeoutError(limits.timeoutMs, 'session handshake')), limits.timeoutMs);
    limits.signal.addEventListener('abort', onAbort, { once: true });
    const close = () => {
      clearTimeout(timer);
      limits.signal.removeEventListener('abort', onAbort);
      s.destroy();
      raw.close();
    };
    s.on('session', (b: Buffer) => {
      session ??= b;
      onSession?.();
    });
    let connected = false;
    s.on('error', (e: Error) => {
      if (connected) return;
      close();
      reject(e instanceof ProbeError ? e : new TlsHandshakeError(`TLS handshake failed: ${e.message}`, { cause: e }));
    });
    // The connection's deadline destroys the socket under the TLS layer: only a close says so (transport.ts).
    s.once('close', () => {
      if (connected) return;
      close();
      reject(raw.closedDuringHandshake());
    });
    s.once('secureConnect', () => {
      connected = true;
      const conn: Conn = {
        socket: s,
        get session() {
          return session;
        },
        waitSession: (ms) =>
          session || s.destroyed
            ? Promise.resolve(session)
            : new Promise((r) => {
                const t = verdictTimer(ms, () => r(session));
                onSession = () => {
                  t.cancel();
                  r(session);
                };
                s.once('close', () => onSession?.());
              }),
        end: (ms) =>
          new Promise<void>((r) => {
            const t = setTimeout(() => {
              close();
              r();
            }, ms);
            // close_notify written is enough (the server reads it before the TCP close).
            s.end(() => {
              clearTimeout(t);
              close();
              r();
            });
          }),
        close,
        get failed() {
          return raw.failed;
        },
      };
      resolve(conn);
    });
  });
}

/**
 * The DER of OpenSSL's SSL_SESSION inside the buffer of Node's 'session' event. Node 20 hands it over bare; newer
 * lines (seen on 26.12.1, OpenSSL 3.5) put an envelope of their own in front ("\0nodejs:tls:session:1", the host
 * name, then the DER). The envelope is Node's private format, so it is not parsed: the session is the DER SEQUENCE
 * that starts with SSL_SESSION_ASN1's version (INTEGER 1) and runs exactly to the end of the buffer. Undefined when
 * there is none.
 */
export function sessionDer(buf: Buffer): Buffer | undefined {
  for (let i = buf.indexOf(0x30); i >= 0 && i < buf.length - 5; i = buf.indexOf(0x30, i + 1)) {
    let len = buf[i + 1];
    let header = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n < 1 || n > 3 || i + 2 + n > buf.length) continue;
      len = buf.readUIntBE(i + 2, n);
      header = 2 + n;
    }
    const at = i + header;
    if (at + len === buf.length && buf[at] === 0x02 && buf[at + 1] === 0x01 && buf[at + 2] === 0x01) return buf.subarray(i);
  }
  return undefined;
}

/**
 * OpenSSL's serialised SSL_SESSION (ssl/ssl_asn1.c SSL_SESSION_ASN1): field [15] EXPLICIT is max_early_data, the
 * limit the server put in its NewSessionTicket early_data extension (RFC 8446 4.6.1). 0 when absent; undefined
 * when the buffer holds no SSL_SESSION this reader knows (a Node that changed its format again): no verdict then.
 */
export function maxEarlyData(session: Buffer): number | undefined {
  const der = sessionDer(session);
  if (!der) return undefined;
  let seq: Asn1;
  try {
    seq = asn1.fromDer(util.createBuffer(der.toString('binary')));
  } catch {
    return undefined;
  }
  for (const n of seq.value as Asn1[]) {
    if (n.tagClass !== asn1.Class.CONTEXT_SPECIFIC || (n.type as number) !== 15) continue;
    const inner = (n.value as Asn1[])[0];
    const bytes = Buffer.from(inner.value as string, 'binary');
    return bytes.length ? bytes.readUIntBE(0, Math.min(bytes.length, 6)) : 0;
  }
  return 0;
}

/** OpenSSL's error text without its code prefix and source location ("no renegotiation"). */
const reason = (e: Error) => (/:SSL routines:[^:]*:([^:]+)/.exec(e.message)?.[1] ?? e.message).trim();

/** How long to wait after the handshake for a ticket that a server sends with its first flight (TLS 1.3). */
const TICKET_WAIT_MS = 1000;

export async function checkSessions(
  ep: Endpoint,
  supported: { tls13: boolean; legacy: boolean },
  limiter: Limiter,
  limits: HandshakeLimits,
): Promise<SessionChecks> {
  const notes: string[] = [];
  const waitMs = Math.min(TICKET_WAIT_MS, limits.timeoutMs);
  const guard = <T>(what: string, f: () => Promise<T>): Promise<T | undefined> =>
    f().catch((e: unknown) => {
      if (limits.signal.aborted) throw e;
      notes.push(`${what}: ${(e as Error).message}`);
      return undefined;
    });
  /** Two connections in a row: the first gets a session, the second offers it (by id: made even without one). */
  const resume = (maxVersion: tls.SecureVersion, noTicket: boolean) =>
    guard(noTicket ? 'resumption by id' : 'resumption by ticket', async () => {
      const first = await limiter.run(() => connect(ep, limits, { maxVersion, noTicket }));
      let session: Buffer | undefined;
      let ticket: boolean;
      let protocol: string | null;
      try {
        session = await first.waitSession(waitMs);
        // Our own deadline ended the wait (a slow server near handshakeTimeoutMs): no ticket seen is no verdict, and
        // "no ticket" would also have meant "no 0-RTT".
        if (!session && first.failed instanceof ProbeError) throw first.failed;
        ticket = Boolean(first.socket.getTLSTicket()?.length);
        protocol = first.socket.getProtocol();
      } finally {
        await first.end(waitMs);
      }
      if (!session && !noTicket) return { reused: false, session, ticket, protocol };
      const second = await limiter.run(() => connect(ep, limits, { maxVersion, noTicket, session }));
      try {
        const reused = Boolean(session) && second.socket.isSessionReused();
        return { reused, session, ticket, protocol };
      } finally {
        second.close();
      }
    });
  const [byId, byTicket] = await Promise.all([
    supported.legacy ? resume('TLSv1.2', true) : undefined,
    supported.legacy || supported.tls13 ? resume(supported.tls13 ? 'TLSv1.3' : 'TLSv1.2', false) : undefined,
  ]);
  const out: SessionChecks = { resumptionById: null, resumptionByTicket: null, earlyData: null, clientRenegotiation: null, notes };
  if (!supported.legacy)
    notes.push(
      'resumption by id and client renegotiation: no TLS 1.0-1.2 version (TLS 1.3 resumes by ticket only and has no renegotiation)',
    );
  if (byId) out.resumptionById = byId.reused;
  if (byTicket) {
    out.ticketProtocol = byTicket.protocol ?? undefined;
    // TLS 1.2: a resumption is by ticket only if a ticket was issued; TLS 1.3 resumes by PSK (a ticket) always.
    out.resumptionByTicket = byTicket.reused && (byTicket.protocol === 'TLSv1.3' || byTicket.ticket);
    if (byTicket.protocol === 'TLSv1.3') {
      const max = byTicket.session ? maxEarlyData(byTicket.session) : 0;
      if (max === undefined)
        notes.push(`early data: undecided (the session Node ${process.version} handed over holds no SSL_SESSION this reader knows)`);
      else {
        out.earlyData = max > 0;
        out.maxEarlyData = max;
      }
      if (!byTicket.session) notes.push(`early data: no TLS 1.3 ticket within ${waitMs} ms, so no 0-RTT either`);
    }
  }
  return out;
}

/**
 * Client-initiated renegotiation over TLS 1.2 (tickets refused, as a by-id client): one connection that asks for a
 * renegotiation once it stands (`TLSSocket.renegotiate`). Undefined when the connection could not be made.
 */
export async function checkClientRenegotiation(
  ep: Endpoint,
  limiter: Limiter,
  limits: HandshakeLimits,
): Promise<{ accepted: boolean; answer: string } | undefined> {
  const waitMs = Math.min(TICKET_WAIT_MS, limits.timeoutMs);
  const renegotiate = (c: Conn) =>
    new Promise<{ accepted: boolean; answer: string } | undefined>((resolve) => {
      const t = verdictTimer(waitMs * 2, () =>
        resolve({ accepted: false, answer: `no renegotiation within ${waitMs * 2} ms (the server ignored the request)` }),
      );
      c.socket.on('error', (e: Error) => {
        t.cancel();
        resolve({ accepted: false, answer: reason(e) });
      });
      c.socket.once('close', () => {
        t.cancel();
        // Closed by our own deadline (handshakeTimeoutMs shorter than the wait): undecided, not a refusal.
        resolve(c.failed instanceof ProbeError ? undefined : { accepted: false, answer: 'the server closed the connection' });
      });
      const ok = c.socket.renegotiate({ rejectUnauthorized: false }, (err) => {
        t.cancel();
        resolve(err ? { accepted: false, answer: reason(err) } : { accepted: true, answer: 'renegotiation completed' });
      });
      if (!ok) resolve({ accepted: false, answer: 'the client could not start a renegotiation' });
    });

  const conn = await limiter
    .run(() => connect(ep, limits, { maxVersion: 'TLSv1.2', noTicket: true }))
    .catch((e: unknown) => {
      if (limits.signal.aborted) throw e;
      return undefined;
    });
  if (!conn) return undefined;
  try {
    return await renegotiate(conn);
  } finally {
    conn.close();
  }
}
