/** Runs at most N tasks at once: parallel handshakes without flooding the target. Counts what it ran. */
import { Permits } from '../../util/permits';

export class Limiter {
  private readonly permits: Permits;
  started = 0;

  /** `settled` hears each task's end (its error, or undefined on success): the scan watches for a silent server. */
  constructor(
    max: number,
    private readonly settled?: (error: unknown) => void,
  ) {
    this.permits = new Permits(max);
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    return this.permits.with(async () => {
      this.started++;
      try {
        const out = await task();
        this.settled?.(undefined);
        return out;
      } catch (e) {
        this.settled?.(e);
        throw e;
      }
    });
  }
}
