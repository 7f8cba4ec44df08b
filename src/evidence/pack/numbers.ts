/**
 * Compares the figures a pack reports (results.csv, findings.csv, incidents.csv, the manifest's totals and element
 * totals) with the same figures recounted from the hash-chained history (recount.ts). The recount goes through
 * the very functions the builder uses (summarise, the CSV writers), so any difference is a difference in the
 * data, never in formatting. Each difference names the file, the row, the figure, the pack's value and the
 * recomputed value.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConfigRecord } from '../config-log';
import type { Manifest } from './manifest';
import { findingsCsv, incidentsCsv, resultsCsv } from './csv';
import type { MonthData } from './data';
import type { RecountResult } from './recount';
import { summarise, type PackSummary } from './summary';
import { textOf } from '../../util/narrow';

export interface NumberDiff {
  file: string;
  /** The row and column, e.g. `day 2026-10-05 check api-tls: fail`. */
  figure: string;
  pack: string;
  recomputed: string;
}

export interface NumbersCheck {
  ok: boolean;
  /** Figures compared. */
  compared: number;
  differences: NumberDiff[];
  notes: string[];
}

/** RFC 4180 rows (quoted cells, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

interface Table {
  file: string;
  key: string[];
  fields: string[];
  label: (r: Record<string, string>) => string;
}

const TABLES: Table[] = [
  {
    file: 'results.csv',
    key: ['day', 'check_id'],
    fields: ['element', 'runs', 'pass', 'warn', 'fail', 'waived', 'error', 'pass_rate', 'first_failure_utc', 'last_failure_utc'],
    label: (r) => `day ${r.day} check ${r.check_id}`,
  },
  {
    file: 'findings.csv',
    key: ['check_id', 'finding_id'],
    fields: [
      'element',
      'severity',
      'status',
      'occurrences',
      'waived',
      'first_seen_utc',
      'last_seen_utc',
      'open_at_end',
      'month_over_month',
      'message',
    ],
    label: (r) => `check ${r.check_id} finding ${r.finding_id}`,
  },
  {
    file: 'incidents.csv',
    key: ['check_id', 'opened_by_result'],
    fields: ['element', 'started_utc', 'recovered_utc', 'duration_seconds', 'closed_by_result', 'findings'],
    label: (r) => `check ${r.check_id} incident opened by ${r.opened_by_result}`,
  },
];

function records(text: string): Array<Record<string, string>> {
  // The UTF-8 byte-order mark the CSV files start with (for spreadsheets); packs built before it have none.
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  return rows.map((cells) => Object.fromEntries((header ?? []).map((h, i) => [h, cells[i] ?? ''])));
}

function compareTable(t: Table, packText: string | undefined, fresh: string, skip: Set<string>, out: NumbersCheck): void {
  if (packText === undefined) return void out.notes.push(`${t.file} is not in the pack; not compared`);
  const keyOf = (r: Record<string, string>) => t.key.map((k) => r[k]).join('\u0000');
  const mine = new Map(
    records(packText)
      .filter((r) => !skip.has(r.check_id))
      .map((r) => [keyOf(r), r]),
  );
  const theirs = new Map(records(fresh).map((r) => [keyOf(r), r]));
  for (const [k, r] of mine) {
    const f = theirs.get(k);
    if (!f) {
      out.differences.push({
        file: t.file,
        figure: `${t.label(r)}: row`,
        pack: 'present',
        recomputed: 'absent (no such results in the chained history)',
      });
      continue;
    }
    for (const field of t.fields) {
      out.compared += 1;
      if ((r[field] ?? '') !== (f[field] ?? ''))
        out.differences.push({ file: t.file, figure: `${t.label(r)}: ${field}`, pack: r[field] ?? '', recomputed: f[field] ?? '' });
    }
  }
  for (const [k, f] of theirs)
    if (!mine.has(k))
      out.differences.push({ file: t.file, figure: `${t.label(f)}: row`, pack: 'absent', recomputed: 'present in the chained history' });
}

const fmt = (v: unknown) =>
  v === null || v === undefined ? '-' : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(6) : textOf(v);

function compareFigures(
  file: string,
  prefix: string,
  pack: Record<string, unknown>,
  fresh: Record<string, unknown>,
  fields: string[],
  out: NumbersCheck,
): void {
  for (const f of fields) {
    out.compared += 1;
    const a = pack[f];
    const b = fresh[f];
    const same = typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-9 : (a ?? null) === (b ?? null);
    if (!same) out.differences.push({ file, figure: `${prefix}${f}`, pack: fmt(a), recomputed: fmt(b) });
  }
}

const COUNTS = ['runs', 'passes', 'warns', 'fails', 'waived', 'errors', 'passRate'];

/** The element totals a manifest carries (packs built before they did have none). */
export function elementTotals(s: PackSummary): NonNullable<Manifest['elements']> {
  return s.elements.map((e) => ({
    element: e.element,
    checks: e.checks,
    runs: e.runs,
    passes: e.passes,
    warns: e.warns,
    fails: e.fails,
    waived: e.waived,
    errors: e.errors,
    passRate: e.passRate,
  }));
}

/**
 * `configs`: the configuration records of the period as the store holds them through the anchored #config link.
 */
export function compareNumbers(
  dir: string,
  manifest: Manifest,
  recount: RecountResult,
  configs: ConfigRecord[],
  month: MonthData['month'],
): NumbersCheck {
  const out: NumbersCheck = { ok: true, compared: 0, differences: [], notes: [] };
  const from = new Date(manifest.period.from);
  const to = new Date(manifest.period.to);
  const data: MonthData = {
    month,
    timezone: manifest.period.timezone,
    from,
    to,
    complete: manifest.period.complete,
    generatedAt: new Date(manifest.generatedAt),
    backend: manifest.store.backend,
    rollups: recount.rollups,
    findings: recount.findings,
    previousFindings: recount.previousFindings,
    incidents: recount.incidents,
    // Coverage (expected vs observed slots) is not among the recounted figures: monitorDown only names causes.
    waivers: [],
    attestations: [],
    maintenance: [],
    configs,
    monitorDown: [],
    redisDown: [],
    lost: [],
    chain: { head: manifest.chain.head, streams: manifest.chain.streams, heads: [] },
  };
  const s = summarise(data);
  const read = (name: string) => {
    try {
      return manifest.files.some((f) => f.path === name) ? readFileSync(path.join(dir, name), 'utf8') : undefined;
    } catch {
      return undefined;
    }
  };
  const fresh: Record<string, string> = {
    'results.csv': resultsCsv(recount.rollups),
    'findings.csv': findingsCsv(s.findings),
    'incidents.csv': incidentsCsv(recount.incidents),
  };
  for (const t of TABLES) compareTable(t, read(t.file), fresh[t.file], recount.partial, out);
  if (recount.partial.size) {
    out.notes.push(
      `${recount.partial.size} check(s) had records dropped by retention (${[...recount.partial].sort().join(', ')}): their rows, the totals and the element totals were not recounted`,
    );
  } else {
    compareFigures(
      'manifest.json',
      'totals.',
      manifest.totals as unknown as Record<string, unknown>,
      s.totals as unknown as Record<string, unknown>,
      ['checks', ...COUNTS, 'failureMs'],
      out,
    );
    if (!manifest.elements)
      out.notes.push('manifest.json has no element totals (a pack built before they were listed): element totals not compared');
    else {
      const fresh = new Map(elementTotals(s).map((e) => [e.element, e]));
      for (const e of manifest.elements) {
        const f = fresh.get(e.element);
        compareFigures('manifest.json', `elements.${e.element}.`, e, f ?? {}, ['checks', ...COUNTS], out);
      }
    }
  }
  out.ok = out.differences.length === 0;
  return out;
}

/** One line per difference, as `evidence verify DIR --store` prints them. */
export function describeDiff(d: NumberDiff): string {
  return `${d.file} ${d.figure}: the pack says ${d.pack}, the chained history gives ${d.recomputed}`;
}
