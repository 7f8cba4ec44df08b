/**
 * Waivers (risk acceptances): `pengawas waive --check ID [--finding ID] --reason --approver --risk --expires`.
 * A waiver covers one finding of a check, or every finding of it when no finding is named. Results recorded
 * while it is in force (starts_at ≤ startedAt < expires_at) count as `waived`, never as passed; after expiry the
 * same finding counts as a failure again. Waivers never cover `error` results. Append-only, chained in `#waivers`.
 */
import { EvidenceStoreError } from '../errors';
import { appendRecord } from './chain';
import type { Queryable } from './db/types';
import { canonicalJson } from './hash';
import type { EvidenceStore } from './store';

export const WAIVER_STREAM = '#waivers';
export const RISKS = ['low', 'medium', 'high', 'critical'] as const;
export type Risk = (typeof RISKS)[number];

export interface WaiverInput {
  checkId: string;
  findingId?: string;
  reason: string;
  approver: string;
  risk: Risk;
  expiresAt: Date;
  /** When it takes effect; default now. Results are judged against the waivers in force when they ran. */
  startsAt?: Date;
  createdBy?: string;
}

export interface Waiver extends Required<Omit<WaiverInput, 'findingId' | 'createdBy'>> {
  id: number;
  findingId: string | null;
  createdBy: string | null;
  createdAt: string;
}

export function validateWaiver(w: WaiverInput, now: Date): string[] {
  const problems: string[] = [];
  if (!w.checkId?.trim()) problems.push('a check id is required');
  if (!w.reason?.trim()) problems.push('a reason is required');
  if (!w.approver?.trim()) problems.push('an approver is required');
  if (!RISKS.includes(w.risk)) problems.push(`risk must be one of ${RISKS.join(', ')}`);
  if (!(w.expiresAt instanceof Date) || Number.isNaN(w.expiresAt.getTime())) problems.push('an expiry date is required');
  else if (w.expiresAt.getTime() <= (w.startsAt ?? now).getTime()) problems.push('the expiry must be after the waiver starts');
  return problems;
}

export async function addWaiver(store: EvidenceStore, w: WaiverInput, now = new Date()): Promise<Waiver> {
  const problems = validateWaiver(w, now);
  if (problems.length) throw new EvidenceStoreError(`invalid waiver: ${problems.join('; ')}`);
  return store.db.transaction(async (tx) => {
    const [{ id }] = await tx.query<{ id: number }>(`SELECT coalesce(max(id), 0) + 1 AS id FROM evidence_waivers`);
    const waiver: Waiver = {
      id: Number(id), checkId: w.checkId, findingId: w.findingId ?? null, reason: w.reason, approver: w.approver, risk: w.risk,
      startsAt: w.startsAt ?? now, expiresAt: w.expiresAt, createdBy: w.createdBy ?? null, createdAt: now.toISOString(),
    };
    await appendRecord(tx, 'evidence_waivers', WAIVER_STREAM, canonicalJson(waiver), {
      id: waiver.id, check_id: waiver.checkId, finding_id: waiver.findingId, approver: waiver.approver, risk: waiver.risk,
      starts_at: waiver.startsAt, expires_at: waiver.expiresAt, recorded_at: now,
    });
    return waiver;
  });
}

/** Waivers in force at any time between `from` and `to`. */
export async function waiversForPeriod(db: Queryable, from: Date, to: Date): Promise<Waiver[]> {
  const rows = await db.query<{ body: string }>(
    `SELECT body FROM evidence_waivers WHERE starts_at < $2 AND expires_at > $1 ORDER BY seq`,
    [from, to],
  );
  return rows.map((r) => JSON.parse(r.body) as Waiver);
}
