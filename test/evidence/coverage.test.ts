/**
 * Gaps are evidence: a month whose monitor was stopped for three hours, crashed once, lost Redis for two hours, had
 * results reported lost on the gaps stream and silently lost one more must show exactly those slots as missing (not
 * as passing), with the monitor's own records explaining what they can and the rest as unexplained. Hourly slots are placed where the scheduler puts them (nextEverySlot), so the expected counts are the
 * scheduler's own.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nextEverySlot } from '../../src/config/schedule';
import type { Check } from '../../src/config/check';
import { computeCoverage, slotsBetween, parseScheduleText } from '../../src/evidence/coverage';
import { recordLifecycle } from '../../src/evidence/lifecycle';
import { recordLostResults, recordRedisDown } from '../../src/evidence/outages';
import { resultId } from '../../src/results/contract';
import { buildPack } from '../../src/evidence/pack/build';
import type { EvidenceStore } from '../../src/evidence/store';
import { startOfDay } from '../../src/evidence/tz';
import { verifyStore } from '../../src/evidence/verify-store';
import { BACKENDS, HOUR, makeEnv, result, TZ, type TestEnv } from './helpers';

jest.setTimeout(120_000);

const check = (id: string): Check =>
  ({
    id,
    name: id,
    type: 'http',
    element: 'security',
    schedule: { kind: 'every', intervalMs: HOUR },
    scheduleText: 'every 3600s',
    intervalMs: HOUR,
    timeoutMs: 10_000,
    target: `https://${id}.example`,
    options: {},
    severity: 'high',
    labels: {},
    retries: 0,
    enabled: true,
  }) as unknown as Check;

const at = (day: string, hour: number) => new Date(startOfDay(day, TZ).getTime() + hour * HOUR);

describe('coverage: slots expected by the schedule against results recorded', () => {
  it('counts every-schedule slots as the scheduler places them, and cron slots from the expression', () => {
    const a = at('2026-10-01', 0).getTime();
    expect(slotsBetween('api', { kind: 'every', intervalMs: HOUR }, a, a + 24 * HOUR, TZ)).toBe(24);
    expect(slotsBetween('api', parseScheduleText('*/15 * * * *'), a, a + 2 * HOUR, TZ)).toBe(8);
    expect(slotsBetween('api', parseScheduleText('0 2 * * * (UTC)'), a, a + 48 * HOUR, TZ)).toBe(2);
    expect(parseScheduleText('every 0.5s')).toEqual({ kind: 'every', intervalMs: 500 });
  });

  it('names maintenance before Redis down and lost-result reports, each taking only what is left', () => {
    const day = '2026-10-03';
    const a = at(day, 0);
    const b = at('2026-10-04', 0);
    const applied = {
      id: 'api',
      name: 'api',
      type: 'http',
      element: 'security',
      schedule: 'every 3600s',
      timeoutMs: 1000,
      target: 'x',
      options: {},
      severity: 'high',
      labels: {},
      enabled: true,
    };
    const slot = (h: number) => new Date(nextEverySlot('api', HOUR, at(day, h).getTime() - 1));
    const c = computeCoverage({
      days: [day],
      timezone: TZ,
      from: a,
      to: b,
      settleMs: 0,
      configs: [{ hash: 'h', appliedAt: a.toISOString(), checks: [applied] }] as never,
      rollups: [{ check_id: 'api', day, runs: 24 - 6 } as never],
      down: [],
      // Hours 2-5 in maintenance (4 slots), Redis down over hours 4-7 (2 more beyond the window), and two reports:
      // one inside the maintenance window (already explained), one at hour 10.
      maintenance: (id) => (id === 'api' ? [{ from: at(day, 2), to: at(day, 6) }] : []),
      redisDown: [{ from: at(day, 4), to: at(day, 8) }],
      lost: [
        { resultId: 'r1', checkId: 'api', slot: slot(3), reason: 'expired' },
        { resultId: 'r2', checkId: 'api', slot: slot(10), reason: 'results_backlog' },
      ],
    });
    expect(c.gaps).toEqual([
      {
        checkId: 'api',
        day,
        expected: 24,
        recorded: 18,
        missing: 6,
        monitorDown: 0,
        maintenance: 4,
        redisDown: 2,
        resultsDropped: 0,
        slotsExpired: 0,
        unexplained: 0,
      },
    ]);
  });

  it('counts slots never run (handed back until expiry, shed or missed by the scheduler) apart from dropped results', () => {
    const day = '2026-10-03';
    const a = at(day, 0);
    const applied = { ...check('api'), schedule: 'every 3600s', timeoutMs: 1000, target: 'x' };
    const slot = (h: number) => new Date(nextEverySlot('api', HOUR, at(day, h).getTime() - 1));
    const c = computeCoverage({
      days: [day],
      timezone: TZ,
      from: a,
      to: at('2026-10-04', 0),
      settleMs: 0,
      configs: [{ hash: 'h', appliedAt: a.toISOString(), checks: [applied] }] as never,
      rollups: [{ check_id: 'api', day, runs: 19 } as never],
      down: [],
      lost: [
        { resultId: 'r1', checkId: 'api', slot: slot(1), reason: 'expired' },
        { resultId: 'r2', checkId: 'api', slot: slot(2), reason: 'results_backlog' },
        { resultId: 'r3', checkId: 'api', slot: slot(3), reason: 'unknown_check' },
        // The scheduler shed it: the queue was at scheduler.maxBacklog until the check's next slot came due.
        { resultId: 'r4', checkId: 'api', slot: slot(4), reason: 'queue_full' },
        // The scheduler stalled past it (its process or event loop held up longer than the interval).
        { resultId: 'r5', checkId: 'api', slot: slot(5), reason: 'scheduler_stalled' },
      ],
    });
    expect(c.gaps).toEqual([expect.objectContaining({ checkId: 'api', missing: 5, resultsDropped: 2, slotsExpired: 3, unexplained: 0 })]);
  });
});

describe.each(BACKENDS)('coverage in a pack (%s)', (backend) => {
  let env: TestEnv;
  let store: EvidenceStore;
  beforeAll(async () => {
    env = await makeEnv(backend);
    store = await env.open();
  });
  afterAll(async () => {
    await store?.close();
    await env?.cleanup();
  });

  it('a stopped monitor, a crash and lost results are gaps with their causes, never passes', async () => {
    const from = startOfDay('2026-10-01', TZ);
    const end = startOfDay('2026-11-01', TZ);
    await store.recordConfig('cfg-1', [check('api')], from);
    const me = { host: 'host-a', pid: 100 };
    await recordLifecycle(store.db, 'started', from, me);
    // Stopped cleanly on Oct 5 from 10:00 to 13:00 WIB.
    const stopAt = at('2026-10-05', 10);
    const restartAt = at('2026-10-05', 13);
    await recordLifecycle(store.db, 'stopped', stopAt, me);
    await recordLifecycle(store.db, 'started', restartAt, { host: 'host-a', pid: 200 });
    // Crashed on Oct 25 after the 08:xx slot; a new process started at 12:00 without a stop before it.
    const crashRestart = at('2026-10-25', 12);
    await recordLifecycle(store.db, 'started', crashRestart, { host: 'host-a', pid: 300 });
    // Two results of Oct 20 (14:xx and 15:xx) were lost with no recorded cause.
    const lostFrom = at('2026-10-20', 14);
    const lostTo = at('2026-10-20', 16);
    const crashFrom = at('2026-10-25', 9);
    // A recorder could not reach Redis on Oct 12 from 06:00 to 08:00 WIB: the two slots then never ran.
    const redisFrom = at('2026-10-12', 6);
    const redisTo = at('2026-10-12', 8);
    await recordRedisDown(store.db, redisFrom, redisTo, me);
    // Oct 15: the 03:xx slot expired unrun (no worker knew the check), reported on the gaps stream.
    const expiredSlot = new Date(nextEverySlot('api', HOUR, at('2026-10-15', 3).getTime() - 1));
    const results = [];
    for (let t = nextEverySlot('api', HOUR, from.getTime() - 1); t < end.getTime(); t += HOUR) {
      const lost = (a: Date, b: Date) => t >= a.getTime() && t < b.getTime();
      if (
        lost(stopAt, restartAt) ||
        lost(lostFrom, lostTo) ||
        lost(crashFrom, crashRestart) ||
        lost(redisFrom, redisTo) ||
        t === expiredSlot.getTime()
      )
        continue;
      results.push({ result: result('api', 'security', new Date(t), 'pass'), check: check('api') });
    }
    expect(results.length).toBe(744 - 3 - 2 - 3 - 2 - 1);
    // Reports from the gaps stream: one of Oct 20's two lost results waited past the retention (twice reported,
    // kept once); a report for a result that was recorded after all is outweighed by the store's own row.
    const gap = (t: Date, reason: 'expired' | 'unknown_check') => ({
      id: resultId('api', t),
      checkId: 'api',
      slot: t.toISOString(),
      reason,
      at: new Date(t.getTime() + 60_000).toISOString(),
    });
    const oct20 = new Date(nextEverySlot('api', HOUR, lostFrom.getTime() - 1));
    expect(await recordLostResults(store.db, [gap(oct20, 'expired'), gap(expiredSlot, 'unknown_check'), gap(oct20, 'expired')])).toBe(2);
    expect(
      await recordLostResults(store.db, [
        gap(oct20, 'expired'),
        gap(new Date(nextEverySlot('api', HOUR, at('2026-10-20', 10).getTime() - 1)), 'expired'),
      ]),
    ).toBe(1);
    await store.writeResults(results, new Date('2026-11-02T00:00:00Z'));

    const out = path.join(env.dataDir, 'pack');
    const built = await buildPack(store, { month: '2026-10', outDir: out, now: new Date('2026-11-02T00:00:00Z') });
    expect(built.manifest.totals.coverage).toBeCloseTo(733 / 744, 6);
    // Every result passed, and the pass rate says so; coverage is what shows the gaps.
    expect(built.manifest.totals.passRate).toBe(1);

    const csv = readFileSync(path.join(out, 'coverage.csv'), 'utf8')
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(csv[0]).toEqual([
      'row',
      'check_id',
      'element',
      'day',
      'expected_slots',
      'observed_slots',
      'coverage',
      'missing_slots',
      'missing_monitor_down',
      'missing_unexplained',
      'missing_maintenance',
      'missing_redis_down',
      'missing_results_dropped',
      'missing_slots_expired',
    ]);
    expect(csv.filter((r) => r[0] === 'check')).toEqual([
      ['check', 'api', 'security', '', '744', '733', (733 / 744).toFixed(6), '11', '', '', '', '', '', ''],
    ]);
    // day, expected, recorded, -, missing, monitor down, unexplained, maintenance, Redis down, dropped, expired unrun
    expect(csv.filter((r) => r[0] === 'gap').map((r) => r.slice(3))).toEqual([
      ['2026-10-05', '24', '21', '', '3', '3', '0', '0', '0', '0', '0'],
      ['2026-10-12', '24', '22', '', '2', '0', '0', '0', '2', '0', '0'],
      ['2026-10-15', '24', '23', '', '1', '0', '0', '0', '0', '0', '1'],
      ['2026-10-20', '24', '22', '', '2', '0', '1', '0', '0', '1', '0'],
      ['2026-10-25', '24', '21', '', '3', '3', '0', '0', '0', '0', '0'],
    ]);
    expect(csv.filter((r) => r[0] === 'redis_down').map((r) => r[3])).toEqual([`${redisFrom.toISOString()}/${redisTo.toISOString()}`]);
    const down = csv.filter((r) => r[0] === 'monitor_down').map((r) => [r[3], r[8]]);
    expect(down).toEqual([
      [`${stopAt.toISOString()}/${restartAt.toISOString()}`, 'stopped'],
      // From the last result before the restart (the 08:xx slot) to the restart.
      [
        `${new Date(nextEverySlot('api', HOUR, at('2026-10-25', 8).getTime() - 1)).toISOString()}/${crashRestart.toISOString()}`,
        'not_closed',
      ],
    ]);

    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain(`data-coverage="${733 / 744}" data-expected-slots="744"`);
    expect(html).toContain('data-gaps="5"');
    expect(html).toContain(
      'data-gap="api/2026-10-20" data-missing="2" data-monitor-down="0" data-redis-down="0" data-results-dropped="1" data-slots-expired="0" data-unexplained="1"',
    );
    expect(html).toContain('data-gap="api/2026-10-12" data-missing="2" data-monitor-down="0" data-redis-down="2"');
    expect(html).toContain('data-redis-down="1"');
    // The lifecycle records (sessions, the outage, the lost results) are hash-chained like every other record.
    expect((await verifyStore(store.db, TZ)).ok).toBe(true);
  });

  it('records a burst of shed slots in one batch (several multi-row inserts), each once, chained', async () => {
    const base = startOfDay('2026-11-02', TZ).getTime();
    const shed = Array.from({ length: 1203 }, (_, i) => {
      const slot = new Date(base + (i % 1200) * 1000).toISOString();
      return { id: `burst@${slot}`, checkId: 'burst', slot, reason: 'queue_full' as const, at: slot };
    });
    // 1,200 slots, three of them reported twice in the same batch, then the whole batch replayed.
    expect(await recordLostResults(store.db, shed)).toBe(1200);
    expect(await recordLostResults(store.db, shed.slice(0, 700))).toBe(0);
    const [row] = await store.db.query<{ n: number }>(
      `SELECT count(*) AS n FROM evidence_lifecycle WHERE event = 'gap' AND subject LIKE 'burst@%'`,
    );
    expect(Number(row.n)).toBe(1200);
    expect((await verifyStore(store.db, TZ)).ok).toBe(true);
  });
});
