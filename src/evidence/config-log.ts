/**
 * The configuration actually applied: every distinct set of check definitions the monitor ran with, chained in
 * the `#config` stream. Options are stored as written, so secrets appear only as `${env:..}`/`${file:..}`
 * references (the config loader refuses secrets anywhere else).
 */
import type { Check } from '../config/check';
import { appendRecord } from './chain';
import type { Queryable } from './db/types';
import { canonicalJson } from './hash';

export const CONFIG_STREAM = '#config';

export interface AppliedCheck {
  id: string;
  name: string;
  type: string;
  element: string;
  schedule: string;
  timeoutMs: number;
  target: string;
  options: Record<string, unknown>;
  severity: string;
  owner?: string;
  /** Absent in configurations recorded before descriptions existed, and for checks without one. */
  description?: string;
  descriptionId?: string;
  runbook?: string;
  labels: Record<string, string>;
  retries: number;
  enabled: boolean;
}

export function appliedCheck(c: Check): AppliedCheck {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    element: c.element,
    schedule: c.scheduleText,
    timeoutMs: c.timeoutMs,
    target: c.target,
    options: c.options,
    severity: c.severity,
    owner: c.owner,
    runbook: c.runbook,
    labels: c.labels,
    retries: c.retries,
    enabled: c.enabled,
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(c.descriptionId !== undefined ? { descriptionId: c.descriptionId } : {}),
  };
}

export interface ConfigRecord {
  configHash: string;
  appliedAt: string;
  checks: AppliedCheck[];
}

/** Appends a configuration unless it is the one already in force. Returns true when it was new. */
export async function recordConfig(tx: Queryable, hash: string, checks: Check[], at: Date): Promise<boolean> {
  const [last] = await tx.query<{ config_hash: string }>(
    `SELECT config_hash FROM evidence_configs WHERE stream = $1 ORDER BY seq DESC LIMIT 1`,
    [CONFIG_STREAM],
  );
  if (last?.config_hash === hash) return false;
  const record: ConfigRecord = {
    configHash: hash,
    appliedAt: at.toISOString(),
    checks: checks.map(appliedCheck).sort((a, b) => a.id.localeCompare(b.id)),
  };
  await appendRecord(tx, 'evidence_configs', CONFIG_STREAM, canonicalJson(record), { config_hash: hash, recorded_at: at });
  return true;
}

/** The configuration in force at `at` and every change between `from` and `to`. */
export async function configsForPeriod(db: Queryable, from: Date, to: Date): Promise<ConfigRecord[]> {
  const rows = await db.query<{ body: string }>(
    `SELECT body FROM evidence_configs WHERE stream = $1 AND (recorded_at >= $2 AND recorded_at < $3
       OR seq = (SELECT max(seq) FROM evidence_configs WHERE stream = $1 AND recorded_at < $2)) ORDER BY seq`,
    [CONFIG_STREAM, from, to],
  );
  return rows.map((r) => JSON.parse(r.body) as ConfigRecord);
}
