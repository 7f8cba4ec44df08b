/**
 * Writes the Redis outages a recorder lives through into the evidence store (`redis_down` in `#lifecycle`), so the
 * monthly pack can say "Redis down" for slots that went missing then. The store is written directly: Redis is the
 * thing that is gone. An outage the store could not take (it was down too) is retried at the next change and at stop.
 */
import type { Redis } from 'ioredis';
import type { EvidenceDb } from '../evidence/db/types';
import { MIN_OUTAGE_MS, recordRedisDown } from '../evidence/outages';
import { logger } from '../util/logger';

export function watchRedisOutages(conn: Redis, db: EvidenceDb): { stop(): Promise<void> } {
  let downSince: Date | undefined;
  const unsaved: Array<{ from: Date; to: Date }> = [];
  const flush = async () => {
    while (unsaved.length) {
      const o = unsaved[0];
      try {
        await recordRedisDown(db, o.from, o.to);
        unsaved.shift();
      } catch (err) {
        logger().warn(
          { err: (err as Error).message, from: o.from, to: o.to },
          'could not record a Redis outage in the evidence store yet; will retry',
        );
        return;
      }
    }
  };
  const end = (to: Date) => {
    if (!downSince) return;
    if (to.getTime() - downSince.getTime() >= MIN_OUTAGE_MS) unsaved.push({ from: downSince, to });
    downSince = undefined;
  };
  const onDown = () => {
    downSince ??= new Date();
  };
  const onReady = () => {
    end(new Date());
    void flush();
  };
  conn.on('close', onDown);
  conn.on('ready', onReady);
  if (conn.status !== 'ready') downSince = new Date();
  return {
    async stop() {
      conn.off('close', onDown);
      conn.off('ready', onReady);
      end(new Date());
      await flush();
    },
  };
}
