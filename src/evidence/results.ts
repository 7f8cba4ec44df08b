/**
 * Writing results: idempotent by result id, chained per check, waivers applied as they stood when the check ran,
 * incidents (failure → recovery) opened and closed as results arrive. One transaction per batch: a batch that
 * throws leaves every result in it unacknowledged, and redelivery is harmless because duplicates are skipped.
 */
import type { Check } from '../config/check';
import type { ProbeResult } from '../results/contract';
import { lockHead, nextLink, saveHead } from './chain';
import type { Queryable } from './db/types';
import { canonicalJson } from './hash';
import { dayOf } from './tz';

/** A result as the store keeps it: the probe's own contract plus what the store decided when recording it. */
export interface StoredBody {
  result: ProbeResult;
  /** `status`, or `waived` when every non-passing finding was covered by a waiver in force at `startedAt`. */
  effectiveStatus: ProbeResult['status'] | 'waived';
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
    if (w) waivedFindings[f.id] = Number(w.id);
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

export async function writeOne(tx: Queryable, input: ProbeResult, check: Check | undefined, configHash: string | null, tz: string, today: string): Promise<boolean> {
  const result = bounded(input);
  const stream = result.checkId;
  const head = await lockHead(tx, stream);
  // Checked after taking the lock: two recorders holding the same redelivered result cannot both insert it.
  const dup = await tx.query(`SELECT 1 FROM evidence_results WHERE result_id = $1`, [result.id]);
  if (dup.length) return false;
  const startedAt = new Date(result.startedAt);
  const waivers = await tx.query<ActiveWaiver>(
    `SELECT id, finding_id FROM evidence_waivers WHERE check_id = $1 AND starts_at <= $2 AND expires_at > $2 ORDER BY seq DESC`,
    [stream, startedAt],
  );
  const stored: StoredBody = { result, ...effectiveOf(result, waivers), configHash };
  const body = canonicalJson(stored);
  const link = nextLink(head, stream, body);
  const scheduledAt = new Date(result.scheduledAt);
  const day = dayOf(scheduledAt, tz);
  await tx.query(
    `INSERT INTO evidence_results (result_id, stream, seq, body, prev_hash, hash, element, type, day, scheduled_at, started_at, status, effective_status, duration_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [result.id, stream, link.seq, body, link.prevHash, link.hash, check?.element ?? result.element, result.type, day, scheduledAt, startedAt, result.status, stored.effectiveStatus, result.durationMs],
  );
  let open = head.openIncident;
  if (result.status === 'fail' && open === null) {
    const failing = result.findings.filter((f) => f.status === 'fail').map((f) => f.id);
    const [row] = await tx.query<{ id: number }>(
      `INSERT INTO evidence_incidents (check_id, element, started_at, opened_by, findings) VALUES ($1, $2, $3, $4, $5) RETURNING id::int8 AS id`,
      [stream, result.element, scheduledAt, result.id, failing.join(' ')],
    );
    open = Number(row.id);
  } else if ((result.status === 'pass' || result.status === 'warn') && open !== null) {
    await tx.query(`UPDATE evidence_incidents SET ended_at = greatest(started_at, $2::timestamptz), closed_by = $3 WHERE id = $1`, [open, scheduledAt, result.id]);
    open = null;
  }
  // `error` leaves an incident as it is: the monitor not knowing is neither a failure nor a recovery.
  await saveHead(tx, stream, link, open);
  // A late result for an already-closed day re-opens that day's rollup (or adds one) for recomputation.
  if (day < today) {
    await tx.query(
      `INSERT INTO evidence_rollups (check_id, day, element, type, runs, passes, warns, fails, waived, errors, final)
       VALUES ($1, $2, $3, $4, 0, 0, 0, 0, 0, 0, false) ON CONFLICT (check_id, day) DO UPDATE SET final = false, seal = NULL`,
      [stream, day, result.element, result.type],
    );
  }
  return true;
}
