/** Runs at most N tasks at once: parallel handshakes without flooding the target. Counts what it ran. */
export class Limiter {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  started = 0;

  /** `settled` hears each task's end (its error, or undefined on success): the scan watches for a silent server. */
  constructor(
    private readonly max: number,
    private readonly settled?: (error: unknown) => void,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    this.started++;
    try {
      const out = await task();
      this.settled?.(undefined);
      return out;
    } catch (e) {
      this.settled?.(e);
      throw e;
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}
