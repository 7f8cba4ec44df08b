/** `pengawas_http_*`: the last request's phases and status, as blackbox_exporter's probe_http_* do. */
import { Gauge } from 'prom-client';
import { PHASES } from '../../net/timed-request';
import { SeriesByCheck } from '../series';
import type { MetricFamily } from '../types';
import type { HttpMeasurements } from './index';

export const httpMetrics: MetricFamily<HttpMeasurements> = {
  create(registry) {
    const labels = ['check', 'element'] as const;
    const phase = new Gauge({
      name: 'pengawas_http_duration_seconds',
      help: 'Duration of each phase of the last HTTP request (dns, connect, tls, ttfb, transfer)',
      labelNames: [...labels, 'phase'],
      registers: [registry],
    });
    const status = new Gauge({
      name: 'pengawas_http_status_code',
      help: 'HTTP status of the last response (after redirects)',
      labelNames: labels,
      registers: [registry],
    });
    const redirects = new Gauge({
      name: 'pengawas_http_redirects',
      help: 'Redirects followed by the last request',
      labelNames: labels,
      registers: [registry],
    });
    const bytes = new Gauge({
      name: 'pengawas_http_content_length_bytes',
      help: 'Body bytes read from the last response (capped)',
      labelNames: labels,
      registers: [registry],
    });
    const series = new SeriesByCheck();
    const put = (g: Gauge, l: { check: string; element: string; phase?: string }, v: number) => {
      g.set(l, v);
      series.wrote(g, l);
    };
    return {
      observe(r) {
        const l = series.labels(r.checkId, r.element);
        if (r.status === 'error') return; // nothing measured: keep the last request's values
        const m = r.measurements;
        if (m.phasesMs) for (const p of PHASES) put(phase, { ...l, phase: p }, m.phasesMs[p] / 1000);
        if (m.status !== undefined) put(status, l, m.status);
        if (m.redirects !== undefined) put(redirects, l, m.redirects);
        if (m.bodyBytes !== undefined) put(bytes, l, m.bodyBytes);
      },
      forget: (checkId) => series.forget(checkId),
    };
  },
};
