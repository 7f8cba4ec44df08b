/**
 * Where the recorder sends each result: the metrics registry and the evidence store are both sinks, wired by the
 * composition root (src/monitor/monitor.ts); the recorder knows only this interface.
 */
import type { Check } from '../config/check';
import type { ProbeResult } from './contract';
import type { GapEntry } from './gaps';

export interface ResultSink {
  name: string;
  /**
   * Must be idempotent by result.id: delivery is at least once. Throwing leaves the result unacknowledged.
   * The recorder calls write() for a whole delivery batch without waiting in between, so a sink may group them.
   */
  write(result: ProbeResult, check: Check | undefined): Promise<void>;
  /** The configuration in force changed (start and every accepted reload). */
  recordConfig?(hash: string, checks: Check[]): Promise<void>;
  /** Authentic reports of results that will never arrive (the gaps stream); idempotent by result id. */
  recordGaps?(gaps: GapEntry[]): Promise<void>;
  close?(): Promise<void>;
}
