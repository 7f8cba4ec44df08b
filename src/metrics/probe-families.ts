/**
 * The probe types' own metric families (`pengawas_<type>_*`), built from the probe registry: each family sees
 * only the results and checks of its own type, so adding a probe type needs no line here. Loads the families'
 * modules (each type's metrics.ts), not the probes.
 */
import type { Registry } from 'prom-client';
import type { Check } from '../config/check';
import { metricFamilies, type ErasedFamily } from '../probes/registry';
import type { ProbeResult } from '../results/contract';
import { logger } from '../util/logger';

export class ProbeFamilies {
  private readonly byType = new Map<string, ReturnType<ErasedFamily['create']>>();

  /** `types` limits the families created (tests); default: every registered family. */
  constructor(registry: Registry, types?: readonly string[]) {
    for (const [type, family] of metricFamilies()) if (!types || types.includes(type)) this.byType.set(type, family.create(registry));
  }

  /**
   * A result whose measurements do not have its probe's shape (a worker of another version, say) must not stop the
   * recorder: its family series are skipped and logged; the check series and the evidence are recorded as usual.
   */
  observe(result: ProbeResult): void {
    const family = this.byType.get(result.type);
    if (!family) return;
    try {
      family.observe(result);
    } catch (err) {
      logger().error(
        { result: result.id, type: result.type, err: (err as Error).message },
        "probe-family metrics skipped: the result's measurements do not have its probe type's shape",
      );
    }
  }

  configure(checks: readonly Check[]): void {
    for (const [type, family] of this.byType) family.configure(checks.filter((c) => c.type === type));
  }

  /** Drops the series of a check that left the configuration (or changed its type: `type` is the old one). */
  forget(checkId: string, type: string): void {
    this.byType.get(type)?.forget(checkId);
  }
}
