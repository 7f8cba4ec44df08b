/** `pengawas_securitytxt_*`: when the published security.txt expires, so an alert can fire well before it does. */
import { Gauge } from 'prom-client';
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
    const seen = new Map<string, string>();
    return {
      observe(r) {
        if (r.status === 'error') return;
        const prev = seen.get(r.checkId);
        if (prev && prev !== r.element) expires.remove({ check: r.checkId, element: prev });
        seen.set(r.checkId, r.element);
        const ts = r.measurements.expiresTimestamp;
        if (typeof ts === 'number') expires.set({ check: r.checkId, element: r.element }, ts);
        else expires.remove({ check: r.checkId, element: r.element });
      },
      forget(checkId) {
        const element = seen.get(checkId);
        if (element) expires.remove({ check: checkId, element });
        seen.delete(checkId);
      },
    };
  },
};
