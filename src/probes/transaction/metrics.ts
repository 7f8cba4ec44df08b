/**
 * `pengawas_transaction_*`: per-step phase histograms, step and flow outcomes, and the SLOs declared in the check
 * (objective, latency, window as gauges; good/total counters) so burn-rate alerts can be generated from them.
 * Label values are bounded by the configuration: step and SLO names come from the check, never from responses.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { PHASES } from '../../net/timed-request';
import type { MetricFamily } from '../types';
import type { SloOutcome, TransactionMeasurements } from './flow';
import type { TransactionOptions } from './options';

/** Payment APIs answer in tens to hundreds of ms; SLO latencies are usually 1–3 s; timeouts 10–30 s. */
export const TRANSACTION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30];
const STEP_PHASES = [...PHASES, 'total'] as const;

export const transactionMetrics: MetricFamily<TransactionMeasurements, TransactionOptions> = {
  create(registry) {
    const base = ['check', 'element'] as const;
    const registers = [registry];
    const duration = new Histogram({
      name: 'pengawas_transaction_duration_seconds',
      help: 'Duration of each phase (dns, connect, tls, ttfb, transfer, total) of each step of a transaction flow',
      labelNames: [...base, 'step', 'phase'],
      buckets: TRANSACTION_BUCKETS,
      registers,
    });
    const flowDuration = new Histogram({
      name: 'pengawas_transaction_flow_duration_seconds',
      help: 'Sum of the step durations of completed flows (cleanup excluded)',
      labelNames: base,
      buckets: TRANSACTION_BUCKETS,
      registers,
    });
    const stepRuns = new Counter({
      name: 'pengawas_transaction_step_runs_total',
      help: 'Steps run, by result (pass, warn, fail, error, skipped)',
      labelNames: [...base, 'step', 'result'],
      registers,
    });
    const stepSuccess = new Gauge({
      name: 'pengawas_transaction_step_success',
      help: 'Whether the step passed (or was only slow) in the last flow: 1 yes, 0 no',
      labelNames: [...base, 'step'],
      registers,
    });
    const flowRuns = new Counter({
      name: 'pengawas_transaction_flow_runs_total',
      help: 'Flows run, by status (pass, warn, fail, error)',
      labelNames: [...base, 'status'],
      registers,
    });
    const flowSuccess = new Gauge({
      name: 'pengawas_transaction_flow_success',
      help: 'Whether the last flow completed without failure: 1 yes (pass or warn), 0 no (fail or error)',
      labelNames: base,
      registers,
    });
    const sloObjective = new Gauge({
      name: 'pengawas_transaction_slo_objective_ratio',
      help: 'SLO objective declared in the check: the share of flows that must be good',
      labelNames: [...base, 'slo'],
      registers,
    });
    const sloLatency = new Gauge({
      name: 'pengawas_transaction_slo_latency_seconds',
      help: 'SLO latency declared in the check: a flow slower than this is bad',
      labelNames: [...base, 'slo'],
      registers,
    });
    const sloWindow = new Gauge({
      name: 'pengawas_transaction_slo_window_seconds',
      help: 'SLO compliance window declared in the check',
      labelNames: [...base, 'slo'],
      registers,
    });
    const sloGood = new Counter({
      name: 'pengawas_transaction_slo_good_total',
      help: 'Flows that met the SLO (completed, no failure, within its latency)',
      labelNames: [...base, 'slo'],
      registers,
    });
    const sloEvents = new Counter({
      name: 'pengawas_transaction_slo_events_total',
      help: 'Flows counted against the SLO (good and bad)',
      labelNames: [...base, 'slo'],
      registers,
    });

    /** Per check: the label sets written (to drop them later) and the SLOs declared (to count errored flows). */
    const state = new Map<string, { element: string; steps: Set<string>; slos: Map<string, SloOutcome> }>();
    const publishSlo = (l: { check: string; element: string }, slo: Omit<SloOutcome, 'good'>, prev?: Omit<SloOutcome, 'good'>) => {
      const ll = { ...l, slo: slo.name };
      if (prev?.latencyMs !== undefined && slo.latencyMs === undefined) sloLatency.remove(ll);
      sloObjective.set(ll, slo.objective);
      sloWindow.set(ll, slo.windowMs / 1000);
      if (slo.latencyMs !== undefined) sloLatency.set(ll, slo.latencyMs / 1000);
      // Zero-valued counters from the start, so burn-rate rules see the series before the first bad flow.
      sloEvents.inc(ll, 0);
      sloGood.inc(ll, 0);
    };

    return {
      configure(checks) {
        for (const c of checks) {
          const l = { check: c.id, element: c.element };
          const s = state.get(c.id) ?? { element: c.element, steps: new Set<string>(), slos: new Map<string, SloOutcome>() };
          state.set(c.id, s);
          for (const slo of c.options.slo) {
            const declared = {
              name: slo.name,
              objective: slo.objective,
              latencyMs: slo.latency,
              windowMs: slo.window,
              countErrors: slo.countErrors,
            };
            publishSlo(l, declared, s.slos.get(slo.name));
            s.slos.set(slo.name, { ...declared, good: true });
          }
        }
      },
      observe(r) {
        const l = { check: r.checkId, element: r.element };
        const s = state.get(r.checkId) ?? { element: r.element, steps: new Set<string>(), slos: new Map<string, SloOutcome>() };
        state.set(r.checkId, s);
        flowRuns.inc({ ...l, status: r.status });
        const ok = r.status === 'pass' || r.status === 'warn';
        flowSuccess.set(l, ok ? 1 : 0);

        // An `error` result carries no measurements (the runner drops them): count it against the SLOs the check
        // declares (known from the configuration, or from its last measured run), when they say errors count.
        if (r.status === 'error') {
          for (const slo of s.slos.values()) {
            if (slo.countErrors) sloEvents.inc({ ...l, slo: slo.name });
          }
          return;
        }
        const m = r.measurements;
        for (const step of m.steps) {
          s.steps.add(step.name);
          const sl = { ...l, step: step.name };
          stepRuns.inc({ ...sl, result: step.result });
          if (!step.cleanup) stepSuccess.set(sl, step.result === 'pass' || step.result === 'warn' ? 1 : 0);
          if (step.phasesMs) for (const p of STEP_PHASES) duration.observe({ ...sl, phase: p }, step.phasesMs[p] / 1000);
        }
        if (m.completed && m.flowMs !== undefined) flowDuration.observe(l, m.flowMs / 1000);
        for (const slo of m.slo) {
          const ll = { ...l, slo: slo.name };
          publishSlo(l, slo, s.slos.get(slo.name));
          s.slos.set(slo.name, slo);
          sloEvents.inc(ll);
          sloGood.inc(ll, slo.good ? 1 : 0);
        }
      },
      forget(checkId) {
        const s = state.get(checkId);
        if (!s) return;
        const l = { check: checkId, element: s.element };
        for (const status of ['pass', 'warn', 'fail', 'error']) flowRuns.remove({ ...l, status });
        flowSuccess.remove(l);
        flowDuration.remove(l);
        for (const step of s.steps) {
          const sl = { ...l, step };
          stepSuccess.remove(sl);
          for (const result of ['pass', 'warn', 'fail', 'error', 'skipped']) stepRuns.remove({ ...sl, result });
          for (const phase of STEP_PHASES) duration.remove({ ...sl, phase });
        }
        for (const slo of s.slos.keys()) {
          for (const g of [sloObjective, sloLatency, sloWindow, sloGood, sloEvents]) g.remove({ ...l, slo });
        }
        state.delete(checkId);
      },
    };
  },
};
