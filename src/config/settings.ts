/** The monitor's own settings: `--config FILE` (YAML), then environment, then CLI flags. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors';
import { durationMs } from '../util/schema';
import { DEFAULT_LIMITS } from './files';

export const settingsSchema = z
  .object({
    checksDir: z.string().default('checks'),
    dataDir: z.string().default('./data'),
    redisUrl: z.string().optional(),
    /** Redis key prefix: two monitors (or a test) can share one Redis without touching each other's keys. */
    prefix: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('pengawas'),
    /** Reload when a file in the checks folder changes (SIGHUP always reloads). */
    watchChecks: z.boolean().default(true),
    /** Bounds on the checks folder; a load or reload beyond them is rejected with the limit named. */
    checkLimits: z
      .object({
        maxFileBytes: z.number().int().min(1024).default(DEFAULT_LIMITS.maxFileBytes),
        maxChecks: z.number().int().min(1).default(DEFAULT_LIMITS.maxChecks),
        maxAliases: z.number().int().min(0).default(DEFAULT_LIMITS.maxAliases),
      })
      .strict()
      .default(DEFAULT_LIMITS),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    metrics: z.object({ port: z.number().int().min(0).max(65535).default(9464), host: z.string().default('0.0.0.0') }).strict().default({ port: 9464, host: '0.0.0.0' }),
    worker: z
      .object({
        concurrency: z.number().int().min(1).max(10_000).default(64),
        /** How long a job's lock lasts; a worker that dies loses its jobs to another after this. */
        lockDuration: durationMs.default(30_000),
        stalledInterval: durationMs.default(30_000),
        /** On SIGTERM: how long in-flight probes may finish before they are abandoned. */
        shutdownGrace: durationMs.default(10_000),
        /** First retry delay for `error` results (exponential backoff). */
        retryBackoff: durationMs.default(1_000),
      })
      .strict()
      .default({ concurrency: 64, lockDuration: 30_000, stalledInterval: 30_000, shutdownGrace: 10_000, retryBackoff: 1_000 }),
    recorder: z
      .object({
        /** A pending result not acknowledged this long is claimed from a dead recorder. */
        claimIdle: durationMs.default(30_000),
        streamMaxLen: z.number().int().min(1000).default(200_000),
      })
      .strict()
      .default({ claimIdle: 30_000, streamMaxLen: 200_000 }),
    evidence: z
      .object({
        /** Record every result in the evidence store (PostgreSQL with DATABASE_URL, else PGlite under dataDir). */
        enabled: z.boolean().default(true),
        /** When to build last month's pack (node-cron, the store's time zone); '' turns the job off. */
        monthlyPackCron: z.string().default('0 2 1 * *'),
      })
      .strict()
      .default({ enabled: true, monthlyPackCron: '0 2 1 * *' }),
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;

export function loadSettings(file: string | undefined, env: NodeJS.ProcessEnv = process.env, overrides: Partial<Settings> = {}): Settings {
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      raw = (parse(readFileSync(file, 'utf8')) as Record<string, unknown>) ?? {};
    } catch (e) {
      throw new ConfigError([{ file, field: '(file)', message: (e as Error).message.split('\n')[0] }]);
    }
  }
  if (env.REDIS_URL) raw.redisUrl = env.REDIS_URL;
  if (env.PENGAWAS_DATA_DIR) raw.dataDir = env.PENGAWAS_DATA_DIR;
  if (env.PENGAWAS_PREFIX) raw.prefix = env.PENGAWAS_PREFIX;
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) raw[k] = v;
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ file: file ?? '(settings)', field: i.path.join('.') || '(settings)', message: i.message })));
  }
  return parsed.data;
}
