/**
 * The cipher-suite registry (generated data in ./data/ciphers.ts) and its classification.
 * insecure: no or broken encryption/authentication (NULL, EXPORT, anonymous, RC4, RC2, single DES, < 112 bits);
 * weak: works but falls short of current guidance (3DES/IDEA 64-bit blocks, CBC, no forward secrecy, MD5/SHA-1 MAC);
 * recommended: AEAD with forward secrecy, and every TLS 1.3 suite.
 */
import { CIPHER_ROWS } from './data/ciphers';

export type Strength = 'insecure' | 'weak' | 'recommended';

export interface CipherSuite {
  code: number;
  /** IANA name (OpenSSL's name for the few private-use suites IANA does not list). */
  name: string;
  openssl: string;
  /** Lowest protocol the suite exists in: SSLv3, TLSv1, TLSv1.2 or TLSv1.3. */
  minProtocol: string;
  kx: string;
  au: string;
  enc: string;
  bits: number;
  mac: string;
  export: boolean;
  aead: boolean;
  cbc: boolean;
  forwardSecret: boolean;
  strength: Strength;
  /** Why the suite is not recommended, e.g. ["CBC", "no forward secrecy"]. */
  weaknesses: string[];
}

const STREAM_OR_AEAD = /^(RC4|None|ChaCha20|AESGCM|AESCCM|AESCCM8|ARIAGCM|CamelliaGCM|GOST)$/;

function classify(s: Omit<CipherSuite, 'strength' | 'weaknesses' | 'aead' | 'cbc' | 'forwardSecret'>) {
  const aead = s.mac === 'AEAD';
  const cbc = !STREAM_OR_AEAD.test(s.enc);
  // TLS 1.3 suites always use (EC)DHE; CECPQ1 was a hybrid ephemeral experiment.
  const forwardSecret = s.kx === 'any' || /^(DH|ECDH|DHEPSK|ECDHEPSK|CECPQ1)$/.test(s.kx) || s.kx.startsWith('DH(');
  const insecure: string[] = [];
  if (s.enc === 'None') insecure.push('NULL encryption');
  if (s.export) insecure.push('EXPORT grade');
  if (s.au === 'None') insecure.push('anonymous (no authentication)');
  if (s.enc === 'RC4') insecure.push('RC4');
  if (s.enc === 'RC2') insecure.push('RC2');
  if (s.enc === 'DES') insecure.push('single DES');
  if (s.mac === 'MD5' && !insecure.length) insecure.push('MD5 MAC');
  if (s.bits > 0 && s.bits < 112 && !insecure.length) insecure.push(`${s.bits}-bit encryption`);
  if (insecure.length) return { aead, cbc, forwardSecret, strength: 'insecure' as const, weaknesses: insecure };
  const weak: string[] = [];
  if (s.enc === '3DES' || s.enc === 'IDEA') weak.push('64-bit block cipher (SWEET32)');
  if (cbc) weak.push('CBC');
  if (!forwardSecret) weak.push('no forward secrecy');
  if (!aead && s.mac === 'SHA1') weak.push('SHA-1 MAC');
  return { aead, cbc, forwardSecret, strength: weak.length ? ('weak' as const) : ('recommended' as const), weaknesses: weak };
}

export const CIPHERS: readonly CipherSuite[] = CIPHER_ROWS.map(([code, iana, openssl, minProtocol, kx, au, enc, bits, mac, exp]) => {
  const base = { code, name: iana === '-' ? openssl : iana, openssl, minProtocol, kx, au, enc, bits, mac, export: exp === 1 };
  return { ...base, ...classify(base) };
});

const BY_CODE = new Map(CIPHERS.map((c) => [c.code, c]));
const BY_NAME = new Map(
  CIPHERS.flatMap(
    (c) =>
      [
        [c.name.toUpperCase(), c],
        [c.openssl.toUpperCase(), c],
      ] as Array<[string, CipherSuite]>,
  ).filter(([k]) => k),
);

export function cipherByCode(code: number): CipherSuite | undefined {
  return BY_CODE.get(code);
}

/** Looks a suite up by IANA or OpenSSL name (case-insensitive). */
export function cipherByName(name: string): CipherSuite | undefined {
  return BY_NAME.get(name.toUpperCase());
}

export function hexCode(code: number): string {
  return `0x${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Suites a ClientHello for `protocol` may offer: TLS 1.3 has its own five; TLS 1.2 adds AEAD/SHA-2 suites. */
export function suitesFor(protocol: string): CipherSuite[] {
  if (protocol === 'TLSv1.3') return CIPHERS.filter((c) => c.minProtocol === 'TLSv1.3');
  const tls12 = protocol === 'TLSv1.2';
  return CIPHERS.filter((c) => c.minProtocol !== 'TLSv1.3' && (tls12 || c.minProtocol !== 'TLSv1.2'));
}
