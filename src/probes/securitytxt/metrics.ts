/** `pengawas_securitytxt_*`: when the published security.txt expires, so an alert can fire well before it does. */
import { Gauge } from 'prom-client';
import { SeriesByCheck } from '../series';
import type { MetricFamily } from '../types';
import type { SecurityTxtMeasurements } from './index';

export const securityTxtMetrics: MetricFamily<SecurityTxtMeasurements> = {
  create(registry) {
    const expires = new Gauge({
      name: 'pengawas_securitytxt_expires_timestamp_seconds',
      help: 'Expires of the published security.txt (unix seconds, RFC 9116)',
      labelNames: ['check', 'element'],
      registers: [registry],
    });
    const series = new SeriesByCheck();
    return {
      observe(r) {
        if (r.status === 'error') return;
        const l = series.labels(r.checkId, r.element);
        const ts = r.measurements.expiresTimestamp;
        if (typeof ts !== 'number') return series.remove(expires, l);
        expires.set(l, ts);
        series.wrote(expires, l);
      },
      forget: (checkId) => series.forget(checkId),
    };
  },
};
