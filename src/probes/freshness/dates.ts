/**
 * Strict date parsing for review fields. `Date.parse` alone accepts "1" or "March" and would turn a typo into a
 * plausible date, so only these shapes are read:
 *   - ISO 8601 date `2026-03-01` (midnight UTC) or date-time `2026-03-01T09:00:00+07:00`
 *     (a date-time without an offset is read as UTC, so the result does not depend on the monitor's timezone),
 *   - the HTTP date `Sun, 01 Mar 2026 02:00:00 GMT` (RFC 9110 IMF-fixdate, as in Last-Modified),
 *   - a number: unix seconds, or milliseconds when it is larger than 10^11 (JSON APIs use both).
 */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

export function parseDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return undefined;
    return new Date(value > 1e11 ? value : value * 1000);
  }
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  const d = ISO_DATE.exec(s);
  if (d) {
    const date = new Date(Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3])));
    // Rejects 2026-02-30, which Date.UTC would roll over into March.
    return date.getUTCDate() === Number(d[3]) && date.getUTCMonth() === Number(d[2]) - 1 ? date : undefined;
  }
  if (ISO_DATETIME.test(s)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(s.slice(10));
    const t = Date.parse(`${s.replace(' ', 'T')}${hasZone ? '' : 'Z'}`);
    return Number.isNaN(t) ? undefined : new Date(t);
  }
  if (HTTP_DATE.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? undefined : new Date(t);
  }
  return undefined;
}
