/**
 * Recounting a month from the hash-chained results themselves. `evidence verify DIR --store` feeds every record it
 * has verified (through the pack's anchored link) to a Recount, which rebuilds what the pack reported from
 * the hashed bodies alone: per check and day the runs by effective status and the failure times, per finding
 * and day the occurrences and waived ones, and the incidents by replaying each check's results in order (as
 * results.ts opens and closes them). Rollups, finding rollups and incidents are derived tables a database
 * user can rewrite with SQL; the chained bodies cannot be rewritten without breaking the chain.
 * Durations (p50/p95) are not recounted: they are not compliance figures and would need every duration kept.
 */
import type { StoredBody } from '../results';
import type { RollupRow } from '../rollups';
import { parseMonth, previousMonth, type Month } from '../tz';
import type { FindingDay, IncidentRow } from './data';
import { textOf } from '../../util/narrow';

interface OpenIncident {
  row: IncidentRow;
}

export interface RecountResult {
  rollups: RollupRow[];
  findings: FindingDay[];
  previousFindings: FindingDay[];
  incidents: IncidentRow[];
  /** Streams whose early records retention dropped: their figures and incidents cannot be recounted. */
  partial: Set<string>;
}

const later = (a: Date | null, b: Date) => (!a || b > a ? b : a);
const earlier = (a: Date | null, b: Date) => (!a || b < a ? b : a);

export class Recount {
  readonly month: Month;
  private readonly prev: Month;
  private readonly rollups = new Map<string, RollupRow>();
  private readonly findings = new Map<string, FindingDay>();
  private readonly previous = new Map<string, FindingDay>();
  private readonly open = new Map<string, OpenIncident | null>();
  private readonly incidents: IncidentRow[] = [];
  private readonly partial = new Set<string>();
  private nextIncident = 1;

  constructor(
    monthId: string,
    private readonly from: Date,
    private readonly to: Date,
  ) {
    this.month = parseMonth(monthId)!;
    this.prev = parseMonth(previousMonth(monthId))!;
  }

  /** A stream whose chain starts after records dropped by retention. */
  markPartial(stream: string): void {
    this.partial.add(stream);
  }

  /** One verified record of a result stream, in seq order; `day` is the row's (verified) day column. */
  visit(stream: string, body: StoredBody, day: string): void {
    const r = body.result;
    const at = new Date(r.scheduledAt);
    this.replayIncident(stream, body, at);
    const inMonth = day >= this.month.firstDay && day < this.month.endDay;
    const inPrev = day >= this.prev.firstDay && day < this.prev.endDay;
    if (!inMonth && !inPrev) return;
    if (inMonth) this.countRun(stream, day, body, at);
    // A finding id counts once per result, however many instances (flows, scopes) the result carries.
    const counted = new Set<string>();
    for (const f of r.findings ?? []) {
      if (f.status !== 'fail' && f.status !== 'warn') continue;
      const target = inMonth ? this.findings : this.previous;
      const k = `${stream}\u0000${day}\u0000${f.id}`;
      let fd = target.get(k);
      if (!fd) {
        fd = {
          check_id: stream,
          day,
          finding_id: f.id,
          severity: f.severity,
          status: f.status,
          occurrences: 0,
          waived: 0,
          first_seen_at: at,
          last_seen_at: at,
          message: '',
        };
        target.set(k, fd);
      }
      if (f.status === 'fail') fd.status = 'fail';
      if (counted.has(f.id)) continue;
      counted.add(f.id);
      fd.occurrences += 1;
      if (body.waivedFindings && Object.prototype.hasOwnProperty.call(body.waivedFindings, f.id)) fd.waived += 1;
      fd.first_seen_at = earlier(fd.first_seen_at, at)!;
      // The newest result names the severity and message (ties: the later record, as the SQL's ORDER BY; within a
      // result, its first instance of the id).
      if (at >= fd.last_seen_at || fd.message === '') {
        fd.last_seen_at = later(fd.last_seen_at, at)!;
        fd.severity = f.severity;
        fd.message = textOf(f.message ?? '').slice(0, 1000);
      }
    }
  }

  private countRun(stream: string, day: string, body: StoredBody, at: Date): void {
    const k = `${stream}\u0000${day}`;
    let row = this.rollups.get(k);
    if (!row) {
      row = {
        check_id: stream,
        day,
        element: body.result.element,
        type: body.result.type,
        runs: 0,
        passes: 0,
        warns: 0,
        fails: 0,
        waived: 0,
        errors: 0,
        p50_ms: null,
        p95_ms: null,
        first_failure_at: null,
        last_failure_at: null,
        first_run_at: null,
        last_run_at: null,
        last_hash: null,
      };
      this.rollups.set(k, row);
    }
    row.runs += 1;
    const s = body.effectiveStatus;
    if (s === 'pass') row.passes += 1;
    else if (s === 'warn') row.warns += 1;
    else if (s === 'fail') row.fails += 1;
    else if (s === 'waived') row.waived += 1;
    else if (s === 'error') row.errors += 1;
    if (body.result.status === 'fail' && s !== 'maintenance') {
      row.first_failure_at = earlier(row.first_failure_at, at);
      row.last_failure_at = later(row.last_failure_at, at);
    }
    row.first_run_at = earlier(row.first_run_at, at);
    row.last_run_at = later(row.last_run_at, at);
  }

  /** As writeBatch: `fail` opens an incident when none is open, `pass`/`warn` closes it, `error` leaves it; a run in maintenance opens none and closes one. */
  private replayIncident(stream: string, body: StoredBody, at: Date): void {
    const r = body.result;
    const open = this.open.get(stream) ?? null;
    if (r.status === 'fail' && !open && body.effectiveStatus !== 'maintenance') {
      const failing = (r.findings ?? []).filter((f) => f.status === 'fail').map((f) => f.id);
      const row: IncidentRow = {
        id: this.nextIncident++,
        check_id: stream,
        element: r.element,
        started_at: at,
        ended_at: null,
        opened_by: r.id,
        closed_by: null,
        findings: failing.join(' '),
      };
      this.incidents.push(row);
      this.open.set(stream, { row });
    } else if ((r.status === 'pass' || r.status === 'warn' || body.effectiveStatus === 'maintenance') && open) {
      open.row.ended_at = new Date(Math.max(open.row.started_at.getTime(), at.getTime()));
      open.row.closed_by = r.id;
      this.open.set(stream, null);
    }
  }

  result(): RecountResult {
    const byKey = <T extends { check_id: string }>(m: Map<string, T>, order: (a: T, b: T) => number) =>
      [...m.values()].filter((x) => !this.partial.has(x.check_id)).sort(order);
    const rollups = byKey(this.rollups, (a, b) => a.check_id.localeCompare(b.check_id) || a.day.localeCompare(b.day));
    const fOrder = (a: FindingDay, b: FindingDay) =>
      a.check_id.localeCompare(b.check_id) || a.finding_id.localeCompare(b.finding_id) || a.day.localeCompare(b.day);
    // Incidents overlapping the period, as data.ts selects them.
    const incidents = this.incidents
      .filter((i) => !this.partial.has(i.check_id) && i.started_at < this.to && (i.ended_at === null || i.ended_at > this.from))
      .sort((a, b) => a.started_at.getTime() - b.started_at.getTime() || a.id - b.id);
    return {
      rollups,
      findings: byKey(this.findings, fOrder),
      previousFindings: byKey(this.previous, fOrder),
      incidents,
      partial: this.partial,
    };
  }
}
