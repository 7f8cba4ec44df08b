/** Dates and months on the command line (`--expires`, `--from`, `--month`): a bare day in the store time zone, or ISO-8601. */
import { UsageError } from '../errors';
import { addDays, startOfDay } from '../evidence/tz';

/** YYYY-MM-DD means the start of that day, or with `endOfDay` its end (the next day's start), in `tz`. */
export function parseWhen(text: string, tz: string, endOfDay: boolean, flag: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    if (addDays(text, 0) !== text) throw new UsageError(`${flag}: ${text} is not a calendar day`);
    return startOfDay(endOfDay ? addDays(text, 1) : text, tz);
  }
  const t = new Date(text);
  if (Number.isNaN(t.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(text))
    throw new UsageError(`${flag} must be YYYY-MM-DD or an ISO-8601 time, got "${text}"`);
  return t;
}

/** One message for every bad month on the command line: `month "12-2026" — expected YYYY-MM`. */
export function monthMessage(text: string): string {
  return `month "${text}" — expected YYYY-MM (e.g. 2026-10)`;
}

/** `--month`: YYYY-MM with a month 01–12; anything else is the one message above, naming the flag. */
export function parseMonthFlag(text: string, flag = '--month'): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(text)) throw new UsageError(`${flag}: ${monthMessage(text)}`);
  return text;
}
