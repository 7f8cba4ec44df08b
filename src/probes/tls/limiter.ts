/** Runs at most N tasks at once: parallel handshakes without flooding the target. Counts what it ran. */
export class Limiter {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  started = 0;

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    this.started++;
    try {
      return await task();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}
