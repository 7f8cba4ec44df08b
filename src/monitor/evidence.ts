/**
 * The recorder's evidence store: the sink every result goes to, the monthly pack job, and the evidence channel
 * through which other processes (attest, waive, evidence build, workers' attestation checks) reach the store
 * while this process holds it.
 */
import type { ScheduledTask } from 'node-cron';
import type { Settings } from '../config/settings';
import { registerEvidenceStore } from '../evidence/access';
import { EvidenceChannelServer } from '../evidence/channel/server';
import { recordLifecycle } from '../evidence/lifecycle';
import { scheduleMonthlyPack } from '../evidence/monthly';
import { EvidenceSink } from '../evidence/sink';
import { storeOptionsFromEnv } from '../evidence/store';

export async function openEvidence(s: Settings, redisUrl?: string): Promise<{ sink: EvidenceSink; close(): Promise<void> }> {
  const sink = await EvidenceSink.open(storeOptionsFromEnv(s.dataDir));
  // The session's start and clean stop are evidence too: the pack tells "monitor off" from "target passing".
  await recordLifecycle(sink.store.db, 'started');
  const task: ScheduledTask | undefined = s.evidence.monthlyPackCron ? scheduleMonthlyPack(sink.store, { cron: s.evidence.monthlyPackCron }) : undefined;
  const unregister = registerEvidenceStore(sink.store);
  const channel = redisUrl ? new EvidenceChannelServer({ store: sink.store, redisUrl, prefix: s.prefix }) : undefined;
  try {
    await channel?.start();
  } catch (err) {
    unregister();
    await channel?.stop();
    await task?.stop();
    await sink.close();
    throw err;
  }
  return {
    sink,
    close: async () => {
      await channel?.stop();
      unregister();
      await task?.stop();
      await sink.close({ beforeClose: () => recordLifecycle(sink.store.db, 'stopped') });
    },
  };
}
