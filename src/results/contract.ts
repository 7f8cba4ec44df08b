/** The result contract every probe type returns (docs/result-contract.md). */
import type { ElementId } from '../elements';

export type Status = 'pass' | 'warn' | 'fail' | 'error';
export type FindingStatus = 'pass' | 'warn' | 'fail' | 'error';
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export const STATUSES: readonly Status[] = ['pass', 'warn', 'fail', 'error'];
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export interface Finding {
  /** Stable id, dotted: `<type>.<area>.<rule>`, e.g. `tls.protocol.tls1_0_enabled`. */
  id: string;
  severity: Severity;
  status: FindingStatus;
  /** One human sentence: what was found and why it matters. */
  message: string;
  evidence?: Record<string, unknown>;
}

export interface ProbeResult {
  /** `<checkId>@<slot ISO-8601>`: unique per check and scheduled slot; consumers are idempotent by it. */
  id: string;
  checkId: string;
  type: string;
  element: ElementId;
  target: string;
  status: Status;
  /** The slot the scheduler fired for (ISO-8601); equals startedAt for ad-hoc runs. */
  scheduledAt: string;
  startedAt: string;
  durationMs: number;
  /** Which attempt produced this result (1-based); errors are retried, fails are not. */
  attempt: number;
  findings: Finding[];
  measurements: Record<string, unknown>;
  /** The error code when status is `error` (see src/errors.ts). */
  errorCode?: string;
}

const STATUS_RANK: Record<Status, number> = { pass: 0, warn: 1, fail: 2, error: 3 };

/** The overall status of a set of findings: error beats fail beats warn beats pass. */
export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'pass';
  for (const s of statuses) if (STATUS_RANK[s] > STATUS_RANK[worst]) worst = s;
  return worst;
}

export function resultId(checkId: string, slot: Date): string {
  return `${checkId}@${slot.toISOString()}`;
}
