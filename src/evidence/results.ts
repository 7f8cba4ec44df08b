/**
 * Writing results: idempotent by result id, chained per check, waivers applied as they stood when the check ran,
 * incidents (failure → recovery) opened and closed as results arrive. One transaction per batch: a batch that
 * throws leaves every result in it unacknowledged, and redelivery is harmless because duplicates are skipped.
 */
import type { Check } from '../config/check';
import { EvidenceStoreError } from '../errors';
import type { ProbeResult } from '../results/contract';
import { nextLink, type Head } from './chain';
import { insertRows } from './db/insert';
import type { Queryable } from './db/types';
import { canonicalJson, GENESIS } from './hash';
import { maintenanceForPeriod, windowAt } from './maintenance';
import { dayOf } from './tz';

/** A result as the store keeps it: the probe's own contract plus what the store decided when recording it. */
export interface StoredBody {
  result: ProbeResult;
  /**
   * `status`; `maintenance` when the run started inside a maintenance window covering the check (maintenance.ts);
   * else `waived` when every non-passing finding was covered by a waiver in force at `startedAt`.
   */
  effectiveStatus: ProbeResult['status'] | 'waived' | 'maintenance';
  /** The maintenance window the run started in (absent outside windows). */
  maintenanceWindow?: number;
  /** finding id → waiver id, for the findings a waiver covered. */
  waivedFindings: Record<string, number>;
  configHash: string | null;
}

/** Results past this size lose their finding evidence and measurements: a hostile target must not bloat the store. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface WriteOutcome {
  written: number;
  duplicates: number;
}

interface ActiveWaiver {
  id: number;
  finding_id: string | null;
}

export function effectiveOf(result: ProbeResult, waivers: ActiveWaiver[]): Pick<StoredBody, 'effectiveStatus' | 'waivedFindings'> {
  const waivedFindings: Record<string, number> = {};
  if (!waivers.length) return { effectiveStatus: result.status, waivedFindings };
  const open = result.findings.filter((f) => f.status === 'fail' || f.status === 'warn');
  for (const f of open) {
    const w = waivers.find((x) => x.finding_id === f.id) ?? waivers.find((x) => x.finding_id === null);
    if (w) waivedFindings[f.id] = w.id;
  }
  // An error is never waived: the monitor could not decide, which is not a risk someone accepted.
  const allWaived = open.length > 0 && open.every((f) => waivedFindings[f.id] !== undefined);
  const effectiveStatus = (result.status === 'fail' || result.status === 'warn') && allWaived ? 'waived' : result.status;
  return { effectiveStatus, waivedFindings };
}

function bounded(result: ProbeResult): ProbeResult {
  if (Buffer.byteLength(JSON.stringify(result)) <= MAX_BODY_BYTES) return result;
  return {
    ...result,
    measurements: { truncated: true },
    findings: result.findings.slice(0, 200).map((f) => ({ ...f, message: f.message.slice(0, 1000), evidence: { truncated: true } })),
  };
}

interface BatchItem {
  result: ProbeResult;
  check?: Check;
}

interface WaiverRow extends ActiveWaiver {
  check_id: string;
  starts_at: Date;
  expires_at: Date;
}

const INSERT_COLUMNS = [
  'result_id',
  'stream',
  'seq',
  'body',
  'prev_hash',
  'hash',
  'element',
  'type',
  'day',
  'scheduled_at',
  'started_at',
  'status',
  'effective_status',
  'duration_ms',
];
const ROWS_PER_INSERT = 2000;

/**
 * Writes a batch with a fixed number of statements, whatever its size: heads locked together (sorted by stream,
 * so two recorders cannot deadlock), one duplicate probe, one waiver query, multi-row inserts, one head update.
 * Only incident changes (a failure starting or ending) cost a statement per result.
 */
export async function writeBatch(
  tx: Queryable,
  items: BatchItem[],
  configHash: string | null,
  tz: string,
  today: string,
): Promise<WriteOutcome> {
  const seen = new Set<string>();
  const batch = items.filter(({ result }) => !seen.has(result.id) && Boolean(seen.add(result.id)));
  for (const { result } of batch) {
    // Rejected before anything is written: the caller retries the rest of a batch without this result.
    if (Number.isNaN(Date.parse(result.scheduledAt)) || Number.isNaN(Date.parse(result.startedAt)))
      throw new EvidenceStoreError(`result ${result.id} has an invalid scheduledAt/startedAt`);
  }
  const streams = [...new Set(batch.map((b) => b.result.checkId))].sort();
  const d = tx.dialect;
  // `WHERE true`: SQLite needs it to tell the upsert's ON CONFLICT from a join's ON.
  await tx.run(
    `INSERT INTO evidence_chain_heads (stream, seq, hash, pruned_hash) SELECT value, 0, $2, $2 FROM ${d.list('$1')} WHERE true ON CONFLICT (stream) DO NOTHING`,
    [streams, GENESIS],
  );
  const headRows = await tx.query<{ stream: string; seq: number; hash: string; open_incident: number | null }>(
    `SELECT stream, seq, hash, open_incident FROM evidence_chain_heads WHERE stream IN (SELECT value FROM ${d.list('$1')}) ORDER BY stream${d.forUpdate}`,
    [streams],
  );
  const heads = new Map<string, Head>(headRows.map((h) => [h.stream, { seq: h.seq, hash: h.hash, openIncident: h.open_incident }]));
  // Checked after taking the locks: two recorders holding the same redelivered result cannot both insert it.
  const existing = new Set(
    (
      await tx.query<{ result_id: string }>(
        `SELECT result_id FROM evidence_results WHERE result_id IN (SELECT value FROM ${d.list('$1')})`,
        [batch.map((b) => b.result.id)],
      )
    ).map((r) => r.result_id),
  );
  const waivers = await tx.query<WaiverRow>(
    `SELECT id, check_id, finding_id, starts_at, expires_at FROM evidence_waivers WHERE check_id IN (SELECT value FROM ${d.list('$1')}) ORDER BY seq DESC`,
    [streams],
  );
  let first = Infinity;
  let last = -Infinity;
  for (const b of batch) {
    const t = Date.parse(b.result.startedAt);
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  // One query per batch: the windows in force at any start time of the batch (windows are few).
  const windows = batch.length ? await maintenanceForPeriod(tx, new Date(first), new Date(last + 1)) : [];
  const rows: unknown[][] = [];
  const touched = new Set<string>();
  const lateDays = new Map<string, unknown[]>();
  for (const { result: input, check } of batch) {
    if (existing.has(input.id)) continue;
    const result = bounded(input);
    const stream = result.checkId;
    const head = heads.get(stream)!;
    const startedAt = new Date(result.startedAt);
    const active = waivers.filter((w) => w.check_id === stream && new Date(w.starts_at) <= startedAt && new Date(w.expires_at) > startedAt);
    const inWindow = windows.length ? windowAt(windows, check ?? { id: stream, element: result.element }, startedAt) : undefined;
    const stored: StoredBody = inWindow
      ? { result, effectiveStatus: 'maintenance', waivedFindings: {}, maintenanceWindow: inWindow.id, configHash }
      : { result, ...effectiveOf(result, active), configHash };
    const body = canonicalJson(stored);
    const link = nextLink(head, stream, body);
    const scheduledAt = new Date(result.scheduledAt);
    const day = dayOf(scheduledAt, tz);
    rows.push([
      result.id,
      stream,
      link.seq,
      body,
      link.prevHash,
      link.hash,
      check?.element ?? result.element,
      result.type,
      day,
      scheduledAt,
      startedAt,
      result.status,
      stored.effectiveStatus,
      result.durationMs,
    ]);
    let open = head.openIncident;
    // A failure inside a maintenance window opens no incident (the time is maintenance, not failure).
    if (result.status === 'fail' && open === null && !inWindow) {
      const failing = result.findings.filter((f) => f.status === 'fail').map((f) => f.id);
      const [row] = await tx.query<{ id: number }>(
        `INSERT INTO evidence_incidents (check_id, element, started_at, opened_by, findings) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [stream, result.element, scheduledAt, result.id, failing.join(' ')],
      );
      open = row.id;
    } else if ((result.status === 'pass' || result.status === 'warn' || inWindow) && open !== null) {
      // A run inside a maintenance window ends the incident too: from here the time is maintenance, not failure.
      await tx.run(`UPDATE evidence_incidents SET ended_at = ${d.greatest('started_at', d.ts('$2'))}, closed_by = $3 WHERE id = $1`, [
        open,
        scheduledAt,
        result.id,
      ]);
      open = null;
    }
    // `error` leaves an incident as it is: the monitor not knowing is neither a failure nor a recovery.
    heads.set(stream, { seq: link.seq, hash: link.hash, openIncident: open });
    touched.add(stream);
    if (day < today) lateDays.set(`${stream}\u0000${day}`, [stream, day, result.element, result.type]);
  }
  await insertRows(tx, 'evidence_results', INSERT_COLUMNS, rows, { rowsPerInsert: ROWS_PER_INSERT });
  if (touched.size) {
    const t = [...touched];
    await tx.run(
      `UPDATE evidence_chain_heads AS h SET seq = v.seq, hash = v.hash, open_incident = v.oi
       FROM ${d.rows('$1', 'v', { stream: 'text', seq: 'bigint', hash: 'text', oi: 'bigint' })}
       WHERE h.stream = v.stream`,
      [JSON.stringify(t.map((x) => ({ stream: x, seq: heads.get(x)!.seq, hash: heads.get(x)!.hash, oi: heads.get(x)!.openIncident })))],
    );
  }
  // A late result for an already-closed day re-opens that day's rollup (or adds one) for recomputation.
  for (const [stream, day, element, type] of lateDays.values()) {
    await tx.run(
      `INSERT INTO evidence_rollups (check_id, day, element, type, runs, passes, warns, fails, waived, errors, final)
       VALUES ($1, $2, $3, $4, 0, 0, 0, 0, 0, 0, false) ON CONFLICT (check_id, day) DO UPDATE SET final = false, seal = NULL`,
      [stream, day, element, type],
    );
  }
  return { written: rows.length, duplicates: items.length - rows.length };
}
