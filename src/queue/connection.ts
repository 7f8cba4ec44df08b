/**
 * Redis connections for BullMQ and the results stream, from one Redis address (see
 * redis-endpoint.ts: plain, TLS, ACL user, Sentinel or Cluster). BullMQ workers need maxRetriesPerRequest: null.
 */
import IORedis, { Cluster, type Redis, type RedisOptions } from 'ioredis';
import { RedisUnavailableError } from '../errors';
import { clusterOptions, parseRedisUrl, redact, redisOptions } from './redis-endpoint';
import { SteadyRedis } from './steady-redis';

export { redact };

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * A client for `url` with `extra` options on top. A cluster client is returned typed as Redis: BullMQ accepts
 * both, and pengawas sends only single-key commands (or commands on keys sharing the prefix's hash tag) that
 * both implement the same way.
 */
export function client(url: string, extra: RedisOptions, Single: new (o: RedisOptions) => Redis = IORedis): Redis {
  if (parseRedisUrl(url).kind === 'cluster') {
    const c = clusterOptions(url);
    const { lazyConnect, enableOfflineQueue, retryStrategy, ...perNode } = extra;
    const cluster = new Cluster(c.nodes, {
      ...c.options,
      lazyConnect,
      enableOfflineQueue,
      enableReadyCheck: true,
      ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) ?? null } : {}),
      redisOptions: { ...c.options.redisOptions, ...perNode },
    });
    return cluster as unknown as Redis;
  }
  const o = redisOptions(url);
  return new Single({ ...o, ...extra, ...(extra.retryStrategy && o.sentinels ? { sentinelRetryStrategy: extra.retryStrategy } : {}) });
}

/** A long-lived connection of a running role: it waits out outages and is never ended but by the monitor's stop. */
export function connect(url: string, name: string): Redis {
  const o = { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: `pengawas-${name}`, lazyConnect: false };
  return client(url, o, SteadyRedis);
}

/** Resolves once Redis answers PING, or rejects with a clear error after `timeoutMs`. */
export async function ping(url: string, timeoutMs = 2000): Promise<void> {
  let cause: Error | undefined;
  let timer: NodeJS.Timeout | undefined;
  // Built outside the try: an unreadable CA file or an unset secret is a configuration error, not an outage.
  const r = client(url, {
    maxRetriesPerRequest: 0,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  try {
    // ioredis reports a refused AUTH or a TLS failure as an 'error' event, then only "Connection is closed".
    r.on('error', (e: Error) => (cause = e));
    const timeout = new Promise<never>(
      (_res, rej) => (timer = setTimeout(() => rej(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)),
    );
    await Promise.race([
      (async () => {
        await r.connect();
        await r.ping();
      })(),
      timeout,
    ]);
  } catch (e) {
    const why = cause && cause.message !== (e as Error).message ? `${(e as Error).message} (${cause.message})` : (e as Error).message;
    throw new RedisUnavailableError(`Redis at ${redact(url)} does not answer: ${why}`);
  } finally {
    clearTimeout(timer);
    r.disconnect();
  }
}

/**
 * Whether a running role's connection answers PING within `timeoutMs`: what /readyz reports. The open connection
 * is asked, not a new one, so a readiness probe costs no sentinel lookup or TLS handshake and says whether the
 * connections the roles use work.
 */
export async function answers(conn: Redis, timeoutMs = 1000): Promise<string | undefined> {
  if (conn.status !== 'ready') return `connection ${conn.status}`;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((r) => (timer = setTimeout(() => r(`no answer to PING within ${timeoutMs} ms`), timeoutMs)));
  try {
    return await Promise.race([
      conn.ping().then(
        () => undefined,
        (e: unknown) => (e as Error).message,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
