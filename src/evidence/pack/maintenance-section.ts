/**
 * The report's maintenance section: every window in force during the month (scope, times, reason, who, who wrote
 * it) and, per check, the time a window covered it and its runs in maintenance. Runs in maintenance are counted in
 * Runs but in none of Pass/Warn/Fail/Waived/Error, and a window's time is never time in failure (an incident ends
 * where a window begins, and a failure inside one opens none).
 */
import { clipFor, effectiveEnd, unionMs, type MaintenanceWindow } from '../maintenance';
import type { MonthData } from './data';
import { durationText, escapeHtml as e, localTime } from './format';
import { label, type Lang, type LabelKey } from './i18n';
import type { PackSummary } from './summary';

function who(w: MaintenanceWindow): string {
  const writer = w.writtenBy ? `${w.writtenBy.kind === 'db-role' ? 'DB' : 'OS'}: ${w.writtenBy.name}` : '';
  return [writer, w.signature ? `✔ ${w.signature.signer}` : ''].filter(Boolean).join('; ');
}

export function maintenanceSection(d: MonthData, s: PackSummary, lang: Lang): string {
  const L = (k: LabelKey) => label(k, lang);
  const tz = d.timezone;
  const parts = [`<h2>${L('maintenance')}</h2><p>${L('maintenanceNote')}</p>`];
  if (!d.maintenance.length) return `${parts.join('')}<p>${L('none')}</p>`;
  const scope = (w: MaintenanceWindow) =>
    w.scope.kind === 'all' ? L('maintAll') : `${e(w.scope.kind)} <code>${e(w.scope.value ?? '')}</code>`;
  parts.push(
    `<table><tr>${(['maintScope', 'from', 'maintTo', 'reason', 'maintBy', 'provenance'] satisfies LabelKey[]).map((k) => `<th>${L(k)}</th>`).join('')}</tr>`,
  );
  for (const w of d.maintenance) {
    const end = effectiveEnd(w);
    parts.push(
      `<tr data-maintenance="${w.id}"><td>${scope(w)}</td><td>${e(localTime(new Date(w.startsAt), tz))}</td><td>${e(localTime(end, tz))}${w.ended ? ` (${e(L('maintEnded'))} ${e(w.ended.by)})` : ''}</td><td>${e(w.reason)}</td><td>${e(w.by)}</td><td><small>${e(who(w))}</small></td></tr>`,
    );
  }
  parts.push('</table>');
  const applied = new Map((d.configs.length ? d.configs[d.configs.length - 1].checks : []).map((c) => [c.id, c]));
  const rows: string[] = [];
  for (const c of s.checks) {
    const spans = clipFor(d.maintenance, { id: c.checkId, element: c.element, labels: applied.get(c.checkId)?.labels }, d.from, d.to);
    const ms = unionMs(spans);
    const runs = c.runs - (c.passes + c.warns + c.fails + c.waived + c.errors);
    if (!ms && !runs) continue;
    rows.push(
      `<tr data-maintenance-check="${e(c.checkId)}" data-maintenance-ms="${ms}" data-maintenance-runs="${runs}"><td>${e(c.checkId)}</td><td class="n">${durationText(ms)}</td><td class="n">${runs}</td><td class="n">${durationText(c.failureMs)}</td></tr>`,
    );
  }
  if (rows.length)
    parts.push(
      `<table><tr>${(['check', 'timeInMaintenance', 'runsInMaintenance', 'timeInFailure'] satisfies LabelKey[]).map((k) => `<th>${L(k)}</th>`).join('')}</tr>${rows.join('')}</table>`,
    );
  return parts.join('');
}
