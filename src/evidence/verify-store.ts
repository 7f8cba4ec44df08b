/**
 * `pengawas evidence verify --store`: recomputes every hash chain from its start (or from the last link dropped
 * by retention), checks each row's query columns against its hashed body, and recomputes sealed rollups from the
 * raw rows still kept (seal only, for days whose raw rows are gone). Each broken stream is named at its FIRST
 * broken link; later links of that stream are not reported (they all follow from the first).
 *
 * What it proves: a row edited, inserted or deleted without recomputing the chain is found. Someone able to
 * rewrite the whole database can recompute the chains too; the signed chain heads in each monthly pack's
 * manifest and chains.json are what anchor history against that (`evidence verify DIR --store`, pack/anchor.ts).
 * Incidents are derived state and not covered.
 */
import { attestationStatement } from './attestations';
import type { Queryable } from './db/types';
import type { RecordTable } from './chain';
import { isSignature, signatureProblem } from './record-checks';
import { waiverStatement } from './waivers';
import { isScope, MAINTENANCE_STREAM, maintenanceEndStatement, maintenanceStatement } from './maintenance';
import { SILENCES_STREAM } from './maintenance-silences';
import { linkHash } from './hash';
import { findingSelect, rollupDiff, rollupSelect, sealOf, type RollupRow } from './rollups';
import { dayOf } from './tz';
import { asObject, hasOptionalStrings, hasStrings, isObject, parseObject, textOf, type JsonObject } from '../util/narrow';

export interface StoreProblem {
  table: string;
  /** Which record: stream and seq, or check and day. */
  where: string;
  problem: string;
}

export interface StoreVerification {
  ok: boolean;
  streams: number;
  records: number;
  rollups: number;
  problems: StoreProblem[];
  /** sha256 over every stream's head, the value packs sign. */
}

export type Table = 'evidence_results' | RecordTable;

/** The table holding a stream's records. */
export function tableOf(stream: string): Table {
  if (stream === '#config') return 'evidence_configs';
  if (stream === '#waivers') return 'evidence_waivers';
  if (stream === '#attestations') return 'evidence_attestations';
  if (stream === '#signers') return 'evidence_signers';
  if (stream === '#lifecycle') return 'evidence_lifecycle';
  if (stream === MAINTENANCE_STREAM) return 'evidence_maintenance';
  if (stream === SILENCES_STREAM) return 'evidence_maintenance_silences';
  return 'evidence_results';
}

// Every UTC offset in use is a whole number of quarter hours, so all instants of one quarter hour share a local
// day: verifying a chain asks Intl once per quarter hour instead of once per record (the bulk of its time).
const QUARTER_HOUR = 900_000;
const dayMemo = new Map<string, string>();
function dayOfMemo(instant: Date, tz: string): string {
  const key = `${tz}|${Math.floor(instant.getTime() / QUARTER_HOUR)}`;
  let d = dayMemo.get(key);
  if (d === undefined) {
    if (dayMemo.size > 200_000) dayMemo.clear();
    d = dayOf(instant, tz);
    dayMemo.set(key, d);
  }
  return d;
}

const ms = (v: unknown) =>
  v === null || v === undefined ? null : new Date(v instanceof Date || typeof v === 'number' ? v : textOf(v)).getTime();

/** Names the first column whose value disagrees with the hashed body, if any. */
export function columnMismatch(table: Table, row: Record<string, unknown>, tz: string): string | undefined {
  const body = parseObject(textOf(row.body));
  const want: Record<string, unknown> = {};
  const times: Record<string, unknown> = {};
  if (table === 'evidence_results') {
    // The one body read whole: a result body edited into another shape is a mismatch, not a crash.
    const b = resultBody(body);
    if (!b) return 'body';
    Object.assign(want, {
      result_id: b.result.id,
      stream: b.result.checkId,
      status: b.result.status,
      effective_status: b.effectiveStatus,
      type: b.result.type,
      duration_ms: b.result.durationMs,
      day: dayOfMemo(new Date(b.result.scheduledAt), tz),
    });
    Object.assign(times, { scheduled_at: b.result.scheduledAt, started_at: b.result.startedAt });
  } else if (table === 'evidence_configs') {
    want.config_hash = body.configHash;
  } else if (table === 'evidence_signers') {
    want.fingerprint = body.fingerprint;
  } else if (table === 'evidence_lifecycle') {
    want.event = body.event;
    want.subject = body.resultId ?? null;
    times.at = body.at;
  } else if (table === 'evidence_maintenance') {
    const add = body.action === 'add';
    Object.assign(want, {
      action: body.action,
      window_id: add ? body.id : body.windowId,
      ...(add ? { scope_kind: asObject(body.scope).kind, scope_value: asObject(body.scope).value } : {}),
    });
    Object.assign(times, { starts_at: add ? body.startsAt : null, ends_at: add ? body.endsAt : body.at });
  } else if (table === 'evidence_maintenance_silences') {
    Object.assign(want, { action: body.action, window_id: body.windowId, silence_id: body.silenceId });
    times.at = body.at;
  } else if (table === 'evidence_waivers') {
    Object.assign(want, { id: body.id, check_id: body.checkId, finding_id: body.findingId, approver: body.approver, risk: body.risk });
    Object.assign(times, { starts_at: body.startsAt, expires_at: body.expiresAt });
  } else {
    Object.assign(want, { id: body.id, check_id: body.checkId, evidence_hash: body.evidenceHash });
    times.expires_at = body.expiresAt;
  }
  for (const [k, v] of Object.entries(want)) if (textOf(row[k] ?? null) !== textOf(v ?? null)) return k;
  for (const [k, v] of Object.entries(times)) if (ms(row[k]) !== ms(v)) return k;
  return undefined;
}

/** A stored result body (results.ts StoredBody) as far as the columns are read from it; undefined when it does not have that shape. */
function resultBody(body: JsonObject): { effectiveStatus: unknown; result: JsonObject & { scheduledAt: string } } | undefined {
  const result = body.result;
  if (!isObject(result) || !hasStrings(result, 'scheduledAt')) return undefined;
  return { effectiveStatus: body.effectiveStatus, result };
}

/** A signed waiver or attestation whose operator signature no longer holds over its hashed body. */
export function signedRecordProblem(table: Table, body: string): string | undefined {
  if (table !== 'evidence_waivers' && table !== 'evidence_attestations' && table !== 'evidence_maintenance') return undefined;
  const b = parseObject(body);
  if (!b.signature) return undefined;
  const sig = b.signature;
  if (!isSignature(sig)) return `signature algorithm ${textOf(asObject(sig).algorithm)} is not ed25519, or the signature lacks a field`;
  const lacks = 'the signed record lacks a field its statement needs';
  if (table === 'evidence_maintenance') {
    if (b.action === 'add') {
      const scope = asObject(b.scope);
      if (!isScope(scope) || !hasStrings(b, 'startsAt', 'endsAt', 'reason', 'by')) return lacks;
      return signatureProblem(maintenanceStatement({ ...b, scope }), sig);
    }
    if (typeof b.windowId !== 'number' || !hasStrings(b, 'at', 'by')) return lacks;
    return signatureProblem(maintenanceEndStatement({ ...b, windowId: b.windowId }), sig);
  }
  if (table === 'evidence_waivers') {
    if (!hasStrings(b, 'checkId', 'reason', 'approver', 'risk', 'startsAt', 'expiresAt') || !hasOptionalStrings(b, 'findingId'))
      return lacks;
    return signatureProblem(waiverStatement(b), sig);
  }
  if (!hasStrings(b, 'checkId', 'by', 'evidenceHash', 'evidenceRef') || !hasOptionalStrings(b, 'expiresAt', 'note')) return lacks;
  return signatureProblem(attestationStatement(b), sig);
}

const PAGE = 5000;

/** A stream's head row as verification reads it: where its chain ends and where retention restarted it. */
export interface ChainHeadRow {
  stream: string;
  seq: number;
  hash: string;
  pruned_seq: number;
  pruned_hash: string;
}

export const HEAD_SELECT = `SELECT stream, seq, hash, pruned_seq, pruned_hash FROM evidence_chain_heads`;

export interface ChainCheck {
  records: number;
  /** The first broken link, if any. */
  broken?: StoreProblem;
  /** The last link verified (pruned_seq and pruned_hash when no record was read). */
  last: { seq: number; hash: string };
}

/**
 * Recomputes one stream's chain from its start (or the last link dropped by retention) through `through`
 * (default: its head, whose seq and hash must then match the last record). `visit` sees each record once it has
 * verified (link and columns), in seq order.
 */
export async function verifyChain(
  db: Queryable,
  head: ChainHeadRow,
  tz: string,
  through?: number,
  visit?: (row: Record<string, unknown>) => void,
): Promise<ChainCheck> {
  const table = tableOf(head.stream);
  const end = through ?? head.seq;
  let records = 0;
  let expectSeq = head.pruned_seq + 1;
  let prev = head.pruned_hash;
  let broken: StoreProblem | undefined;
  // Without `through`, records past the head are read too, so a head moved back is found (the chain is longer).
  const upTo = through === undefined ? '' : ` AND seq <= ${through}`;
  for (;;) {
    const rows = await db.query<Record<string, unknown>>(
      `SELECT * FROM ${table} WHERE stream = $1 AND seq >= $2${upTo} ORDER BY seq LIMIT ${PAGE}`,
      [head.stream, expectSeq],
    );
    for (const row of rows) {
      records += 1;
      const seq = Number(row.seq);
      const where = `stream ${head.stream} seq ${seq}${row.result_id ? ` (result ${textOf(row.result_id)})` : ''}`;
      if (seq !== expectSeq)
        broken = { table, where: `stream ${head.stream} seq ${expectSeq}`, problem: `record missing (next record found is seq ${seq})` };
      else if (row.prev_hash !== prev) broken = { table, where, problem: 'prev_hash does not match the previous record' };
      else if (linkHash(prev, head.stream, seq, textOf(row.body)) !== row.hash)
        broken = { table, where, problem: 'hash does not match the record body (the record was edited)' };
      else {
        const col = columnMismatch(table, row, tz);
        if (col) broken = { table, where, problem: `column ${col} does not match the hashed record (the row was edited)` };
        else {
          const sig = signedRecordProblem(table, textOf(row.body));
          if (sig) broken = { table, where, problem: sig };
        }
      }
      if (broken) break;
      visit?.(row);
      prev = textOf(row.hash);
      expectSeq = seq + 1;
    }
    if (broken || rows.length < PAGE) break;
  }
  const last = { seq: expectSeq - 1, hash: prev };
  if (broken) return { records, broken, last };
  if (last.seq !== end) {
    const said = through === undefined ? `its head says ${head.seq}` : `the pack anchored seq ${through}`;
    broken = {
      table,
      where: `stream ${head.stream} seq ${expectSeq}`,
      problem: `chain ends at seq ${last.seq} but ${said} (records deleted)`,
    };
  } else if (through === undefined && prev !== head.hash) {
    broken = { table: 'evidence_chain_heads', where: `stream ${head.stream}`, problem: 'head hash does not match the last record' };
  }
  return { records, broken, last };
}

/** Every hash chain recomputed (no rollups): what `evidence build` requires before it signs. */
export async function verifyChains(db: Queryable, tz: string): Promise<{ streams: number; records: number; problems: StoreProblem[] }> {
  const problems: StoreProblem[] = [];
  let records = 0;
  const heads = await db.query<ChainHeadRow>(`${HEAD_SELECT} ORDER BY stream`);
  const known = new Set(heads.map((h) => h.stream));
  for (const head of heads) {
    const c = await verifyChain(db, head, tz);
    records += c.records;
    if (c.broken) problems.push(c.broken);
  }
  for (const table of [
    'evidence_results',
    'evidence_configs',
    'evidence_waivers',
    'evidence_attestations',
    'evidence_signers',
    'evidence_lifecycle',
    'evidence_maintenance',
    'evidence_maintenance_silences',
  ] as Table[]) {
    const streams = await db.query<{ stream: string }>(`SELECT DISTINCT stream FROM ${table}`);
    for (const s of streams)
      if (!known.has(s.stream))
        problems.push({ table, where: `stream ${s.stream}`, problem: 'records without a chain head (inserted outside the store)' });
  }
  return { streams: heads.length, records, problems };
}

export async function verifyStore(db: Queryable, tz: string): Promise<StoreVerification> {
  const { streams, records, problems } = await verifyChains(db, tz);
  const rollups = await verifyRollups(db, problems);
  return { ok: problems.length === 0, streams, records, rollups, problems };
}

async function verifyRollups(db: Queryable, problems: StoreProblem[]): Promise<number> {
  const stored = await db.query<RollupRow>(`SELECT * FROM evidence_rollups WHERE final ORDER BY day, check_id`);
  const byDay = new Map<string, RollupRow[]>();
  for (const r of stored) byDay.set(r.day, [...(byDay.get(r.day) ?? []), r]);
  for (const [day, rows] of byDay) {
    for (const r of rows) {
      if (r.seal !== sealOf(r))
        problems.push({
          table: 'evidence_rollups',
          where: `check ${r.check_id} day ${day}`,
          problem: 'seal does not match the rollup (the rollup was edited)',
        });
    }
    const fresh = await db.query<RollupRow>(rollupSelect(db.dialect, 'day = $1'), [day]);
    if (!fresh.length) continue; // raw rows dropped by retention: the seal is all there is
    const freshBy = new Map(fresh.map((f) => [f.check_id, f]));
    for (const r of rows) {
      const f = freshBy.get(r.check_id);
      const field = f ? rollupDiff(r, f) : 'runs';
      if (field)
        problems.push({
          table: 'evidence_rollups',
          where: `check ${r.check_id} day ${day}`,
          problem: `${field} differs from the stored results`,
        });
    }
    const storedF = await db.query<Record<string, unknown>>(`SELECT * FROM evidence_finding_rollups WHERE day = $1`, [day]);
    const freshF = await db.query<Record<string, unknown>>(findingSelect(db.dialect, 'r.day = $1'), [day]);
    const key = (r: Record<string, unknown>) => `${textOf(r.check_id)}\u0000${textOf(r.finding_id)}`;
    const freshFBy = new Map(freshF.map((r) => [key(r), r]));
    for (const r of storedF) {
      const f = freshFBy.get(key(r));
      const bad = !f
        ? 'finding'
        : (['severity', 'status', 'occurrences', 'waived', 'message'].find((k) => textOf(r[k]) !== textOf(f[k])) ??
          (ms(r.first_seen_at) !== ms(f.first_seen_at)
            ? 'first_seen_at'
            : ms(r.last_seen_at) !== ms(f.last_seen_at)
              ? 'last_seen_at'
              : undefined));
      if (bad)
        problems.push({
          table: 'evidence_finding_rollups',
          where: `check ${textOf(r.check_id)} day ${day} finding ${textOf(r.finding_id)}`,
          problem: `${bad} differs from the stored results`,
        });
      freshFBy.delete(key(r));
    }
    for (const f of freshFBy.values())
      problems.push({
        table: 'evidence_finding_rollups',
        where: `check ${textOf(f.check_id)} day ${day} finding ${textOf(f.finding_id)}`,
        problem: 'finding missing from the rollup',
      });
  }
  return stored.length;
}
