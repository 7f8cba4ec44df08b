/**
 * Bounded shutdown: every stop step gets a share of one deadline, so a step stuck on an unreachable Redis
 * (commands queue forever while ioredis reconnects) cannot keep the later steps, such as closing the evidence
 * store, from running, nor keep the process alive past its grace period.
 */
import { logger } from '../util/logger';

export interface StopStep {
  name: string;
  /** May return a promise (awaited within the step's time) or finish synchronously. */
  run: () => unknown;
  /** The most this step may take; the overall deadline can cut it shorter. */
  maxMs: number;
  /** What this step gets even when earlier steps used the deadline up (default: the floor). */
  minMs?: number;
}

/** Resolves with `true` when `p` settled within `ms`, `false` when the time ran out first (p is left running). */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      p.then(
        () => true as const,
        (err: unknown) => {
          logger().warn({ err: (err as Error)?.message ?? String(err) }, 'a shutdown step failed');
          return true as const;
        },
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the steps in order within `budgetMs` overall; returns the names of steps that did not finish in time.
 * Each step gets at least `floorMs` even when earlier steps used the budget up, so the last ones (store close)
 * are always attempted.
 */
export async function runStopSteps(steps: StopStep[], budgetMs: number, floorMs = 250): Promise<string[]> {
  const end = Date.now() + budgetMs;
  const late: string[] = [];
  for (const step of steps) {
    const ms = Math.max(step.minMs ?? floorMs, Math.min(step.maxMs, end - Date.now()));
    // An executor that throws rejects: a step failing synchronously is handled as one whose promise rejected.
    const p = new Promise<unknown>((resolve) => resolve(step.run()));
    if (!(await settlesWithin(p, ms))) {
      late.push(step.name);
      logger().warn({ step: step.name, waitedMs: ms }, 'shutdown step did not finish in time; going on');
    }
  }
  return late;
}
