/**
 * Probe-family metrics (`pengawas_<type>_*`), one file per probe type, registered in this one table.
 * A family turns a result's measurements into series; all carry `check` and `element`.
 */
import type { Registry } from 'prom-client';
import type { Check } from '../../config/check';
import type { ProbeResult } from '../../results/contract';
import { httpFamily } from './http';
import { tlsFamily } from './tls';
import { transactionFamily } from './transaction';
import { freshnessFamily } from './freshness';
import { securityTxtFamily } from './securitytxt';
import { mfaFamily } from './mfa';
import { evidenceFamily } from './evidence';
import { attestationFamily } from './attestation';

export interface FamilyMetrics {
  observe(result: ProbeResult): void;
  /** The configuration in force (start and every accepted reload): series a family derives from checks alone. */
  configure?(checks: Check[]): void;
  /** Drops the series of a check that left the configuration. */
  forget?(checkId: string): void;
}

export interface MetricFamily {
  type: string;
  create(registry: Registry): FamilyMetrics;
}

export const FAMILIES: MetricFamily[] = [httpFamily, freshnessFamily, securityTxtFamily, transactionFamily, evidenceFamily, mfaFamily, tlsFamily, attestationFamily];
