/**
 * The one table of probe types. Adding a type = one folder under src/probes/ (index.ts with its probe, metrics.ts
 * with its metric family when it has series of its own) and one line here.
 */
import type { Registry } from 'prom-client';
import type { Check } from '../config/check';
import type { ProbeResult } from '../results/contract';
import type { MetricFamily, ProbeType, TypedResult } from './types';
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

/**
 * A probe type's family with the probe's types erased, so families of every type sit in one table: it takes any
 * result and checks of its type. `entry` makes it, where the compiler has paired the family with its probe.
 */
export interface ErasedFamily {
  create(registry: Registry): {
    observe(result: ProbeResult): void;
    configure(checks: readonly Check[]): void;
    forget(checkId: string): void;
  };
}

/** A probe type and its metric family, if any; the family must read the measurements this probe returns. */
export interface RegisteredProbe {
  probe: ProbeType;
  metrics?: ErasedFamily;
}

/**
 * The one place a result's measurements and a check's options get their probe's types. A result reaches the
 * recorder as JSON made by the `run()` of the probe registered for `result.type` (a typed ProbeOutput<M>) and
 * authenticated on the results stream; a check of this type had its `options:` parsed by this probe's schema when
 * the configuration loaded. `error` results carry the runner's empty measurements, which TypedResult leaves untyped.
 */
function erase<O, M>(family: MetricFamily<M, O>): ErasedFamily {
  return {
    create(registry) {
      const m = family.create(registry);
      return {
        observe: (result) => m.observe(result as TypedResult<M>),
        configure: (checks) => m.configure?.(checks as Array<Check & { options: O }>),
        forget: (checkId) => m.forget?.(checkId),
      };
    },
  };
}

/** Pairs a probe with its family; the type parameters make a family for other measurements or options a compile error. */
export function entry<O, M extends object>(probe: ProbeType<O, M>, metrics?: MetricFamily<M, O>): RegisteredProbe {
  return { probe, metrics: metrics && erase(metrics) };
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

export const registry: ReadonlyMap<string, ProbeType> = new Map(PROBES.map((p) => [p.probe.type, p.probe]));

/** Every probe type with a metric family of its own, keyed by type (src/metrics builds its families from this). */
export const metricFamilies: ReadonlyMap<string, ErasedFamily> = new Map(
  PROBES.flatMap((p) => (p.metrics ? [[p.probe.type, p.metrics] as const] : [])),
);

export function probeTypes(): string[] {
  return [...registry.keys()].sort();
}

export function getProbe(type: string): ProbeType | undefined {
  return registry.get(type);
}
