/**
 * A purpose-built TLS peer at the wire level, for behaviours no server that runs here can show (Debian's OpenSSL 3
 * has no heartbeat and refuses an early ChangeCipherSpec). It answers each ClientHello (RFC 5246 7.4.1.2) with a
 * ServerHello echoing the offered version and taking the first offered suite, echoing the heartbeat extension
 * (RFC 6520) when offered and `heartbeat` is set, then ServerHelloDone, and keeps the connection open. What it does
 * next is the vulnerable behaviour under test:
 * - `heartbleed`: a HeartbeatRequest is answered with a HeartbeatResponse of payload_length + 16 bytes of filler,
 *   whatever the request carried (what OpenSSL 1.0.1 before 1.0.1g did: it trusted payload_length);
 * - `ccs`: an early ChangeCipherSpec is taken silently (OpenSSL before 1.0.1h), and the next record fails to
 *   decrypt: fatal alert bad_record_mac (20).
 * Without either it behaves as a fixed server: heartbeat requests dropped, an early CCS answered by
 * unexpected_message (10).
 */
import net from 'node:net';

export interface WirePeer {
  port: number;
  /** Heartbeat requests and ChangeCipherSpec records received. */
  seen: { heartbeats: number; ccs: number };
  close(): void;
}

export function wirePeer(o: { heartbeat?: boolean; heartbleed?: boolean; ccs?: boolean }): Promise<WirePeer> {
  const seen = { heartbeats: 0, ccs: 0 };
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    let buf = Buffer.alloc(0);
    let version = 0x0303;
    let ccsTaken = false;
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf[0] !== 22 && buf[0] !== 20 && buf[0] !== 24) return s.destroy(); // SSLv2 or garbage: hang up
      while (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) {
        const type = buf[0];
        const body = buf.subarray(5, 5 + buf.readUInt16BE(3));
        buf = buf.subarray(5 + body.length);
        const rec = (t: number, payload: Buffer) =>
          Buffer.concat([Buffer.from([t, version >> 8, version & 0xff, payload.length >> 8, payload.length & 0xff]), payload]);
        if (type === 22 && body[0] === 1) {
          const hello = body.subarray(4);
          version = hello.readUInt16BE(0);
          let off = 2 + 32;
          off += 1 + hello[off];
          const cs = hello.readUInt16BE(off);
          const suite = hello.readUInt16BE(off + 2);
          off += 2 + cs;
          off += 1 + hello[off];
          const exts: number[] = [];
          if (off + 2 <= hello.length) {
            const end = off + 2 + hello.readUInt16BE(off);
            for (let p = off + 2; p + 4 <= end; p += 4 + hello.readUInt16BE(p + 2)) exts.push(hello.readUInt16BE(p));
          }
          const extBytes = o.heartbeat && exts.includes(15) ? Buffer.from([0, 15, 0, 1, 1]) : Buffer.alloc(0);
          const sh = Buffer.concat([
            Buffer.from([version >> 8, version & 0xff]),
            Buffer.alloc(32, 7),
            Buffer.from([0, suite >> 8, suite & 0xff, 0]),
            extBytes.length ? Buffer.concat([Buffer.from([0, extBytes.length]), extBytes]) : Buffer.alloc(0),
          ]);
          const hs = Buffer.concat([Buffer.from([2, 0, sh.length >> 8, sh.length & 0xff]), sh, Buffer.from([14, 0, 0, 0])]);
          s.write(rec(22, hs));
        } else if (type === 24) {
          seen.heartbeats++;
          if (o.heartbleed && body[0] === 1 && body.length >= 3) {
            const claimed = body.readUInt16BE(1);
            s.write(
              rec(24, Buffer.concat([Buffer.from([2, claimed >> 8, claimed & 0xff]), Buffer.alloc(Math.min(claimed + 16, 16384), 0x41)])),
            );
          }
        } else if (type === 20) {
          seen.ccs++;
          if (!o.ccs) return void s.end(rec(21, Buffer.from([2, 10])));
          if (ccsTaken) return void s.end(rec(21, Buffer.from([2, 20])));
          ccsTaken = true;
        }
      }
    });
  });
  return new Promise((resolve) =>
    srv.listen(0, '127.0.0.1', () =>
      resolve({
        port: (srv.address() as net.AddressInfo).port,
        seen,
        close: () => {
          for (const s of sockets) s.destroy();
          srv.close();
        },
      }),
    ),
  );
}
