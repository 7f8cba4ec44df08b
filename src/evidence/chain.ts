/**
 * Appending to a hash chain. The head row of a stream is locked for the length of the transaction (PostgreSQL
 * SELECT … FOR UPDATE; SQLite holds the whole database from BEGIN IMMEDIATE), so two writers on the same stream
 * serialise instead of forking the chain.
 */
import { GENESIS, linkHash, sha256Hex } from './hash';
import type { Queryable } from './db/types';

export interface Head {
  seq: number;
  hash: string;
  openIncident: number | null;
}

export async function lockHead(tx: Queryable, stream: string): Promise<Head> {
  await tx.query(
    `INSERT INTO evidence_chain_heads (stream, seq, hash, pruned_hash) VALUES ($1, 0, $2, $2) ON CONFLICT (stream) DO NOTHING`,
    [stream, GENESIS],
  );
  const [row] = await tx.query<{ seq: number; hash: string; open_incident: number | null }>(
    `SELECT seq, hash, open_incident FROM evidence_chain_heads WHERE stream = $1${tx.dialect.forUpdate}`,
    [stream],
  );
  return { seq: row.seq, hash: row.hash, openIncident: row.open_incident };
}

export interface Link {
  seq: number;
  prevHash: string;
  hash: string;
}

/** The next link after `head` for a canonical body; the caller inserts the row and then calls saveHead. */
export function nextLink(head: Head, stream: string, body: string): Link {
  const seq = head.seq + 1;
  return { seq, prevHash: head.hash, hash: linkHash(head.hash, stream, seq, body) };
}

export async function saveHead(tx: Queryable, stream: string, link: Link, openIncident?: number | null): Promise<void> {
  if (openIncident === undefined) {
    await tx.query(`UPDATE evidence_chain_heads SET seq = $2, hash = $3 WHERE stream = $1`, [stream, link.seq, link.hash]);
  } else {
    await tx.query(`UPDATE evidence_chain_heads SET seq = $2, hash = $3, open_incident = $4 WHERE stream = $1`, [
      stream,
      link.seq,
      link.hash,
      openIncident,
    ]);
  }
}

/** The small chained tables, one per stream beside `#results`. */
export type RecordTable =
  | 'evidence_configs'
  | 'evidence_waivers'
  | 'evidence_attestations'
  | 'evidence_signers'
  | 'evidence_lifecycle'
  | 'evidence_maintenance'
  | 'evidence_maintenance_silences';

/** A record of one of the small chained tables (`#config`, `#waivers`, `#attestations`, `#signers`, `#lifecycle`, `#maintenance`): appended, never updated. */
export async function appendRecord(
  tx: Queryable,
  table: RecordTable,
  stream: string,
  body: string,
  columns: Record<string, unknown>,
): Promise<Link> {
  const head = await lockHead(tx, stream);
  const link = nextLink(head, stream, body);
  const names = ['stream', 'seq', 'body', 'prev_hash', 'hash', ...Object.keys(columns)];
  const values = [stream, link.seq, body, link.prevHash, link.hash, ...Object.values(columns)];
  await tx.query(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`, values);
  await saveHead(tx, stream, link);
  return link;
}

export interface StreamHead {
  stream: string;
  seq: number;
  hash: string;
}

/** Every stream's head, sorted by stream: what a pack anchors in chains.json. */
export async function streamHeads(db: Queryable): Promise<StreamHead[]> {
  const rows = await db.query<{ stream: string; seq: number; hash: string }>(
    `SELECT stream, seq, hash FROM evidence_chain_heads ORDER BY stream`,
  );
  return rows.map((r) => ({ stream: r.stream, seq: r.seq, hash: r.hash }));
}

/** The combined value of a set of heads: sha256 over each stream's `stream seq hash` line, sorted by stream. */
export function combineHeads(heads: StreamHead[]): string {
  return sha256Hex(heads.map((h) => `${h.stream} ${h.seq} ${h.hash}`).join('\n'));
}

/** One value for the state of every chain: sha256 over each stream's `stream seq hash` line, sorted by stream. */
export async function chainHeads(db: Queryable): Promise<{ head: string; streams: number; heads: StreamHead[] }> {
  const heads = await streamHeads(db);
  return { head: combineHeads(heads), streams: heads.length, heads };
}
