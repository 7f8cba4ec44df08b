/** The monitor's own settings: `--config FILE` (YAML), then environment, then CLI flags. */
import { readFileSync } from 'node:fs';
import type * as Yaml from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors';
import { durationMs } from '../util/schema';
import { asObject } from '../util/narrow';
import { isLogLevel, LOG_LEVELS } from '../util/logger';
import { DEFAULT_LIMITS } from './files';
import { composeRedisUrl, hasLiteralPassword, redisFromEnv, redisSettingsSchema, type RedisSettings } from './redis-settings';

/** A trusted public key by value or reference; the key is public, so inline PEM is fine (never a private key). */
function trustedKey(allowFingerprint: boolean) {
  return z
    .object({
      name: z.string().trim().min(1).max(200),
      pem: z.string().max(20_000).optional(),
      file: z.string().min(1).max(4096).optional(),
      sha256: z
        .string()
        .regex(/^(sha256:)?[0-9A-Fa-f:]{64,95}$/, "must be the key's SHA-256 in hex")
        .optional(),
    })
    .strict()
    .refine((k) => allowFingerprint || k.sha256 === undefined, {
      error: 'an operator key needs the public key itself (pem or file), not only its sha256',
      path: ['sha256'],
    })
    .refine((k) => [k.pem, k.file, k.sha256].filter((x) => x !== undefined).length === 1, {
      error: allowFingerprint ? 'give exactly one of pem, file, sha256' : 'give exactly one of pem, file',
    });
}

/** A secret written as a reference, never as its value: settings files are read by more people than keys are. */
const secretRef = z
  .string()
  .regex(/^\$\{(env|file):[^}]+\}$/, 'must be a ${env:NAME} or ${file:PATH} reference; a key is never written into settings');
const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** The results stream: MAC keys, how long results and their markers live in Redis, and the back-pressure cap. */
const resultsSettings = z
  .object({
    /** Key id → reference. Workers sign with `signWith`; recorders accept any key listed. */
    keys: z.record(z.string().regex(KEY_ID, 'key ids are 1-64 letters, digits, _ . -'), secretRef).default({}),
    /** The key id a worker signs with; may be left out when exactly one key is listed. */
    signWith: z.string().regex(KEY_ID).optional(),
    /** How long a result may wait in Redis to be recorded; older ones are counted as dropped (a gap), never recorded. */
    retention: durationMs.default(86_400_000),
    /** How far worker and recorder clocks may disagree: markers outlive the retention by this much. */
    clockSkew: durationMs.default(300_000),
    /** Entries the results stream may hold; beyond it workers hand their jobs back (late, not lost). */
    maxLength: z.number().int().min(100).default(200_000),
  })
  .strict()
  .default({ keys: {}, retention: 86_400_000, clockSkew: 300_000, maxLength: 200_000 });

/** Report languages of a pack (src/evidence/pack/i18n.ts). */
export const PACK_LANGS = ['en', 'id'] as const;
export type PackLang = (typeof PACK_LANGS)[number];

/**
 * `evidence.lang`: `en`, `id`, or a list such as `[en, id]`; always read as a list without repeats. Each language is
 * its own signed pack (as `evidence build --lang` writes one), so an auditor gets a complete pack in Indonesian.
 */
const packLangs = z.unknown().transform((v, ctx): PackLang[] => {
  const list = Array.isArray(v) ? (v as unknown[]) : [v];
  const bad = list.filter((x) => !(PACK_LANGS as readonly unknown[]).includes(x));
  if (!list.length || bad.length || new Set(list).size !== list.length) {
    ctx.addIssue({
      code: 'custom',
      message: `must be en, id, or a list of them without repeats such as [en, id]; got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  }
  return list as PackLang[];
});

export const settingsSchema = z
  .object({
    checksDir: z.string().default('checks'),
    dataDir: z.string().default('./data'),
    /** The Redis address (see queue/redis-endpoint.ts); composed from `redis:` and REDIS_* by loadSettings. */
    redisUrl: z.string().optional(),
    /** Redis TLS, ACL user, Sentinel: folded into redisUrl. */
    redis: redisSettingsSchema.optional(),
    /** Redis key prefix: two monitors (or a test) can share one Redis without touching each other's keys. */
    /** `{name}` (a hash tag) puts every key in one Redis Cluster slot, as a cluster deployment requires. */
    prefix: z
      .string()
      .regex(/^(\{[A-Za-z0-9_.-]+\}|[A-Za-z0-9_.-]+)$/, 'letters, digits, _ . - (or {name}, a Redis Cluster hash tag)')
      .default('pengawas'),
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
    logLevel: z.enum(LOG_LEVELS).default('info'),
    /**
     * The /metrics listener. `host` is the listen address (0.0.0.0 = every interface; 127.0.0.1 keeps it on the
     * host); `webConfigFile` is an exporter-toolkit web-config.yml (TLS, client certificates, basic auth).
     */
    metrics: z
      .object({
        port: z.number().int().min(0).max(65535).default(9464),
        host: z.string().default('0.0.0.0'),
        webConfigFile: z.string().optional(),
      })
      .strict()
      .default({ port: 9464, host: '0.0.0.0' }),
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
    scheduler: z
      .object({
        /**
         * Most jobs waiting for a worker. When workers fall behind, fired slots are held by the scheduler (at most one
         * per check) until room frees; a held slot whose check fires again is shed and reported as a gap (reason
         * `queue_full`). 0: no bound (the queue, Redis memory and every result's lateness grow while workers lag).
         */
        maxBacklog: z.number().int().min(0).max(10_000_000).default(10_000),
        /**
         * Most slots per job. Slots fired together (within 20 ms) share one BullMQ job: one add, claim and completion
         * for several checks, which is most of a check's cost in Redis and in the processes around it
         * (docs/scaling.md). 1 (default): a job per slot. Workers of every version since this setting run both kinds;
         * raise it only once no older worker is left. `maxBacklog` still counts jobs.
         */
        checksPerJob: z.number().int().min(1).max(100).default(1),
      })
      .strict()
      .default({ maxBacklog: 10_000, checksPerJob: 1 }),
    recorder: z
      .object({
        /** A pending result not acknowledged this long is claimed from a dead recorder. */
        claimIdle: durationMs.default(30_000),
      })
      .strict()
      .default({ claimIdle: 30_000 }),
    results: resultsSettings,
    evidence: z
      .object({
        /** Record every result in the evidence store (PostgreSQL with DATABASE_URL, else SQLite under dataDir). */
        enabled: z.boolean().default(true),
        /** When to build last month's pack (node-cron, the store's time zone); '' turns the job off. */
        monthlyPackCron: z.string().default('0 2 1 * *'),
        /** Language(s) of the monthly pack: one signed pack per language (see monthly.ts for the folders). */
        lang: packLangs.default(['en']),
        /** Keys whose signature on a pack proves its origin (`evidence verify DIR`): PEM, PEM file or SHA-256. */
        trustedPackKeys: z.array(trustedKey(true)).max(100).default([]),
        /** Operators whose signed waivers and attestations are accepted and marked (`--sign-key`): PEM or file. */
        operatorKeys: z.array(trustedKey(false)).max(1000).default([]),
      })
      .strict()
      .default({ enabled: true, monthlyPackCron: '0 2 1 * *', lang: ['en'], trustedPackKeys: [], operatorKeys: [] }),
    /** `maintenance add|end` also make and expire an Alertmanager silence when `alertmanager` is set (docs/alerting.md). */
    maintenance: z
      .object({
        alertmanager: z
          .object({
            /** Base URL of Alertmanager's API (http or https, no credentials in it). */
            url: z
              .string()
              .regex(/^https?:\/\/[^\s@/]+(\/[^\s@]*)?$/, 'must be an http(s) URL without credentials, e.g. http://alertmanager:9093'),
            /** `Authorization: Bearer …`, by reference only. */
            bearerToken: secretRef.optional(),
            /** HTTP basic auth, the password by reference only. */
            basicAuth: z
              .object({ username: z.string().min(1).max(200), password: secretRef })
              .strict()
              .optional(),
            timeout: durationMs.default(10_000),
          })
          .strict()
          .refine((a) => !(a.bearerToken && a.basicAuth), { error: 'give bearerToken or basicAuth, not both' })
          .optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;

export function loadSettings(file: string | undefined, env: NodeJS.ProcessEnv = process.env, overrides: Partial<Settings> = {}): Settings {
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      // yaml is loaded only when there is a file to read: a one-shot `pengawas probe` without --config skips it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { parse } = require('yaml') as typeof Yaml;
      raw = (parse(readFileSync(file, 'utf8')) as Record<string, unknown>) ?? {};
    } catch (e) {
      throw new ConfigError([{ file, field: '(file)', message: (e as Error).message.split('\n')[0] }]);
    }
  }
  if (env.PENGAWAS_LOG_LEVEL) {
    if (!isLogLevel(env.PENGAWAS_LOG_LEVEL))
      throw new ConfigError([
        {
          file: '(environment)',
          field: 'PENGAWAS_LOG_LEVEL',
          message: `must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(env.PENGAWAS_LOG_LEVEL)}`,
        },
      ]);
    raw.logLevel = env.PENGAWAS_LOG_LEVEL;
  }
  if (env.PENGAWAS_DATA_DIR) raw.dataDir = env.PENGAWAS_DATA_DIR;
  if (env.PENGAWAS_PREFIX) raw.prefix = env.PENGAWAS_PREFIX;
  // A reference (not the key) in the environment: handy where a settings file is awkward (containers).
  if (env.PENGAWAS_RESULTS_KEY) raw.results = { ...asObject(raw.results), keys: { default: env.PENGAWAS_RESULTS_KEY } };
  const metricsEnv = {
    ...(env.PENGAWAS_METRICS_HOST ? { host: env.PENGAWAS_METRICS_HOST } : {}),
    ...(env.PENGAWAS_WEB_CONFIG_FILE ? { webConfigFile: env.PENGAWAS_WEB_CONFIG_FILE } : {}),
  };
  if (Object.keys(metricsEnv).length) raw.metrics = { ...asObject(raw.metrics), ...metricsEnv };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) raw[k] = v;
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ file: file ?? '(settings)', field: i.path.join('.') || '(settings)', message: i.message })),
    );
  }
  const where = file ?? '(environment)';
  const fromFile: RedisSettings = { ...parsed.data.redis, url: parsed.data.redis?.url ?? parsed.data.redisUrl };
  try {
    if (file && fromFile.url && hasLiteralPassword(fromFile.url)) {
      throw new Error(
        'the Redis address in the settings file holds a password; write ${file:PATH} or ${env:NAME} in its place, or set REDIS_PASSWORD_FILE',
      );
    }
    parsed.data.redisUrl = composeRedisUrl({ ...fromFile, ...redisFromEnv(env) });
  } catch (e) {
    throw new ConfigError([{ file: where, field: 'redis', message: (e as Error).message }]);
  }
  return parsed.data;
}
