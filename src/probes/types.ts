/** What a probe type is: one folder under src/probes/, registered once in registry.ts. */
import type { z } from 'zod';
import type { ElementId } from '../elements';
import type { Finding, Status } from '../results/contract';

export interface ProbeContext {
  /** Aborted when the check's timeout passes or the worker shuts down; every socket must honour it. */
  signal: AbortSignal;
  /** The check's hard timeout in milliseconds. */
  timeoutMs: number;
  /** For everything a probe keeps on disk (PENGAWAS_DATA_DIR). */
  dataDir: string;
  /** The check id, for probes that keep per-check state; `cli` for ad-hoc probes. */
  checkId: string;
}

export interface ProbeOutput {
  /** The target as the probe understood it (normalised), shown in results and evidence. */
  target?: string;
  findings: Finding[];
  measurements: Record<string, unknown>;
  /** Overrides the status derived from findings (rarely needed). */
  status?: Status;
}

export interface ProbeType<Options = unknown> {
  type: string;
  summary: string;
  /** The element a check of this type belongs to when the CLI runs it ad hoc. */
  defaultElement: ElementId;
  /** What `target` means for this type, for help texts ("URL", "host:port", ...). */
  targetHelp: string;
  /** Schema of the check's `options:` block. Strings may still hold ${env:..}/${file:..} references. */
  options: z.ZodType<Options>;
  /** Runs one probe. Throws a ProbeError (src/errors.ts) when it cannot decide. */
  run(target: string, options: Options, ctx: ProbeContext): Promise<ProbeOutput>;
}

/** Declares a probe type with its options type inferred from the schema. */
export function defineProbe<S extends z.ZodType>(def: Omit<ProbeType<z.infer<S>>, 'options'> & { options: S }): ProbeType<z.infer<S>> {
  return def as ProbeType<z.infer<S>>;
}
