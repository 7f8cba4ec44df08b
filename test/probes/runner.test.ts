/** A run that overshoots its timeout because the event loop was blocked is `error`, never a pass; the lag is a metric. */
import { Metrics } from '../../src/metrics/definitions';
import { runCheck } from '../../src/probes/runner';
import { adHocCheck } from '../../src/probes/ad-hoc';
import type { ProbeType } from '../../src/probes/types';
import { z } from 'zod';

// A probe that computes synchronously for `busyMs` (what a backtracking pattern or a parser on a huge body does),
// then reports a pass. Injected through the registry lookup the runner really uses.
const blocker: ProbeType<{ busyMs: number }> = {
  type: 'http',
  summary: 'test: blocks the event loop',
  defaultElement: 'security',
  targetHelp: 'anything',
  checkTarget: () => undefined,
  options: z.object({ busyMs: z.number() }),
  async run(_t, o) {
    const end = Date.now() + o.busyMs;
    while (Date.now() < end) {
      // busy: no timer, socket or /healthz can run meanwhile
    }
    return { findings: [{ id: 'test.ok', severity: 'info', status: 'pass', message: 'fine' }], measurements: {} };
  },
};
jest.mock('../../src/probes/registry', () => {
  const actual = jest.requireActual('../../src/probes/registry');
  return { ...actual, getProbe: (type: string) => (type === 'http' ? blocker : actual.getProbe(type)) };
});

const check = (busyMs: number, timeoutMs: number) => adHocCheck({ type: 'http', target: 'x', options: { busyMs }, timeoutMs });

describe('runner: deadline overshoot from a blocked loop', () => {
  it('reports error (PROBE_TIMEOUT, reason given) for a run that blocked past its timeout', async () => {
    const r = await runCheck(check(400, 100), { dataDir: '/tmp' });
    expect(r.status).toBe('error');
    expect(r.errorCode).toBe('PROBE_TIMEOUT');
    expect(r.findings[0].message).toMatch(/past its 100 ms timeout: the event loop was blocked/);
    expect(r.findings.some((f) => f.status === 'pass')).toBe(false);
  });

  it('still passes a run that blocked briefly but finished within its timeout (control)', async () => {
    const r = await runCheck(check(20, 5000), { dataDir: '/tmp' });
    expect(r.status).toBe('pass');
  });
});

describe('pengawas_event_loop_lag_* metrics', () => {
  it('show a 300 ms stall in the max, and start a new window after each scrape', async () => {
    const m = new Metrics({ defaultMetrics: false });
    // Two waits: the first may end at once (timers start from the loop's cached clock, stale after a busy test);
    // the second gives the sampler a baseline before the stall.
    await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 50));
    const end = Date.now() + 300;
    while (Date.now() < end) {
      // stall
    }
    await new Promise((r) => setTimeout(r, 50));
    const first = await m.registry.metrics();
    const max = Number(/^pengawas_event_loop_lag_max_seconds (\S+)$/m.exec(first)?.[1]);
    expect(max).toBeGreaterThanOrEqual(0.25);
    expect(first).toMatch(/^pengawas_event_loop_lag_seconds \d/m);
    expect(first).toMatch(/^pengawas_event_loop_lag_p99_seconds \d/m);
    await new Promise((r) => setTimeout(r, 200));
    const second = await m.registry.metrics();
    expect(Number(/^pengawas_event_loop_lag_max_seconds (\S+)$/m.exec(second)?.[1])).toBeLessThan(max);
  });
});
