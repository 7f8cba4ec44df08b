/**
 * The one table of probe types. Adding a type = one folder under src/probes/ (index.ts with its probe, metrics.ts
 * with its metric family when it has series of its own) and one line here.
 */
import type { MetricFamily, ProbeType } from './types';
import { httpProbe } from './http';
import { httpMetrics } from './http/metrics';
import { tlsProbe } from './tls';
import { tlsMetrics } from './tls/metrics';
import { transactionProbe } from './transaction';
import { transactionMetrics } from './transaction/metrics';
import { freshnessProbe } from './freshness';
import { freshnessMetrics } from './freshness/metrics';
import { webpageProbe } from './webpage';
import { securityTxtProbe } from './securitytxt';
import { securityTxtMetrics } from './securitytxt/metrics';
import { openapiProbe } from './openapi';
import { mfaProbe } from './mfa';
import { mfaMetrics } from './mfa/metrics';
import { attestationProbe } from './attestation';
import { attestationMetrics } from './attestation/metrics';

/** A probe type and its metric family, if any; the family must read the measurements this probe returns. */
export interface RegisteredProbe {
  probe: ProbeType<any, any>;
  metrics?: MetricFamily<any, any>;
}

/** Pairs a probe with its family; the type parameters make a family for other measurements or options a compile error. */
export function entry<O, M extends object>(probe: ProbeType<O, M>, metrics?: MetricFamily<M, O>): RegisteredProbe {
  return { probe, metrics };
}

const PROBES: RegisteredProbe[] = [
  entry(httpProbe, httpMetrics),
  entry(freshnessProbe, freshnessMetrics),
  entry(webpageProbe),
  entry(securityTxtProbe, securityTxtMetrics),
  entry(openapiProbe),
  entry(transactionProbe, transactionMetrics),
  entry(mfaProbe, mfaMetrics),
  entry(tlsProbe, tlsMetrics),
  entry(attestationProbe, attestationMetrics),
];

export const registry: ReadonlyMap<string, ProbeType<any>> = new Map(PROBES.map((p) => [p.probe.type, p.probe]));

/** Every probe type with a metric family of its own, keyed by type (src/metrics builds its families from this). */
export const metricFamilies: ReadonlyMap<string, MetricFamily<any, any>> = new Map(
  PROBES.flatMap((p) => (p.metrics ? [[p.probe.type, p.metrics] as const] : [])),
);

export function probeTypes(): string[] {
  return [...registry.keys()].sort();
}

export function getProbe(type: string): ProbeType<any> | undefined {
  return registry.get(type);
}
