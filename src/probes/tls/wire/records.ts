/**
 * Incremental reader of the server's side of a handshake: TLS records → alerts and handshake messages (which
 * may span records), plus parsers for ServerHello, Certificate and ServerKeyExchange. Every length is checked
 * against what arrived, so garbage from a hostile peer becomes a ProtocolError, never an out-of-range read.
 */
import { ProtocolError } from '../../../errors';
import { EXT } from './constants';

export type WireMessage = { kind: 'alert'; level: number; description: number } | { kind: 'handshake'; type: number; body: Buffer };

/** Largest record payload a compliant peer sends (2^14 plus expansion, RFC 5246 6.2.3). */
const MAX_RECORD = 16384 + 2048;

export class RecordReader {
  private pending = Buffer.alloc(0);
  private hs = Buffer.alloc(0);
  received = 0;

  constructor(private readonly maxBytes: number) {}

  /** Feeds bytes; returns the complete messages they finish. */
  push(chunk: Buffer): WireMessage[] {
    this.received += chunk.length;
    if (this.received > this.maxBytes)
      throw new ProtocolError(`server sent more than ${this.maxBytes} bytes before the handshake answer was complete`);
    this.pending = Buffer.concat([this.pending, chunk]);
    const out: WireMessage[] = [];
    while (this.pending.length >= 5) {
      const type = this.pending[0];
      const major = this.pending[1];
      const len = this.pending.readUInt16BE(3);
      if (type < 20 || type > 24 || major !== 3 || len > MAX_RECORD) {
        throw new ProtocolError(`not a TLS record (first bytes ${this.pending.subarray(0, 5).toString('hex')})`);
      }
      if (this.pending.length < 5 + len) break;
      const payload = this.pending.subarray(5, 5 + len);
      this.pending = this.pending.subarray(5 + len);
      if (type === 21) {
        if (payload.length >= 2) out.push({ kind: 'alert', level: payload[0], description: payload[1] });
      } else if (type === 22) {
        this.hs = Buffer.concat([this.hs, payload]);
        while (this.hs.length >= 4) {
          const mlen = this.hs.readUIntBE(1, 3);
          if (this.hs.length < 4 + mlen) break;
          out.push({ kind: 'handshake', type: this.hs[0], body: this.hs.subarray(4, 4 + mlen) });
          this.hs = this.hs.subarray(4 + mlen);
        }
      }
      // change_cipher_spec / application data (TLS 1.3 encrypted flight) are skipped.
    }
    return out;
  }

  /** Bytes of an unfinished record or message: a peer that closes now closed mid-handshake. */
  get partial(): boolean {
    return this.pending.length > 0 || this.hs.length > 0;
  }
}

/** A bounds-checked cursor over a handshake message body. */
class Cursor {
  off = 0;
  constructor(
    private readonly b: Buffer,
    private readonly what: string,
  ) {}
  need(n: number): void {
    if (this.off + n > this.b.length) throw new ProtocolError(`truncated ${this.what}`);
  }
  u8(): number {
    this.need(1);
    return this.b[this.off++];
  }
  u16(): number {
    this.need(2);
    const v = this.b.readUInt16BE(this.off);
    this.off += 2;
    return v;
  }
  u24(): number {
    this.need(3);
    const v = this.b.readUIntBE(this.off, 3);
    this.off += 3;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.b.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }
  get left(): number {
    return this.b.length - this.off;
  }
}

const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

export interface ServerHello {
  /** Negotiated version (supported_versions wins over the legacy field). */
  version: number;
  cipher: number;
  /** A TLS 1.3 HelloRetryRequest: the server accepted version and suite but wants another key share. */
  retry: boolean;
  /** TLS 1.3 key-share group (selected group in a HelloRetryRequest). */
  group?: number;
  /** Compression method chosen (0 null, 1 DEFLATE). */
  compression: number;
  /** Extension types the server sent, in order (renegotiation_info 0xff01 tells RFC 5746 support). */
  extensions: number[];
  /** The signed_certificate_timestamp extension's body: a SignedCertificateTimestampList (RFC 6962 3.3.1). */
  sctList?: Buffer;
}

export function parseServerHello(body: Buffer): ServerHello {
  const c = new Cursor(body, 'ServerHello');
  let version = c.u16();
  const random = c.bytes(32);
  c.bytes(c.u8());
  const cipher = c.u16();
  const compression = c.u8();
  const extensions: number[] = [];
  let group: number | undefined;
  let sctList: Buffer | undefined;
  if (c.left >= 2) {
    // The length first, then the offset it counts from (reading both in one expression lost the last 2 bytes).
    const len = c.u16();
    const end = c.off + len;
    while (c.off + 4 <= end) {
      const type = c.u16();
      extensions.push(type);
      const raw = c.bytes(c.u16());
      const data = new Cursor(raw, 'ServerHello extension');
      if (type === EXT.signedCertificateTimestamp) sctList = raw;
      if (type === EXT.supportedVersions && data.left >= 2) version = data.u16();
      if (type === EXT.keyShare && data.left >= 2) group = data.u16();
    }
  }
  return { version, cipher, retry: random.equals(HRR_RANDOM), group, compression, extensions, ...(sctList ? { sctList } : {}) };
}

/** The DER certificates of a TLS <= 1.2 Certificate message, leaf first as sent. */
export function parseCertificateList(body: Buffer): Buffer[] {
  const c = new Cursor(body, 'Certificate');
  const end = 3 + c.u24();
  const out: Buffer[] = [];
  while (c.off < end && c.left >= 3) out.push(c.bytes(c.u24()));
  return out;
}

export interface KeyExchange {
  /** Named curve id for ECDHE. */
  group?: number;
  /** Prime size in bits for DHE. */
  dhBits?: number;
}

/** Reads the ephemeral parameters of a ServerKeyExchange (ECDHE: named curve; DHE: prime length). */
export function parseServerKeyExchange(body: Buffer, kx: string): KeyExchange {
  const c = new Cursor(body, 'ServerKeyExchange');
  if (kx.startsWith('ECDH')) {
    if (c.u8() !== 3) return {};
    return { group: c.u16() };
  }
  if (kx.startsWith('DH')) {
    const p = c.bytes(c.u16());
    let i = 0;
    while (i < p.length && p[i] === 0) i++;
    if (i === p.length) return { dhBits: 0 };
    return { dhBits: (p.length - i - 1) * 8 + (32 - Math.clz32(p[i])) };
  }
  return {};
}
