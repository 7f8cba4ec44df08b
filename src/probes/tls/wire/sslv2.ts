/**
 * SSLv2 detection: one CLIENT-HELLO in SSLv2 format offering every SSLv2 cipher kind, and a strict reader of the
 * answer. Message layouts follow draft-hickman-netscape-ssl-00 ("The SSL Protocol", Netscape, 1995), sections
 * "Record Header" (2-byte header, high bit set), "Client Hello" and "Server Hello". SSLv2 counts as enabled only
 * when a well-formed SERVER-HELLO with version 0x0002 and at least one cipher spec comes back; an SSLv3/TLS
 * record or alert, an SSLv2 ERROR, a close, a reset or garbage means not enabled.
 */
import { randomBytes } from 'node:crypto';
import { ProbeError, ProbeTimeoutError, ProtocolError } from '../../../errors';
import { openEndpoint, type Endpoint, type HandshakeLimits } from './handshake';

/** SSLv2 cipher kinds (3-byte specs) from the draft's appendix, in the draft's order. */
export const SSLV2_CIPHERS: Record<number, string> = {
  0x010080: 'SSL_CK_RC4_128_WITH_MD5',
  0x020080: 'SSL_CK_RC4_128_EXPORT40_WITH_MD5',
  0x030080: 'SSL_CK_RC2_128_CBC_WITH_MD5',
  0x040080: 'SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5',
  0x050080: 'SSL_CK_IDEA_128_CBC_WITH_MD5',
  0x060040: 'SSL_CK_DES_64_CBC_WITH_MD5',
  0x0700c0: 'SSL_CK_DES_192_EDE3_CBC_WITH_MD5',
};

const MSG = { error: 0, clientHello: 1, serverHello: 4 } as const;
const SSL2_VERSION = 0x0002;
const ERRORS: Record<number, string> = {
  1: 'NO-CIPHER-ERROR',
  2: 'NO-CERTIFICATE-ERROR',
  4: 'BAD-CERTIFICATE-ERROR',
  6: 'UNSUPPORTED-CERTIFICATE-TYPE-ERROR',
};

export interface Sslv2Cipher {
  /** The 3-byte cipher kind, e.g. 0x010080. */
  code: number;
  name: string;
}

export interface Sslv2Result {
  enabled: boolean;
  /** Cipher kinds the SERVER-HELLO listed (only those it shares with our offer, per the draft). */
  ciphers: Sslv2Cipher[];
  /** The certificate of the SERVER-HELLO (certificate type 1: X.509, DER). */
  certificate?: Buffer;
  /** Why SSLv2 is considered off (what came back instead), for evidence. */
  refusal?: string;
}

/** CLIENT-HELLO: header, msg type 1, version 0x0002, cipher-specs length, session-id length 0, challenge length 16, specs, challenge. */
export function buildClientHelloV2(challenge: Buffer = randomBytes(16)): Buffer {
  const specs = Buffer.concat(Object.keys(SSLV2_CIPHERS).map((k) => Buffer.from([(+k >> 16) & 0xff, (+k >> 8) & 0xff, +k & 0xff])));
  const head = Buffer.alloc(9);
  head[0] = MSG.clientHello;
  head.writeUInt16BE(SSL2_VERSION, 1);
  head.writeUInt16BE(specs.length, 3);
  head.writeUInt16BE(0, 5);
  head.writeUInt16BE(challenge.length, 7);
  const body = Buffer.concat([head, specs, challenge]);
  const header = Buffer.from([0x80 | (body.length >> 8), body.length & 0xff]);
  return Buffer.concat([header, body]);
}

/** The first SSLv2 record's body once complete; undefined while more bytes are needed. Throws on anything else. */
export function sslv2Record(buf: Buffer): Buffer | undefined {
  if (buf.length < 1) return undefined;
  if (!(buf[0] & 0x80)) {
    // An SSLv3/TLS record (alert 21, handshake 22, ...) or a 3-byte SSLv2 header, which no SERVER-HELLO needs.
    const tls = (buf[0] === 21 || buf[0] === 22) && (buf.length < 2 || buf[1] === 3);
    throw new ProtocolError(
      tls
        ? buf[0] === 21
          ? 'answered with an SSLv3/TLS alert'
          : 'answered with an SSLv3/TLS record'
        : `not an SSLv2 record (first byte 0x${buf[0].toString(16)})`,
    );
  }
  if (buf.length < 2) return undefined;
  const len = ((buf[0] & 0x7f) << 8) | buf[1];
  if (len < 1) throw new ProtocolError('empty SSLv2 record');
  return buf.length < 2 + len ? undefined : buf.subarray(2, 2 + len);
}

/** Parses an SSLv2 SERVER-HELLO (or ERROR) body into a result; throws ProtocolError on a malformed one. */
export function parseServerHelloV2(msg: Buffer): Sslv2Result {
  if (msg[0] === MSG.error) {
    const code = msg.length >= 3 ? msg.readUInt16BE(1) : -1;
    return { enabled: false, ciphers: [], refusal: `SSLv2 error ${ERRORS[code] ?? code}` };
  }
  if (msg[0] !== MSG.serverHello) throw new ProtocolError(`expected an SSLv2 SERVER-HELLO, got message type ${msg[0]}`);
  if (msg.length < 11) throw new ProtocolError('truncated SSLv2 SERVER-HELLO');
  const certType = msg[2];
  const version = msg.readUInt16BE(3);
  const certLen = msg.readUInt16BE(5);
  const specsLen = msg.readUInt16BE(7);
  const connIdLen = msg.readUInt16BE(9);
  if (11 + certLen + specsLen + connIdLen !== msg.length) throw new ProtocolError('SSLv2 SERVER-HELLO lengths do not add up');
  if (specsLen % 3 !== 0) throw new ProtocolError('SSLv2 cipher specs length is not a multiple of 3');
  if (version !== SSL2_VERSION)
    return { enabled: false, ciphers: [], refusal: `SSLv2 SERVER-HELLO with version 0x${version.toString(16).padStart(4, '0')}` };
  const ciphers: Sslv2Cipher[] = [];
  for (let o = 11 + certLen; o < 11 + certLen + specsLen; o += 3) {
    const code = msg.readUIntBE(o, 3);
    ciphers.push({ code, name: SSLV2_CIPHERS[code] ?? `0x${code.toString(16).padStart(6, '0')}` });
  }
  if (!ciphers.length) return { enabled: false, ciphers, refusal: 'SSLv2 SERVER-HELLO without cipher specs' };
  const certificate = certType === 1 && certLen ? Buffer.from(msg.subarray(11, 11 + certLen)) : undefined;
  return { enabled: true, ciphers, certificate };
}

/**
 * Connects (STARTTLS preamble and address pinning as for every other attempt), sends the v2 CLIENT-HELLO and
 * reads one record through the bounded Conn. Only the check's cancellation or deadline and a failure to connect
 * are thrown; whatever the server answers, or a per-attempt timeout, is a result.
 */
export async function trySslv2(ep: Endpoint, limits: HandshakeLimits): Promise<Sslv2Result> {
  const conn = await openEndpoint(ep, limits, 'SSLv2 handshake');
  const off = (refusal: string): Sslv2Result => ({ enabled: false, ciphers: [], refusal });
  try {
    conn.write(buildClientHelloV2());
    let buf = Buffer.alloc(0);
    for (;;) {
      let chunk: Buffer | null;
      try {
        chunk = await conn.read();
      } catch (e) {
        // A timeout is no answer at all: the scan tells silence from refusal (scan.ts) and records it as the refusal.
        if (limits.signal.aborted || e instanceof ProbeTimeoutError) throw e;
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ECONNRESET' || code === 'EPIPE') return off('connection reset');
        return off(e instanceof ProbeError ? e.message : `connection failed: ${code ?? (e as Error).message}`);
      }
      if (!chunk) return off(buf.length ? 'connection closed in the middle of an SSLv2 record' : 'connection closed');
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > limits.maxBytes) return off(`more than ${limits.maxBytes} bytes without a complete SSLv2 record`);
      try {
        const body = sslv2Record(buf);
        if (body) return parseServerHelloV2(body);
      } catch (e) {
        if (e instanceof ProtocolError) return off(e.message);
        throw e;
      }
    }
  } finally {
    conn.close();
  }
}
