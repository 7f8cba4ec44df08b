/**
 * Waivers (risk acceptances): `pengawas waive --check ID [--finding ID] --reason --approver --risk --expires`.
 * A waiver covers one finding of a check, or every finding of it when no finding is named. Results recorded
 * while it is in force (starts_at ≤ startedAt < expires_at) count as `waived`, never as passed; after expiry the
 * same finding counts as a failure again. Waivers never cover `error` results. Append-only, chained in `#waivers`.
 * Each records who wrote it and may carry an operator's signature (record-checks.ts).
 */
import { appendRecord } from './chain';
import type { Queryable } from './db/types';
import { canonicalJson } from './hash';
import type { AppliedCheck } from './config-log';
import {
  checksInForce,
  dateProblems,
  invalid,
  signatureProblem,
  textProblems,
  unknownCheckProblem,
  writerOf,
  type OperatorSignature,
  type WrittenBy,
} from './record-checks';
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
  /** Who says they ran the command (unverified; `writtenBy` is what the store can tell). */
  createdBy?: string;
  /** An operator's signature over waiverStatement (record-checks.ts); startsAt must then be given. */
  signature?: OperatorSignature;
}

export interface Waiver extends Required<Omit<WaiverInput, 'findingId' | 'createdBy' | 'signature'>> {
  id: number;
  findingId: string | null;
  createdBy: string | null;
  createdAt: string;
  /** Absent in waivers recorded before writers were kept. */
  writtenBy?: WrittenBy;
  signature?: OperatorSignature;
}

/** What an operator signs for a waiver: its content, never its id or time of recording. */
export function waiverStatement(w: {
  checkId: string;
  findingId?: string | null;
  reason: string;
  approver: string;
  risk: string;
  startsAt: Date | string;
  expiresAt: Date | string;
}): Record<string, unknown> {
  return {
    kind: 'pengawas-waiver/1',
    checkId: w.checkId,
    findingId: w.findingId ?? null,
    reason: w.reason,
    approver: w.approver,
    risk: w.risk,
    startsAt: new Date(w.startsAt).toISOString(),
    expiresAt: new Date(w.expiresAt).toISOString(),
  };
}

/** Every problem of a waiver, each naming the field and its value. `checks`: the configuration in force. */
export function validateWaiver(w: WaiverInput, now: Date, checks?: AppliedCheck[]): string[] {
  const problems = [
    ...textProblems('checkId', w.checkId, true),
    ...textProblems('findingId', w.findingId, false),
    ...textProblems('reason', w.reason, true),
    ...textProblems('approver', w.approver, true),
    ...textProblems('createdBy', w.createdBy, false),
    ...dateProblems('expiresAt', w.expiresAt, true),
    ...dateProblems('startsAt', w.startsAt, false),
  ];
  if (!RISKS.includes(w.risk)) problems.push(`risk "${w.risk ?? ''}" is not one of ${RISKS.join(', ')}`);
  if (!problems.some((p) => p.startsWith('expiresAt') || p.startsWith('startsAt'))) {
    const starts = w.startsAt ?? now;
    if (w.expiresAt.getTime() <= starts.getTime())
      problems.push(`expiresAt ${w.expiresAt.toISOString()} is not after startsAt ${starts.toISOString()}`);
  }
  if (typeof w.checkId === 'string' && w.checkId.trim()) {
    const unknown = unknownCheckProblem(checks, w.checkId, false);
    if (unknown) problems.push(unknown);
  }
  if (w.signature) {
    if (!w.startsAt) problems.push('a signed waiver must give startsAt (the signature covers it)');
    else if (!problems.length) {
      const bad = signatureProblem(waiverStatement({ ...w, startsAt: w.startsAt }), w.signature);
      if (bad) problems.push(`signature: ${bad}`);
    }
  }
  return problems;
}

export async function addWaiver(store: EvidenceStore, w: WaiverInput, now = new Date()): Promise<Waiver> {
  return store.db.transaction(async (tx) => {
    const problems = validateWaiver(w, now, await checksInForce(tx));
    if (problems.length) throw invalid('waiver', problems);
    const [{ id }] = await tx.query<{ id: number }>(`SELECT coalesce(max(id), 0) + 1 AS id FROM evidence_waivers`);
    const waiver: Waiver = {
      id,
      checkId: w.checkId,
      findingId: w.findingId ?? null,
      reason: w.reason,
      approver: w.approver,
      risk: w.risk,
      startsAt: w.startsAt ?? now,
      expiresAt: w.expiresAt,
      createdBy: w.createdBy ?? null,
      createdAt: now.toISOString(),
      writtenBy: await writerOf(tx, store.kind),
      ...(w.signature ? { signature: w.signature } : {}),
    };
    await appendRecord(tx, 'evidence_waivers', WAIVER_STREAM, canonicalJson(waiver), {
      id: waiver.id,
      check_id: waiver.checkId,
      finding_id: waiver.findingId,
      approver: waiver.approver,
      risk: waiver.risk,
      starts_at: waiver.startsAt,
      expires_at: waiver.expiresAt,
      recorded_at: now,
    });
    return waiver;
  });
}

/** Waivers in force at any time between `from` and `to`. */
export async function waiversForPeriod(db: Queryable, from: Date, to: Date): Promise<Waiver[]> {
  const rows = await db.query<{ body: string }>(`SELECT body FROM evidence_waivers WHERE starts_at < $2 AND expires_at > $1 ORDER BY seq`, [
    from,
    to,
  ]);
  return rows.map((r) => JSON.parse(r.body) as Waiver);
}
