/**
 * The `redis:` block of the settings file and the REDIS_* environment variables, folded into the one Redis address
 * string the rest of pengawas passes around (see queue/redis-endpoint.ts). Passwords stay references: a literal
 * password in the settings file is refused, and REDIS_PASSWORD from the environment becomes `${env:REDIS_PASSWORD}`.
 */
import { z } from 'zod';
import { formatRedisUrl, parseRedisUrl } from '../queue/redis-endpoint';

const REF = /^\$\{(env|file):[^}]+\}$/;
const ref = z.string().regex(REF, 'must be a reference, ${env:NAME} or ${file:PATH}: secrets are never written into settings');

export const redisSettingsSchema = z
  .object({
    url: z.string().optional(),
    username: z.string().optional(),
    password: ref.optional(),
    tlsCaFile: z.string().optional(),
    tlsCertFile: z.string().optional(),
    tlsKeyFile: z.string().optional(),
    tlsServername: z.string().optional(),
    /** host:port of each sentinel (a list, or one comma-separated string). */
    sentinels: z.union([z.array(z.string()), z.string()]).optional(),
    sentinelMaster: z.string().optional(),
    sentinelUsername: z.string().optional(),
    sentinelPassword: ref.optional(),
  })
  .strict();

export type RedisSettings = z.infer<typeof redisSettingsSchema>;

/** REDIS_* variables as a `redis:` block; secrets from the environment become references to it. */
export function redisFromEnv(env: NodeJS.ProcessEnv): RedisSettings {
  const r: RedisSettings = {};
  const set = <K extends keyof RedisSettings>(k: K, v: RedisSettings[K] | undefined) => v !== undefined && v !== '' && (r[k] = v);
  set('url', env.REDIS_URL);
  set('username', env.REDIS_USERNAME);
  set(
    'password',
    env.REDIS_PASSWORD_FILE
      ? `\${file:${env.REDIS_PASSWORD_FILE}}`
      : env.REDIS_PASSWORD
        ? REF.test(env.REDIS_PASSWORD)
          ? env.REDIS_PASSWORD
          : '${env:REDIS_PASSWORD}'
        : undefined,
  );
  set('tlsCaFile', env.REDIS_TLS_CA_FILE);
  set('tlsCertFile', env.REDIS_TLS_CERT_FILE);
  set('tlsKeyFile', env.REDIS_TLS_KEY_FILE);
  set('tlsServername', env.REDIS_TLS_SERVERNAME);
  set('sentinels', env.REDIS_SENTINELS);
  set('sentinelMaster', env.REDIS_SENTINEL_MASTER);
  set(
    'sentinelPassword',
    env.REDIS_SENTINEL_PASSWORD
      ? REF.test(env.REDIS_SENTINEL_PASSWORD)
        ? env.REDIS_SENTINEL_PASSWORD
        : '${env:REDIS_SENTINEL_PASSWORD}'
      : undefined,
  );
  return r;
}

/** The Redis address for these settings, or undefined when nothing is configured (the embedded default). */
export function composeRedisUrl(r: RedisSettings): string | undefined {
  const sentinels =
    typeof r.sentinels === 'string'
      ? r.sentinels
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : r.sentinels;
  const anyTls = Boolean(r.tlsCaFile || r.tlsCertFile || r.tlsKeyFile || r.tlsServername);
  let base = r.url;
  if (sentinels?.length) {
    if (!r.sentinelMaster) throw new Error('sentinels are set but sentinelMaster (REDIS_SENTINEL_MASTER) is not');
    if (base && parseRedisUrl(base).kind !== 'single') throw new Error('set either url or sentinels, not both');
    // A plain url next to sentinels contributes only its scheme (TLS or not) and credentials.
    const from = base ? parseRedisUrl(base) : undefined;
    base = formatRedisUrl({
      kind: 'sentinel',
      tls: Boolean(from?.tls) || anyTls,
      nodes: parseRedisUrl(`redis+sentinel://${sentinels.join(',')}/m`).nodes,
      master: r.sentinelMaster,
      username: from?.username,
      password: from?.password,
      db: from?.db,
      params: from?.params ?? {},
    });
  } else if (r.sentinelMaster) {
    throw new Error('sentinelMaster is set but no sentinels (REDIS_SENTINELS=host:port,…)');
  }
  if (!base) {
    if (r.username || r.password || anyTls)
      throw new Error('Redis credentials or TLS files are set but no Redis address (REDIS_URL or REDIS_SENTINELS)');
    return undefined;
  }
  const e = parseRedisUrl(base);
  if (anyTls && !e.tls)
    throw new Error(`TLS files are set but the Redis address is plain ${e.kind === 'single' ? 'redis://' : 'redis+…://'}; use rediss`);
  if (r.username) e.username = r.username;
  if (r.password) e.password = r.password;
  const p = e.params;
  if (r.tlsCaFile) p.tls_ca_file = r.tlsCaFile;
  if (r.tlsCertFile) p.tls_cert_file = r.tlsCertFile;
  if (r.tlsKeyFile) p.tls_key_file = r.tlsKeyFile;
  if (r.tlsServername) p.tls_servername = r.tlsServername;
  if (r.sentinelUsername) p.sentinel_username = r.sentinelUsername;
  if (r.sentinelPassword) p.sentinel_password = r.sentinelPassword;
  return formatRedisUrl(e);
}

/** True when a Redis address holds a password written out rather than a reference. */
export function hasLiteralPassword(url: string): boolean {
  const e = parseRedisUrl(url);
  return Boolean((e.password && !REF.test(e.password)) || (e.params.sentinel_password && !REF.test(e.params.sentinel_password)));
}
