/**
 * `pengawas_document_*`: how old a governing document is, how old it may get, and when its next review is due
 * (unix seconds), so alerts can fire before a document goes stale and dashboards can list what is due.
 */
import { Gauge } from 'prom-client';
import type { MetricFamily } from '../types';
import type { FreshnessMeasurements } from './rules';

export const freshnessMetrics: MetricFamily<FreshnessMeasurements> = {
  create(registry) {
    const labels = ['check', 'element'] as const;
    const age = new Gauge({
      name: 'pengawas_document_age_seconds',
      help: 'Time since the document was last reviewed (declared date, last commit, Last-Modified or mtime)',
      labelNames: labels,
      registers: [registry],
    });
    const maxAge = new Gauge({
      name: 'pengawas_document_max_age_seconds',
      help: 'The maximum age the check allows for the document (maxAge)',
      labelNames: labels,
      registers: [registry],
    });
    const due = new Gauge({
      name: 'pengawas_document_review_due_timestamp_seconds',
      help: 'When the next review of the document is due (unix seconds): the earlier of review date + maxAge and next_review',
      labelNames: labels,
      registers: [registry],
    });
    const seen = new Map<string, string>();
    return {
      observe(r) {
        const l = { check: r.checkId, element: r.element };
        const prev = seen.get(r.checkId);
        // A check moved to another element leaves no stale series behind.
        if (prev && prev !== r.element) for (const g of [age, maxAge, due]) g.remove({ check: r.checkId, element: prev });
        seen.set(r.checkId, r.element);
        // An `error` result carries no measurements: keep the last known values rather than inventing zeros.
        if (r.status === 'error') return;
        const m = r.measurements;
        const put = (g: Gauge, v: number | null | undefined) => (typeof v === 'number' ? g.set(l, v) : g.remove(l));
        put(age, m.ageSeconds);
        put(maxAge, m.maxAgeSeconds);
        put(due, m.reviewDueTimestamp);
      },
      forget(checkId) {
        const element = seen.get(checkId);
        if (!element) return;
        for (const g of [age, maxAge, due]) g.remove({ check: checkId, element });
        seen.delete(checkId);
      },
    };
  },
};
