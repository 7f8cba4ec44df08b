/** Where the recorder sends each result besides metrics (the evidence store is one). */
import type { Check } from '../config/check';
import type { ProbeResult } from '../results/contract';

export interface ResultSink {
  name: string;
  /** Must be idempotent by result.id: delivery is at least once. Throwing leaves the result unacknowledged. */
  write(result: ProbeResult, check: Check | undefined): Promise<void>;
  close?(): Promise<void>;
}
