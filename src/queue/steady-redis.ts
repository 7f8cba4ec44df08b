/**
 * An ioredis client that ioredis cannot give up on by itself: only a close pengawas asked for (disconnect(), QUIT)
 * ends it for good.
 *
 * Why: ioredis (checked on 5.11.1) ends a client for good — status "end", every later command refused with
 * "Connection is closed." — when a disconnect lands while the client is asking the sentinels where the master is
 * (SentinelConnector.connect: `connecting` is cleared, the connect promise rejects, the client is set to "end" and
 * its retry strategy is never asked). Its own failover detector sends exactly that disconnect when a sentinel
 * announces `+switch-master` while the client is reconnecting after the old master died, so after a failover with
 * slow sentinel answers every connection of a pengawas process stopped, with nothing but one error event
 * (test/e2e/redis-sentinel.test.ts, "slow sentinels"). BullMQ's issue 4378 is the same path through its watchdog.
 * A client that ends without being asked to is connected again at once (commands sent meanwhile wait in its offline
 * queue instead of failing), then after a wait that grows while it keeps ending.
 */
import IORedis, { type RedisOptions } from 'ioredis';
import { logger } from '../util/logger';

const SECOND_WAIT_MS = 100;
const MAX_WAIT_MS = 2000;

export class SteadyRedis extends IORedis {
  /** Set by a close pengawas asked for; cleared by an explicit connect(). */
  private closing = false;
  private revivals = 0;
  private reviveTimer: NodeJS.Timeout | undefined;

  constructor(options: RedisOptions) {
    super(options);
    this.on('end', () => this.revive());
    this.on('ready', () => (this.revivals = 0));
  }

  override connect(callback?: () => void): Promise<void> {
    this.closing = false;
    return super.connect(callback);
  }

  override disconnect(reconnect = false): void {
    if (!reconnect) {
      this.closing = true;
      clearTimeout(this.reviveTimer);
      // Already closed: ioredis would still arm its 2 s "destroy the stream" timer on the closed stream, whose
      // "close" has passed, so the timer is never cleared and holds the process that long (a connection the
      // recorder closes to end a blocking read is closed again by the monitor's stop).
      if (this.status === 'end') return;
    }
    super.disconnect(reconnect);
  }

  /** QUIT (the command that tells the server to close) is a close pengawas asked for too. */
  override sendCommand(...args: Parameters<IORedis['sendCommand']>): ReturnType<IORedis['sendCommand']> {
    if (args[0].name === 'quit') this.closing = true;
    return super.sendCommand(...args);
  }

  /** The copies BullMQ makes for its blocking reads, and the recorder's follower, hold on the same way. */
  override duplicate(override?: Partial<RedisOptions>): SteadyRedis {
    return new SteadyRedis({ ...this.options, ...override });
  }

  private revive(): void {
    if (this.closing) return;
    const n = this.revivals++;
    const wait = n === 0 ? 0 : Math.min(MAX_WAIT_MS, SECOND_WAIT_MS * 2 ** (n - 1));
    logger().warn(
      { conn: this.options.connectionName, waitMs: wait },
      'redis connection was ended by the client library, not by pengawas; connecting again',
    );
    clearTimeout(this.reviveTimer);
    this.reviveTimer = setTimeout(() => {
      if (!this.closing && this.status === 'end') super.connect().catch(() => undefined);
    }, wait);
    this.reviveTimer.unref();
  }
}
