/**
 * The recorder's evidence store: the sink every result goes to and the monthly pack job. The store is
 * registered for this process's own `attestation` checks; other processes open it themselves. The evidence code
 * reports its health and pack builds through callbacks; this composition step points them at the metrics gauges.
 */
import type { ScheduledTask } from 'node-cron';
import type { Check } from '../config/check';
import type { Settings } from '../config/settings';
import { checksInMaintenance } from '../evidence/maintenance';
import type { Metrics } from '../metrics/definitions';
import { logger } from '../util/logger';
import { registerEvidenceStore } from '../evidence/access';
import { recordLifecycle } from '../evidence/lifecycle';
import { scheduleMonthlyPack } from '../evidence/monthly';
import { EvidenceSink } from '../evidence/sink';
import { storeOptionsFromEnv } from '../evidence/store';
import { setEvidenceLastBuild, setEvidenceStoreUp } from '../metrics/families/evidence';

/** How often the recorder reads the maintenance windows: a window added or ended is picked up without restart. */
export const MAINTENANCE_POLL_MS = 5000;

/** Keeps `pengawas_check_in_maintenance` current from the store; returns its stop function. */
function watchMaintenance(sink: EvidenceSink, metrics: Metrics, checks: () => Check[]): () => void {
  let busy = false;
  const poll = async () => {
    if (busy) return;
    busy = true;
    try {
      metrics.setMaintenance(await checksInMaintenance(sink.store.db, checks(), new Date()));
    } catch (err) {
      logger().warn({ err: (err as Error).message }, 'could not read maintenance windows; keeping the last known state');
    } finally {
      busy = false;
    }
  };
  void poll();
  const timer = setInterval(() => void poll(), MAINTENANCE_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export async function openEvidence(
  s: Settings,
  watch?: { metrics: Metrics; checks: () => Check[] },
): Promise<{ sink: EvidenceSink; close(): Promise<void> }> {
  const sink = await EvidenceSink.open({ ...storeOptionsFromEnv(s.dataDir), onHealth: setEvidenceStoreUp });
  // The session's start and clean stop are evidence too: the pack tells "monitor off" from "target passing".
  await recordLifecycle(sink.store.db, 'started');
  const task: ScheduledTask | undefined = s.evidence.monthlyPackCron
    ? scheduleMonthlyPack(sink.store, { cron: s.evidence.monthlyPackCron, langs: s.evidence.lang, onBuilt: setEvidenceLastBuild })
    : undefined;
  const unregister = registerEvidenceStore(sink.store);
  const unwatch = watch ? watchMaintenance(sink, watch.metrics, watch.checks) : () => undefined;
  return {
    sink,
    close: async () => {
      unwatch();
      unregister();
      await task?.stop();
      await sink.close({ beforeClose: () => recordLifecycle(sink.store.db, 'stopped') });
    },
  };
}
