/**
 * dayOf keeps the span of the last day it found per zone: it must agree with formatting every instant afresh
 * (Intl, the zone database's own answer), in zones without daylight saving, with it, with a 30-minute shift, with
 * transitions at midnight, and across the day Samoa skipped (30 December 2011), in time order and out of it.
 */
import { dayOf } from '../../src/evidence/tz';

function reference(t: number, tz: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(new Date(t))
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}`;
}

const ZONES = [
  'Asia/Jakarta',
  'UTC',
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
  'America/Santiago',
  'America/Havana',
  'Pacific/Apia',
];

describe('dayOf', () => {
  it.each(ZONES)('agrees with Intl in %s, walking through transitions and jumping around', (tz) => {
    // Every 29 minutes through 2011-12-25 .. 2012-01-05 (Apia's skipped day) and through March/April and
    // September/November 2026 (DST changes in the northern and southern zones), then 2,000 instants in random order.
    const spans: Array<[string, string]> = [
      ['2011-12-25T00:00:00Z', '2012-01-05T00:00:00Z'],
      ['2026-03-05T00:00:00Z', '2026-04-10T00:00:00Z'],
      ['2026-09-01T00:00:00Z', '2026-11-10T00:00:00Z'],
    ];
    let checked = 0;
    for (const [a, b] of spans)
      for (let t = Date.parse(a); t < Date.parse(b); t += 29 * 60_000) {
        expect(dayOf(t, tz)).toBe(reference(t, tz));
        checked += 1;
      }
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const t = Date.parse('2011-01-01T00:00:00Z') + Math.floor(rand() * 16 * 365 * 86_400_000);
      expect(dayOf(new Date(t), tz)).toBe(reference(t, tz));
      // And the millisecond before: a cached span must not reach one millisecond too far either way.
      expect(dayOf(t - 1, tz)).toBe(reference(t - 1, tz));
    }
    expect(checked).toBeGreaterThan(5_000);
  });
});
