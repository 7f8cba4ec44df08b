/** A validated check, as the scheduler and workers use it. */
import type { ElementId } from '../elements';
import type { Severity } from '../results/contract';
import type { Schedule } from './schedule';

export interface Check {
  id: string;
  name: string;
  type: string;
  element: ElementId;
  schedule: Schedule;
  /** The schedule as written, for listings. */
  scheduleText: string;
  /** Nominal time between runs, derived once at load (cron: the gap between its next two runs). */
  intervalMs: number;
  timeoutMs: number;
  target: string;
  /** Type-specific options after schema defaults; may hold unresolved secret references. */
  options: Record<string, unknown>;
  severity: Severity;
  owner?: string;
  /** What the check proves, in English and in Bahasa Indonesia (`description` / `description_id` in YAML). */
  description?: string;
  descriptionId?: string;
  runbook?: string;
  labels: Record<string, string>;
  retries: number;
  enabled: boolean;
  /** Where the check is defined, for messages. */
  source: { file: string; line?: number };
}

export interface CheckSet {
  checks: Check[];
  byId: Map<string, Check>;
  /** SHA-256 over the normalised definitions; changes when any check changes. */
  hash: string;
  loadedAt: Date;
}
