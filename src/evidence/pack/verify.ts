/**
 * `pengawas evidence verify DIR`: checks the manifest's signature, then the SHA-256 and size of every file it
 * lists, and that the folder holds nothing else. Each problem names the file. With `publicKeyFile` the signature
 * must come from that key (origin), not just from the key shipped inside the pack (integrity).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { sha256Hex } from '../hash';
import type { Manifest } from './build';
import { fingerprintOf, verifyBytes } from './sign';

export interface PackProblem {
  file: string;
  problem: string;
}

export interface PackVerification {
  ok: boolean;
  problems: PackProblem[];
  manifest?: Manifest;
  filesChecked: number;
}

const SIGNED_SEPARATELY = new Set(['manifest.json', 'manifest.sig']);

export function verifyPack(dir: string, opts: { publicKeyFile?: string } = {}): PackVerification {
  const problems: PackProblem[] = [];
  const done = (manifest?: Manifest, filesChecked = 0): PackVerification => ({ ok: problems.length === 0, problems, manifest, filesChecked });
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
    key = createPublicKey(opts.publicKeyFile ? readFileSync(opts.publicKeyFile) : read(keyName) ?? '');
  } catch (e) {
    problems.push({ file: opts.publicKeyFile ?? keyName, problem: `not a readable public key (${(e as Error).message.split('\n')[0]})` });
  }
  if (key) {
    if (fingerprintOf(key) !== manifest.signature.publicKeySha256) {
      problems.push({ file: opts.publicKeyFile ?? keyName, problem: 'public key does not match the one named in manifest.json' });
    } else if (!verifyBytes(key, manifestBytes, Buffer.from(sigText.toString('utf8').trim(), 'base64'))) {
      problems.push({ file: 'manifest.json', problem: 'signature in manifest.sig does not verify over manifest.json (one of the two was altered)' });
    }
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
    if (buf.length !== f.bytes || sha256Hex(buf) !== f.sha256) problems.push({ file: f.path, problem: 'SHA-256 does not match manifest.json (the file was altered)' });
  }
  for (const name of readdirSync(dir)) {
    if (!listed.has(name) && !SIGNED_SEPARATELY.has(name)) problems.push({ file: name, problem: 'not listed in manifest.json (added after signing)' });
  }
  return done(manifest, manifest.files.length);
}
