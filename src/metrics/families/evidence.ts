/**
 * `pengawas_evidence_*`: the evidence pipeline's own gauges (not a probe type: no result carries type
 * "evidence", so observe() has nothing to do). The monthly pack job calls setEvidenceLastBuild() after each
 * build; every registry created through this family shows the value.
 */
import { Gauge } from 'prom-client';
import type { MetricFamily } from './index';

const gauges = new Set<Gauge>();
let lastBuild: number | undefined;

/** Unix seconds of the last successful evidence pack build (buildMonthlyPack calls this). */
export function setEvidenceLastBuild(unixSeconds: number): void {
  lastBuild = unixSeconds;
  for (const g of gauges) g.set(unixSeconds);
}

export const evidenceFamily: MetricFamily = {
  type: 'evidence',
  create(registry) {
    const g = new Gauge({ name: 'pengawas_evidence_last_build_timestamp_seconds', help: 'When the last monthly evidence pack was built (unix seconds)', registers: [registry] });
    if (lastBuild !== undefined) g.set(lastBuild);
    gauges.add(g);
    return { observe() {} };
  },
};
