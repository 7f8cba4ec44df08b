/**
 * What the monitor itself lost, as evidence: Redis outages a recorder lived through (`redis_down`, written straight
 * into the store, since Redis was the thing that was gone) and results reported lost on the authenticated gaps
 * stream (`gap`: expired before recording, dropped at the stream's cap, or a slot no worker could run). Both sit in
 * the hash-chained `#lifecycle` stream beside the sessions, so the monthly pack can name the cause of a missing
 * slot instead of calling it unexplained.
 */
import { hostname } from 'node:os';
import type { Gap, GapReason } from '../results/gaps';
import { appendRecord, lockHead, nextLink, saveHead, type Link } from './chain';
import { insertRows } from './db/insert';
import type { EvidenceDb, Queryable } from './db/types';
import { canonicalJson } from './hash';
import { LIFECYCLE_STREAM } from './lifecycle';

export interface RedisDownRecord {
  event: 'redis_down';
  /** When the recorder lost Redis. */
  at: string;
  /** When it reached Redis again (or stopped while Redis was still gone). */
  to: string;
  host: string;
  pid: number;
}

export interface GapRecord {
  event: 'gap';
  /** The slot the lost result was for (when the report named none: when it was reported). */
  at: string;
  resultId: string;
  checkId: string;
  reason: GapReason;
  reportedAt: string;
}

/** Outages shorter than this are reconnects, not outages worth a record. */
export const MIN_OUTAGE_MS = 1000;

export async function recordRedisDown(db: EvidenceDb, from: Date, to: Date, who = { host: hostname(), pid: process.pid }): Promise<void> {
  const record: RedisDownRecord = { event: 'redis_down', at: from.toISOString(), to: to.toISOString(), ...who };
  await db.transaction((tx) =>
    appendRecord(tx, 'evidence_lifecycle', LIFECYCLE_STREAM, canonicalJson(record), { event: record.event, at: from }),
  );
}

/**
 * Records authentic gap reports; one per lost result id (a report delivered twice, or by two recorders, is kept
 * once). Returns how many were new.
 */
export async function recordLostResults(db: EvidenceDb, gaps: Array<Gap & { at: string }>): Promise<number> {
  if (!gaps.length) return 0;
  return db.transaction(async (tx) => {
    // The head locked once for the batch serialises appends, so the check below cannot race another writer. A
    // statement per gap (five round trips each) made an overloaded scheduler's shed slots, hundreds a second, the
    // recorder's main work: the batch is one lookup, multi-row inserts and one head update.
    let head = await lockHead(tx, LIFECYCLE_STREAM);
    const have = new Set<string>();
    const ids = [...new Set(gaps.map((g) => g.id))];
    for (let i = 0; i < ids.length; i += GAP_ROWS_PER_INSERT) {
      const rows = await tx.query<{ subject: string }>(
        `SELECT subject FROM evidence_lifecycle WHERE event = 'gap' AND subject IN (SELECT value FROM ${tx.dialect.list('$1')})`,
        [ids.slice(i, i + GAP_ROWS_PER_INSERT)],
      );
      for (const r of rows) have.add(r.subject);
    }
    const rows: unknown[][] = [];
    let last: Link | undefined;
    for (const g of gaps) {
      if (have.has(g.id)) continue;
      have.add(g.id);
      const at = g.slot || g.at;
      const record: GapRecord = {
        event: 'gap',
        at: new Date(at).toISOString(),
        resultId: g.id,
        checkId: g.checkId,
        reason: g.reason,
        reportedAt: g.at,
      };
      const body = canonicalJson(record);
      last = nextLink(head, LIFECYCLE_STREAM, body);
      rows.push([LIFECYCLE_STREAM, last.seq, body, last.prevHash, last.hash, 'gap', new Date(at), g.id]);
      head = { ...head, seq: last.seq, hash: last.hash };
    }
    if (!last) return 0;
    await insertRows(tx, 'evidence_lifecycle', GAP_COLUMNS, rows, { rowsPerInsert: GAP_ROWS_PER_INSERT });
    await saveHead(tx, LIFECYCLE_STREAM, last);
    return rows.length;
  });
}

/** A gap record's columns in `evidence_lifecycle` (what appendRecord writes for one). */
const GAP_COLUMNS = ['stream', 'seq', 'body', 'prev_hash', 'hash', 'event', 'at', 'subject'];
/** Rows per multi-row INSERT of gap records (and ids per lookup): 8 parameters each, far below either limit. */
const GAP_ROWS_PER_INSERT = 500;

export interface RedisDownSpan {
  from: Date;
  to: Date;
}

/** Redis outages overlapping [from, to), clipped to it. */
export async function redisDownSpans(db: Queryable, from: Date, to: Date): Promise<RedisDownSpan[]> {
  // An outage is written when it ends, with its start in `at`: look back a day for long ones.
  const rows = await db.query<{ body: string }>(
    `SELECT body FROM evidence_lifecycle WHERE event = 'redis_down' AND at < $1 AND at >= $2 ORDER BY at`,
    [to, new Date(from.getTime() - 86_400_000 * 7)],
  );
  return rows
    .map((r) => JSON.parse(r.body) as RedisDownRecord)
    .map((r) => ({ from: new Date(r.at), to: new Date(r.to) }))
    .filter((s) => s.to > from && s.from < to)
    .map((s) => ({ from: s.from < from ? from : s.from, to: s.to > to ? to : s.to }));
}

export interface LostResult {
  resultId: string;
  checkId: string;
  slot: Date;
  reason: GapReason;
}

/** Results reported lost with a slot in [from, to) that the store does not hold after all (its own row wins). */
export async function lostResults(db: Queryable, from: Date, to: Date): Promise<LostResult[]> {
  const rows = await db.query<{ body: string }>(
    `SELECT body FROM evidence_lifecycle l WHERE l.event = 'gap' AND l.at >= $1 AND l.at < $2
       AND NOT EXISTS (SELECT 1 FROM evidence_results r WHERE r.result_id = l.subject) ORDER BY l.at`,
    [from, to],
  );
  return rows
    .map((r) => JSON.parse(r.body) as GapRecord)
    .map((g) => ({ resultId: g.resultId, checkId: g.checkId, slot: new Date(g.at), reason: g.reason }));
}
