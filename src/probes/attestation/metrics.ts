/**
 * `pengawas_attestation_*`: whether a check has an attestation, when it expires (unix seconds) and how old it is,
 * so alerts can fire before a drill, training or partner agreement attestation runs out.
 */
import { Gauge } from 'prom-client';
import { SeriesByCheck } from '../series';
import type { MetricFamily } from '../types';
import type { AttestationMeasurements } from './rules';

export const attestationMetrics: MetricFamily<AttestationMeasurements> = {
  create(registry) {
    const labels = ['check', 'element'] as const;
    const present = new Gauge({
      name: 'pengawas_attestation_present',
      help: 'Whether an attestation has been recorded for the check (1) or not (0)',
      labelNames: labels,
      registers: [registry],
    });
    const expiry = new Gauge({
      name: 'pengawas_attestation_expiry_timestamp_seconds',
      help: 'When the latest attestation of the check expires (unix seconds); absent when it has no expiry',
      labelNames: labels,
      registers: [registry],
    });
    const age = new Gauge({
      name: 'pengawas_attestation_age_seconds',
      help: 'Time since the latest attestation of the check was recorded',
      labelNames: labels,
      registers: [registry],
    });
    const series = new SeriesByCheck();
    return {
      observe(r) {
        const l = series.labels(r.checkId, r.element);
        // An `error` result (store unreachable) says nothing about the attestation: keep the last known values.
        if (r.status === 'error') return;
        const m = r.measurements;
        const put = (g: Gauge, v: number | undefined) => {
          if (typeof v !== 'number') return series.remove(g, l);
          g.set(l, v);
          series.wrote(g, l);
        };
        put(present, m.attested);
        put(expiry, m.expiresAtSeconds);
        put(age, m.ageSeconds);
      },
      forget: (checkId) => series.forget(checkId),
    };
  },
};
