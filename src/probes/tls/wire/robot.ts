/**
 * ROBOT (Böck, Somorovsky, Young 2017, "Return Of Bleichenbacher's Oracle Threat") on one connection: after the
 * server's first flight for an RSA key-exchange suite, one ClientKeyExchange whose premaster secret is PKCS#1 v1.5
 * padded correctly or wrongly in one of the paper's five ways (the vectors of testssl.sh's run_robot), encrypted
 * raw with the certificate's key, optionally followed by ChangeCipherSpec and an arbitrary Finished. The answer is
 * summed up as a signature (the alerts, then how the connection ended) so answers can be compared.
 */
import { X509Certificate, constants, publicEncrypt, randomInt } from 'node:crypto';
import type { Conn } from '../transport';
import { readRecords, record } from './followup';

/** The five ClientKeyExchange variants, in the paper's (and testssl.sh's) order. */
export const ROBOT_VARIANTS = [
  'correct padding',
  'wrong first bytes (0x41 0x17, not 0x00 0x02)',
  '0x00 separator at a wrong position',
  'no 0x00 separator',
  'wrong version in the premaster (0x02 0x02)',
] as const;

/** The 46 premaster bytes after the version (testssl.sh's rnd_pms): no 0x00 in them, so variant 3 has none. */
const PMS_TAIL = Buffer.from('aa112233445566778899112233445566778899112233445566778899112233445566778899112233445566778899', 'hex');

/** An arbitrary 64-byte Finished (testssl.sh's run_robot sends these bytes): the server cannot decrypt it. */
const FINISHED = Buffer.from(
  '6e4965680046' + '79fd5a57dc3eefb2d2ace08c542d5f0087dbb6e3772c9d882738987dcd7eacdd5d72be240d2036140e9451dea0b6c75628d8a1cb24b903d07c50',
  'hex',
);

/** k-byte block `00 02 <k-51 nonzero bytes> 00 <version> <46 bytes>`, made wrong as `variant` says. */
export function paddedPremaster(variant: number, modulusBytes: number, version: number): Buffer {
  const pad = Buffer.alloc(modulusBytes - 51);
  for (let i = 0; i < pad.length; i++) pad[i] = randomInt(1, 256);
  const ver = Buffer.from([version >> 8, version & 0xff]);
  const parts: Record<number, Buffer[]> = {
    0: [Buffer.from([0, 2]), pad, Buffer.from([0]), ver, PMS_TAIL],
    1: [Buffer.from([0x41, 0x17]), pad, Buffer.from([0]), ver, PMS_TAIL],
    2: [Buffer.from([0, 2]), pad, Buffer.from([0x11]), PMS_TAIL, Buffer.from([0, 0x11])],
    3: [Buffer.from([0, 2]), pad, Buffer.from([0x11, 0x11, 0x11]), PMS_TAIL],
    4: [Buffer.from([0, 2]), pad, Buffer.from([0, 2, 2]), PMS_TAIL],
  };
  return Buffer.concat(parts[variant]);
}

/** The RSA public key of a DER certificate, or undefined when it is not RSA. */
export function rsaKeyOf(der: Buffer): { key: X509Certificate['publicKey']; bytes: number } | undefined {
  const key = new X509Certificate(der).publicKey;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== 'rsa' || !bits) return undefined;
  return { key, bytes: Math.ceil(bits / 8) };
}

/** The ClientKeyExchange record (RFC 5246 7.4.7.1; SSLv3 sends the encrypted secret without its length). */
export function clientKeyExchange(encrypted: Buffer, version: number): Buffer {
  const body = version === 0x0300 ? encrypted : Buffer.concat([Buffer.from([encrypted.length >> 8, encrypted.length & 0xff]), encrypted]);
  const len = body.length;
  return record(22, version, Buffer.concat([Buffer.from([16, len >> 16, (len >> 8) & 0xff, len & 0xff]), body]));
}

export interface RobotAnswer {
  /** e.g. "alert 20, close", "silence", "reset". */
  signature: string;
  ms: number;
}

/** Sends variant `variant` on a connection whose first flight came back, and reads the answer for up to `waitMs`. */
export async function robotVariant(
  conn: Conn,
  o: { variant: number; version: number; key: NonNullable<ReturnType<typeof rsaKeyOf>>; ccsFinished: boolean; waitMs: number },
): Promise<RobotAnswer> {
  const block = paddedPremaster(o.variant, o.key.bytes, o.version);
  const encrypted = publicEncrypt({ key: o.key.key, padding: constants.RSA_NO_PADDING }, block);
  const flight = [clientKeyExchange(encrypted, o.version)];
  if (o.ccsFinished) flight.push(record(20, o.version, Buffer.from([1])), record(22, o.version, FINISHED));
  const t0 = Date.now();
  conn.write(Buffer.concat(flight));
  // Read on after an alert: whether the server then closes, resets or waits is part of the answer.
  const got = await readRecords(conn, o.waitMs, 32_768, () => false);
  const seen = got.records.map((r) => (r.type === 21 ? `alert ${r.payload[1] ?? '?'}` : `record ${r.type}`));
  const end = got.end === 'closed' ? (got.reset ? 'reset' : 'close') : got.end === 'silent' ? 'silence' : 'more data';
  return { signature: [...seen, end].join(', '), ms: Date.now() - t0 };
}
