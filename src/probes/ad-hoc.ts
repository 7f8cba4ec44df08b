/** A check made on the spot (CLI `probe`, tests): the same Check shape the loader builds, with plain defaults. */
import type { Check } from '../config/check';
import type { ElementId } from '../elements';
import type { Severity } from '../results/contract';
import { getProbe } from './registry';

export interface AdHocSpec {
  type: string;
  target: string;
  /** Options as written; parsed (defaults filled) by the type's schema here. */
  options?: unknown;
  id?: string;
  element?: ElementId;
  timeoutMs?: number;
  severity?: Severity;
  retries?: number;
}

/** Throws the schema's error for bad options; callers that report issues parse first and pass the result. */
export function adHocCheck(spec: AdHocSpec): Check {
  const probe = getProbe(spec.type);
  if (!probe) throw new Error(`probe type ${spec.type} is not registered`);
  return {
    id: spec.id ?? 'cli',
    name: `${spec.type} ${spec.target}`,
    type: spec.type,
    element: spec.element ?? probe.defaultElement,
    schedule: { kind: 'every', intervalMs: 60_000 },
    scheduleText: 'ad hoc',
    intervalMs: 60_000,
    timeoutMs: spec.timeoutMs ?? 30_000,
    target: spec.target,
    options: probe.options.parse(spec.options ?? {}) as Record<string, unknown>,
    severity: spec.severity ?? 'medium',
    labels: {},
    retries: spec.retries ?? 0,
    enabled: true,
    source: { file: 'ad hoc' },
  };
}
