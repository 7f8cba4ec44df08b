/** One PanelSpec → one Grafana panel, through the Grafana Foundation SDK builder of its type (build time only). */
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { PanelSpec, Query } from './types';

/** The uid of the datasource in grafana/provisioning/datasources/prometheus.yml: the variable's default. */
export const DATASOURCE_UID = 'pengawas-prometheus';
/** What every panel, query and query variable uses, so a board imports into any Grafana without hand edits. */
export const DATASOURCE_REF: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

type PanelBuilder =
  | bargauge.PanelBuilder
  | gauge.PanelBuilder
  | stat.PanelBuilder
  | statetimeline.PanelBuilder
  | table.PanelBuilder
  | timeseries.PanelBuilder;

/** Reduce every series to its last non-null value (stat, gauge, bar gauge). */
const lastNotNull = () => new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('').values(false);

function query(q: Query, index: number, isTable: boolean): prometheus.DataqueryBuilder {
  const b = new prometheus.DataqueryBuilder()
    .refId(String.fromCharCode(65 + index))
    .datasource(DATASOURCE_REF)
    .expr(q.expr)
    .legendFormat(q.legend ?? '__auto')
    .format(isTable ? prometheus.PromQueryFormat.Table : prometheus.PromQueryFormat.TimeSeries);
  return (q.instant ?? isTable) ? b.instant() : b.range();
}

function typed(p: PanelSpec): PanelBuilder {
  switch (p.type) {
    case 'stat':
      return new stat.PanelBuilder()
        .reduceOptions(lastNotNull())
        .colorMode(common.BigValueColorMode.Background)
        .graphMode(common.BigValueGraphMode.None)
        .textMode(common.BigValueTextMode.Auto);
    case 'gauge':
      return new gauge.PanelBuilder().reduceOptions(lastNotNull()).orientation(common.VizOrientation.Horizontal);
    case 'bargauge':
      return new bargauge.PanelBuilder()
        .reduceOptions(lastNotNull())
        .orientation(common.VizOrientation.Horizontal)
        .displayMode(common.BarGaugeDisplayMode.Gradient)
        .showUnfilled(true);
    case 'table': {
      const hidden = ['Time', '__name__', ...(p.hide ?? [])];
      return new table.PanelBuilder()
        .showHeader(true)
        .cellHeight(common.TableCellHeight.Sm)
        .footer(new common.TableFooterOptionsBuilder().show(false))
        .align(common.FieldTextAlignment.Auto)
        .cellOptions({ type: common.TableCellDisplayMode.ColorText })
        .withTransformation({ id: 'merge', options: {} })
        .withTransformation({ id: 'organize', options: { excludeByName: Object.fromEntries(hidden.map((k) => [k, true])) } });
    }
    case 'state-timeline':
      return new statetimeline.PanelBuilder()
        .mergeValues(true)
        .showValue(common.VisibilityMode.Never)
        .alignValue(common.TimelineValueAlignment.Left)
        .rowHeight(0.8)
        .legend(new common.VizLegendOptionsBuilder().showLegend(false));
    case 'timeseries':
      return new timeseries.PanelBuilder()
        .legend(
          new common.VizLegendOptionsBuilder()
            .showLegend(true)
            .displayMode(common.LegendDisplayMode.Table)
            .placement(common.LegendPlacement.Bottom)
            .calcs(['lastNotNull', 'max']),
        )
        .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  }
}

/** The panel of `p` with its id; the dashboard builder places it on the grid (render.ts). */
export function panel(p: PanelSpec, id: number): PanelBuilder {
  const b = typed(p);
  const steps: dashboard.Threshold[] = [
    { color: p.baseColor ?? 'green', value: null },
    ...(p.thresholds ?? []).map(([color, value]) => ({ color, value })),
  ];
  const mappings: dashboard.ValueMapping[] = p.mappings
    ? [
        {
          type: dashboard.MappingType.ValueToText,
          options: Object.fromEntries(Object.entries(p.mappings).map(([k, v], i) => [k, { text: v.text, color: v.color, index: i }])),
        },
      ]
    : [];
  const colorMode = p.thresholds || p.mappings ? dashboard.FieldColorModeId.Thresholds : dashboard.FieldColorModeId.PaletteClassic;
  b.id(id)
    .title(p.title)
    .description(p.description ?? '')
    .datasource(DATASOURCE_REF)
    .span(p.w)
    .height(p.h)
    .targets(p.queries.map((q, i) => query(q, i, p.type === 'table')))
    .unit(p.unit ?? 'short')
    .thresholds(new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps))
    .mappings(mappings)
    .colorScheme(new dashboard.FieldColorBuilder().mode(colorMode));
  if (p.min !== undefined) b.min(p.min);
  if (p.max !== undefined) b.max(p.max);
  if (p.decimals !== undefined) b.decimals(p.decimals);
  if (p.type !== 'table') b.transformations([]);
  return b;
}
