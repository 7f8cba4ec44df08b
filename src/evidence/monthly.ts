/**
 * Delivery of the monthly pack. The composition root (src/monitor/evidence.ts) calls:
 *   const task = scheduleMonthlyPack(sink.store, { cron: '0 2 1 * *', onBuilt });  // 02:00 on the 1st, store's time zone
 *   ...; await task.stop();
 * or, from its own node-cron job, `await buildMonthlyPacks(store, { langs })`. Either way the pack of the previous
 * month is written to `<dataDir>/packs/<YYYY-MM>` (rebuilt in place if it exists) and `onBuilt(unixSeconds)` is
 * called (the root points it at `pengawas_evidence_last_build_timestamp_seconds`). With several languages
 * (`evidence.lang: [en, id]`) each is a complete pack of its own, signed on its own, as `evidence build --lang`
 * writes it: the first language in `<YYYY-MM>`, each other one in `<YYYY-MM>-<lang>` (`2026-10-id`).
 */
import path from 'node:path';
import cron, { type ScheduledTask } from 'node-cron';
import { EvidencePackError } from '../errors';
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
  /** Several languages, one pack each (buildMonthlyPacks and the schedule); overrides `lang`. */
  langs?: Lang[];
  keyFile?: string;
  pdf?: boolean;
  now?: Date;
  /** Called with the build time (unix seconds) after each successful build, and at schedule time with the last one. */
  onBuilt?: (unixSeconds: number) => void;
}

/** One pack in `opts.lang` (default English) in `<outRoot>/<YYYY-MM>`. */
export async function buildMonthlyPack(store: EvidenceStore, opts: MonthlyOptions = {}): Promise<BuildResult> {
  const [result] = await buildMonthlyPacks(store, { ...opts, langs: [opts.lang ?? 'en'] });
  return result;
}

/** The folder of the pack in `lang` when `langs` are built: the first language keeps the plain month. */
export function packFolder(month: string, lang: Lang, langs: Lang[]): string {
  return lang === langs[0] ? month : `${month}-${lang}`;
}

/**
 * One pack per language of `opts.langs` (default `[opts.lang ?? 'en']`), in order. A language that fails does not stop
 * the next one; the error names every language that failed, and `onBuilt` is called only when all were built, so the
 * staleness alert still fires while the Indonesian pack is missing.
 */
export async function buildMonthlyPacks(store: EvidenceStore, opts: MonthlyOptions = {}): Promise<BuildResult[]> {
  const now = opts.now ?? new Date();
  const month = opts.month ?? lastMonthOf(now, store.timezone);
  const langs = opts.langs?.length ? [...new Set(opts.langs)] : [opts.lang ?? 'en'];
  await store.maintain(now);
  const built: BuildResult[] = [];
  const failed: string[] = [];
  for (const lang of langs) {
    try {
      const result = await buildPack(store, {
        month,
        outDir: path.join(opts.outRoot ?? path.join(store.dataDir, 'packs'), packFolder(month, lang, langs)),
        overwrite: true,
        lang,
        keyFile: opts.keyFile,
        pdf: opts.pdf,
        now,
      });
      built.push(result);
      logger().info({ month, lang, outDir: result.outDir, ms: result.durationMs, manifest: result.manifestSha256 }, 'evidence pack built');
    } catch (err) {
      if (langs.length === 1) throw err;
      logger().error({ err, month, lang }, 'evidence pack failed');
      failed.push(`${lang}: ${(err as Error).message}`);
    }
  }
  if (failed.length) throw new EvidencePackError(`the ${month} pack was not built in every language: ${failed.join('; ')}`);
  opts.onBuilt?.(Date.now() / 1000);
  return built;
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
        await buildMonthlyPacks(store, { pdf: true, ...opts, now: undefined });
      } catch (err) {
        logger().error({ err }, 'monthly evidence pack failed');
      }
    },
    { timezone: store.timezone, name: 'evidence-monthly-pack', noOverlap: true },
  );
}
