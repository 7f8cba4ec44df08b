/**
 * Runs one check once and returns the result contract. Used by workers and by `pengawas check|probe`.
 * Owns the hard timeout (AbortSignal), turns ProbeErrors into `error` results, and scrubs resolved secrets.
 */
import type { ProbeContext } from './types';
import { performance } from 'node:perf_hooks';
import type { Check } from '../config/check';
import { findRefs, resolveSecrets, shortRefProblem } from '../config/secrets';
import { PengawasError, ProbeError, ProbeTimeoutError, SecretError } from '../errors';
import { resultId, worstStatus, type ProbeResult } from '../results/contract';
import { MIN_SECRET_LENGTH, Scrubber } from '../util/scrub';
import { withSecrets } from '../util/secret-scope';
import { textOf } from '../util/narrow';
import { getProbe } from './registry';

export interface RunOptions {
  /** The scheduled slot; ad-hoc runs use the start time. */
  slot?: Date;
  attempt?: number;
  dataDir: string;
  /** Cancels the run (worker shutdown). */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Passed to the probe as ctx.progress (the CLI's progress line). */
  progress?: ProbeContext['progress'];
}

export async function runCheck(check: Check, opts: RunOptions): Promise<ProbeResult> {
  const started = new Date();
  const t0 = performance.now();
  const slot = opts.slot ?? started;
  const base = {
    id: resultId(check.id, slot),
    checkId: check.id,
    type: check.type,
    element: check.element,
    scheduledAt: slot.toISOString(),
    startedAt: started.toISOString(),
    attempt: opts.attempt ?? 1,
  };
  const controller = new AbortController();
  // The error (and its stack) is made only when the timeout fires: this is the hot path of every check.
  const timer = setTimeout(() => controller.abort(new ProbeTimeoutError(check.timeoutMs)), check.timeoutMs);
  const onOuterAbort = () => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let secrets: string[] = [];
  // Built once per run (costly for a long secret such as a PEM key); scrubs both inside the probe and its result.
  let scrubber: Scrubber | undefined;
  try {
    const probe = getProbe(check.type);
    if (!probe) throw new PengawasError('PENGAWAS_UNKNOWN_TYPE', `unknown probe type "${check.type}"`);
    const resolved = resolveSecrets(check.options, opts.env);
    secrets = resolved.secrets;
    if (secrets.some((s) => s.length < MIN_SECRET_LENGTH)) throw shortSecretError(check, opts.env);
    // The probe runs inside its check's secret scope: clipping scrubs first, redirects withhold what carries them.
    scrubber = new Scrubber(secrets);
    const run = withSecrets(
      secrets,
      () =>
        probe.run(check.target, resolved.value, {
          signal: controller.signal,
          timeoutMs: check.timeoutMs,
          dataDir: opts.dataDir,
          checkId: check.id,
          ...(opts.progress ? { progress: opts.progress } : {}),
        }),
      scrubber,
    );
    // The probe should stop on the signal; this race is the hard stop for one that does not.
    const aborted = new Promise<never>((_, reject) => {
      if (controller.signal.aborted) reject(abortError(controller.signal));
      controller.signal.addEventListener('abort', () => reject(abortError(controller.signal)), { once: true });
    });
    const out = await Promise.race([run, aborted]);
    const took = performance.now() - t0;
    // Past the deadline yet not aborted: the timer could not fire, so the loop was blocked (a synchronous stall in
    // this process). Whatever the probe concluded came too late to be trusted as on time: undecided, never a pass.
    if (took > check.timeoutMs) throw new LoopBlockedError(took, check.timeoutMs);
    const status = out.status ?? worstStatus(out.findings.map((f) => f.status));
    return (scrubber ?? new Scrubber(secrets)).value({
      ...base,
      target: out.target ?? check.target,
      status,
      durationMs: round(performance.now() - t0),
      findings: out.findings,
      // A copy as a plain record: the result contract's view of whatever the probe measured.
      measurements: { ...out.measurements },
    });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const code = e instanceof PengawasError ? e.code : 'PROBE_UNEXPECTED';
    const result: ProbeResult = {
      ...base,
      target: check.target,
      status: 'error',
      durationMs: round(performance.now() - t0),
      errorCode: code,
      findings: [{ id: `probe.error.${code.toLowerCase()}`, severity: 'info', status: 'error', message: e.message }],
      measurements: {},
    };
    return (scrubber ?? new Scrubber(secrets)).value(result);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** Names the reference (never the value) of a secret too short to scrub; validate refuses these up front. */
function shortSecretError(check: Check, env: NodeJS.ProcessEnv | undefined): SecretError {
  for (const ref of findRefs(check.options, 'options')) {
    const why = shortRefProblem(ref, env);
    if (why) return new SecretError(`check ${check.id}, ${ref.path}: ${why}`);
  }
  return new SecretError(`check ${check.id}: a secret reference resolves to fewer than ${MIN_SECRET_LENGTH} characters`);
}

/** A run that finished past its timeout because the event loop could not run the timer that enforces it. */
class LoopBlockedError extends ProbeError {
  constructor(tookMs: number, timeoutMs: number) {
    super(
      'PROBE_TIMEOUT',
      `the run took ${Math.round(tookMs)} ms, past its ${timeoutMs} ms timeout: the event loop was blocked, so the timeout could not interrupt it; its outcome is discarded`,
    );
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Why the signal fired: the timeout's ProbeTimeoutError or the worker's reason (Errors both); anything else wrapped. */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(`probe aborted: ${textOf(reason)}`);
}
