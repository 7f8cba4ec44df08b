/** Redis connections for BullMQ and the results stream. BullMQ workers need maxRetriesPerRequest: null. */
import IORedis, { type Redis } from 'ioredis';
import { RedisUnavailableError } from '../errors';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function connect(url: string, name: string): Redis {
  return new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: `pengawas-${name}`, lazyConnect: false });
}

/** Resolves once Redis answers PING, or rejects with a clear error after `timeoutMs`. */
export async function ping(url: string, timeoutMs = 2000): Promise<void> {
  const r = new IORedis(url, { maxRetriesPerRequest: 0, lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, enableOfflineQueue: false });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    throw new RedisUnavailableError(`Redis at ${redact(url)} does not answer: ${(e as Error).message}`);
  } finally {
    r.disconnect();
  }
}

/** Hides a password in a redis:// URL before it reaches a log line. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
