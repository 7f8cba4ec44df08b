/**
 * Attestations: a person vouching for something no probe can see (a DRP test report, a signed partner agreement,
 * a training record). Used by the `attestation` check type, which fails when the latest one is missing or expired.
 *
 * API (all on an open EvidenceStore):
 *   await recordAttestation(store, { checkId, by, evidenceHash, evidenceRef, expiresAt, note });
 *     → Attestation { id, checkId, by, evidenceHash, evidenceRef, expiresAt, note, recordedAt }
 *   await latestAttestation(store, checkId)  → the newest Attestation for the check, or undefined
 *   await attestationsForPeriod(store.db, from, to) → every attestation recorded in [from, to) or in force then
 * Append-only (chained in the `#attestations` stream): a new attestation supersedes the previous one for the
 * check; nothing is updated or deleted. `evidenceHash` is the SHA-256 (hex) of the evidence document;
 * `evidenceRef` says where it lives (path, URL, document id) and must not hold secrets.
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

export const ATTESTATION_STREAM = '#attestations';

export interface AttestationInput {
  checkId: string;
  /** Who attests (name or account), as they would sign. */
  by: string;
  /** SHA-256 of the evidence document, 64 hex characters. */
  evidenceHash: string;
  evidenceRef: string;
  /** When the attestation stops counting (null: never). */
  expiresAt?: Date | null;
  note?: string;
  /** An operator's signature over attestationStatement (record-checks.ts). */
  signature?: OperatorSignature;
}

export interface Attestation {
  id: number;
  checkId: string;
  by: string;
  evidenceHash: string;
  evidenceRef: string;
  expiresAt: string | null;
  note: string | null;
  recordedAt: string;
  /** Absent in attestations recorded before writers were kept. */
  writtenBy?: WrittenBy;
  signature?: OperatorSignature;
}

/** What an operator signs for an attestation: its content, never its id or time of recording. */
export function attestationStatement(a: {
  checkId: string;
  by: string;
  evidenceHash: string;
  evidenceRef: string;
  expiresAt?: Date | string | null;
  note?: string | null;
}): Record<string, unknown> {
  return {
    kind: 'pengawas-attestation/1',
    checkId: a.checkId,
    by: a.by,
    evidenceHash: a.evidenceHash,
    evidenceRef: a.evidenceRef,
    expiresAt: a.expiresAt ? new Date(a.expiresAt).toISOString() : null,
    note: a.note ?? null,
  };
}

/** Every problem of an attestation, each naming the field and its value. `checks`: the configuration in force. */
export function validateAttestation(a: AttestationInput, checks?: AppliedCheck[]): string[] {
  const problems = [
    ...textProblems('checkId', a.checkId, true),
    ...textProblems('by', a.by, true),
    ...textProblems('evidenceRef', a.evidenceRef, true),
    ...textProblems('note', a.note, false),
    ...dateProblems('expiresAt', a.expiresAt, false),
  ];
  if (!/^[0-9a-f]{64}$/.test(a.evidenceHash ?? ''))
    problems.push(`evidenceHash "${(a.evidenceHash ?? '').slice(0, 80)}" is not a SHA-256 in lower-case hex`);
  if (typeof a.checkId === 'string' && a.checkId.trim()) {
    const unknown = unknownCheckProblem(checks, a.checkId, true);
    if (unknown) problems.push(unknown);
  }
  if (a.signature && !problems.length) {
    const bad = signatureProblem(attestationStatement(a), a.signature);
    if (bad) problems.push(`signature: ${bad}`);
  }
  return problems;
}

export async function recordAttestation(store: EvidenceStore, a: AttestationInput, now = new Date()): Promise<Attestation> {
  return store.db.transaction(async (tx) => {
    const problems = validateAttestation(a, await checksInForce(tx));
    if (problems.length) throw invalid('attestation', problems);
    const [{ id }] = await tx.query<{ id: number }>(`SELECT coalesce(max(id), 0) + 1 AS id FROM evidence_attestations`);
    const att: Attestation = {
      id,
      checkId: a.checkId,
      by: a.by,
      evidenceHash: a.evidenceHash,
      evidenceRef: a.evidenceRef,
      expiresAt: a.expiresAt ? a.expiresAt.toISOString() : null,
      note: a.note ?? null,
      recordedAt: now.toISOString(),
      writtenBy: await writerOf(tx, store.kind),
      ...(a.signature ? { signature: a.signature } : {}),
    };
    await appendRecord(tx, 'evidence_attestations', ATTESTATION_STREAM, canonicalJson(att), {
      id: att.id,
      check_id: att.checkId,
      evidence_hash: att.evidenceHash,
      expires_at: a.expiresAt ?? null,
      recorded_at: now,
    });
    return att;
  });
}

export async function latestAttestation(store: EvidenceStore, checkId: string): Promise<Attestation | undefined> {
  const [row] = await store.db.query<{ body: string }>(
    `SELECT body FROM evidence_attestations WHERE check_id = $1 ORDER BY seq DESC LIMIT 1`,
    [checkId],
  );
  return row ? (JSON.parse(row.body) as Attestation) : undefined;
}

export async function attestationsForPeriod(db: Queryable, from: Date, to: Date): Promise<Attestation[]> {
  const rows = await db.query<{ body: string }>(
    `SELECT body FROM evidence_attestations WHERE recorded_at < $2 AND (recorded_at >= $1 OR expires_at IS NULL OR expires_at > $1) ORDER BY seq`,
    [from, to],
  );
  return rows.map((r) => JSON.parse(r.body) as Attestation);
}
