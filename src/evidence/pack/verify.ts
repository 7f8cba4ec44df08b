/**
 * `pengawas evidence verify DIR`: checks the manifest's signature, then the SHA-256 and size of every file it
 * lists, and that the folder holds nothing else. Each problem names the file.
 *
 * The key shipped inside the pack proves integrity only: whoever edits the files can re-sign with a fresh key
 * and swap public-key.pem. Origin needs a key from outside the pack: `publicKeyFile` (--pubkey), or a trusted
 * key or fingerprint from the settings. Without one the result's trust is `unverified` and names the signer's
 * fingerprint; `evidence verify DIR --store` can still vouch for it from the store's `#signers` stream.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { sha256Hex } from '../hash';
import type { Manifest } from './manifest';
import { fingerprintOf, verifyBytes } from './sign';
import { findTrusted, type TrustedKey } from './trust';

export interface PackProblem {
  file: string;
  problem: string;
}

/** Who signed the pack, as far as a key from outside the pack can tell (only when the signature verified). */
export type PackTrust =
  | { status: 'trusted'; fingerprint: string; by: string; source: 'pubkey' | 'settings' | 'store' }
  | { status: 'unverified'; fingerprint: string; reason: string };

export interface PackVerification {
  /** Integrity: the signature verifies over the manifest and every file matches it. Origin is `trust`. */
  ok: boolean;
  problems: PackProblem[];
  manifest?: Manifest;
  filesChecked: number;
  trust?: PackTrust;
}

export interface VerifyOptions {
  /** --pubkey: the signature must come from this key. */
  publicKeyFile?: string;
  /** Trusted pack keys from the settings (trust.ts). */
  trusted?: TrustedKey[];
}

const SIGNED_SEPARATELY = new Set(['manifest.json', 'manifest.sig']);

export function verifyPack(dir: string, opts: VerifyOptions = {}): PackVerification {
  const problems: PackProblem[] = [];
  let trust: PackTrust | undefined;
  const done = (manifest?: Manifest, filesChecked = 0): PackVerification => ({
    ok: problems.length === 0,
    problems,
    manifest,
    filesChecked,
    ...(trust ? { trust } : {}),
  });
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return (problems.push({ file: dir, problem: 'not a folder' }), done());
  const read = (name: string): Buffer | undefined => {
    try {
      return readFileSync(path.join(dir, name));
    } catch {
      problems.push({ file: name, problem: 'missing' });
      return undefined;
    }
  };
  const manifestBytes = read('manifest.json');
  const sigText = read('manifest.sig');
  if (!manifestBytes || !sigText) return done();
  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    if (!Array.isArray(manifest.files) || !manifest.signature) throw new Error('no files or signature section');
  } catch (e) {
    problems.push({ file: 'manifest.json', problem: `not a valid manifest (${(e as Error).message}); the file was altered` });
    return done();
  }
  let key: KeyObject | undefined;
  const keyName = manifest.signature.publicKeyFile || 'public-key.pem';
  try {
    key = createPublicKey(opts.publicKeyFile ? readFileSync(opts.publicKeyFile) : (read(keyName) ?? ''));
  } catch (e) {
    problems.push({ file: opts.publicKeyFile ?? keyName, problem: `not a readable public key (${(e as Error).message.split('\n')[0]})` });
  }
  if (key) {
    if (fingerprintOf(key) !== manifest.signature.publicKeySha256) {
      problems.push({ file: opts.publicKeyFile ?? keyName, problem: 'public key does not match the one named in manifest.json' });
    } else if (!verifyBytes(key, manifestBytes, Buffer.from(sigText.toString('utf8').trim(), 'base64'))) {
      problems.push({
        file: 'manifest.json',
        problem: 'signature in manifest.sig does not verify over manifest.json (one of the two was altered)',
      });
    } else trust = trustOf(fingerprintOf(key), opts);
  }
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    if (f.path.includes('/') || f.path.includes('\\') || f.path.startsWith('.')) {
      problems.push({ file: f.path, problem: 'manifest names a path outside the pack' });
      continue;
    }
    const buf = read(f.path);
    if (!buf) continue;
    if (buf.length !== f.bytes || sha256Hex(buf) !== f.sha256)
      problems.push({ file: f.path, problem: 'SHA-256 does not match manifest.json (the file was altered)' });
  }
  for (const name of readdirSync(dir)) {
    if (!listed.has(name) && !SIGNED_SEPARATELY.has(name))
      problems.push({ file: name, problem: 'not listed in manifest.json (added after signing)' });
  }
  return done(manifest, manifest.files.length);
}

/** A verified signature's origin: the --pubkey given, a configured key, or nobody outside the pack. */
function trustOf(fingerprint: string, opts: VerifyOptions): PackTrust {
  if (opts.publicKeyFile) return { status: 'trusted', fingerprint, by: opts.publicKeyFile, source: 'pubkey' };
  const t = findTrusted(opts.trusted ?? [], fingerprint);
  if (t) return { status: 'trusted', fingerprint, by: t.name, source: 'settings' };
  const reason = opts.trusted?.length
    ? `signed by key sha256 ${fingerprint}, which is none of the ${opts.trusted.length} trusted pack keys in the settings`
    : `signed by key sha256 ${fingerprint}, shipped inside the pack; no trusted key (--pubkey or evidence.trustedPackKeys) vouches for it`;
  return { status: 'unverified', fingerprint, reason };
}
