/**
 * Spreadsheet-friendly CSV (RFC 4180, UTF-8 with a byte-order mark, CRLF). Cells that a spreadsheet would run as a formula
 * (=, +, -, @ first) get a leading apostrophe: finding messages come from probed targets.
 */
import type { RollupRow } from '../rollups';
import type { IncidentRow } from './data';
import { passRate, type FindingSummary, type PackSummary } from './summary';
import { textOf } from '../../util/narrow';

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = v instanceof Date ? v.toISOString() : textOf(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Starts every file so spreadsheets (Excel) read it as UTF-8 and keep accents; verify hashes the bytes as written. */
export const UTF8_BOM = '\uFEFF';

function csv(header: string[], rows: unknown[][]): string {
  return UTF8_BOM + [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function resultsCsv(rollups: RollupRow[]): string {
  return csv(
    [
      'day',
      'check_id',
      'element',
      'type',
      'runs',
      'pass',
      'warn',
      'fail',
      'waived',
      'error',
      'pass_rate',
      'p50_ms',
      'p95_ms',
      'first_failure_utc',
      'last_failure_utc',
      'sealed',
    ],
    rollups.map((r) => {
      const rate = passRate(r);
      return [
        r.day,
        r.check_id,
        r.element,
        r.type,
        r.runs,
        r.passes,
        r.warns,
        r.fails,
        r.waived,
        r.errors,
        rate === null ? '' : rate.toFixed(6),
        r.p50_ms === null ? '' : r.p50_ms.toFixed(3),
        r.p95_ms === null ? '' : r.p95_ms.toFixed(3),
        r.first_failure_at,
        r.last_failure_at,
        r.final ? 'yes' : 'no',
      ];
    }),
  );
}

export function findingsCsv(findings: FindingSummary[]): string {
  return csv(
    [
      'check_id',
      'element',
      'finding_id',
      'severity',
      'status',
      'occurrences',
      'waived',
      'first_seen_utc',
      'last_seen_utc',
      'open_at_end',
      'month_over_month',
      'message',
    ],
    findings.map((f) => [
      f.checkId,
      f.element,
      f.findingId,
      f.severity,
      f.occurrences > 0 && f.waived === f.occurrences ? 'waived' : f.status,
      f.occurrences,
      f.waived,
      f.firstSeenAt,
      f.lastSeenAt,
      f.openAtEnd ? 'yes' : 'no',
      f.delta,
      f.message,
    ]),
  );
}

export function incidentsCsv(incidents: IncidentRow[]): string {
  return csv(
    ['check_id', 'element', 'started_utc', 'recovered_utc', 'duration_seconds', 'opened_by_result', 'closed_by_result', 'findings'],
    incidents.map((i) => [
      i.check_id,
      i.element,
      i.started_at,
      i.ended_at,
      i.ended_at ? Math.round((new Date(i.ended_at).getTime() - new Date(i.started_at).getTime()) / 1000) : '',
      i.opened_by,
      i.closed_by,
      i.findings,
    ]),
  );
}

/**
 * coverage.csv: one row per check (observed share of its scheduled slots), then one per day with missing slots and
 * their causes, then the spans without a running recorder and the Redis outages. New columns go at the end.
 */
export function coverageCsv(s: PackSummary): string {
  return csv(
    [
      'row',
      'check_id',
      'element',
      'day',
      'expected_slots',
      'observed_slots',
      'coverage',
      'missing_slots',
      'missing_monitor_down',
      'missing_unexplained',
      'missing_maintenance',
      'missing_redis_down',
      'missing_results_dropped',
      'missing_slots_expired',
    ],
    [
      ...s.checks.map((c) => [
        'check',
        c.checkId,
        c.element,
        '',
        c.expectedSlots,
        c.observedSlots,
        c.coverage === null ? '' : c.coverage.toFixed(6),
        c.expectedSlots - c.observedSlots,
        '',
        '',
        '',
        '',
        '',
        '',
      ]),
      ...s.gaps.map((g) => [
        'gap',
        g.checkId,
        s.checks.find((c) => c.checkId === g.checkId)?.element ?? '',
        g.day,
        g.expected,
        g.recorded,
        '',
        g.missing,
        g.monitorDown,
        g.unexplained,
        g.maintenance,
        g.redisDown,
        g.resultsDropped,
        g.slotsExpired,
      ]),
      ...s.monitorDown.map((m) => [
        'monitor_down',
        '',
        '',
        `${m.from.toISOString()}/${m.to.toISOString()}`,
        '',
        '',
        '',
        '',
        m.kind,
        '',
        '',
        '',
        '',
        '',
      ]),
      ...s.redisDown.map((r) => [
        'redis_down',
        '',
        '',
        `${r.from.toISOString()}/${r.to.toISOString()}`,
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
      ]),
    ],
  );
}
