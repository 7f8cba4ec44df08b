/**
 * TOTP (RFC 6238) through otplib 13's TOTP engine with node:crypto and a small RFC 4648 base32 codec as plugins.
 * `otplib`'s default entry point pulls in ESM-only plugins (@noble/hashes, @scure/base) that CommonJS runtimes
 * before Node 20.19, and Jest, cannot require; @otplib/totp and @otplib/core (otplib's own packages) are CommonJS-safe.
 */
import { createBase32Plugin, createCryptoPlugin } from '@otplib/core';
import { generateSync, verifySync } from '@otplib/totp';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(data: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Uint8Array {
  const clean = text.replace(/[\s=]+/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) throw new Error('invalid base32 character');
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

const crypto = createCryptoPlugin({
  name: 'node',
  hmac: (algorithm, key, data) => new Uint8Array(createHmac(algorithm, key).update(data).digest()),
  randomBytes: (length) => new Uint8Array(randomBytes(length)),
  constantTimeEqual: (a: string | Uint8Array, b: string | Uint8Array) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  },
});
const base32 = createBase32Plugin({ name: 'rfc4648', encode: base32Encode, decode: base32Decode });

export interface TotpSettings {
  digits?: 6 | 7 | 8;
  period?: number;
  algorithm?: 'sha1' | 'sha256' | 'sha512';
}

export function totpCode(seed: string, s: TotpSettings = {}, epoch?: number): string {
  return generateSync({
    secret: seed,
    crypto,
    base32,
    digits: s.digits ?? 6,
    period: s.period ?? 30,
    algorithm: s.algorithm ?? 'sha1',
    epoch,
  });
}

/** Accepts codes one period either side (transmission delay, clock skew). */
export function totpValid(seed: string, token: string, s: TotpSettings = {}): boolean {
  const period = s.period ?? 30;
  return verifySync({
    secret: seed,
    token,
    crypto,
    base32,
    digits: s.digits ?? 6,
    period,
    algorithm: s.algorithm ?? 'sha1',
    epochTolerance: period,
  }).valid;
}

/** A new base32 seed (160 bits, RFC 4226's recommended length). */
export function newTotpSeed(): string {
  return base32Encode(randomBytes(20));
}
