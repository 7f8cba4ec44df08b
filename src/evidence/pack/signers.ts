/**
 * The `#signers` stream: the store's own list of every key that signed one of its packs (fingerprint, algorithm,
 * public key, when first used), hash-chained like every other record and anchored by each later pack. A pack
 * re-signed with another key after the fact names a fingerprint the store never recorded, which
 * `evidence verify DIR --store` reports. Rotation appends the new key; old keys stay listed, so old packs still
 * verify against the store.
 */
import { appendRecord, lockHead } from '../chain';
import type { Queryable } from '../db/types';
import { canonicalJson } from '../hash';
import type { SigningKey } from './sign';

export const SIGNER_STREAM = '#signers';

export interface SignerRecord {
  fingerprint: string;
  algorithm: string;
  publicKey: string;
  firstUsedAt: string;
  /** The month of the first pack it signed. */
  firstMonth: string;
}

export interface ListedSigner extends SignerRecord {
  seq: number;
}

/** Appends the key unless the store lists it already. Returns true when it was new. */
export async function recordSigner(tx: Queryable, key: SigningKey, month: string, now: Date): Promise<boolean> {
  // Locked first, so two builds with one new key record it once.
  await lockHead(tx, SIGNER_STREAM);
  const [have] = await tx.query<{ seq: number }>(`SELECT seq FROM evidence_signers WHERE stream = $1 AND fingerprint = $2`, [
    SIGNER_STREAM,
    key.fingerprint,
  ]);
  if (have) return false;
  const record: SignerRecord = {
    fingerprint: key.fingerprint,
    algorithm: key.algorithm,
    publicKey: key.publicPem,
    firstUsedAt: now.toISOString(),
    firstMonth: month,
  };
  await appendRecord(tx, 'evidence_signers', SIGNER_STREAM, canonicalJson(record), { fingerprint: key.fingerprint, recorded_at: now });
  return true;
}

/** Every key the store lists, oldest first, read from the hashed bodies. */
export async function listSigners(db: Queryable): Promise<ListedSigner[]> {
  const rows = await db.query<{ seq: number; body: string }>(`SELECT seq, body FROM evidence_signers WHERE stream = $1 ORDER BY seq`, [
    SIGNER_STREAM,
  ]);
  return rows.map((r) => ({ ...(JSON.parse(r.body) as SignerRecord), seq: r.seq }));
}
