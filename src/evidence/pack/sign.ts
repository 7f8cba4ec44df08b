/**
 * Signing the manifest. With `--key FILE` (a PEM private key: RSA, ECDSA or Ed25519) the operator's key signs;
 * otherwise an Ed25519 key pair is generated once under `<dataDir>/keys/` (private half mode 0600) and reused.
 * The public half always goes into the pack (public-key.pem) and its SHA-256 into the manifest; an auditor who
 * holds the operator's public key separately verifies with `--pubkey` to prove origin, not just integrity.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EvidencePackError } from '../../errors';
import { sha256Hex } from '../hash';

export interface SigningKey {
  privateKey: KeyObject;
  publicPem: string;
  algorithm: string;
  /** SHA-256 of the public key (SPKI DER), hex. */
  fingerprint: string;
  source: string;
}

export function digestFor(key: KeyObject): string | null {
  return key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448' ? null : 'sha256';
}

function algorithmOf(key: KeyObject): string {
  const t = key.asymmetricKeyType;
  if (t === 'ed25519' || t === 'ed448') return t;
  if (t === 'rsa' || t === 'rsa-pss') return `${t}-sha256`;
  if (t === 'ec') return 'ecdsa-sha256';
  throw new EvidencePackError(`unsupported signing key type ${t}; use RSA, ECDSA or Ed25519`);
}

export function fingerprintOf(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' }));
}

function fromPrivate(privateKey: KeyObject, source: string): SigningKey {
  const pub = createPublicKey(privateKey);
  return {
    privateKey,
    publicPem: pub.export({ type: 'spki', format: 'pem' }).toString(),
    algorithm: algorithmOf(privateKey),
    fingerprint: fingerprintOf(pub),
    source,
  };
}

export const GENERATED_KEY = path.join('keys', 'evidence-signing-ed25519.pem');

export function loadSigningKey(opts: { keyFile?: string; dataDir: string }): SigningKey {
  if (opts.keyFile) {
    try {
      return fromPrivate(createPrivateKey(readFileSync(opts.keyFile)), opts.keyFile);
    } catch (e) {
      if (e instanceof EvidencePackError) throw e;
      throw new EvidencePackError(`cannot read signing key ${opts.keyFile}: ${(e as Error).message}`);
    }
  }
  const file = path.join(opts.dataDir, GENERATED_KEY);
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    writeFileSync(file.replace(/\.pem$/, '.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  }
  try {
    return fromPrivate(createPrivateKey(readFileSync(file)), file);
  } catch (e) {
    throw new EvidencePackError(`cannot read the generated signing key ${file}: ${(e as Error).message}`);
  }
}

export function signBytes(key: SigningKey, data: Buffer): Buffer {
  return sign(digestFor(key.privateKey), data, key.privateKey);
}

export function verifyBytes(publicKey: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    return verify(digestFor(publicKey), data, publicKey, signature);
  } catch {
    return false;
  }
}
