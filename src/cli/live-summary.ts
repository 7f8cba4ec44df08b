/**
 * What `run` and `demo` print on a terminal: a line when a check starts failing (the first failing finding's
 * message, so the reader sees why) or recovers, and a compact count of checks by status when it changes (at most
 * every few seconds). A result sink of the recorder in this process; not used when stdout is not a TTY, where the
 * monitor writes only JSON logs on stderr.
 */
import type { Check } from '../config/check';
import type { ProbeResult, Status } from '../results/contract';
import type { ResultSink } from '../results/sink';

const ORDER: Status[] = ['pass', 'warn', 'fail', 'error'];
const MAX_WHY = 160;

function clock(d = new Date()): string {
  return d.toTimeString().slice(0, 8);
}

/** Why a result is not a pass, in one bounded line: the first non-passing finding, and how many more. */
export function why(result: ProbeResult): string {
  const bad = result.findings.filter((f) => f.status !== 'pass');
  if (!bad.length) return result.status === 'error' ? 'the probe could not decide' : '';
  const first = `${bad[0].id}: ${bad[0].message}`;
  const text = bad.length > 1 ? `${first} (+${bad.length - 1} more)` : first;
  return text.length > MAX_WHY ? `${text.slice(0, MAX_WHY - 1)}…` : text;
}

export class LiveSummary implements ResultSink {
  readonly name = 'live-summary';
  private readonly last = new Map<string, Status>();
  private checks: string[] = [];
  private shown = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly everyMs = 5000,
  ) {}

  recordConfig(_hash: string, checks: Check[]): Promise<void> {
    this.checks = checks.filter((c) => c.enabled).map((c) => c.id);
    this.schedule();
    return Promise.resolve();
  }

  write(result: ProbeResult): Promise<void> {
    const before = this.last.get(result.checkId);
    this.last.set(result.checkId, result.status);
    if (result.status !== before) {
      const label = `${result.checkId} (${result.type}, ${result.element})`;
      if (result.status === 'pass') {
        if (before) this.out.write(`${clock()}  ok     ${label} passes again\n`);
      } else {
        const verb = result.status === 'error' ? 'ERROR ' : result.status === 'fail' ? 'FAIL  ' : 'WARN  ';
        this.out.write(`${clock()}  ${verb} ${label} ${result.target}: ${why(result)}\n`);
      }
    }
    this.schedule();
    return Promise.resolve();
  }

  /** `34 checks: 20 pass, 2 warn, 5 fail, 1 error, 6 not run yet`. */
  counts(): string {
    const n: Record<Status, number> = { pass: 0, warn: 0, fail: 0, error: 0 };
    let seen = 0;
    for (const id of this.checks) {
      const s = this.last.get(id);
      if (s) {
        n[s]++;
        seen++;
      }
    }
    const parts = ORDER.filter((s) => n[s] > 0).map((s) => `${n[s]} ${s}`);
    if (this.checks.length > seen) parts.push(`${this.checks.length - seen} not run yet`);
    return `${this.checks.length} checks: ${parts.join(', ') || 'none'}`;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.everyMs);
    this.timer.unref();
  }

  flush(): void {
    const line = this.counts();
    if (line === this.shown) return;
    this.shown = line;
    this.out.write(`${clock()}  ${line}\n`);
  }

  close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return Promise.resolve();
  }
}
