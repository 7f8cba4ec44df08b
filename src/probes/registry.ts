/**
 * The one table of probe types. Adding a type = one folder under src/probes/ (index.ts with its probe, metrics.ts
 * with its metric family when it has series of its own) and one row here (its type-only imports above it).
 * Every module of a type is `require`d on first use, so a process loads only what it runs: `pengawas probe tls`
 * loads the tls probe alone, a configuration loads the types it names, the recorder loads the metric families and
 * no probe.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- require() on first use is the point: see above */
import type { Registry } from 'prom-client';
import type { Check } from '../config/check';
import type { ProbeResult } from '../results/contract';
import type { MetricFamily, ProbeType, TypedResult } from './types';
import type * as Attestation from './attestation';
import type * as AttestationMetrics from './attestation/metrics';
import type * as Freshness from './freshness';
import type * as FreshnessMetrics from './freshness/metrics';
import type * as Http from './http';
import type * as HttpMetrics from './http/metrics';
import type * as Mfa from './mfa';
import type * as MfaMetrics from './mfa/metrics';
import type * as Openapi from './openapi';
import type * as Securitytxt from './securitytxt';
import type * as SecuritytxtMetrics from './securitytxt/metrics';
import type * as Tls from './tls';
import type * as TlsMetrics from './tls/metrics';
import type * as Transaction from './transaction';
import type * as TransactionMetrics from './transaction/metrics';
import type * as Webpage from './webpage';

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

/** A probe type's loaders: the probe, and its metric family if it has one (loaded without the probe). */
export interface RegisteredProbe {
  probe: () => ProbeType;
  metrics?: () => ErasedFamily;
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

/**
 * Pairs a probe's loader with its family's; the type parameters make a family for other measurements or options a
 * compile error. Nothing is loaded here: each loader runs on first use.
 */
export function entry<O, M extends object>(probe: () => ProbeType<O, M>, metrics?: () => MetricFamily<M, O>): RegisteredProbe {
  return { probe, ...(metrics ? { metrics: () => erase(metrics()) } : {}) };
}

/** In the order /metrics lists the families (docs/metrics.md follows it). */
const PROBES: Readonly<Record<string, RegisteredProbe>> = {
  http: entry(
    () => (require('./http') as typeof Http).httpProbe,
    () => (require('./http/metrics') as typeof HttpMetrics).httpMetrics,
  ),
  freshness: entry(
    () => (require('./freshness') as typeof Freshness).freshnessProbe,
    () => (require('./freshness/metrics') as typeof FreshnessMetrics).freshnessMetrics,
  ),
  webpage: entry(() => (require('./webpage') as typeof Webpage).webpageProbe),
  securitytxt: entry(
    () => (require('./securitytxt') as typeof Securitytxt).securityTxtProbe,
    () => (require('./securitytxt/metrics') as typeof SecuritytxtMetrics).securityTxtMetrics,
  ),
  openapi: entry(() => (require('./openapi') as typeof Openapi).openapiProbe),
  transaction: entry(
    () => (require('./transaction') as typeof Transaction).transactionProbe,
    () => (require('./transaction/metrics') as typeof TransactionMetrics).transactionMetrics,
  ),
  mfa: entry(
    () => (require('./mfa') as typeof Mfa).mfaProbe,
    () => (require('./mfa/metrics') as typeof MfaMetrics).mfaMetrics,
  ),
  tls: entry(
    () => (require('./tls') as typeof Tls).tlsProbe,
    () => (require('./tls/metrics') as typeof TlsMetrics).tlsMetrics,
  ),
  attestation: entry(
    () => (require('./attestation') as typeof Attestation).attestationProbe,
    () => (require('./attestation/metrics') as typeof AttestationMetrics).attestationMetrics,
  ),
};

const loaded = new Map<string, ProbeType>();

/** Every registered type, sorted; loads nothing. */
export function probeTypes(): string[] {
  return Object.keys(PROBES).sort();
}

/** The probe of `type`, its modules loaded on the first call; undefined for an unknown type. */
export function getProbe(type: string): ProbeType | undefined {
  if (!Object.hasOwn(PROBES, type)) return undefined;
  let probe = loaded.get(type);
  if (!probe) {
    probe = PROBES[type].probe();
    if (probe.type !== type) throw new Error(`src/probes/registry.ts: the row "${type}" loads the probe of type "${probe.type}"`);
    loaded.set(type, probe);
  }
  return probe;
}

/** Every probe type with a metric family of its own, keyed by type: loads the families (metrics.ts), no probe. */
export function metricFamilies(): ReadonlyMap<string, ErasedFamily> {
  return new Map(Object.entries(PROBES).flatMap(([type, p]) => (p.metrics ? [[type, p.metrics()] as const] : [])));
}
