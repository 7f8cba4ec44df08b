/**
 * What each probe type accepts as `target`, and the local files it reads, checked when checks load with the very
 * code the probe runs (its `checkTarget` and `localFileProblems`, part of the probe contract: a type without a target
 * check does not compile), so `validate` rejects what the probe would reject at run time. Depends on no probe.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors';
import type { ProbeType } from '../probes/types';

/** The problem with `target` for this probe, or undefined when the probe would accept it. */
export function targetProblem(probe: ProbeType, target: string, options: Record<string, unknown>): string | undefined {
  try {
    probe.checkTarget(target, options);
    return undefined;
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
}

/**
 * Files the probe reads when it runs (options.caFile for any type, and the probe's own, such as a TLS profile YAML),
 * checked on the machine that will run it (the same condition as secret references: `checkSecrets`).
 */
export function localFileProblems(probe: ProbeType, options: Record<string, unknown>): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  const caFile = options.caFile;
  if (typeof caFile === 'string' && !caFile.includes('${')) {
    try {
      readFileSync(caFile);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      out.push({ field: 'options.caFile', message: `caFile ${JSON.stringify(caFile)} cannot be read here (${why})` });
    }
  }
  return [...out, ...(probe.localFileProblems?.(options) ?? [])];
}
