/** The shape of an evidence pack's manifest.json (written by build.ts, read by anchor, numbers, verify and check-store). */
import type { StreamHead } from '../chain';
import type { PackSummary } from './summary';

export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface Manifest {
  format: string;
  month: string;
  period: { from: string; to: string; timezone: string; complete: boolean };
  scope: { checks: number; elements: string[]; checkIds: string[] };
  empty: boolean;
  tool: { name: string; version: string };
  generatedAt: string;
  store: { backend: string };
  checkDefinitions: { sha256: string | null; applied: Array<{ sha256: string; appliedAt: string }> };
  /** `heads`: only in packs built before chains.json, which listed every stream's head here. */
  chain: { head: string; streams: number; heads?: StreamHead[] };
  totals: PackSummary['totals'];
  /** Per element (all ten): counts and pass rate. Absent in packs built before they were listed. */
  elements?: Array<{
    element: string;
    checks: number;
    runs: number;
    passes: number;
    warns: number;
    fails: number;
    waived: number;
    errors: number;
    passRate: number | null;
  }>;
  files: ManifestFile[];
  signature: { algorithm: string; publicKeyFile: string; publicKeySha256: string };
}
