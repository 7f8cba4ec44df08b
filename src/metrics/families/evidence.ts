/**
 * `pengawas_evidence_*`: the evidence pipeline's own gauges (not a probe type). The monthly pack job calls
 * setEvidenceLastBuild() after each build; every registry created through this family shows the value.
 */
import { Gauge, type Registry } from 'prom-client';

const gauges = new Set<Gauge>();
let lastBuild: number | undefined;

const upGauges = new Set<Gauge>();
let storeUp: { backend: string; value: number } | undefined;

/**
 * 1 while the evidence store accepts writes, 0 while it is down (the recorder's sink calls this). Labelled by
 * backend, so a process without a recorder exports no series rather than a misleading 0.
 */
export function setEvidenceStoreUp(backend: string, up: boolean): void {
  storeUp = { backend, value: up ? 1 : 0 };
  for (const g of upGauges) g.set({ backend }, storeUp.value);
}

/** Unix seconds of the last successful evidence pack build (buildMonthlyPack calls this). */
export function setEvidenceLastBuild(unixSeconds: number): void {
  lastBuild = unixSeconds;
  for (const g of gauges) g.set(unixSeconds);
}

export const evidenceFamily = {
  create(registry: Registry): void {
    const g = new Gauge({
      name: 'pengawas_evidence_last_build_timestamp_seconds',
      help: 'When the last monthly evidence pack was built (unix seconds)',
      registers: [registry],
    });
    if (lastBuild !== undefined) g.set(lastBuild);
    gauges.add(g);
    const up = new Gauge({
      name: 'pengawas_evidence_store_up',
      help: 'Whether the evidence store accepts writes (1) or is down (0); absent where no recorder runs',
      labelNames: ['backend'],
      registers: [registry],
    });
    if (storeUp !== undefined) up.set({ backend: storeUp.backend }, storeUp.value);
    upGauges.add(up);
  },
};
