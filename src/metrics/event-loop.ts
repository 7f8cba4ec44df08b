/**
 * Event-loop lag of this process (perf_hooks.monitorEventLoopDelay), exported so a stall — a probe computing
 * synchronously, a pattern or a parser on a huge body — shows on a dashboard before it shows as missed slots.
 * Each scrape reports the window since the previous scrape, then starts a new one.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

export function registerEventLoopLag(registry: Registry): void {
  // 10 ms sampling: fine enough for the 100 ms stalls that matter, cheap enough to leave on.
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  let window: { max: number; p99: number; mean: number } | undefined;
  // The three gauges read one window: the first collect of a scrape takes it, the last resets the histogram.
  const take = () => {
    window ??= { max: h.max / 1e9, p99: h.percentile(99) / 1e9, mean: Number.isNaN(h.mean) ? 0 : h.mean / 1e9 };
    return window;
  };
  const done = () => {
    window = undefined;
    h.reset();
  };
  new Gauge({
    name: 'pengawas_event_loop_lag_seconds',
    help: 'Mean event-loop delay since the previous scrape (sampled every 10 ms)',
    registers: [registry],
    collect() {
      this.set(take().mean);
    },
  });
  new Gauge({
    name: 'pengawas_event_loop_lag_p99_seconds',
    help: '99th percentile of event-loop delay since the previous scrape',
    registers: [registry],
    collect() {
      this.set(take().p99);
    },
  });
  new Gauge({
    name: 'pengawas_event_loop_lag_max_seconds',
    help: 'Longest event-loop stall since the previous scrape: how long /healthz, timers and sockets were frozen',
    registers: [registry],
    collect() {
      this.set(take().max);
      done();
    },
  });
}
