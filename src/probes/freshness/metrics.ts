/**
 * `pengawas_document_*`: how old a governing document is, how old it may get, and when its next review is due
 * (unix seconds), so alerts can fire before a document goes stale and dashboards can list what is due.
 */
import { Gauge } from 'prom-client';
import { SeriesByCheck } from '../series';
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
    const series = new SeriesByCheck();
    return {
      observe(r) {
        // A check moved to another element leaves no stale series behind.
        const l = series.labels(r.checkId, r.element);
        // An `error` result carries no measurements: keep the last known values rather than inventing zeros.
        if (r.status === 'error') return;
        const m = r.measurements;
        const put = (g: Gauge, v: number | null | undefined) => {
          if (typeof v !== 'number') return series.remove(g, l);
          g.set(l, v);
          series.wrote(g, l);
        };
        put(age, m.ageSeconds);
        put(maxAge, m.maxAgeSeconds);
        put(due, m.reviewDueTimestamp);
      },
      forget: (checkId) => series.forget(checkId),
    };
  },
};
