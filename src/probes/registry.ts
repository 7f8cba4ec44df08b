/** The one table of probe types. Adding a type = one folder under src/probes/ and one line here. */
import type { ProbeType } from './types';
import { httpProbe } from './http';
import { tlsProbe } from './tls';
import { transactionProbe } from './transaction';
import { freshnessProbe } from './freshness';
import { webpageProbe } from './webpage';
import { securityTxtProbe } from './securitytxt';
import { openapiProbe } from './openapi';
import { mfaProbe } from './mfa';
import { attestationProbe } from './attestation';

const PROBES: ProbeType<any>[] = [httpProbe, freshnessProbe, webpageProbe, securityTxtProbe, openapiProbe, transactionProbe, mfaProbe, tlsProbe, attestationProbe];

export const registry: ReadonlyMap<string, ProbeType<any>> = new Map(PROBES.map((p) => [p.type, p]));

export function probeTypes(): string[] {
  return [...registry.keys()].sort();
}

export function getProbe(type: string): ProbeType<any> | undefined {
  return registry.get(type);
}
