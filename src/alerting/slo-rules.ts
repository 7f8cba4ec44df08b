/**
 * Multi-window, multi-burn-rate SLO alerts (Google SRE workbook, "Alerting on SLOs", method 6) generated from the
 * SLOs declared in transaction checks (`options.slo`). The recording rules are generic (one error ratio per window
 * for every SLO); the alerts are per SLO with its objective and window baked into the thresholds, so a reader sees
 * the exact numbers and an alert keeps working while the SLO gauges are briefly absent.
 */
import { stringify } from 'yaml';
import type { Check } from '../config/check';
import { holdWhileMonitorUnavailable } from './hold';
import { outsideMaintenance, runbookUrl } from './runbooks';

/** One tier of the workbook's table: burn this share of the budget within `long`, confirmed over `short`. */
interface Tier {
  alert: 'PengawasSloFastBurn' | 'PengawasSloSlowBurn';
  severity: 'critical' | 'warning';
  budgetShare: number;
  long: string;
  short: string;
  for: string;
}

/** The workbook's recommendation for a 30-day window: 2 % in 1 h, 5 % in 6 h (page), 10 % in 3 d (ticket). */
export const TIERS: Tier[] = [
  { alert: 'PengawasSloFastBurn', severity: 'critical', budgetShare: 0.02, long: '1h', short: '5m', for: '2m' },
  { alert: 'PengawasSloFastBurn', severity: 'critical', budgetShare: 0.05, long: '6h', short: '30m', for: '15m' },
  { alert: 'PengawasSloSlowBurn', severity: 'warning', budgetShare: 0.1, long: '3d', short: '6h', for: '1h' },
];

const WINDOW_SECONDS: Record<string, number> = { '5m': 300, '30m': 1800, '1h': 3600, '6h': 21600, '3d': 259200 };

export interface SloSpec {
  check: string;
  element: string;
  name: string;
  objective: number;
  windowMs: number;
}

export interface Generated {
  yaml: string;
  slos: SloSpec[];
  /** Tiers left out, with why (window shorter than the tier, or a threshold an error ratio can never reach). */
  skipped: string[];
}

/** The SLOs of every enabled transaction check, in check order. */
export function slosOf(checks: Check[]): SloSpec[] {
  const out: SloSpec[] = [];
  for (const c of checks) {
    if (c.type !== 'transaction' || !c.enabled) continue;
    const slos = (c.options.slo ?? []) as Array<{ name: string; objective: number; window: number }>;
    for (const s of slos) out.push({ check: c.id, element: c.element, name: s.name, objective: s.objective, windowMs: s.window });
  }
  return out;
}

export const ratioRecord = (w: string) => `pengawas:transaction_slo_error_ratio:rate${w}`;

/** Burn rate that spends `share` of the budget of a `windowS` SLO within `longS`. */
export function burnRate(share: number, windowS: number, longS: number): number {
  return Number(((share * windowS) / longS).toFixed(4));
}

export function generateSloRules(checks: Check[], source: string): Generated {
  const slos = slosOf(checks);
  const skipped: string[] = [];
  const alerts: Record<string, unknown>[] = [];
  const windows = new Set<string>();
  for (const s of slos) {
    const windowS = s.windowMs / 1000;
    const budget = Number((1 - s.objective).toFixed(6));
    for (const t of TIERS) {
      const longS = WINDOW_SECONDS[t.long];
      const id = `${s.check}/${s.name} ${t.long}/${t.short}`;
      if (longS >= windowS) {
        skipped.push(`${id}: the SLO window (${windowS}s) is not longer than the ${t.long} alert window`);
        continue;
      }
      const rate = burnRate(t.budgetShare, windowS, longS);
      const threshold = Number((rate * budget).toFixed(6));
      if (threshold >= 1) {
        skipped.push(`${id}: burn rate ${rate} x budget ${budget} = ${threshold} can never be exceeded by an error ratio`);
        continue;
      }
      windows.add(t.long).add(t.short);
      const sel = `{check=${JSON.stringify(s.check)}, slo=${JSON.stringify(s.name)}}`;
      const labels = { severity: t.severity, component: 'check', long_window: t.long, short_window: t.short };
      const live = `${ratioRecord(t.long)}${sel} > ${threshold}\nand\n${ratioRecord(t.short)}${sel} > ${threshold}\n`;
      alerts.push({
        alert: t.alert,
        expr: holdWhileMonitorUnavailable(outsideMaintenance(live), {
          alert: t.alert,
          staticLabels: labels,
          match: { check: s.check, slo: s.name, long_window: t.long, short_window: t.short },
          on: 'check',
        }),
        for: t.for,
        labels,
        annotations: {
          summary: `SLO ${s.name} of {{ $labels.check }} burns its error budget faster than ${rate}x the sustainable rate`,
          description:
            `Over the last ${t.long} (and ${t.short}) {{ $value | humanizePercentage }} of the flows of {{ $labels.check }} ` +
            `({{ $labels.element }}) were bad; the SLO allows ${(budget * 100).toPrecision(3)} % over ${humanWindow(windowS)}. ` +
            `At this pace ${Math.round(t.budgetShare * 100)} % of the budget is gone within ${t.long}. Failing steps: ` +
            `{{ range printf "max by (step) (pengawas_transaction_step_success{check=%q} == 0)" $labels.check | query | sortByLabel "step" }}{{ .Labels.step }}; {{ end }}`,
          runbook_url: runbookUrl(t.alert),
        },
      });
    }
  }
  const order = Object.keys(WINDOW_SECONDS);
  const records = [...windows]
    .sort((a, b) => order.indexOf(a) - order.indexOf(b))
    .map((w) => ({
      record: ratioRecord(w),
      // Bad share of the flows counted against the SLO in the window (NaN while nothing was counted).
      expr:
        `1 - (\n  sum by (check, element, slo) (rate(pengawas_transaction_slo_good_total[${w}]))\n  /\n` +
        `  sum by (check, element, slo) (rate(pengawas_transaction_slo_events_total[${w}]))\n)\n`,
    }));
  // One group: rules of a group run in order, so each alert reads the ratios recorded in the same evaluation
  // (separate groups run concurrently and an alert could read the previous evaluation's ratio).
  const doc = { groups: records.length ? [{ name: 'pengawas-slo', rules: [...records, ...alerts] }] : [] };
  const header =
    `# GENERATED by \`pengawas rules generate --checks ${source}\` from the SLOs declared in transaction checks.\n` +
    '# Do not edit: change the checks and generate again. Multi-window multi-burn-rate alerts (Google SRE workbook).\n';
  return { yaml: header + stringify(doc, { lineWidth: 0 }), slos, skipped };
}

function humanWindow(s: number): string {
  if (s % 86400 === 0) return `${s / 86400} d`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  return `${s} s`;
}
