/**
 * STARTTLS preambles that turn a plain connection into one ready for a ClientHello: SMTP (RFC 3207),
 * IMAP (RFC 3501 6.2.1) and PostgreSQL's SSLRequest. Replies are read with a small byte cap.
 */
import { ProtocolError, StartTlsRefusedError } from '../../errors';
import type { Conn } from './transport';

export type StartTls = 'smtp' | 'imap' | 'postgres';

const MAX_PREAMBLE = 16 * 1024;

class LineReader {
  private buf = '';
  private total = 0;
  constructor(
    private readonly conn: Conn,
    private readonly what: string,
  ) {}
  async line(): Promise<string> {
    for (;;) {
      const i = this.buf.indexOf('\n');
      if (i >= 0) {
        const l = this.buf.slice(0, i).replace(/\r$/, '');
        this.buf = this.buf.slice(i + 1);
        return l;
      }
      const more = await this.conn.read();
      if (!more) throw new ProtocolError(`${this.what} server closed the connection during the STARTTLS exchange`);
      this.total += more.length;
      if (this.total > MAX_PREAMBLE) throw new ProtocolError(`${this.what} server sent more than ${MAX_PREAMBLE} bytes before TLS`);
      this.buf += more.toString('latin1');
    }
  }
}

/** Reads one SMTP reply (possibly multi-line "250-..."), returning code and lines. */
async function smtpReply(r: LineReader): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  for (;;) {
    const l = await r.line();
    const m = /^(\d{3})([ -])(.*)$/.exec(l);
    if (!m) throw new ProtocolError(`not an SMTP reply: ${JSON.stringify(l.slice(0, 80))}`);
    lines.push(m[3]);
    if (m[2] === ' ') return { code: Number(m[1]), lines };
  }
}

async function smtp(conn: Conn): Promise<void> {
  const r = new LineReader(conn, 'SMTP');
  const greeting = await smtpReply(r);
  if (greeting.code !== 220) throw new ProtocolError(`SMTP greeting ${greeting.code}, expected 220`);
  conn.write('EHLO pengawas.invalid\r\n');
  const ehlo = await smtpReply(r);
  if (ehlo.code !== 250) throw new ProtocolError(`SMTP EHLO answered ${ehlo.code}`);
  if (!ehlo.lines.some((l) => /^STARTTLS\b/i.test(l))) throw new StartTlsRefusedError('the SMTP server does not offer STARTTLS');
  conn.write('STARTTLS\r\n');
  const st = await smtpReply(r);
  if (st.code !== 220) throw new StartTlsRefusedError(`the SMTP server answered STARTTLS with ${st.code} ${st.lines[0] ?? ''}`.trim());
}

async function imap(conn: Conn): Promise<void> {
  const r = new LineReader(conn, 'IMAP');
  const greeting = await r.line();
  if (!/^\* (OK|PREAUTH)/i.test(greeting)) throw new ProtocolError(`not an IMAP greeting: ${JSON.stringify(greeting.slice(0, 80))}`);
  conn.write('p1 STARTTLS\r\n');
  for (;;) {
    const l = await r.line();
    if (l.startsWith('* ')) continue;
    const m = /^p1 (OK|NO|BAD)\b/i.exec(l);
    if (!m) throw new ProtocolError(`unexpected IMAP answer: ${JSON.stringify(l.slice(0, 80))}`);
    if (m[1].toUpperCase() !== 'OK') throw new StartTlsRefusedError(`the IMAP server refused STARTTLS: ${l.slice(0, 120)}`);
    return;
  }
}

/** PostgreSQL SSLRequest: Int32 length 8, Int32 code 80877103; the server answers one byte, S or N. */
async function postgres(conn: Conn): Promise<void> {
  const req = Buffer.alloc(8);
  req.writeInt32BE(8, 0);
  req.writeInt32BE(80877103, 4);
  conn.write(req);
  const answer = await conn.read();
  if (!answer) throw new ProtocolError('PostgreSQL server closed the connection after SSLRequest');
  if (answer[0] === 0x4e) throw new StartTlsRefusedError('the PostgreSQL server does not accept SSL (answered N to SSLRequest)');
  if (answer[0] !== 0x53 || answer.length !== 1)
    throw new ProtocolError(`unexpected answer to SSLRequest: ${answer.subarray(0, 8).toString('hex')}`);
}

export const STARTTLS: Record<StartTls, (conn: Conn) => Promise<void>> = { smtp, imap, postgres };
