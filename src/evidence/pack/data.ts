/**
 * Everything a month's pack shows, read from rollups, finding rollups, incidents, waivers, attestations and the
 * configuration log. Never scans raw results (a month of 1,000 one-minute checks is 43 M rows); the builder
 * first brings the month's rollups up to date, which touches raw rows only for days not yet sealed.
 */
import { attestationsForPeriod, type Attestation } from '../attestations';
import { chainHeads, type StreamHead } from '../chain';
import { configsForPeriod, type ConfigRecord } from '../config-log';
import { monitorDownSpans, type MonitorDown } from '../lifecycle';
import { lostResults, redisDownSpans, type LostResult, type RedisDownSpan } from '../outages';
import type { EvidenceDb, Queryable } from '../db/types';
import type { RollupRow } from '../rollups';
import { parseMonth, previousMonth, startOfDay, type Month } from '../tz';
import { waiversForPeriod, type Waiver } from '../waivers';
import { maintenanceForPeriod, type MaintenanceWindow } from '../maintenance';

export interface FindingDay {
  check_id: string;
  day: string;
  finding_id: string;
  severity: string;
  status: string;
  occurrences: number;
  waived: number;
  first_seen_at: Date;
  last_seen_at: Date;
  message: string;
}

export interface IncidentRow {
  id: number;
  check_id: string;
  element: string;
  started_at: Date;
  ended_at: Date | null;
  opened_by: string;
  closed_by: string | null;
  findings: string;
}

export interface MonthData {
  month: Month;
  timezone: string;
  from: Date;
  /** End of the month, or the build time when the month is not over. */
  to: Date;
  complete: boolean;
  generatedAt: Date;
  backend: string;
  rollups: RollupRow[];
  findings: FindingDay[];
  previousFindings: FindingDay[];
  incidents: IncidentRow[];
  waivers: Waiver[];
  /** Maintenance windows in force at any time of the period (early ends applied). */
  maintenance: MaintenanceWindow[];
  attestations: Attestation[];
  configs: ConfigRecord[];
  /** Spans when no recorder was running (`#lifecycle`), clipped to the period. */
  monitorDown: MonitorDown[];
  /** Redis outages a recorder recorded, clipped to the period. */
  redisDown: RedisDownSpan[];
  /** Results reported lost on the gaps stream, slot in the period, not in the store after all. */
  lost: LostResult[];
  /** Every stream's head (chains.json) and their combined value (manifest.json), read with the data above. */
  chain: { head: string; streams: number; heads: StreamHead[] };
}

/**
 * Runs `fn` on one read-only snapshot: every query sees the same state, so a pack's chain heads are exactly the
 * state its rollups, incidents and records were read from, even while a recorder appends beside it.
 */
export function inSnapshot<T>(db: EvidenceDb, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.snapshot(fn);
}

/** Call through inSnapshot so the chain heads match the data. */
export async function loadMonth(db: Queryable, monthId: string, timezone: string, backend: string, now: Date): Promise<MonthData> {
  const month = parseMonth(monthId)!;
  const prev = parseMonth(previousMonth(monthId))!;
  const from = startOfDay(month.firstDay, timezone);
  const end = startOfDay(month.endDay, timezone);
  const complete = now.getTime() >= end.getTime();
  const to = complete ? end : now;
  const rollups = await db.query<RollupRow>(
    `SELECT check_id, day, element, type, runs, passes, warns, fails, waived, errors, p50_ms, p95_ms, first_failure_at, last_failure_at,
       first_run_at, last_run_at, last_hash, final, seal, duration_hist FROM evidence_rollups WHERE day >= $1 AND day < $2 AND runs > 0 ORDER BY check_id, day`,
    [month.firstDay, month.endDay],
  );
  const findingsQuery = `SELECT * FROM evidence_finding_rollups WHERE day >= $1 AND day < $2 ORDER BY check_id, finding_id, day`;
  const findings = await db.query<FindingDay>(findingsQuery, [month.firstDay, month.endDay]);
  const previousFindings = await db.query<FindingDay>(findingsQuery, [prev.firstDay, prev.endDay]);
  const incidents = await db.query<IncidentRow>(
    `SELECT id, check_id, element, started_at, ended_at, opened_by, closed_by, findings FROM evidence_incidents
     WHERE started_at < $2 AND (ended_at IS NULL OR ended_at > $1) ORDER BY started_at, id`,
    [from, to],
  );
  return {
    month,
    timezone,
    from,
    to,
    complete,
    generatedAt: now,
    backend,
    rollups,
    findings,
    previousFindings,
    incidents,
    waivers: await waiversForPeriod(db, from, to),
    maintenance: await maintenanceForPeriod(db, from, to),
    attestations: await attestationsForPeriod(db, from, to),
    configs: await configsForPeriod(db, from, to),
    monitorDown: await monitorDownSpans(db, from, to, timezone),
    redisDown: await redisDownSpans(db, from, to),
    lost: await lostResults(db, from, to),
    chain: await chainHeads(db),
  };
}
