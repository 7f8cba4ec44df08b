/**
 * A small builder for Grafana dashboard JSON (schema 39): panels laid out on the 24-column grid row by row, every
 * query on the `${datasource}` variable (any Prometheus datasource; the provisioned one by default), and the
 * element/check variables every board shares.
 * Dashboards are code so that ids, layout and datasource stay consistent; the JSON is committed for provisioning.
 */

/** The uid of the datasource in grafana/provisioning/datasources/prometheus.yml: the variable's default. */
export const DATASOURCE_UID = 'pengawas-prometheus';
/** What every panel, query and query variable uses, so a board imports into any Grafana without hand edits. */
export const DATASOURCE_REF = { type: 'prometheus', uid: '${datasource}' };
const DS = DATASOURCE_REF;

/** The datasource variable: any Prometheus datasource of the Grafana the board is imported into. */
const datasourceVariable: Json = {
  name: 'datasource',
  label: 'Data source',
  type: 'datasource',
  query: 'prometheus',
  regex: '',
  refresh: 1,
  hide: 0,
  includeAll: false,
  multi: false,
  // The provisioned datasource when it exists; Grafana falls back to its default Prometheus otherwise.
  current: { selected: true, text: 'Prometheus', value: DATASOURCE_UID },
};

/** Label filter for check-level series, bound to the dashboard variables. */
export const SEL = 'element=~"$element", check=~"$check"';

export interface Query {
  expr: string;
  legend?: string;
  /** Instant query (tables, stats of "now"). */
  instant?: boolean;
}

export interface PanelSpec {
  title: string;
  type: 'timeseries' | 'stat' | 'table' | 'bargauge' | 'state-timeline' | 'gauge';
  queries: Query[];
  description?: string;
  unit?: string;
  w: number;
  h: number;
  min?: number;
  max?: number;
  /** Threshold steps [color, from] after the base color. */
  thresholds?: Array<[string, number]>;
  baseColor?: string;
  /** Value → text mappings, e.g. 1 → pass. */
  mappings?: Record<string, { text: string; color: string }>;
  /** Table: hide these columns (Time, __name__, ...). */
  hide?: string[];
  decimals?: number;
}

export interface Row {
  title: string;
  panels: PanelSpec[];
}

export interface BoardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  rows: Row[];
  /** Element/check variables (default on); the pipeline board filters nothing by check. */
  variables?: boolean;
}

type Json = Record<string, unknown>;

function panelJson(p: PanelSpec, id: number, x: number, y: number): Json {
  const steps = [
    { color: p.baseColor ?? 'green', value: null as number | null },
    ...(p.thresholds ?? []).map(([color, value]) => ({ color, value })),
  ];
  const mappings = p.mappings
    ? [
        {
          type: 'value',
          options: Object.fromEntries(Object.entries(p.mappings).map(([k, v], i) => [k, { text: v.text, color: v.color, index: i }])),
        },
      ]
    : [];
  const isTable = p.type === 'table';
  const overrides: Json[] = [];
  const transformations: Json[] = isTable
    ? [
        { id: 'merge', options: {} },
        { id: 'organize', options: { excludeByName: Object.fromEntries(['Time', '__name__', ...(p.hide ?? [])].map((k) => [k, true])) } },
      ]
    : [];
  return {
    id,
    type: p.type,
    title: p.title,
    description: p.description ?? '',
    datasource: DS,
    gridPos: { x, y, w: p.w, h: p.h },
    targets: p.queries.map((q, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DS,
      expr: q.expr,
      legendFormat: q.legend ?? '__auto',
      instant: q.instant ?? isTable,
      range: !(q.instant ?? isTable),
      format: isTable ? 'table' : 'time_series',
    })),
    fieldConfig: {
      defaults: {
        unit: p.unit ?? 'short',
        ...(p.min !== undefined ? { min: p.min } : {}),
        ...(p.max !== undefined ? { max: p.max } : {}),
        ...(p.decimals !== undefined ? { decimals: p.decimals } : {}),
        thresholds: { mode: 'absolute', steps },
        mappings,
        color: { mode: p.thresholds || p.mappings ? 'thresholds' : 'palette-classic' },
        ...(isTable ? { custom: { align: 'auto', cellOptions: { type: 'color-text' } } } : {}),
      },
      overrides,
    },
    options: optionsFor(p),
    transformations,
  };
}

function optionsFor(p: PanelSpec): Json {
  switch (p.type) {
    case 'stat':
      return {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'background',
        graphMode: 'none',
        textMode: 'auto',
      };
    case 'gauge':
    case 'bargauge':
      return {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        orientation: 'horizontal',
        displayMode: 'gradient',
        showUnfilled: true,
      };
    case 'table':
      return { showHeader: true, cellHeight: 'sm', footer: { show: false } };
    case 'state-timeline':
      return { mergeValues: true, showValue: 'never', alignValue: 'left', rowHeight: 0.8, legend: { showLegend: false } };
    default:
      return {
        legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] },
        tooltip: { mode: 'multi', sort: 'desc' },
      };
  }
}

function variable(name: string, label: string, query: string): Json {
  return {
    name,
    label,
    type: 'query',
    datasource: DS,
    definition: query,
    query: { query, refId: `${name}-var` },
    refresh: 2,
    multi: true,
    includeAll: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
  };
}

/** Lays the rows out top to bottom (a collapsed-free row header, then its panels wrapped at 24 columns). */
export function buildBoard(b: BoardSpec): Json {
  const panels: Json[] = [];
  let id = 1;
  let y = 0;
  for (const row of b.rows) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] });
    y += 1;
    let x = 0;
    let rowH = 0;
    for (const p of row.panels) {
      if (x + p.w > 24) {
        y += rowH;
        x = 0;
        rowH = 0;
      }
      panels.push(panelJson(p, id++, x, y));
      x += p.w;
      rowH = Math.max(rowH, p.h);
    }
    y += rowH;
  }
  const vars =
    b.variables === false
      ? [datasourceVariable]
      : [
          datasourceVariable,
          variable('element', 'Element', 'label_values(pengawas_check_info, element)'),
          variable('check', 'Check', 'label_values(pengawas_check_info{element=~"$element"}, check)'),
        ];
  return {
    uid: b.uid,
    title: b.title,
    description: b.description,
    tags: ['pengawas', ...b.tags],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: { list: vars },
    annotations: { list: [] },
    links: [{ title: 'pengawas dashboards', type: 'dashboards', tags: ['pengawas'], asDropdown: true, includeVars: true, keepTime: true }],
    panels,
  };
}

/** Every query expression of a built board, with its panel, for tests. */
export function boardQueries(board: Json): Array<{ panel: string; expr: string }> {
  const out: Array<{ panel: string; expr: string }> = [];
  for (const p of board.panels as Json[]) {
    for (const t of (p.targets as Json[] | undefined) ?? []) out.push({ panel: String(p.title), expr: String(t.expr) });
  }
  return out;
}
