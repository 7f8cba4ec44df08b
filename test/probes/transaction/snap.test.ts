/**
 * SNAP signatures against independent references: the worked example a PJP publishes for the token signature,
 * and openssl for the SHA-256 body digest and the HMAC-SHA512 transaction signature.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  asymmetricStringToSign,
  minifyBody,
  signAsymmetric,
  signSymmetric,
  symmetricStringToSign,
  verifyAsymmetric,
  verifySymmetric,
} from '../../../src/probes/transaction/snap';
import { offsetTimestamp } from '../../../src/probes/transaction/template';

// Published sample key and result from https://docs.qoinhub.id/reference/asymmetric-in-b2b-access-token
// (a documentation example key, not a secret).
const QOIN_KEY = `-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQCyv//t/knkJRMRVgD37Bq2RTHVxC6kZmw8t0L3j23wFajGbh8W
dUy9PvibmLUdWXNWPqvvu0cDnA+QHXfUwnsrVy7ia0kje2h7wj/bM4LSzRziqljF
8th5d1Spqbqxq9HnrOxKjZAHxlzMfGrJFHin6Jhjy3c1bNhhFeEqeqY6RwIDAQAB
AoGBAKVYMRcm15bwLHkmwvKSNgtQak7AkByGmax4ILv6sskYX+xdROhzTK7ppvHX
CgHCEow+oLC63W+bVlIK0CPAWkkpx6zE/W/NaQseJJ/p8OwZHJ0IIFj9qjicWiWn
bbGm6dN0yHAwU8ssLqH9OEJ7Qp+bAFukU0U/pjYiqLUioP0BAkEA6OMzoKv/B9TR
c80VH0CSui4j0OJFZBqJglRZumDYhm8x6gn/ACpEJvM43iTbA7Llm9pyCaq7KBV2
L2zTsOUChwJBAMR9XfIWqlSTxdfWP3Wga6mYBg191BHDvzJ3Zc+y7gNTcml8YDUd
JkLUonVGu8ox5SPj0AE7K3cxhBYIzugiOkECQQCgLNwubv2qUjp47h3P7+a6/M8P
dQEK96GKLR/Fq6Rg2gu3j4Z+g5N6QqDjUO/93EZF6nmyomW1DQXLWotCyE/zAkBF
4LvnW44p0//ZOZWJ9Io1Xx5P7/7abn3xqaqoid7Bigy3XQct/Hbd75bzFDu2tbXi
5KLVvUBA/HgYCfvjbEDBAkEA0PqCZZCUFaxAB5nyDlY9Zk9wRO06ExcBubFqZfKV
Wn7gwb7l5AO4yt8+O1FUvcyDynFHLcHQeARRDGyLIiSzyA==
-----END RSA PRIVATE KEY-----`;
const QOIN_SIGNATURE =
  'X6SoppGIO6kzJtmV8iempgTAVWR89byQPwsLe/QNDux2Hwg6iii9ecyBKy1mLze0coKchdLSjzMAtBNPbyrHytqaeSL2BSf9nvteoKc6BpMvTf1ISZIQ+nnKROSnLG1q41jweC7rDcoFkBr/vD5Dk93V2Ffd86m9lGhLtS4ysn4=';

function openssl(args: string[], input: string): string {
  return execFileSync('openssl', args, { input }).toString();
}

describe('SNAP asymmetric (access token) signature', () => {
  it('reproduces the published worked example byte for byte', () => {
    expect(asymmetricStringToSign('7fb118fb-2738-4886-9817-8a2c4de43001', '2024-05-17T14:12:50+07:00')).toBe(
      '7fb118fb-2738-4886-9817-8a2c4de43001|2024-05-17T14:12:50+07:00',
    );
    expect(signAsymmetric(QOIN_KEY, '7fb118fb-2738-4886-9817-8a2c4de43001', '2024-05-17T14:12:50+07:00')).toBe(QOIN_SIGNATURE);
  });

  it('refuses a key that is not an RSA private key with a credentials error', () => {
    expect(() => signAsymmetric('not a key', 'c', 't')).toThrow(expect.objectContaining({ code: 'PROBE_CREDENTIALS' }));
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => signAsymmetric(ec, 'c', 't')).toThrow(/expected RSA/);
  });

  it('verifies (node-forge) what it signs (node:crypto), and not with another key, client id or timestamp', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const priv = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const sig = signAsymmetric(priv, 'client-1', '2026-11-28T10:15:00+07:00');
    expect(verifyAsymmetric(pub, 'client-1', '2026-11-28T10:15:00+07:00', sig)).toBe(true);
    expect(verifyAsymmetric(other, 'client-1', '2026-11-28T10:15:00+07:00', sig)).toBe(false);
    expect(verifyAsymmetric(pub, 'client-2', '2026-11-28T10:15:00+07:00', sig)).toBe(false);
    expect(verifyAsymmetric(pub, 'client-1', '2026-11-28T10:15:01+07:00', sig)).toBe(false);
    // openssl agrees (PKCS#1 v1.5 over SHA-256 of the string to sign)
    const dir = mkdtempSync(path.join(os.tmpdir(), 'snap-'));
    try {
      writeFileSync(path.join(dir, 'k.pem'), priv, { mode: 0o600 });
      const viaOpenssl = execFileSync('bash', ['-c', 'printf %s "$MSG" | openssl dgst -sha256 -sign "$DIR/k.pem" | base64 -w0'], {
        env: { ...process.env, MSG: 'client-1|2026-11-28T10:15:00+07:00', DIR: dir },
      }).toString();
      expect(viaOpenssl).toBe(sig);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts a bare base64 PKCS#8 or PKCS#1 body as handed out by SNAP portals', () => {
    const pkcs1 = QOIN_KEY.split('\n').slice(1, -1).join('');
    expect(signAsymmetric(pkcs1, '7fb118fb-2738-4886-9817-8a2c4de43001', '2024-05-17T14:12:50+07:00')).toBe(QOIN_SIGNATURE);
    const pkcs8 = openssl(['pkcs8', '-topk8', '-nocrypt'], QOIN_KEY);
    const bare = pkcs8
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('');
    expect(signAsymmetric(bare, '7fb118fb-2738-4886-9817-8a2c4de43001', '2024-05-17T14:12:50+07:00')).toBe(QOIN_SIGNATURE);
  });
});

describe('SNAP symmetric (transaction) signature', () => {
  const body = '{\n  "partnerReferenceNo": "2020102900000000000001",\n  "amount": { "value": "12345.00", "currency": "IDR" }\n}';

  it('builds METHOD:path:token:sha256hex(minified body):timestamp', () => {
    const minified = minifyBody(body);
    expect(minified).toBe('{"partnerReferenceNo":"2020102900000000000001","amount":{"value":"12345.00","currency":"IDR"}}');
    const digest = openssl(['dgst', '-sha256', '-r'], minified).split(' ')[0];
    const s = symmetricStringToSign({
      method: 'post',
      endpointUrl: '/v1.0/debit/payment-host-to-host',
      accessToken: 'tok123',
      minifiedBody: minified,
      timestamp: '2026-11-28T10:15:00+07:00',
    });
    expect(s).toBe(`POST:/v1.0/debit/payment-host-to-host:tok123:${digest}:2026-11-28T10:15:00+07:00`);
    // An empty body (GET) hashes the empty string.
    expect(
      symmetricStringToSign({
        method: 'GET',
        endpointUrl: '/v1.0/x?a=1',
        accessToken: 't',
        minifiedBody: minifyBody(undefined),
        timestamp: 'ts',
      }),
    ).toBe('GET:/v1.0/x?a=1:t:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855:ts');
  });

  it('is base64(HMAC-SHA512(secret, stringToSign)) as openssl computes it', () => {
    const p = {
      method: 'POST',
      endpointUrl: '/v1.0/debit/status',
      accessToken: 'abc',
      minifiedBody: minifyBody(body),
      timestamp: '2026-11-28T10:15:00+07:00',
    };
    const viaOpenssl = execFileSync('bash', ['-c', 'printf %s "$MSG" | openssl dgst -sha512 -hmac "$KEY" -binary | base64 -w0'], {
      env: { ...process.env, MSG: symmetricStringToSign(p), KEY: 's3cret-key' },
    }).toString();
    expect(signSymmetric('s3cret-key', p)).toBe(viaOpenssl);
    expect(verifySymmetric('s3cret-key', p, viaOpenssl)).toBe(true);
    expect(verifySymmetric('other-key', p, viaOpenssl)).toBe(false);
    expect(verifySymmetric('s3cret-key', { ...p, minifiedBody: p.minifiedBody.replace('12345', '99999') }, viaOpenssl)).toBe(false);
  });

  it('writes X-TIMESTAMP in Jakarta time with its offset', () => {
    expect(offsetTimestamp(new Date('2026-11-28T03:15:00.123Z'), '+07:00')).toBe('2026-11-28T10:15:00+07:00');
    expect(offsetTimestamp(new Date('2026-11-28T03:15:00Z'), '-03:30')).toBe('2026-11-27T23:45:00-03:30');
  });
});
