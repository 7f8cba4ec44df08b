/**
 * Calendar days and months in the store's time zone. Reports follow the operator's local calendar (Indonesia:
 * WIB, Asia/Jakarta, no daylight saving), so "the 1st" and "October" mean what the compliance team means.
 * Days are kept as 'YYYY-MM-DD' text everywhere: the two database drivers disagree on how they return `date`.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Throws a RangeError for an unknown zone name. */
export function assertTimeZone(tz: string): void {
  formatter(tz);
}

function parts(instant: number, tz: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(instant))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

function dayFromParts(instant: number, tz: string): string {
  const p = parts(instant, tz);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Per zone, the last day looked up and the instants it spans: the recorder asks for the same day all day long. */
const lastDay = new Map<string, { day: string; from: number; to: number }>();

/**
 * The local calendar day of an instant, 'YYYY-MM-DD'. `formatToParts` is slow on the recorder's hot path (every
 * result), so the span of the last day found is kept per zone and an instant inside it needs no formatting; a span is
 * kept only once its first and last millisecond and the next day's first were checked to format as expected.
 */
export function dayOf(instant: Date | number, tz: string): string {
  const t = typeof instant === 'number' ? instant : instant.getTime();
  const known = lastDay.get(tz);
  if (known && t >= known.from && t < known.to) return known.day;
  const day = dayFromParts(t, tz);
  const from = startOfDay(day, tz).getTime();
  const to = startOfDay(addDays(day, 1), tz).getTime();
  if (from <= t && t < to && dayFromParts(from, tz) === day && dayFromParts(to - 1, tz) === day && dayFromParts(to, tz) !== day)
    lastDay.set(tz, { day, from, to });
  return day;
}

/** Offset of the zone from UTC at an instant, in ms. */
function offsetMs(instant: number, tz: string): number {
  const p = parts(instant, tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant local midnight starts a day ('YYYY-MM-DD'). */
export function startOfDay(day: string, tz: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  // Two passes settle zones whose offset differs on either side of the guess (DST changes).
  let t = guess - offsetMs(guess, tz);
  t = guess - offsetMs(t, tz);
  return new Date(t);
}

export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

export interface Month {
  /** 'YYYY-MM' */
  id: string;
  firstDay: string;
  /** The first day of the next month (exclusive end). */
  endDay: string;
  days: string[];
}

export function parseMonth(id: string): Month | undefined {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(id);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const firstDay = `${id}-01`;
  const endDay = new Date(Date.UTC(y, mo, 1)).toISOString().slice(0, 10);
  const days: string[] = [];
  for (let d = firstDay; d < endDay; d = addDays(d, 1)) days.push(d);
  return { id, firstDay, endDay, days };
}

export function previousMonth(id: string): string {
  const [y, m] = id.split('-').map(Number);
  return new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);
}

/** The month before the one `now` falls in, in the zone: what the 1st-of-the-month job builds. */
export function lastMonthOf(now: Date, tz: string): string {
  return previousMonth(dayOf(now, tz).slice(0, 7));
}
