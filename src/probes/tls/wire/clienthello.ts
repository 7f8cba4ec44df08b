/**
 * Hand-built ClientHello records, so protocol and suite detection does not depend on what Node's OpenSSL can
 * speak (it has no SSLv3 and refuses many old suites). We never finish a handshake: the ServerHello (or an
 * alert) is the answer we need.
 */
import { createECDH, generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { EXT, HS, LEGACY_CURVES, SIGNATURE_SCHEMES, TLS13_GROUPS, VERSION_CODE, type Protocol } from './constants';

export interface HelloSpec {
  protocol: Protocol;
  ciphers: number[];
  /** SNI host name; IP addresses are not sent (RFC 6066). */
  servername?: string;
  /** Named groups to offer (default: every group the protocol allows). */
  groups?: number[];
  /** Compression methods to offer (default: null only); [1, 0] asks for DEFLATE (the CRIME check). */
  compression?: number[];
  /** Leave out renegotiation_info (the check of RFC 5746 support sends it; a plain hello does too). */
  noRenegotiationInfo?: boolean;
  /** Offer the heartbeat extension (RFC 6520, peer_allowed_to_send): the Heartbleed check. */
  heartbeat?: boolean;
  /** Ask for SCTs in the TLS extension (RFC 6962 3.3.1): certificate transparency. */
  sct?: boolean;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

function vec16(body: Buffer): Buffer {
  return Buffer.concat([u16(body.length), body]);
}

function ext(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), vec16(body)]);
}

function list16(values: number[]): Buffer {
  return vec16(Buffer.concat(values.map(u16)));
}

let shares: { x25519: Buffer; p256: Buffer } | undefined;
/** Key shares for TLS 1.3: real public keys (a server may validate them), made once per process. */
function keyShares() {
  if (!shares) {
    const x = generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' });
    const ecdh = createECDH('prime256v1');
    shares = { x25519: x.subarray(x.length - 32), p256: ecdh.generateKeys() };
  }
  return shares;
}

function extensions(spec: HelloSpec): Buffer {
  const parts: Buffer[] = [];
  if (spec.servername && !isIP(spec.servername)) {
    const name = Buffer.from(spec.servername, 'ascii');
    parts.push(ext(EXT.serverName, vec16(Buffer.concat([Buffer.from([0]), vec16(name)]))));
  }
  const tls13 = spec.protocol === 'TLSv1.3';
  const groups = spec.groups ?? (tls13 ? TLS13_GROUPS : LEGACY_CURVES);
  parts.push(ext(EXT.supportedGroups, list16(groups)));
  parts.push(ext(EXT.ecPointFormats, Buffer.from([3, 0, 1, 2])));
  if (tls13 || spec.protocol === 'TLSv1.2') parts.push(ext(EXT.signatureAlgorithms, list16(SIGNATURE_SCHEMES)));
  if (!spec.noRenegotiationInfo) parts.push(ext(EXT.renegotiationInfo, Buffer.from([0])));
  parts.push(ext(EXT.extendedMasterSecret, Buffer.alloc(0)));
  parts.push(ext(EXT.sessionTicket, Buffer.alloc(0)));
  if (spec.heartbeat) parts.push(ext(EXT.heartbeat, Buffer.from([1])));
  if (spec.sct) parts.push(ext(EXT.signedCertificateTimestamp, Buffer.alloc(0)));
  if (tls13) {
    parts.push(ext(EXT.supportedVersions, Buffer.from([2, 0x03, 0x04])));
    const { x25519, p256 } = keyShares();
    const entries: Buffer[] = [];
    if (groups.includes(29)) entries.push(Buffer.concat([u16(29), vec16(x25519)]));
    if (groups.includes(23)) entries.push(Buffer.concat([u16(23), vec16(p256)]));
    parts.push(ext(EXT.keyShare, vec16(Buffer.concat(entries))));
  }
  return vec16(Buffer.concat(parts));
}

/** One TLS record holding one ClientHello. */
export function buildClientHello(spec: HelloSpec): Buffer {
  const legacy = Math.min(VERSION_CODE[spec.protocol], 0x0303);
  // TLS 1.3 servers expect a 32-byte legacy session id (middlebox compatibility, RFC 8446 D.4).
  const sessionId = spec.protocol === 'TLSv1.3' ? randomBytes(32) : Buffer.alloc(0);
  const body = Buffer.concat([
    u16(legacy),
    randomBytes(32),
    Buffer.from([sessionId.length]),
    sessionId,
    list16(spec.ciphers),
    Buffer.from([(spec.compression ?? [0]).length, ...(spec.compression ?? [0])]),
    spec.protocol === 'SSLv3' ? Buffer.alloc(0) : extensions(spec),
  ]);
  const handshake = Buffer.concat([Buffer.from([HS.clientHello]), u24(body.length), body]);
  // Record version 3.1 for TLS (what browsers send; some servers reject higher), 3.0 for SSLv3.
  const recordVersion = spec.protocol === 'SSLv3' ? 0x0300 : 0x0301;
  return Buffer.concat([Buffer.from([22]), u16(recordVersion), vec16(handshake)]);
}
