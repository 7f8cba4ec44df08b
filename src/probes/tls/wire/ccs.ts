/**
 * CCS injection (CVE-2014-0224): after the server's first flight, a ChangeCipherSpec before any key exchange,
 * then a second one, as testssl.sh does. A fixed server answers the first with a fatal unexpected_message (10)
 * (or handshake_failure, 40); a vulnerable one takes it, switches to keys derived from an empty master secret and
 * fails to decrypt the second: bad_record_mac (20) or decryption_failed (21).
 */
import type { Conn } from '../transport';
import { readRecords, record } from './followup';

export interface CcsAnswer {
  vulnerable: boolean | null;
  answer: string;
}

const CCS = 20;
const ALERT = 21;
const FIXED = new Set([10, 40]);
const TAKEN = new Set([20, 21]);

export async function ccsInjection(conn: Conn, version: number, waitMs: number): Promise<CcsAnswer> {
  const alertOf = async () => {
    const got = await readRecords(conn, waitMs, 4096, (rs) => rs.some((r) => r.type === ALERT));
    const a = got.records.find((r) => r.type === ALERT);
    return { description: a ? a.payload[1] : undefined, end: got.end };
  };
  conn.write(record(CCS, version, Buffer.from([1])));
  let a = await alertOf();
  let step = 'the first';
  if (a.description === undefined && a.end !== 'closed') {
    conn.write(record(CCS, version, Buffer.from([1])));
    a = await alertOf();
    step = 'the second';
  }
  if (a.description === undefined)
    return {
      vulnerable: null,
      answer:
        a.end === 'closed'
          ? `closed after ${step} ChangeCipherSpec without an alert`
          : `no alert within ${waitMs} ms of ${step} ChangeCipherSpec`,
    };
  const answer = `alert ${a.description} after ${step} ChangeCipherSpec`;
  if (FIXED.has(a.description)) return { vulnerable: false, answer };
  if (TAKEN.has(a.description)) return { vulnerable: true, answer };
  return { vulnerable: null, answer };
}
