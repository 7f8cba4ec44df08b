/**
 * Delivery of the monthly pack. The composition root (src/monitor/evidence.ts) calls:
 *   const task = scheduleMonthlyPack(sink.store, { cron: '0 2 1 * *', onBuilt });  // 02:00 on the 1st, store's time zone
 *   ...; await task.stop();
 * or, from its own node-cron job, `await buildMonthlyPack(store)`. Either way the pack of the previous month is
 * written to `<dataDir>/packs/<YYYY-MM>` (rebuilt in place if it exists) and `onBuilt(unixSeconds)` is called (the
 * root points it at `pengawas_evidence_last_build_timestamp_seconds`).
 */
import path from 'node:path';
import cron, { type ScheduledTask } from 'node-cron';
import { logger } from '../util/logger';
import { buildPack, type BuildResult } from './pack/build';
import type { Lang } from './pack/i18n';
import type { EvidenceStore } from './store';
import { lastMonthOf } from './tz';

export interface MonthlyOptions {
  /** Default: the month before `now` in the store's time zone. */
  month?: string;
  /** Default `<dataDir>/packs`. */
  outRoot?: string;
  lang?: Lang;
  keyFile?: string;
  pdf?: boolean;
  now?: Date;
  /** Called with the build time (unix seconds) after each successful build, and at schedule time with the last one. */
  onBuilt?: (unixSeconds: number) => void;
}

export async function buildMonthlyPack(store: EvidenceStore, opts: MonthlyOptions = {}): Promise<BuildResult> {
  const now = opts.now ?? new Date();
  const month = opts.month ?? lastMonthOf(now, store.timezone);
  await store.maintain(now);
  const result = await buildPack(store, {
    month,
    outDir: path.join(opts.outRoot ?? path.join(store.dataDir, 'packs'), month),
    overwrite: true,
    lang: opts.lang,
    keyFile: opts.keyFile,
    pdf: opts.pdf,
    now,
  });
  opts.onBuilt?.(Date.now() / 1000);
  logger().info({ month, outDir: result.outDir, ms: result.durationMs, manifest: result.manifestSha256 }, 'evidence pack built');
  return result;
}

/** The last successful build recorded in the store (unix seconds), to seed the gauge after a restart. */
export async function lastPackBuild(store: EvidenceStore): Promise<number | undefined> {
  const [row] = await store.db.query<{ t: Date | null }>(`SELECT max(built_at) AS t FROM evidence_pack_builds`);
  return row?.t ? new Date(row.t).getTime() / 1000 : undefined;
}

export function scheduleMonthlyPack(store: EvidenceStore, opts: MonthlyOptions & { cron?: string } = {}): ScheduledTask {
  void lastPackBuild(store).then(
    (t) => t !== undefined && opts.onBuilt?.(t),
    () => undefined,
  );
  return cron.schedule(
    opts.cron ?? '0 2 1 * *',
    async () => {
      try {
        // The scheduled pack includes report.pdf whenever Chromium is installed (the report says so when it is not).
        await buildMonthlyPack(store, { pdf: true, ...opts, now: undefined });
      } catch (err) {
        logger().error({ err }, 'monthly evidence pack failed');
      }
    },
    { timezone: store.timezone, name: 'evidence-monthly-pack', noOverlap: true },
  );
}
