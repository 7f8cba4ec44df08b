/** Inline SVG charts for the report: no scripts, no external fonts or images, so the file works offline. */
import type { DayState } from './summary';

export const STATE_COLOURS: Record<DayState, string> = {
  pass: '#2e7d32',
  warn: '#f9a825',
  fail: '#c62828',
  waived: '#6a1b9a',
  error: '#757575',
  none: '#e0e0e0',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Bars of the daily pass rate (0–100 %); days without decided results are grey stubs. */
export function dailyRateChart(days: string[], rates: Array<number | null>, title: string): string {
  const w = 24;
  const h = 120;
  const width = days.length * w + 40;
  const bars = days
    .map((day, i) => {
      const r = rates[i];
      const x = 36 + i * w;
      if (r === null)
        return `<rect x="${x}" y="${h - 4}" width="${w - 4}" height="4" fill="${STATE_COLOURS.none}"><title>${day}: -</title></rect>`;
      const bh = Math.max(2, Math.round(r * (h - 10)));
      const colour = r >= 0.999 ? STATE_COLOURS.pass : r >= 0.95 ? STATE_COLOURS.warn : STATE_COLOURS.fail;
      return `<rect x="${x}" y="${h - bh}" width="${w - 4}" height="${bh}" fill="${colour}"><title>${day}: ${(r * 100).toFixed(2)}%</title></rect>`;
    })
    .join('');
  const labels = days
    .map((day, i) => (i % 5 === 0 ? `<text x="${36 + i * w}" y="${h + 14}" font-size="10">${day.slice(8)}</text>` : ''))
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}" width="${width}" height="${h + 20}" viewBox="0 0 ${width} ${h + 20}">
<text x="0" y="12" font-size="10">100%</text><text x="0" y="${h}" font-size="10">0%</text>
<line x1="34" y1="${h}" x2="${width}" y2="${h}" stroke="#9e9e9e"/>${bars}${labels}</svg>`;
}

/** One row per check, one cell per day, coloured by the day's worst state. */
export function timelineChart(
  days: string[],
  rows: Array<{ checkId: string; days: DayState[] }>,
  title: string,
  names?: Record<DayState, string>,
): string {
  const cell = 14;
  const labelW = 220;
  const width = labelW + days.length * cell + 4;
  const height = rows.length * cell + 20;
  const body = rows
    .map((r, y) => {
      const cells = r.days
        .map(
          (s, x) =>
            `<rect x="${labelW + x * cell}" y="${y * cell}" width="${cell - 2}" height="${cell - 2}" fill="${STATE_COLOURS[s]}"><title>${esc(r.checkId)} ${days[x]}: ${esc(names?.[s] ?? s)}</title></rect>`,
        )
        .join('');
      return `<text x="0" y="${y * cell + 10}" font-size="10">${esc(r.checkId.length > 36 ? `${r.checkId.slice(0, 35)}…` : r.checkId)}</text>${cells}`;
    })
    .join('');
  const axis = days
    .map((d, x) => (x % 5 === 0 ? `<text x="${labelW + x * cell}" y="${rows.length * cell + 14}" font-size="10">${d.slice(8)}</text>` : ''))
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}${axis}</svg>`;
}

export function legendSvg(names: Record<DayState, string>): string {
  const states = Object.keys(STATE_COLOURS) as DayState[];
  const items = states
    .map(
      (s, i) =>
        `<rect x="${i * 130}" y="2" width="12" height="12" fill="${STATE_COLOURS[s]}"/><text x="${i * 130 + 16}" y="12" font-size="11">${esc(names[s])}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${states.length * 130}" height="18" viewBox="0 0 ${states.length * 130} 18">${items}</svg>`;
}
