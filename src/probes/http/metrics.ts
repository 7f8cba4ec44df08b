/** `pengawas_http_*`: the last request's phases and status, as blackbox_exporter's probe_http_* do. */
import { Gauge } from 'prom-client';
import { PHASES } from '../../net/timed-request';
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
    const seen = new Map<string, string>();
    return {
      observe(r) {
        const l = { check: r.checkId, element: r.element };
        seen.set(r.checkId, r.element);
        if (r.status === 'error') return; // nothing measured: keep the last request's values
        const m = r.measurements;
        if (m.phasesMs) for (const p of PHASES) phase.set({ ...l, phase: p }, m.phasesMs[p] / 1000);
        if (m.status !== undefined) status.set(l, m.status);
        if (m.redirects !== undefined) redirects.set(l, m.redirects);
        if (m.bodyBytes !== undefined) bytes.set(l, m.bodyBytes);
      },
      forget(checkId) {
        const element = seen.get(checkId);
        if (!element) return;
        const l = { check: checkId, element };
        for (const p of PHASES) phase.remove({ ...l, phase: p });
        for (const g of [status, redirects, bytes]) g.remove(l);
        seen.delete(checkId);
      },
    };
  },
};
