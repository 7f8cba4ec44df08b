/**
 * SNAP minify(RequestBody) against its published definitions, and the wire: the bytes hashed into X-SIGNATURE are
 * the bytes a raw TCP server receives, and they equal the published minified form.
 *
 * Sources:
 * - DOKU, "Symmetric Signature" (SNAP), https://developers.doku.com/getting-started-with-doku-api/signature-component/snap/symmetric-signature
 *   — the "Before"/"After" body and "The result will be like this: 3274fab8…8977" (SHA-256 of the minified body).
 *   The "After" keeps the spaces inside "  088899" and "Jokul Doe": only whitespace between tokens goes.
 * - RFC 8259 §2: insignificant whitespace is ws = *( %x20 / %x09 / %x0A / %x0D ) around structural characters;
 *   §6 numbers and §7 strings are otherwise taken as written.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { parseChecksFile } from '../../../../src/config/load';
import type { ConfigProblem } from '../../../../src/errors';
import { minifyBody } from '../../../../src/probes/transaction/snap';
import { measurements, runFlow } from '../../../probes/transaction/helpers';

const DOKU_BEFORE = `{
   "partnerServiceId":"  088899",
   "customerNo":"12345678901234567890",
   "virtualAccountNo":"  08889912345678901234567890",
   "virtualAccountName":"Jokul Doe",
   "virtualAccountEmail":"jokul@email.com",
   "virtualAccountPhone":"6281828384858",
   "trxId":"abcdefgh1234",
   "totalAmount":{
      "value":"12345678.00",
      "currency":"IDR"
   }
}`;
const DOKU_AFTER =
  '{"partnerServiceId":"  088899","customerNo":"12345678901234567890","virtualAccountNo":"  08889912345678901234567890","virtualAccountName":"Jokul Doe","virtualAccountEmail":"jokul@email.com","virtualAccountPhone":"6281828384858","trxId":"abcdefgh1234","totalAmount":{"value":"12345678.00","currency":"IDR"}}';
const DOKU_SHA256 = '3274fab8dac896837b106a16da2a974e7e65142dcecb4b768ef0294102838977';

// Everything a parse-and-reserialise rewrites: decimals with trailing zeros, integers beyond 2^53, exponents,
// negative zero, escapes (\u00e9, a surrogate pair, \/), raw non-ASCII, whitespace and escaped quotes inside
// strings, nested and empty arrays and objects, CRLF and tabs between tokens.
const TRICKY = '{\r\n\t"amount" : 10000.00 ,\n  "id": 12345678901234567890,\n  "big": -98765432109876543210.50,\n  "exp": [ 1E+2 , 1.5e-7 , -0.0 , 0 ],\n  "esc": "caf\\u00e9 \\ud83d\\ude00 \\/ \\"q\\" \\\\",\n  "raw": "café 😀",\n  "spaced": "  a  b\\t ",\n  "nested": [ [ 1 , [ ] , { } ] , { "k" : [ null , true , false ] } ]\r\n}\n';
const TRICKY_MIN =
  '{"amount":10000.00,"id":12345678901234567890,"big":-98765432109876543210.50,"exp":[1E+2,1.5e-7,-0.0,0],"esc":"caf\\u00e9 \\ud83d\\ude00 \\/ \\"q\\" \\\\","raw":"café 😀","spaced":"  a  b\\t ","nested":[[1,[],{}],{"k":[null,true,false]}]}';

describe('SNAP minify against the published example and RFC 8259', () => {
  it("reproduces DOKU's published minified body and its SHA-256", () => {
    expect(minifyBody(DOKU_BEFORE)).toBe(DOKU_AFTER);
    expect(createHash('sha256').update(minifyBody(DOKU_BEFORE), 'utf8').digest('hex')).toBe(DOKU_SHA256);
  });

  it('removes only whitespace between tokens: numerals, escapes and string contents stay byte for byte', () => {
    expect(minifyBody(TRICKY)).toBe(TRICKY_MIN);
    // Same JSON value, and idempotent.
    expect(JSON.parse(minifyBody(TRICKY))).toEqual(JSON.parse(TRICKY));
    expect(minifyBody(TRICKY_MIN)).toBe(TRICKY_MIN);
  });

  it('leaves a body that is not JSON exactly as written, and an empty body empty', () => {
    expect(minifyBody('a=1 & b=2')).toBe('a=1 & b=2');
    expect(minifyBody('{"open": ')).toBe('{"open": ');
    expect(minifyBody(' \n')).toBe('');
    // Only RFC 8259 whitespace counts as empty: a no-break space is content, sent as written.
    expect(minifyBody('\u00a0')).toBe('\u00a0');
    expect(minifyBody(undefined)).toBe('');
  });
});

interface Captured {
  requestLine: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** A raw TCP server: reads each request's bytes itself (no HTTP library on the receiving side). */
function rawServer(reply: (c: Captured) => string): Promise<{ url: string; seen: Captured[]; close(): Promise<void> }> {
  const seen: Captured[] = [];
  const server = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [requestLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const len = Number(headers['content-length'] ?? 0);
      if (buf.length < end + 4 + len) return;
      const c = { requestLine, headers, body: buf.subarray(end + 4, end + 4 + len) };
      seen.push(c);
      const out = reply(c);
      sock.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(out)}\r\nConnection: close\r\n\r\n${out}`);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise<void>((r) => server.close(() => r())) }),
    ),
  );
}

describe('SNAP request on the wire', () => {
  it('sends exactly the bytes it hashed; openssl recomputes X-SIGNATURE from the captured request', async () => {
    const srv = await rawServer((c) => (c.requestLine.includes('access-token') ? '{"accessToken":"tok-abc","expiresIn":"900"}' : '{"responseCode":"2000000"}'));
    try {
      const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const secret = 'conformance-secret';
      const r = await runFlow(
        srv.url,
        {
          auth: { type: 'snap', clientId: 'c1', privateKey: '${env:K}', clientSecret: '${env:S}' },
          steps: [{ name: 'pay', method: 'POST', url: '/v1.0/debit/payment-host-to-host', body: TRICKY, expect: { status: [200] } }],
        },
        { env: { K: key, S: secret } },
      );
      expect(measurements(r).steps.map((s) => [s.name, s.result])).toEqual([['access-token', 'pass'], ['pay', 'pass']]);
      const pay = srv.seen.find((c) => c.requestLine.startsWith('POST /v1.0/debit/payment-host-to-host '))!;
      expect(pay.body.toString('utf8')).toBe(TRICKY_MIN);
      const digest = execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: pay.body }).toString().split(' ')[0];
      const stringToSign = `POST:/v1.0/debit/payment-host-to-host:tok-abc:${digest}:${pay.headers['x-timestamp']}`;
      const hmac = execFileSync('openssl', ['dgst', '-sha512', '-hmac', secret, '-binary'], { input: stringToSign }).toString('base64');
      expect(pay.headers['x-signature']).toBe(hmac);
      expect(Number(pay.headers['content-length'])).toBe(Buffer.byteLength(TRICKY_MIN, 'utf8'));
    } finally {
      await srv.close();
    }
  });
});

describe('a json: step body that YAML cannot carry exactly', () => {
  const file = (json: string) => `checks:
  - id: pay
    type: transaction
    target: https://api.example.co.id
    schedule: { every: 5m }
    element: efficiency
    options:
      steps:
        - name: pay
          method: POST
          url: /v1.0/debit/payment-host-to-host
          json: ${json}
`;
  it('refuses a 20-digit integer with the path and the fix, instead of sending 12345678901234567000', () => {
    const problems: ConfigProblem[] = [];
    expect(parseChecksFile('checks/pay.yaml', file('{ partnerReferenceNo: "PGW-1", id: 12345678901234567890 }'), {}, problems)).toEqual([]);
    expect(problems.map((p) => p.message).join('\n')).toMatch(/\$\.id is 12345678901234567000, beyond 2\^53: it cannot be sent as written; quote it or use body:/);
  });
  it('accepts the same id quoted (SNAP sends ids and amounts as strings)', () => {
    const problems: ConfigProblem[] = [];
    expect(parseChecksFile('checks/pay.yaml', file('{ id: "12345678901234567890", amount: { value: "10000.00", currency: IDR } }'), {}, problems)).toHaveLength(1);
    expect(problems).toEqual([]);
  });
});
