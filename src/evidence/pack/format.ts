/** Formatting shared by the HTML and CSV outputs. */
import path from 'node:path';
import { dayOf } from '../tz';
import { textOf } from '../../util/narrow';

export const escapeHtml = (s: unknown) =>
  textOf(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

export function pct(r: number | null): string {
  return r === null ? '–' : `${(r * 100).toFixed(2)}%`;
}

/** A span rounded to minutes, in unit symbols both languages read (d, h, min): `3 d 4 h 5 min` (no break inside a group). */
export function durationText(ms: number): string {
  if (ms <= 0) return '0 min';
  const m = Math.round(ms / 60_000);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const mm = m % 60;
  return [d ? `${d}\u00a0d` : '', h ? `${h}\u00a0h` : '', mm || (!d && !h) ? `${mm}\u00a0min` : ''].filter(Boolean).join(' ');
}

const UNITS: Array<[number, string]> = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1000, 's'],
];

/** A configured duration in its largest exact unit: 31536000000 → `365 d`, 90000 → `90 s`, 250 → `250 ms`. */
export function configDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  for (const [size, unit] of UNITS)
    if (ms !== 0 && ms % size === 0) return `${(ms / size).toLocaleString('en-US').replace(/,/g, '\u00a0')} ${unit}`;
  return `${ms} ms`;
}

/**
 * A file path as the report shows it: relative to the documents root (or the pack) when inside it, otherwise only
 * its last two segments after `…/`, so no path of the build machine appears. URLs and ids pass unchanged; a
 * `file:`/`git:` prefix is kept.
 */
export function displayPath(ref: string, roots: string[]): string {
  const m = /^(file:|git:)?(\/[^#]*)(#.*)?$/.exec(ref);
  if (!m || ref.startsWith('file://')) {
    if (!ref.startsWith('file://')) return ref;
    return displayPath(`file:${decodeURIComponent(ref.slice(7))}`, roots);
  }
  const [, prefix = '', raw, rest = ''] = m;
  // `/docs/../etc/x` is shown by where it really points, never as a relative path climbing out of a root.
  const abs = path.posix.normalize(raw);
  for (const root of roots) {
    const r = root.replace(/\/+$/, '');
    if (abs === r) return `${prefix}.${rest}`;
    if (abs.startsWith(`${r}/`)) return `${prefix}${abs.slice(r.length + 1)}${rest}`;
  }
  const tail = abs.split('/').filter(Boolean).slice(-2).join('/');
  return `${prefix}…/${tail}${rest}`;
}

/** 'YYYY-MM-DD HH:MM' in the report's zone. */
export function localTime(t: Date | string | null | undefined, tz: string): string {
  if (!t) return '–';
  const d = new Date(t);
  const hm = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  return `${dayOf(d, tz)} ${hm}`;
}

export function msText(v: number | null): string {
  return v === null ? '–' : `${v.toFixed(1)}\u00a0ms`;
}
