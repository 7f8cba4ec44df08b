/** Each test gets its own Redis key prefix on the machine's Redis, and removes its keys afterwards. */
import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testPrefix(name: string): string {
  return `pengawas-test-${name}-${randomBytes(4).toString('hex')}`;
}

export async function dropPrefix(prefix: string): Promise<void> {
  const r = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await r.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** Connections to the test Redis that a suite opens as it goes and closes together in its afterAll. */
export function redisConnections(url = REDIS_URL): { conn(): IORedis; closeAll(): void } {
  const conns: IORedis[] = [];
  return {
    conn() {
      const c = new IORedis(url, { maxRetriesPerRequest: null });
      conns.push(c);
      return c;
    },
    closeAll() {
      for (const c of conns.splice(0)) c.disconnect();
    },
  };
}
