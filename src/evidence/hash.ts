/**
 * Canonical JSON and SHA-256, the basis of the hash chains and the pack manifest. Keys are sorted at every
 * level so the same record always hashes the same, whichever code or database produced it. The canonical text
 * is what the store keeps (the `body` column): jsonb would reorder keys and rewrite numbers, breaking the hash.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The genesis link of every chain. */
export const GENESIS = '0'.repeat(64);

/** One link: the record's hash covers its predecessor's hash, its stream, position and canonical body. */
export function linkHash(prevHash: string, stream: string, seq: number, body: string): string {
  return sha256Hex(`${prevHash}\n${stream}\n${seq}\n${body}`);
}
