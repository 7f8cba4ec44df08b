/**
 * The recorder's evidence store: the sink every result goes to and the monthly pack job. The store is
 * registered for this process's own `attestation` checks; other processes open it themselves. The evidence code
 * reports its health and pack builds through callbacks; this composition step points them at the metrics gauges.
 */
import type { ScheduledTask } from 'node-cron';
import type { Settings } from '../config/settings';
import { registerEvidenceStore } from '../evidence/access';
import { recordLifecycle } from '../evidence/lifecycle';
import { scheduleMonthlyPack } from '../evidence/monthly';
import { EvidenceSink } from '../evidence/sink';
import { storeOptionsFromEnv } from '../evidence/store';
import { setEvidenceLastBuild, setEvidenceStoreUp } from '../metrics/families/evidence';

export async function openEvidence(s: Settings): Promise<{ sink: EvidenceSink; close(): Promise<void> }> {
  const sink = await EvidenceSink.open({ ...storeOptionsFromEnv(s.dataDir), onHealth: setEvidenceStoreUp });
  // The session's start and clean stop are evidence too: the pack tells "monitor off" from "target passing".
  await recordLifecycle(sink.store.db, 'started');
  const task: ScheduledTask | undefined = s.evidence.monthlyPackCron ? scheduleMonthlyPack(sink.store, { cron: s.evidence.monthlyPackCron, onBuilt: setEvidenceLastBuild }) : undefined;
  const unregister = registerEvidenceStore(sink.store);
  return {
    sink,
    close: async () => {
      unregister();
      await task?.stop();
      await sink.close({ beforeClose: () => recordLifecycle(sink.store.db, 'stopped') });
    },
  };
}
