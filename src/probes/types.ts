/** What a probe type is: one folder under src/probes/, registered once in registry.ts. */
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { Check } from '../config/check';
import type { ElementId } from '../elements';
import type { Finding, ProbeResult, Status } from '../results/contract';

export interface ProbeContext {
  /** Aborted when the check's timeout passes or the worker shuts down; every socket must honour it. */
  signal: AbortSignal;
  /** The check's hard timeout in milliseconds. */
  timeoutMs: number;
  /** For everything a probe keeps on disk (PENGAWAS_DATA_DIR). */
  dataDir: string;
  /** The check id, for probes that keep per-check state; `cli` for ad-hoc probes. */
  checkId: string;
  /** Long probes report how far they are (tls `addresses: all`: addresses done); the CLI draws it on a TTY. */
  progress?: (p: ProbeProgress) => void;
}

/** `done` of `total` items (addresses, endpoints) finished; `current` is the one now in work, if any. */
export interface ProbeProgress {
  done: number;
  total: number;
  unit: string;
  current?: string;
}

/** Measurements of a run that measured nothing (e.g. the target refused the certificate before any response). */
export type NoMeasurements = { readonly [key: string]: undefined };

export interface ProbeOutput<M extends object = Record<string, unknown>> {
  /** The target as the probe understood it (normalised), shown in results and evidence. */
  target?: string;
  findings: Finding[];
  measurements: M;
  /** Overrides the status derived from findings (rarely needed). */
  status?: Status;
}

/** `M` defaults to `object`: the registry's view of a probe whose measurements type is its own business. */
export interface ProbeType<Options = unknown, M extends object = object> {
  type: string;
  summary: string;
  /** The element a check of this type belongs to when the CLI runs it ad hoc. */
  defaultElement: ElementId;
  /** What `target` means for this type, for help texts ("URL", "host:port", ...). */
  targetHelp: string;
  /** Schema of the check's `options:` block. Strings may still hold ${env:..}/${file:..} references. */
  options: z.ZodType<Options>;
  /**
   * Throws a UsageError naming what is wrong when this probe would reject `target` at run time: the configuration
   * loader calls it, so `validate` rejects the same targets with the very parser the probe runs.
   */
  checkTarget(target: string, options: Record<string, unknown>): void;
  /** Files the probe reads when it runs (beyond options.caFile), checked on the machine that will run it. */
  localFileProblems?(options: Record<string, unknown>): Array<{ field: string; message: string }>;
  /**
   * The measurements time HTTP exchanges (ttfb, API and login durations): a one-shot CLI run first warms Node's HTTP
   * client and collects garbage (src/cli/one-shot.ts), so a fresh process times them as a running monitor does. Off
   * for the rest: a `tls` scan's handshake time came out the same with and without it (about 12 ms in a fresh process
   * either way), and skipping it saves the CLI about 45 ms.
   */
  timesHttp?: boolean;
  /** Runs one probe. Throws a ProbeError (src/errors.ts) when it cannot decide. */
  run(target: string, options: Options, ctx: ProbeContext): Promise<ProbeOutput<M>>;
}

/**
 * Declares a probe type: options inferred from the schema, measurements `M` given as
 * `defineProbe<typeof schema, MyMeasurements>`. `M` has no usable default (never): a probe that does not name its
 * measurements type does not compile, so its metric family can read them without a cast.
 */
export function defineProbe<S extends z.ZodType, M extends object = never>(
  def: Omit<ProbeType<z.infer<S>, NoInfer<M>>, 'options'> & { options: S },
): ProbeType<z.infer<S>, M> {
  // The schema's output is z.infer<S>; the compiler cannot see that a generic S is a ZodType of its own output.
  return def as ProbeType<z.infer<S>, M>;
}

/** Statuses whose results carry the probe's measurements. */
export type DecidedStatus = Extract<Status, 'pass' | 'warn' | 'fail'>;

/**
 * A result of one probe type as its metric family sees it: decided (pass, warn, fail) with the probe's
 * measurements, or anything else (`error`: the runner drops its measurements), untyped. A status added later falls
 * in the untyped branch, so every family must say what it does with it before it compiles.
 */
export type TypedResult<M> = Omit<ProbeResult, 'status' | 'measurements'> &
  ({ status: DecidedStatus; measurements: M } | { status: Exclude<Status, DecidedStatus>; measurements: Record<string, unknown> });

/** The series one family keeps for the checks of its probe type. */
export interface FamilyMetrics<M, Options = unknown> {
  // Properties, not methods, so the compiler checks parameter types strictly (a family for other measurements fails).
  /** Called with results of this family's probe type only. */
  observe: (result: TypedResult<M>) => void;
  /** The configuration in force (start and every accepted reload), checks of this type only. */
  configure?: (checks: Array<Check & { options: Options }>) => void;
  /** Drops the series of a check that left the configuration. */
  forget?: (checkId: string) => void;
}

/** A probe type's own metric family (`pengawas_<type>_*`), in the type's folder as `metrics.ts`. */
export interface MetricFamily<M, Options = unknown> {
  create(registry: Registry): FamilyMetrics<M, Options>;
}
