/**
 * Every core metric pengawas exports, defined in one place. Each probe type adds its own family (src/probes/<type>/metrics.ts).
 * Check series carry `check`, `element`, `type` and `target` (credentials stripped); `pengawas_check_info` also
 * carries the check's own `labels:`. Pipeline series (lag, queue, recorder) are per type or global so their
 * cardinality does not grow with the number of checks.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Check, CheckSet } from '../config/check';
import { ELEMENT_IDS, type ElementId } from '../elements';
import { SEVERITIES, STATUSES, type ProbeResult, type Status } from '../results/contract';
import { stripCredentials } from '../util/scrub';
import { textOf } from '../util/narrow';
import { evidenceFamily } from './families/evidence';
import { registerEventLoopLag } from './event-loop';
import { ProbeFamilies } from './probe-families';
import { ResultsMetrics } from './results';

const CHECK_LABELS = ['check', 'element', 'type', 'target'] as const;
type CheckLabels = Record<(typeof CHECK_LABELS)[number], string>;
/** The labels of one pengawas_check_failing_finding_info series. */
type FindingLabels = CheckLabels & { finding: string; severity: string; status: string; message: string };
const INFO_HELP = "Static facts about a configured check (always 1), with the check's own labels";
/** Probe durations: loopback probes take ms, TLS scans and multi-step flows seconds. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const LAG_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export class Metrics {
  readonly registry = new Registry();
  readonly checkStatus = new Gauge({
    name: 'pengawas_check_status',
    help: 'Last result of the check: 1 pass, 0 warn, fail or error',
    labelNames: CHECK_LABELS,
    registers: [this.registry],
  });
  readonly checkResult = new Gauge({
    name: 'pengawas_check_result',
    help: 'Last result of the check, one-hot by status (pass, warn, fail, error)',
    labelNames: [...CHECK_LABELS, 'status'],
    registers: [this.registry],
  });
  readonly lastRun = new Gauge({
    name: 'pengawas_check_last_run_timestamp_seconds',
    help: 'When the check last produced a result (unix seconds)',
    labelNames: CHECK_LABELS,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'pengawas_check_duration_seconds',
    help: 'How long each check run took',
    labelNames: CHECK_LABELS,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly runs = new Counter({
    name: 'pengawas_check_runs_total',
    help: 'Check runs recorded, by result',
    labelNames: [...CHECK_LABELS, 'result'],
    registers: [this.registry],
  });
  readonly findings = new Gauge({
    name: 'pengawas_check_findings',
    help: 'Findings of the last result that did not pass, by severity',
    labelNames: [...CHECK_LABELS, 'severity'],
    registers: [this.registry],
  });
  // `message`: the finding's message, bounded (findingMessageLabel). One series per non-passing finding of the last
  // result, as before: a message that changes replaces its series, so the count stays that of the active findings.
  readonly failingFinding = new Gauge({
    name: 'pengawas_check_failing_finding_info',
    help: 'A finding of the last result that is not pass (1 while present); names the reason and its message for alerts',
    labelNames: [...CHECK_LABELS, 'finding', 'severity', 'status', 'message'],
    registers: [this.registry],
  });
  readonly inMaintenance = new Gauge({
    name: 'pengawas_check_in_maintenance',
    help: '1 while a maintenance window covers the check (its alerts are silenced), 0 otherwise; exported by the recorder',
    labelNames: CHECK_LABELS,
    registers: [this.registry],
  });
  /** Re-created when the set of label names the checks use changes (a Gauge's label names are fixed). */
  private info = new Gauge({
    name: 'pengawas_check_info',
    help: INFO_HELP,
    labelNames: [...CHECK_LABELS, 'severity', 'owner'],
    registers: [this.registry],
  });
  private infoLabelNames: string[] = [];
  readonly interval = new Gauge({
    name: 'pengawas_check_interval_seconds',
    help: 'Nominal interval between runs of the check',
    labelNames: CHECK_LABELS,
    registers: [this.registry],
  });
  // Element aggregates are computed at scrape time, not per result: O(checks) once per scrape.
  readonly elementRatio = new Gauge({
    name: 'pengawas_element_compliance_ratio',
    help: 'Share of decided checks of the element whose last result is pass or warn (errors are undecided and left out)',
    labelNames: ['element'],
    registers: [this.registry],
    collect: () => this.updateElements(),
  });
  readonly elementChecks = new Gauge({
    name: 'pengawas_element_checks',
    help: 'Checks of the element by last status (status "none" = no result yet)',
    labelNames: ['element', 'status'],
    registers: [this.registry],
  });
  readonly lag = new Histogram({
    name: 'pengawas_schedule_lag_seconds',
    help: 'Delay between a scheduled slot and the moment a worker started the check',
    labelNames: ['type'],
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });
  readonly attempts = new Counter({
    name: 'pengawas_check_retries_total',
    help: 'Results that needed more than one attempt (error retried)',
    labelNames: CHECK_LABELS,
    registers: [this.registry],
  });
  readonly reloadSuccess = new Gauge({
    name: 'pengawas_config_last_reload_success',
    help: '1 if the last configuration load succeeded, 0 if it was rejected',
    registers: [this.registry],
  });
  readonly reloadTime = new Gauge({
    name: 'pengawas_config_last_reload_timestamp_seconds',
    help: 'When the configuration was last (re)loaded or rejected',
    registers: [this.registry],
  });
  readonly configChecks = new Gauge({
    name: 'pengawas_config_checks',
    help: 'Checks in the running configuration',
    registers: [this.registry],
  });
  readonly enqueued = new Counter({
    name: 'pengawas_scheduler_enqueued_total',
    help: 'Slots handled by this scheduler: enqueued, duplicate (another scheduler had it), shed (held while the queue was at scheduler.maxBacklog until the check fired again; a gap) or error',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly heldSlots = new Gauge({
    name: 'pengawas_scheduler_held_slots',
    help: 'Fired slots this scheduler holds because the queue is at scheduler.maxBacklog (workers behind); at most one per check',
    registers: [this.registry],
  });
  readonly recorded = new Counter({
    name: 'pengawas_recorder_results_total',
    help: 'Results read by the recorder: recorded, or duplicate (already recorded)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly recorderLag = new Gauge({
    name: 'pengawas_recorder_lag_seconds',
    help: 'Age of the last result the recorder processed, from its finish time',
    registers: [this.registry],
  });
  readonly recorderPending = new Gauge({
    name: 'pengawas_recorder_pending_results',
    help: 'Results delivered to recorders but not yet acknowledged',
    registers: [this.registry],
  });
  readonly queueJobs = new Gauge({
    name: 'pengawas_queue_jobs',
    help: 'Jobs in the check queue by state',
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly workers = new Gauge({
    name: 'pengawas_queue_workers',
    help: 'Workers connected to the check queue',
    registers: [this.registry],
  });
  readonly families = new ProbeFamilies(this.registry);
  readonly evidence = evidenceFamily.create(this.registry);
  readonly results = new ResultsMetrics(this.registry);

  private readonly last = new Map<
    string,
    { status: Status; element: ElementId; findingLabels: Map<string, FindingLabels>; findingsKey: string }
  >();
  private checks = new Map<string, Check>();
  /** The check-series labels of each configured check, computed once per configuration (hot path). */
  private labelsById = new Map<string, CheckLabels>();
  private maintenance: Set<string> | undefined;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    registerEventLoopLag(this.registry);
  }

  /** Publishes static check facts; drops every series of checks that left the configuration. */
  syncChecks(set: CheckSet): void {
    for (const [id, old] of this.checks) {
      const now = set.byId.get(id);
      // A check that left, or whose element or type changed, drops its series (labels would be stale).
      if (!now || now.element !== old.element || now.type !== old.type || now.target !== old.target) this.forgetCheck(old);
    }
    this.checks = new Map(set.byId);
    this.labelsById = new Map(set.checks.map((c) => [c.id, labelsOf(c)]));
    const own = [...new Set(set.checks.flatMap((c) => Object.keys(c.labels)))].sort();
    if (own.join(',') !== this.infoLabelNames.join(',')) {
      this.registry.removeSingleMetric('pengawas_check_info');
      this.info = new Gauge({
        name: 'pengawas_check_info',
        help: INFO_HELP,
        labelNames: [...CHECK_LABELS, 'severity', 'owner', ...own],
        registers: [this.registry],
      });
      this.infoLabelNames = own;
    }
    this.info.reset();
    for (const c of set.checks) {
      const l = this.labelsById.get(c.id)!;
      this.info.set({ ...l, severity: c.severity, owner: c.owner ?? '', ...c.labels }, 1);
      this.interval.set(l, c.intervalMs / 1000);
    }
    this.configChecks.set(set.checks.length);
    if (this.maintenance) this.setMaintenance(this.maintenance);
    this.families.configure(set.checks);
  }

  /** The checks a maintenance window covers now (the recorder polls the evidence store); the others get 0. */
  setMaintenance(ids: Set<string>): void {
    this.maintenance = ids;
    this.inMaintenance.reset();
    for (const c of this.checks.values()) this.inMaintenance.set(labelsOf(c), ids.has(c.id) ? 1 : 0);
  }

  configReloaded(ok: boolean): void {
    this.reloadSuccess.set(ok ? 1 : 0);
    this.reloadTime.set(Date.now() / 1000);
  }

  record(result: ProbeResult): void {
    const l = this.labelsOf(result);
    const prev = this.last.get(result.checkId);
    // Series that only change with the status or the findings are set only when they change (hot path).
    if (prev?.status !== result.status) {
      this.checkStatus.set(l, result.status === 'pass' ? 1 : 0);
      for (const s of STATUSES) this.checkResult.set({ ...l, status: s }, s === result.status ? 1 : 0);
    }
    const finishedAt = Date.parse(result.startedAt) + result.durationMs;
    this.lastRun.set(l, finishedAt / 1000);
    this.duration.observe(l, result.durationMs / 1000);
    this.runs.inc({ ...l, result: result.status });
    if (result.attempt > 1) this.attempts.inc(l);
    this.lag.observe({ type: result.type }, Math.max(0, Date.parse(result.startedAt) - Date.parse(result.scheduledAt)) / 1000);

    const keys: string[] = [];
    const findingLabels = new Map<string, FindingLabels>();
    const bySeverity: Record<string, number> = { info: 0, low: 0, medium: 0, high: 0, critical: 0 };
    for (const f of result.findings) {
      if (f.status === 'pass') continue;
      bySeverity[f.severity] += 1;
      const labels = { ...l, finding: f.id, severity: f.severity, status: f.status, message: findingMessageLabel(f.message) };
      const key = JSON.stringify(labels);
      keys.push(key);
      findingLabels.set(key, labels);
    }
    const findingsKey = keys.join('\n');
    if (!prev || prev.findingsKey !== findingsKey) {
      for (const [key, labels] of prev?.findingLabels ?? []) if (!findingLabels.has(key)) this.failingFinding.remove(labels);
      for (const labels of findingLabels.values()) this.failingFinding.set(labels, 1);
      for (const [severity, n] of Object.entries(bySeverity)) this.findings.set({ ...l, severity }, n);
    }
    this.last.set(result.checkId, { status: result.status, element: result.element, findingLabels, findingsKey });
    this.families.observe(result);
  }

  /** A result's check labels: its configured check's, or (a check no longer configured) from the result itself. */
  private labelsOf(r: ProbeResult): CheckLabels {
    const l = this.labelsById.get(r.checkId);
    if (l && l.element === r.element && l.type === r.type) return l;
    return { check: r.checkId, element: r.element, type: r.type, target: stripCredentials(r.target) };
  }

  private forgetCheck(c: Check): void {
    const l = labelsOf(c);
    for (const m of [this.checkStatus, this.lastRun, this.duration, this.interval, this.attempts]) m.remove(l);
    for (const s of STATUSES) {
      this.checkResult.remove({ ...l, status: s });
      this.runs.remove({ ...l, result: s });
    }
    for (const severity of SEVERITIES) this.findings.remove({ ...l, severity });
    for (const labels of this.last.get(c.id)?.findingLabels.values() ?? []) this.failingFinding.remove(labels);
    this.families.forget(c.id, c.type);
    this.last.delete(c.id);
  }

  private updateElements(): void {
    for (const element of ELEMENT_IDS) {
      const counts: Record<Status | 'none', number> = { pass: 0, warn: 0, fail: 0, error: 0, none: 0 };
      for (const c of this.checks.values()) {
        // A check in maintenance is neither compliant nor failing: it leaves the ratio, as errors do.
        if (c.element !== element || !c.enabled || this.maintenance?.has(c.id)) continue;
        counts[this.last.get(c.id)?.status ?? 'none'] += 1;
      }
      for (const [status, n] of Object.entries(counts)) this.elementChecks.set({ element, status }, n);
      const decided = counts.pass + counts.warn + counts.fail;
      if (decided > 0) this.elementRatio.set({ element }, (counts.pass + counts.warn) / decided);
      else this.elementRatio.remove({ element });
    }
  }
}

function labelsOf(c: Check): CheckLabels {
  return { check: c.id, element: c.element, type: c.type, target: stripCredentials(c.target) };
}

/** Longest `message` label: three of them with separators stay within 300 characters in an alert description. */
export const MESSAGE_LABEL_MAX = 96;

/** A finding message as a label value: one line, control characters dropped, at most MESSAGE_LABEL_MAX characters. */
export function findingMessageLabel(message: unknown): string {
  const one = textOf(message ?? '')
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  // Code points, not UTF-16 units: a cut never splits a surrogate pair (grapheme clusters may still be cut).
  const chars = Array.from(one);
  return chars.length <= MESSAGE_LABEL_MAX ? one : `${chars.slice(0, MESSAGE_LABEL_MAX - 1).join('')}…`;
}
