/**
 * Chain anchoring: a pack's chains.json holds every stream's chain head (stream, seq, hash) as read in the same
 * snapshot as the pack's data, and `pengawas evidence verify DIR --store` checks the store still holds exactly
 * that history. For each anchored stream: the store has the stream; its chain recomputes from its start (or from
 * the last link dropped by retention) through the anchored seq (verify-store.ts's verifyChain); and the record at
 * that seq has the anchored hash. A rewritten, truncated or reset chain, or a pack built from another store, is
 * a mismatch even when the store is self-consistent. A link that retention has dropped cannot be confirmed (it
 * is a note, not a pass or a fail) unless it is exactly the pruning point, whose hash the head row keeps.
 * Streams the store has and the pack does not (checks added later) are fine.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EvidencePackError } from '../../errors';
import { combineHeads, type StreamHead } from '../chain';
import type { EvidenceDb, Queryable } from '../db/types';
import { HEAD_SELECT, tableOf, verifyChain, type ChainHeadRow } from '../verify-store';
import type { Manifest } from './manifest';
import { inSnapshot } from './data';

export const CHAINS_FILE = 'chains.json';
export const CHAINS_FORMAT = 'pengawas-evidence-chains/1';

interface ChainsJson {
  format: string;
  /** The combined value, equal to manifest.json's chain.head. */
  head: string;
  streams: StreamHead[];
}

/** chains.json for a pack; the combined head must be the one computed from these very heads. */
export function chainsFile(chain: { head: string; heads: StreamHead[] }): string {
  if (combineHeads(chain.heads) !== chain.head)
    throw new EvidencePackError('the chain heads read for the pack do not combine to its chain head');
  const doc: ChainsJson = {
    format: CHAINS_FORMAT,
    head: chain.head,
    streams: chain.heads.map((h) => ({ stream: h.stream, seq: h.seq, hash: h.hash })),
  };
  return `${JSON.stringify(doc, null, 1)}\n`;
}

export type PackAnchors =
  | { kind: 'anchored'; heads: StreamHead[]; source: typeof CHAINS_FILE | 'manifest.json' }
  | { kind: 'predates'; head: string; streams: number }
  | { kind: 'invalid'; file: string; problem: string };

const validHead = (h: StreamHead) =>
  h && typeof h.stream === 'string' && Number.isInteger(h.seq) && h.seq >= 0 && /^[0-9a-f]{64}$/.test(h.hash);

/**
 * The anchors of a pack that verifyPack has passed (so chains.json, when listed, is the signed one). Packs built
 * before chains.json listed the heads in manifest.json's chain.heads, which the signature covers too.
 */
export function readAnchors(dir: string, manifest: Manifest): PackAnchors {
  if (!manifest.files.some((f) => f.path === CHAINS_FILE) || !existsSync(path.join(dir, CHAINS_FILE))) {
    const heads = manifest.chain?.heads;
    if (Array.isArray(heads) && heads.length > 0) {
      if (!heads.every(validHead)) return { kind: 'invalid', file: 'manifest.json', problem: 'chain.heads is not a list of stream heads' };
      if (combineHeads(heads) !== manifest.chain.head)
        return { kind: 'invalid', file: 'manifest.json', problem: 'chain.heads do not combine to its chain head' };
      return { kind: 'anchored', heads: heads.map((h) => ({ stream: h.stream, seq: h.seq, hash: h.hash })), source: 'manifest.json' };
    }
    return { kind: 'predates', head: manifest.chain?.head, streams: manifest.chain?.streams };
  }
  let doc: ChainsJson;
  try {
    doc = JSON.parse(readFileSync(path.join(dir, CHAINS_FILE), 'utf8')) as ChainsJson;
  } catch (e) {
    return { kind: 'invalid', file: CHAINS_FILE, problem: `not valid JSON (${(e as Error).message})` };
  }
  if (doc.format !== CHAINS_FORMAT || !Array.isArray(doc.streams) || !doc.streams.every(validHead))
    return { kind: 'invalid', file: CHAINS_FILE, problem: `not a ${CHAINS_FORMAT} list of stream heads` };
  if (combineHeads(doc.streams) !== manifest.chain?.head || doc.head !== manifest.chain.head)
    return { kind: 'invalid', file: CHAINS_FILE, problem: 'its heads do not combine to the chain head in manifest.json' };
  return { kind: 'anchored', heads: doc.streams, source: CHAINS_FILE };
}

export interface AnchorProblem {
  stream: string;
  /** The seq and hash the pack anchored, and the hash the store holds at that seq (null: no record). */
  seq: number;
  expected: string;
  found: string | null;
  /** Where the store's chain breaks: the anchored link, or an earlier record. */
  where: string;
  problem: string;
}

export interface AnchorNote {
  stream: string;
  seq: number;
  prunedSeq: number;
  note: string;
}

export interface AnchorVerification {
  ok: boolean;
  /** Anchored streams, and how many of them the store confirmed (its chain recomputed through the anchored link). */
  streams: number;
  confirmed: number;
  records: number;
  /** Links dropped by retention: neither confirmed nor failed. */
  pruned: AnchorNote[];
  /** Streams in the store that the pack does not anchor (added after it). */
  newStreams: number;
  problems: AnchorProblem[];
}

/** What compareAnchors tells a caller about each stream as it reads it (recount.ts). */
export interface AnchorVisitor {
  /** A record of `stream` whose link and columns verified, in seq order. */
  record(stream: string, row: Record<string, unknown>): void;
  /** Retention dropped records of `stream` before the ones read (through seq `prunedSeq`). */
  pruned(stream: string, prunedSeq: number): void;
}

/** Compares a pack's anchored heads with the store, in one snapshot of the store. */
export function compareWithStore(db: EvidenceDb, anchors: StreamHead[], tz: string): Promise<AnchorVerification> {
  return inSnapshot(db, (tx) => compareAnchors(tx, anchors, tz));
}

/** compareWithStore inside a snapshot the caller holds. */
export async function compareAnchors(
  tx: Queryable,
  anchors: StreamHead[],
  tz: string,
  visitor?: AnchorVisitor,
): Promise<AnchorVerification> {
  const heads = new Map((await tx.query<ChainHeadRow>(HEAD_SELECT)).map((h) => [h.stream, h]));
  const out: AnchorVerification = { ok: true, streams: anchors.length, confirmed: 0, records: 0, pruned: [], newStreams: 0, problems: [] };
  const fail = (a: StreamHead, found: string | null, problem: string, where = `stream ${a.stream} seq ${a.seq}`) =>
    out.problems.push({ stream: a.stream, seq: a.seq, expected: a.hash, found, where, problem });
  for (const a of anchors) {
    const head = heads.get(a.stream);
    if (!head) {
      fail(a, null, 'the store has no such stream (a pack of another store, or the chain was removed)');
      continue;
    }
    const prunedSeq = head.pruned_seq;
    if (prunedSeq > 0) visitor?.pruned(a.stream, prunedSeq);
    if (a.seq <= prunedSeq) {
      // Retention dropped the anchored record; the head row keeps the hash of the last record dropped only.
      if (a.seq === prunedSeq) {
        if (head.pruned_hash === a.hash) out.confirmed += 1;
        else fail(a, head.pruned_hash, 'the link retention dropped at this seq had another hash (history rewritten)');
      } else
        out.pruned.push({
          stream: a.stream,
          seq: a.seq,
          prunedSeq,
          note: `pruned, cannot confirm: retention dropped records through seq ${prunedSeq}`,
        });
      continue;
    }
    const [row] = await tx.query<{ hash: string }>(`SELECT hash FROM ${tableOf(a.stream)} WHERE stream = $1 AND seq = $2`, [
      a.stream,
      a.seq,
    ]);
    const found = row?.hash ?? null;
    if (head.seq < a.seq) {
      fail(a, found, `the store's chain ends at seq ${head.seq}, before the anchored link (chain truncated or reset)`);
      continue;
    }
    const c = await verifyChain(tx, head, tz, a.seq, visitor ? (row) => visitor.record(a.stream, row) : undefined);
    out.records += c.records;
    if (c.broken) fail(a, found, c.broken.problem, c.broken.where);
    else if (c.last.hash !== a.hash)
      fail(a, found, 'the store holds another record at the anchored seq (history rewritten, or a pack of another store)');
    else out.confirmed += 1;
  }
  const anchored = new Set(anchors.map((a) => a.stream));
  out.newStreams = [...heads.keys()].filter((s) => !anchored.has(s)).length;
  out.ok = out.problems.length === 0;
  return out;
}

/** One line per problem, as `evidence verify` prints them. */
export function describeProblem(p: AnchorProblem): string {
  return `${p.where}: ${p.problem}; the pack anchored seq ${p.seq} hash ${p.expected}, the store has ${p.found ?? 'no record at that seq'}`;
}
