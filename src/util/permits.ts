/**
 * A counting semaphore: at most `size` holders at once, the rest wait in arrival order. The worker uses it so that
 * `worker.concurrency` bounds probes in flight, not jobs, when a job runs several slots; the tls probe's Limiter
 * bounds its parallel handshakes with it.
 */
export class Permits {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  /** Runs `fn` holding one permit. */
  async with<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}
