/**
 * What a board is made of (the interface the entries of registry.ts implement): rows of panels, each panel a type,
 * a size on the 24-column grid and its PromQL queries. render.ts turns a BoardSpec into Grafana JSON with the
 * Grafana Foundation SDK. Build time only: nothing outside src/dashboards/ imports this folder.
 */

/** Label filter for check-level series, bound to the element and check variables of every check board. */
export const SEL = 'element=~"$element", check=~"$check"';

export interface Query {
  expr: string;
  legend?: string;
  /** Instant query (tables, stats of "now"); tables are instant unless this says otherwise. */
  instant?: boolean;
}

export interface PanelSpec {
  title: string;
  type: 'timeseries' | 'stat' | 'table' | 'bargauge' | 'state-timeline' | 'gauge';
  queries: Query[];
  description?: string;
  unit?: string;
  /**
   * Width in grid columns and height in grid rows. Panels fill a line left to right; the widths of each line must
   * add up to 24 (the SDK wraps only when a line is full), except on the last line of a row.
   */
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

/** One line of the registry: the file under grafana/dashboards/ and the board written to it. */
export interface BoardEntry {
  file: string;
  spec: BoardSpec;
}
