/**
 * Heartbleed (CVE-2014-0160): after a handshake that negotiated the heartbeat extension (RFC 6520), one
 * HeartbeatRequest record claiming a 16384-byte payload while carrying none (type 24: 01 40 00, as testssl.sh
 * sends it). A fixed server silently drops it (RFC 6520 4: payload_length too large → discard); a vulnerable one
 * answers with a heartbeat record holding its own memory. Only the length is looked at, the leaked bytes are
 * dropped unread.
 */
import type { Conn } from '../transport';
import { readRecords, record } from './followup';

export interface HeartbleedAnswer {
  vulnerable: boolean | null;
  /** What came back: "heartbeat response of N bytes", an alert, "silence", "closed". */
  answer: string;
}

const HEARTBEAT = 24;
/** The heartbeat record carries 3 bytes: type request (1), payload_length 0x4000, no payload. */
const REQUEST = Buffer.from([1, 0x40, 0x00]);
/** A response longer than type + length + the 16 bytes of minimum padding echoes memory we never sent. */
const HONEST_MAX = 3 + 16;

export async function heartbleed(conn: Conn, version: number, waitMs: number): Promise<HeartbleedAnswer> {
  conn.write(record(HEARTBEAT, version, REQUEST));
  const got = await readRecords(conn, waitMs, 20_000, (rs) => rs.some((r) => r.type === HEARTBEAT || r.type === 21));
  const hb = got.records.find((r) => r.type === HEARTBEAT);
  if (hb) return { vulnerable: hb.length > HONEST_MAX, answer: `heartbeat response of ${hb.length} bytes to a request carrying 0` };
  const alert = got.records.find((r) => r.type === 21);
  if (alert) return { vulnerable: false, answer: `alert ${alert.payload[1] ?? '?'}` };
  // Silence and a close are what RFC 6520 tells a fixed server to do.
  return { vulnerable: false, answer: got.end === 'closed' ? 'closed' : `silence for ${waitMs} ms (request dropped)` };
}
