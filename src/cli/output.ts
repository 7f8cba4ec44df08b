/** How results and exit codes look on the command line. */
import type { ProbeResult } from '../results/contract';

/** `unverified`: `evidence verify` found a pack intact but no key from outside the pack vouches for its signer. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unverified: 3 } as const;

/** 0 pass, 1 fail or warn, 2 error (the probe could not decide). */
export function exitCodeFor(result: ProbeResult): number {
  if (result.status === 'pass') return EXIT.ok;
  if (result.status === 'error') return EXIT.usage;
  return EXIT.failed;
}

export function printResult(result: ProbeResult, json: boolean, out: NodeJS.WritableStream = process.stdout): void {
  if (json) {
    out.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  out.write(
    `${result.status.toUpperCase()}  ${result.checkId} (${result.type}, ${result.element}) ${result.target}  ${result.durationMs.toFixed(1)} ms\n`,
  );
  for (const f of result.findings) {
    if (f.status === 'pass') continue;
    out.write(`  ${f.status.padEnd(5)} ${f.severity.padEnd(8)} ${f.id}: ${f.message}\n`);
  }
}
