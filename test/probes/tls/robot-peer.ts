/**
 * A purpose-built TLS 1.2 server at the wire level that reproduces a Bleichenbacher padding oracle (ROBOT): no
 * server that runs here has one (Debian's OpenSSL 3 answers every ClientKeyExchange alike, RFC 5246 7.4.7.1). It
 * answers a ClientHello (RFC 5246 7.4.1.2) offering an RSA key-exchange suite with ServerHello (that suite),
 * Certificate (a real RSA leaf) and ServerHelloDone, then decrypts the ClientKeyExchange with the leaf's private key
 * (`crypto.privateDecrypt`, RSA_NO_PADDING) and checks the PKCS#1 v1.5 block itself. What it answers is the mode:
 * - `strong`: first bytes not 00 02 → handshake_failure (40) and close; no 00 separator or a premaster that is not
 *   48 bytes → decode_error (50) and close; otherwise wait for Finished → bad_record_mac (20). The vulnerable
 *   behaviour of the paper: wrong paddings are told apart from each other and from a correct one.
 * - `weak`: any padding fault, version included → decrypt_error (51) at once; a correct block → bad_record_mac (20)
 *   on Finished. Only a correct padding stands out.
 * - `fixed`: every block is taken as a random premaster (implicit rejection): bad_record_mac (20) on Finished.
 * - `flaky`: as `fixed`, except that the first ClientKeyExchange it sees is answered by handshake_failure (40):
 *   noise that a repeat does not reproduce.
 * - `flight`: any padding fault → decrypt_error (51) at once; a correct block waits for Finished, then decrypt_error
 *   (51) too. With ChangeCipherSpec and Finished sent, all five look alike; the ClientKeyExchange alone shows the
 *   oracle (a correct padding is met with silence): the case testssl.sh's second flow, and ours, exist for.
 * A hello without an RSA key-exchange suite gets handshake_failure (40); anything that is not a TLS record, a hang-up.
 */
import { constants, privateDecrypt, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';

export type RobotMode = 'strong' | 'weak' | 'fixed' | 'flaky' | 'flight';

/** TLS_RSA_WITH_AES_128_GCM_SHA256, _256_GCM_SHA384, AES_128_CBC_SHA, AES_256_CBC_SHA, AES_128_CBC_SHA256 (RFC 5246 A.5, RFC 5288). */
const RSA_SUITES = new Set([0x009c, 0x009d, 0x002f, 0x0035, 0x003c]);

export interface RobotPeer {
  port: number;
  /** ClientKeyExchange messages received. */
  seen: { cke: number };
  close(): void;
}

export function robotPeer(mode: RobotMode, leaf: { cert: string; key: string }): Promise<RobotPeer> {
  const der = new X509Certificate(readFileSync(leaf.cert)).raw;
  const key = readFileSync(leaf.key);
  const seen = { cke: 0 };
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    let buf = Buffer.alloc(0);
    let version = 0x0303;
    let ccs = false;
    const rec = (t: number, payload: Buffer) =>
      Buffer.concat([Buffer.from([t, version >> 8, version & 0xff, payload.length >> 8, payload.length & 0xff]), payload]);
    const alert = (d: number) => s.end(rec(21, Buffer.from([2, d])));
    const hs = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type, 0, body.length >> 8, body.length & 0xff]), body]);
    const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf[0] < 20 || buf[0] > 23) return s.destroy(); // SSLv2 or garbage: hang up
      while (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) {
        const type = buf[0];
        const body = buf.subarray(5, 5 + buf.readUInt16BE(3));
        buf = buf.subarray(5 + body.length);
        if (type === 20) ccs = true;
        else if (type === 22 && ccs) {
          // Finished under keys we never derived: it cannot decrypt (a good padding gets this far).
          return alert(mode === 'flight' ? 51 : 20);
        } else if (type === 22 && body[0] === 1) {
          const hello = body.subarray(4);
          version = Math.min(hello.readUInt16BE(0), 0x0303);
          let off = 2 + 32;
          off += 1 + hello[off];
          const cs = hello.readUInt16BE(off);
          const offered = Array.from({ length: cs / 2 }, (_, i) => hello.readUInt16BE(off + 2 + 2 * i));
          const suite = offered.find((c) => RSA_SUITES.has(c));
          if (suite === undefined) return alert(40);
          const sh = Buffer.concat([
            Buffer.from([version >> 8, version & 0xff]),
            Buffer.alloc(32, 5),
            Buffer.from([0, suite >> 8, suite & 0xff, 0]),
          ]);
          const certs = Buffer.concat([u24(der.length + 3), u24(der.length), der]);
          s.write(rec(22, Buffer.concat([hs(2, sh), hs(11, certs), hs(14, Buffer.alloc(0))])));
        } else if (type === 22 && body[0] === 16) {
          seen.cke++;
          const encrypted = body.subarray(6, 6 + body.readUInt16BE(4));
          const block = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, encrypted);
          const sep = block.indexOf(0, 2);
          const firstBytes = block[0] === 0 && block[1] === 2;
          const structure = sep >= 10 && block.length - sep - 1 === 48;
          const versionOk = structure && block.readUInt16BE(sep + 1) === version;
          if (mode === 'strong') {
            if (!firstBytes) return alert(40);
            if (!structure) return alert(50);
          } else if (mode === 'weak' || mode === 'flight') {
            if (!(firstBytes && structure && versionOk)) return alert(51);
          } else if (mode === 'flaky' && seen.cke === 1) return alert(40);
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
