/**
 * Judges the latest attestation of a check at `now`: none → fail, expired → fail, expiring within warnBefore →
 * warn, older than maxAge → fail, else pass. Findings carry who, when, the evidence hash and reference, and the
 * expiry; never the evidence itself.
 */
import type { Attestation } from '../../evidence/attestations';
import type { Finding } from '../../results/contract';
import type { AttestationOptions } from './options';

const DAY = 86_400_000;

export interface EvidenceCheck {
  /** The file's current SHA-256, or null when it cannot be read here. */
  currentHash: string | null;
}

/** What an attestation check measured (seconds; expiry as unix seconds when the attestation has one). */
export interface AttestationMeasurements {
  attested: 0 | 1;
  warnBeforeSeconds: number;
  attestationId?: number;
  ageSeconds?: number;
  expiresAtSeconds?: number;
  secondsToExpiry?: number;
}

export function evaluate(
  checkId: string,
  a: Attestation | undefined,
  o: AttestationOptions,
  now: Date,
  evidence?: EvidenceCheck,
): { findings: Finding[]; measurements: AttestationMeasurements } {
  if (!a) {
    return {
      findings: [
        {
          id: 'attestation.missing',
          severity: 'high',
          status: 'fail',
          message: `no attestation recorded for ${checkId}; record one with \`pengawas attest --check ${checkId} ...\``,
        },
      ],
      measurements: { attested: 0, warnBeforeSeconds: o.warnBefore / 1000 },
    };
  }
  const recordedAt = new Date(a.recordedAt);
  const expiresAt = a.expiresAt ? new Date(a.expiresAt) : null;
  const ageMs = now.getTime() - recordedAt.getTime();
  const leftMs = expiresAt ? expiresAt.getTime() - now.getTime() : null;
  const base = {
    attestationId: a.id,
    by: a.by,
    recordedAt: a.recordedAt,
    expiresAt: a.expiresAt,
    evidenceSha256: a.evidenceHash,
    evidenceRef: a.evidenceRef,
  };
  const who = `attestation ${a.id} by ${a.by} on ${a.recordedAt.slice(0, 10)}`;
  const findings: Finding[] = [];
  if (expiresAt && leftMs !== null && leftMs <= 0) {
    findings.push({
      id: 'attestation.expired',
      severity: 'high',
      status: 'fail',
      message: `${who} expired on ${a.expiresAt} (${days(-leftMs)} ago)`,
      evidence: base,
    });
  } else if (!expiresAt && o.requireExpiry) {
    findings.push({
      id: 'attestation.no_expiry',
      severity: 'medium',
      status: 'fail',
      message: `${who} has no expiry date; this check requires one`,
      evidence: base,
    });
  } else if (leftMs !== null && leftMs <= o.warnBefore) {
    findings.push({
      id: 'attestation.expires_soon',
      severity: 'low',
      status: 'warn',
      message: `${who} expires on ${a.expiresAt}, in ${days(leftMs)}`,
      evidence: base,
    });
  }
  if (o.maxAge !== undefined && ageMs > o.maxAge) {
    findings.push({
      id: 'attestation.stale',
      severity: 'medium',
      status: 'fail',
      message: `${who} is ${days(ageMs)} old; this check requires a new one every ${days(o.maxAge)}`,
      evidence: base,
    });
  }
  if (evidence) {
    if (evidence.currentHash === null) {
      findings.push({
        id: 'attestation.evidence_unreadable',
        severity: 'low',
        status: 'warn',
        message: `the evidence file ${a.evidenceRef} cannot be read here to confirm its hash`,
        evidence: base,
      });
    } else if (evidence.currentHash !== a.evidenceHash) {
      findings.push({
        id: 'attestation.evidence_changed',
        severity: 'high',
        status: 'fail',
        message: `the evidence file ${a.evidenceRef} changed after it was attested (now ${evidence.currentHash.slice(0, 16)}…)`,
        evidence: { ...base, currentSha256: evidence.currentHash },
      });
    }
  }
  if (!findings.length) {
    findings.push({
      id: 'attestation.valid',
      severity: 'info',
      status: 'pass',
      message: `${who}, valid until ${a.expiresAt ?? 'no expiry'}${leftMs !== null ? ` (${days(leftMs)} left)` : ''}`,
      evidence: base,
    });
  }
  return {
    findings,
    measurements: {
      attested: 1,
      attestationId: a.id,
      ageSeconds: Math.round(ageMs / 1000),
      warnBeforeSeconds: o.warnBefore / 1000,
      ...(expiresAt ? { expiresAtSeconds: Math.round(expiresAt.getTime() / 1000), secondsToExpiry: Math.round(leftMs! / 1000) } : {}),
    },
  };
}

function days(ms: number): string {
  const d = ms / DAY;
  return d >= 1 ? `${Math.floor(d)} day(s)` : `${Math.max(1, Math.round(ms / 3_600_000))} hour(s)`;
}
