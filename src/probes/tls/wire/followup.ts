/**
 * Records that follow a first flight (Heartbleed and CCS injection checks): raw record reading with a short wait,
 * bounded in bytes and time. Silence is a result here (a patched server may drop what it was sent), not an error.
 */
import { ProbeError } from '../../../errors';
import { verdictTimer, type VerdictTimer } from '../../../util/verdict-timer';
import type { Conn } from '../transport';

export interface RawRecord {
  type: number;
  version: number;
  /** Declared payload length (the payload itself is capped: a hostile peer cannot make us hold more). */
  length: number;
  payload: Buffer;
}

export interface Followup {
  records: RawRecord[];
  /** How the wait ended. */
  end: 'closed' | 'silent' | 'enough';
  /** The peer reset the connection (`end` is then 'closed'): ROBOT tells a reset from an orderly close. */
  reset?: boolean;
}

/**
 * Reads records for up to `waitMs` (or until `enough` says so, the peer closes, or `maxBytes` arrived); rejects when
 * the connection's own deadline or the check's cancellation ends it first (that is not the peer's answer). Bytes that
 * arrived while this process was stalled past the wait still count (util/verdict-timer.ts): ROBOT's 100 ms wait
 * would otherwise read a real answer as silence (test/probes/tls/followup-stall.test.ts).
 */
export async function readRecords(conn: Conn, waitMs: number, maxBytes: number, enough: (r: RawRecord[]) => boolean): Promise<Followup> {
  let buf = Buffer.alloc(0);
  let total = 0;
  const records: RawRecord[] = [];
  const deadline = Date.now() + waitMs;
  for (;;) {
    let timer: VerdictTimer | undefined;
    let reset = false;
    const chunk = await Promise.race([
      conn.read().catch((e: unknown) => {
        // The connection's own deadline or the check's cancellation is no answer from the peer: the caller's check
        // stays undecided. (It used to read as the peer closing: a Heartbleed "closed", a ROBOT "close".)
        if (e instanceof ProbeError) throw e;
        const code = (e as NodeJS.ErrnoException).code;
        reset = code === 'ECONNRESET' || code === 'EPIPE';
        return null;
      }),
      new Promise<'timeout'>((r) => (timer = verdictTimer(deadline - Date.now(), () => r('timeout')))),
    ]);
    timer?.cancel();
    if (chunk === 'timeout') return { records, end: 'silent' };
    if (chunk === null) return reset ? { records, end: 'closed', reset } : { records, end: 'closed' };
    total += chunk.length;
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 5) {
      const length = buf.readUInt16BE(3);
      if (buf.length < 5 + length && total < maxBytes) break;
      records.push({ type: buf[0], version: buf.readUInt16BE(1), length, payload: buf.subarray(5, 5 + length) });
      buf = buf.subarray(Math.min(buf.length, 5 + length));
    }
    if (enough(records) || total >= maxBytes) return { records, end: 'enough' };
  }
}

/** A TLS record of `type` with the given version and payload. */
export function record(type: number, version: number, payload: Buffer): Buffer {
  const h = Buffer.from([type, version >> 8, version & 0xff, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([h, payload]);
}
