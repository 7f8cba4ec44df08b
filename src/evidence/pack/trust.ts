/**
 * Trusted keys: the anchors outside a pack or a record that say who signed it. Pack signers (settings
 * `evidence.trustedPackKeys`) are given as a PEM, a PEM file or the SHA-256 of the key (SPKI DER, hex, as
 * `evidence build` prints it); operator keys (`evidence.operatorKeys`, for signed waivers and attestations) as a
 * PEM or a PEM file, since their signatures are checked without a pack to ship the key.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EvidencePackError } from '../../errors';
import { fingerprintOf } from './sign';

export interface KeySetting {
  name: string;
  pem?: string;
  file?: string;
  sha256?: string;
}

export interface TrustedKey {
  name: string;
  /** SHA-256 of the public key (SPKI DER), lower-case hex. */
  fingerprint: string;
  /** Absent when only the fingerprint was configured. */
  publicKey?: KeyObject;
}

/** Resolves configured keys; `where` names the setting in error messages. */
export function resolveKeys(settings: KeySetting[] | undefined, where: string, opts: { fingerprintOnly: boolean }): TrustedKey[] {
  return (settings ?? []).map((k, i) => {
    const at = `${where}[${i}] (${k.name || 'unnamed'})`;
    const given = [k.pem, k.file, k.sha256].filter((x) => x !== undefined).length;
    if (given !== 1) throw new EvidencePackError(`${at}: give exactly one of pem, file${opts.fingerprintOnly ? ', sha256' : ''}`);
    if (k.sha256 !== undefined) {
      if (!opts.fingerprintOnly)
        throw new EvidencePackError(`${at}: an operator key needs the public key itself (pem or file), not only its sha256`);
      const fp = k.sha256
        .replace(/^sha256:/i, '')
        .replace(/:/g, '')
        .toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(fp)) throw new EvidencePackError(`${at}: sha256 must be 64 hex digits, got "${k.sha256}"`);
      return { name: k.name, fingerprint: fp };
    }
    const publicKey = readPublicKey(k.pem ?? '', k.file, at);
    return { name: k.name, fingerprint: fingerprintOf(publicKey), publicKey };
  });
}

/** A public key from PEM text or a file (a private key file is refused: it must not sit in the settings). */
export function readPublicKey(pem: string, file: string | undefined, what: string): KeyObject {
  let text = pem;
  if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new EvidencePackError(`${what}: cannot read ${file}: ${(e as Error).message}`);
    }
  }
  if (/PRIVATE KEY/.test(text)) throw new EvidencePackError(`${what}: holds a private key; give the public key only`);
  try {
    return createPublicKey(text);
  } catch (e) {
    throw new EvidencePackError(`${what}: not a PEM public key (${(e as Error).message.split('\n')[0]})`);
  }
}

export function findTrusted(keys: TrustedKey[], fingerprint: string): TrustedKey | undefined {
  return keys.find((k) => k.fingerprint === fingerprint);
}
