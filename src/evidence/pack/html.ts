/**
 * report.html: one self-contained file (inline CSS and SVG, no scripts, no network) an auditor can open offline.
 * Written in one language (`--lang en|id`): labels from i18n.ts, finding messages from finding-catalogue.ts, check
 * descriptions from the YAML; regulation references come only from src/elements.ts. Tables wrap to fit a 1280 px
 * screen and A4 portrait paper. Numbers carry data-* attributes so tools (and tests) can read them back without
 * parsing text.
 */
import { ELEMENTS } from '../../elements';
import { attestationStatement } from '../attestations';
import { signatureProblem, type OperatorSignature, type WrittenBy } from '../record-checks';
import { waiverStatement } from '../waivers';
import type { MonthData } from './data';
import { maintenanceSection } from './maintenance-section';
import { configDuration, displayPath, durationText, escapeHtml as e, localTime, msText, pct } from './format';
import { findingMessage } from './finding-catalogue';
import { label, LABELS, severityText, type Lang, type LabelKey } from './i18n';
import { elementName, passRate, type PackSummary } from './summary';
import { dailyRateChart, legendSvg, timelineChart } from './svg';

export interface ReportMeta {
  toolVersion: string;
  configHash: string | null;
  /** Absolute folders file paths are shown relative to (the documents root, the pack); none: only `…/` tails. */
  pathRoots?: string[];
  /** Whether report.pdf is printed beside this file; undefined: the report says nothing about a PDF. */
  pdf?: 'printed' | 'missing';
}

/**
 * Option names whose values are durations in milliseconds (every `durationMs` field of the probe option schemas;
 * test/evidence/report-i18n.test.ts walks the schemas and fails when one is missing here).
 */
export const DURATION_OPTIONS = new Set([
  'warnBefore',
  'maxAge',
  'maxValidity',
  'degradedAfter',
  'failAfter',
  'requestTimeout',
  'maxRetryWait',
  'timeout',
  'latency',
  'window',
]);

/** Options as indented `name: value` lines: durations in units (`365 d`), file paths without the build machine's folders. */
export function optionsText(value: unknown, roots: string[], key = '', depth = 0): string[] {
  const pad = '  '.repeat(depth);
  const head = key ? `${pad}${key}:` : '';
  if (Array.isArray(value)) {
    if (!value.length) return [`${head} []`];
    const items = value.flatMap((v) => {
      const lines = optionsText(v, roots, '', depth + 1);
      return lines.map((l, i) => (i === 0 ? `${'  '.repeat(depth)}- ${l.trimStart()}` : l));
    });
    return key ? [head, ...items] : items;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.length) return [`${head} {}`];
    const inner = entries.flatMap(([k, v]) => optionsText(v, roots, k, key ? depth + 1 : depth));
    return key ? [head, ...inner] : inner;
  }
  let text: string;
  if (typeof value === 'number' && (DURATION_OPTIONS.has(key) || /Ms$/.test(key))) text = configDuration(value);
  else if (typeof value === 'string') text = displayPath(value, roots);
  else text = JSON.stringify(value) ?? String(value);
  return [key ? `${head} ${text}` : `${pad}${text}`];
}

/** `every 3600s` → `every 1 h` / `setiap 1 h`; cron expressions as written. */
function scheduleText(text: string, lang: Lang): string {
  const m = /^every (\d+(?:\.\d+)?)s$/.exec(text);
  return m ? `${LABELS.every[lang]} ${configDuration(Math.round(Number(m[1]) * 1000))}` : `${LABELS.cron[lang]} ${text}`;
}

// Every cell may wrap anywhere (overflow-wrap:anywhere also lowers a table's minimum width), so no table is wider than
// its page: a 1280 px screen or A4 portrait (186 mm between 12 mm margins). test/evidence/report-render.test.ts
// measures both in Chromium.
const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#212121;font-size:13px;overflow-wrap:anywhere}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #bdbdbd;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0;width:100%}th,td{border:1px solid #e0e0e0;padding:3px 5px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f5f5f5;font-size:12px;overflow-wrap:normal}td.n{text-align:right;font-variant-numeric:tabular-nums;overflow-wrap:normal}.empty{padding:12px;background:#fff8e1;border:1px solid #ffe082}
.fail{color:#c62828;font-weight:600}.waived{color:#6a1b9a}.ok{color:#2e7d32}.sub{color:#616161}code,pre{font-family:ui-monospace,Menlo,monospace;font-size:11px}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0}dl{display:grid;grid-template-columns:minmax(0,max-content) minmax(0,1fr);gap:2px 12px}dt{font-weight:600}dd{margin:0}
svg{max-width:100%;height:auto}
@page{size:A4 portrait;margin:12mm}
@media print{body{margin:0;font-size:8pt}h1{font-size:15pt}h2{font-size:11pt;break-after:avoid}th{font-size:6.5pt}table[data-table=per-check] th{overflow-wrap:anywhere}th,td{padding:1px 2px}code,pre{font-size:7pt}tr{break-inside:avoid}}`;

const CAP = 1000;

export function renderReport(d: MonthData, s: PackSummary, lang: Lang, meta: ReportMeta): string {
  const L = (k: LabelKey) => label(k, lang);
  // A signed waiver or attestation shows its signer when the signature still holds over the record, and says so loudly when not.
  const signedAttr = (sig: OperatorSignature | undefined, statement: () => Record<string, unknown>) =>
    sig ? ` data-signed="${signatureProblem(statement(), sig) ? 'invalid' : 'valid'}" data-signer="${e(sig.signer)}"` : ' data-signed="no"';
  const provenance = (sig: OperatorSignature | undefined, by: WrittenBy | undefined, statement: () => Record<string, unknown>) => {
    const signed = !sig
      ? L('notSigned')
      : signatureProblem(statement(), sig)
        ? `<strong class="fail">${L('signatureInvalid')}</strong>`
        : `✔ ${L('signedBy')} ${e(sig.signer)}<br><code>sha256 ${e(sig.keySha256.slice(0, 16))}…</code>`;
    return `${signed}${by ? `<br><small>${L('writtenBy')} ${e(by.name)} (${L(by.kind === 'db-role' ? 'kind_db_role' : 'kind_os_user')})</small>` : ''}`;
  };
  const th = (...keys: LabelKey[]) => `<tr>${keys.map((k) => `<th>${L(k)}</th>`).join('')}</tr>`;
  const tz = d.timezone;
  const roots = meta.pathRoots ?? [];
  const sev = (x: string) => e(severityText(x, lang));
  const parts: string[] = [];
  parts.push(`<h1>${L('title')} — ${e(d.month.id)}</h1>`);
  parts.push(`<h2>${L('scope')}</h2><dl>
<dt>${L('period')}</dt><dd data-from="${d.from.toISOString()}" data-to="${d.to.toISOString()}">${e(localTime(d.from, tz))} → ${e(localTime(d.to, tz))}${d.complete ? '' : ` (${L('partial')})`}</dd>
<dt>${L('timezone')}</dt><dd>${e(tz)}</dd>
<dt>${L('checks')}</dt><dd data-checks="${s.totals.checks}">${s.totals.checks}</dd>
<dt>${L('tool')}</dt><dd>pengawas ${e(meta.toolVersion)}</dd>
<dt>${L('backend')}</dt><dd>${e(d.backend)}</dd>
<dt>${L('configHash')}</dt><dd><code>${e(meta.configHash ?? '–')}</code></dd>
<dt>${L('chainHead')}</dt><dd><code>${e(d.chain.head)}</code> (${d.chain.streams})</dd>
<dt>${L('generated')}</dt><dd>${e(localTime(d.generatedAt, tz))}</dd></dl>`);
  if (s.empty) parts.push(`<p class="empty" data-empty="true">${L('noData')}</p>`);

  parts.push(
    `<h2>${L('elements')}</h2><p>${L('legend')}</p><p data-waived-definition="true">${L('waivedDefinition')}</p><p>${L('coverageNote')}</p><table>${th('element', 'checks', 'coverage', 'runs', 'pass', 'warn', 'failUnwaived', 'waived', 'error', 'passRate', 'timeInFailure')}`,
  );
  for (const el of s.elements) {
    const def = ELEMENTS[el.element];
    parts.push(`<tr data-element="${el.element}" data-runs="${el.runs}" data-pass-rate="${el.passRate ?? ''}" data-coverage="${el.coverage ?? ''}"><td>${e(def.name[lang])}</td>
<td class="n">${el.checks}</td><td class="n">${pct(el.coverage)}</td><td class="n">${el.runs}</td><td class="n">${el.passes}</td><td class="n">${el.warns}</td><td class="n">${el.fails}</td><td class="n">${el.waived}</td><td class="n">${el.errors}</td><td class="n">${pct(el.passRate)}</td><td class="n">${durationText(el.failureMs)}</td></tr>`);
  }
  const t = s.totals;
  parts.push(
    `<tr data-totals="true" data-runs="${t.runs}" data-passes="${t.passes}" data-warns="${t.warns}" data-fails="${t.fails}" data-waived="${t.waived}" data-errors="${t.errors}" data-pass-rate="${t.passRate ?? ''}" data-coverage="${t.coverage ?? ''}"><th>${L('total')}</th><td class="n">${t.checks}</td><td class="n">${pct(t.coverage)}</td><td class="n">${t.runs}</td><td class="n">${t.passes}</td><td class="n">${t.warns}</td><td class="n">${t.fails}</td><td class="n">${t.waived}</td><td class="n">${t.errors}</td><td class="n">${pct(t.passRate)}</td><td class="n">${durationText(t.failureMs)}</td></tr></table>`,
  );
  // English: number and subject; Indonesian: the full titles as Bank Indonesia publishes them.
  const ruleText = (r: (typeof ELEMENTS)[keyof typeof ELEMENTS]['rules'][number]) =>
    lang === 'id' ? r.titles.map(e).join('<br>') : `${e(r.ref)} — ${e(r.subject)}`;
  parts.push(
    `<h3>${L('rules')}</h3><p>${L('rulesNote')}</p><dl data-rules="true">${s.elements
      .map((el) => {
        const def = ELEMENTS[el.element];
        return `<dt>${e(def.name[lang])}</dt><dd>${def.rules.length ? def.rules.map(ruleText).join('<br>') : L('ownPolicy')}</dd>`;
      })
      .join('')}</dl>`,
  );

  const rates = d.month.days.map((day) => {
    const c = { runs: 0, passes: 0, warns: 0, fails: 0, waived: 0, errors: 0 };
    for (const r of d.rollups) if (r.day === day) for (const k of Object.keys(c) as Array<keyof typeof c>) c[k] += r[k];
    return passRate(c);
  });
  parts.push(`<h2>${L('dailyRate')}</h2>${dailyRateChart(d.month.days, rates, LABELS.dailyRate[lang])}`);

  const approx = s.checks.some((c) => c.percentileMethod === 'daily-approximation');
  const exact = s.checks.some((c) => c.percentileMethod === 'histogram') || !approx;
  const notes = `${exact ? `<p data-percentile-note="histogram">${L('percentileExact')}</p>` : ''}${approx ? `<p data-percentile-note="daily-approximation">${L('percentileApprox')}</p><p>${L('percentileNote')}</p>` : ''}`;
  const mark = (c: { percentileMethod: string | null }) => (c.percentileMethod === 'daily-approximation' ? '≈ ' : '');
  parts.push(
    `<h2>${L('perCheck')}</h2>${notes}<table data-table="per-check">${th('check', 'coverage', 'runs', 'pass', 'warn', 'failUnwaived', 'waived', 'error', 'passRate', 'durations', 'firstLastFailure', 'timeInFailure')}`,
  );
  const describedBy = new Map(s.appliedChecks.map((c) => [c.id, lang === 'id' ? c.descriptionId : c.description]));
  for (const c of s.checks) {
    // The name is the operator's own text (often English): the Indonesian report shows description_id instead when there is one.
    const description = describedBy.get(c.checkId);
    parts.push(`<tr data-check="${e(c.checkId)}" data-runs="${c.runs}" data-passes="${c.passes}" data-warns="${c.warns}" data-fails="${c.fails}" data-waived="${c.waived}" data-errors="${c.errors}" data-pass-rate="${c.passRate ?? ''}" data-failure-ms="${c.failureMs}" data-p50-ms="${c.p50Ms ?? ''}" data-p95-ms="${c.p95Ms ?? ''}" data-percentile-method="${c.percentileMethod ?? ''}" data-coverage="${c.coverage ?? ''}" data-expected-slots="${c.expectedSlots}">
<td><code>${e(c.checkId)}</code>${c.name !== c.checkId && !(lang === 'id' && description) ? `<br>${e(c.name)}` : ''}${description ? `<br><small data-description="true">${e(description)}</small>` : ''}<br><small class="sub">${e(elementName(c.element, lang))} · ${e(c.type)}</small></td><td class="n${c.coverage !== null && c.coverage < 1 ? ' fail' : ''}">${pct(c.coverage)}</td><td class="n">${c.runs}</td><td class="n">${c.passes}</td><td class="n">${c.warns}</td><td class="n${c.fails ? ' fail' : ''}">${c.fails}</td><td class="n${c.waived ? ' waived' : ''}">${c.waived}</td><td class="n">${c.errors}</td><td class="n">${pct(c.passRate)}</td><td class="n">${mark(c)}${msText(c.p50Ms)}<br>${mark(c)}${msText(c.p95Ms)}</td><td>${e(localTime(c.firstFailureAt, tz))}<br>${e(localTime(c.lastFailureAt, tz))}</td><td class="n">${durationText(c.failureMs)}</td></tr>`);
  }
  parts.push('</table>');

  parts.push(`<h2>${L('gaps')}</h2><p>${L('coverageNote')}</p>`);
  if (!s.gaps.length) parts.push(`<p data-gaps="0">${L('none')}</p>`);
  else {
    parts.push(
      `<table data-gaps="${s.gaps.length}">${th('check', 'day', 'expectedSlots', 'recordedSlots', 'missing', 'monitorDown', 'gapMaintenance', 'redisDown', 'resultsDropped', 'slotsExpired', 'unexplained')}`,
    );
    for (const g of s.gaps.slice(0, CAP)) {
      const causes = [g.monitorDown, g.maintenance, g.redisDown, g.resultsDropped, g.slotsExpired, g.unexplained]
        .map((n) => `<td class="n">${n}</td>`)
        .join('');
      parts.push(
        `<tr data-gap="${e(g.checkId)}/${g.day}" data-missing="${g.missing}" data-monitor-down="${g.monitorDown}" data-redis-down="${g.redisDown}" data-results-dropped="${g.resultsDropped}" data-slots-expired="${g.slotsExpired}" data-unexplained="${g.unexplained}"><td>${e(g.checkId)}</td><td>${g.day}</td><td class="n">${g.expected}</td><td class="n">${g.recorded}</td><td class="n fail">${g.missing}</td>${causes}</tr>`,
      );
    }
    parts.push('</table>');
    if (s.gaps.length > CAP) parts.push(`<p>+${s.gaps.length - CAP} ${L('truncated')}</p>`);
  }
  if (s.redisDown.length) {
    parts.push(
      `<h3>${L('redisSpans')}</h3><ul data-redis-down="${s.redisDown.length}">${s.redisDown.map((r) => `<li>${e(localTime(r.from, tz))} → ${e(localTime(r.to, tz))} (${durationText(r.to.getTime() - r.from.getTime())})</li>`).join('')}</ul>`,
    );
  }
  if (s.monitorDown.length) {
    parts.push(
      `<h3>${L('downSpans')}</h3><ul data-monitor-down="${s.monitorDown.length}">${s.monitorDown.map((m) => `<li>${e(localTime(m.from, tz))} → ${e(localTime(m.to, tz))} (${durationText(m.to.getTime() - m.from.getTime())}): ${L(m.kind === 'stopped' ? 'down_stopped' : 'down_not_closed')}</li>`).join('')}</ul>`,
    );
  }

  const troubled = s.checks
    .filter((c) => c.days.some((x) => x === 'fail' || x === 'waived' || x === 'error'))
    .sort((a, b) => b.fails - a.fails || a.checkId.localeCompare(b.checkId));
  const names = {
    pass: LABELS.pass[lang],
    warn: LABELS.warn[lang],
    fail: LABELS.fail[lang],
    waived: LABELS.waived[lang],
    error: LABELS.error[lang],
    none: '–',
  };
  parts.push(`<h2>${L('timeline')}</h2><p>${L('timelineNote')}</p>${legendSvg(names)}`);
  parts.push(troubled.length ? timelineChart(d.month.days, troubled.slice(0, 300), LABELS.timeline[lang], names) : `<p>${L('none')}</p>`);
  if (troubled.length > 300) parts.push(`<p>+${troubled.length - 300} ${L('truncated')}</p>`);

  parts.push(`<h2>${L('incidents')}</h2>`);
  if (!d.incidents.length) parts.push(`<p data-incidents="0">${L('none')}</p>`);
  else {
    parts.push(`<table data-incidents="${d.incidents.length}">${th('check', 'element', 'started', 'ended', 'duration', 'findings')}`);
    for (const i of d.incidents.slice(0, CAP)) {
      const dur = (i.ended_at ? new Date(i.ended_at).getTime() : d.to.getTime()) - new Date(i.started_at).getTime();
      parts.push(
        `<tr><td>${e(i.check_id)}</td><td>${e(elementName(i.element, lang))}</td><td>${e(localTime(i.started_at, tz))}</td><td>${i.ended_at ? e(localTime(i.ended_at, tz)) : `<span class="fail">${L('ongoing')}</span>`}</td><td class="n">${durationText(dur)}</td><td><code>${e([...new Set(i.findings.split(' '))].join(' '))}</code></td></tr>`,
      );
    }
    parts.push('</table>');
    if (d.incidents.length > CAP) parts.push(`<p>+${d.incidents.length - CAP} ${L('truncated')}</p>`);
  }

  parts.push(
    `<h2>${L('findings')} — ${L('delta')}</h2><p data-delta-new="${s.delta.new}" data-delta-still="${s.delta.still_failing}" data-delta-resolved="${s.delta.resolved}">${L('new')}: <b>${s.delta.new}</b> · ${L('still_failing')}: <b>${s.delta.still_failing}</b> · ${L('resolved')}: <b>${s.delta.resolved}</b> · ${L('not_observed')}: <b>${s.delta.not_observed}</b></p>`,
  );
  if (s.findings.length) {
    parts.push(
      `<p>${L('occurrencesNote')} ${L('findingDetailNote')}</p><table data-table="findings">${th('check', 'finding', 'severity', 'status', 'occurrences', 'waived', 'firstLastSeen', 'openAtEnd', 'delta')}`,
    );
    for (const f of s.findings.slice(0, CAP)) {
      const st = f.occurrences > 0 && f.waived === f.occurrences ? 'waived' : f.status;
      // The catalogue sentence in the report's language; the probe's English detail only in the English report.
      const said = findingMessage(f.findingId, lang);
      const message = said
        ? `<span data-catalogue="true">${e(said)}</span>${lang === 'en' && f.message ? `<br><small class="sub">${e(f.message)}</small>` : ''}`
        : `<small class="sub">${L('notInCatalogue')}</small>${lang === 'en' && f.message ? `<br><small class="sub">${e(f.message)}</small>` : ''}`;
      parts.push(
        `<tr data-finding="${e(f.checkId)}/${e(f.findingId)}" data-occurrences="${f.occurrences}" data-waived="${f.waived}" data-delta="${f.delta}"><td><code>${e(f.checkId)}</code></td><td><code>${e(f.findingId)}</code><br>${message}</td><td>${sev(f.severity)}</td><td class="${st === 'fail' ? 'fail' : st === 'waived' ? 'waived' : ''}">${L(st)}</td><td class="n">${f.occurrences}</td><td class="n">${f.waived}</td><td>${e(localTime(f.firstSeenAt, tz))}<br>${e(localTime(f.lastSeenAt, tz))}</td><td>${f.openAtEnd ? '✔' : ''}</td><td>${L(f.delta)}</td></tr>`,
      );
    }
    parts.push('</table>');
    if (s.findings.length > CAP) parts.push(`<p>+${s.findings.length - CAP} ${L('truncated')}</p>`);
  }

  parts.push(`<h2>${L('waivers')}</h2>`);
  if (!d.waivers.length) parts.push(`<p>${L('none')}</p>`);
  else {
    parts.push(`<table>${th('check', 'finding', 'reason', 'approver', 'risk', 'from', 'expires', 'provenance')}`);
    for (const w of d.waivers)
      parts.push(
        `<tr data-waiver="${w.id}"${signedAttr(w.signature, () => waiverStatement(w))}><td>${e(w.checkId)}</td><td>${w.findingId ? `<code>${e(w.findingId)}</code>` : L('allFindings')}</td><td>${e(w.reason)}</td><td>${e(w.approver)}</td><td>${sev(w.risk)}</td><td>${e(localTime(w.startsAt, tz))}</td><td>${e(localTime(w.expiresAt, tz))}</td><td>${provenance(w.signature, w.writtenBy, () => waiverStatement(w))}</td></tr>`,
      );
    parts.push('</table>');
  }

  parts.push(maintenanceSection(d, s, lang));

  parts.push(`<h2>${L('attestations')}</h2>`);
  if (!d.attestations.length) parts.push(`<p>${L('none')}</p>`);
  else {
    parts.push(`<table>${th('check', 'attestedBy', 'evidence', 'recorded', 'expires', 'provenance')}`);
    for (const a of d.attestations)
      parts.push(
        `<tr data-attestation="${a.id}"${signedAttr(a.signature, () => attestationStatement(a))}><td>${e(a.checkId)}</td><td>${e(a.by)}</td><td>${e(displayPath(a.evidenceRef, roots))}<br><code>sha256 ${e(a.evidenceHash)}</code>${a.note ? `<br><small>${e(a.note)}</small>` : ''}</td><td>${e(localTime(a.recordedAt, tz))}</td><td>${e(localTime(a.expiresAt, tz))}</td><td>${provenance(a.signature, a.writtenBy, () => attestationStatement(a))}</td></tr>`,
      );
    parts.push('</table>');
  }

  parts.push(`<h2>${L('config')}</h2>`);
  if (!d.configs.length) parts.push(`<p>${L('noConfig')}</p>`);
  else {
    if (d.configs.length > 1) {
      parts.push(
        `<h3>${L('configChanges')}</h3><ul>${d.configs.map((c) => `<li>${e(localTime(c.appliedAt, tz))} — <code>${e(c.configHash)}</code> (${c.checks.length})</li>`).join('')}</ul>`,
      );
    }
    parts.push(`<p>${L('pathsNote')}</p><table data-table="config">${th('check', 'schedule', 'target', 'severity', 'options')}`);
    for (const c of s.appliedChecks.slice(0, CAP)) {
      const opts = optionsText(c.options, roots).join('\n');
      parts.push(
        `<tr data-config-check="${e(c.id)}"><td><code>${e(c.id)}</code><br><small class="sub">${e(elementName(c.element, lang))} · ${e(c.type)}</small></td><td>${e(scheduleText(c.schedule, lang))}<br><small>${L('timeout')} ${configDuration(c.timeoutMs)}</small></td><td><code>${e(displayPath(c.target, roots))}</code></td><td>${sev(c.severity)}</td><td><pre>${e(opts.length > 2000 ? `${opts.slice(0, 2000)}…` : opts)}</pre></td></tr>`,
      );
    }
    parts.push('</table>');
  }
  parts.push(`<h2>${L('files')}</h2><p>${L('filesNote')}</p>`);
  if (meta.pdf) parts.push(`<p data-pdf="${meta.pdf}">${L(meta.pdf === 'printed' ? 'pdfPrinted' : 'pdfMissing')}</p>`);
  return `<!DOCTYPE html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>pengawas ${e(d.month.id)} — ${e(LABELS.title[lang])}</title><style>${CSS}</style></head>
<body>${parts.join('\n')}</body></html>
`;
}
