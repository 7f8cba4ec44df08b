/** Formatting shared by the HTML and CSV outputs. */
import { dayOf } from '../tz';

export const escapeHtml = (s: unknown) => String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function pct(r: number | null): string {
  return r === null ? '–' : `${(r * 100).toFixed(2)}%`;
}

export function durationText(ms: number): string {
  if (ms <= 0) return '0m';
  const m = Math.round(ms / 60_000);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const mm = m % 60;
  return [d ? `${d}d` : '', h ? `${h}h` : '', `${mm}m`].filter(Boolean).join(' ');
}

/** 'YYYY-MM-DD HH:MM' in the report's zone. */
export function localTime(t: Date | string | null | undefined, tz: string): string {
  if (!t) return '–';
  const d = new Date(t);
  const hm = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  return `${dayOf(d, tz)} ${hm}`;
}

export function msText(v: number | null): string {
  return v === null ? '–' : `${v.toFixed(1)} ms`;
}
