/**
 * A wait whose running out is a verdict ("the server stayed silent", "no ticket came"), not an error. After a stall of
 * this process (a major collection, a busy worker) Node runs due timers before the poll that delivers what arrived
 * meanwhile, so a plain timer would call silence on an answer that is already there. This one calls back after that
 * poll (setImmediate runs after it): an answer that came in during the stall is handled first.
 * test/probes/tls/followup-stall.test.ts shows the difference against a peer in another process.
 */
export interface VerdictTimer {
  cancel(): void;
}

export function verdictTimer(ms: number, onQuiet: () => void): VerdictTimer {
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => (immediate = setImmediate(onQuiet)), Math.max(0, ms));
  return {
    cancel() {
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
    },
  };
}
