/**
 * A BoardSpec → Grafana dashboard JSON, built with the Grafana Foundation SDK (pinned; a devDependency, so this runs
 * at build time only): rows top to bottom, each row's panels laid out by the SDK on the 24-column grid, every query
 * on the `${datasource}` variable (any Prometheus datasource; the provisioned one by default), and the element/check
 * variables every check board shares. The JSON is committed for provisioning (build.ts).
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE_REF, DATASOURCE_UID, panel } from './panels';
import type { BoardSpec } from './types';

export { DATASOURCE_REF, DATASOURCE_UID } from './panels';

/** The datasource variable: any Prometheus datasource of the Grafana the board is imported into. */
const datasourceVariable = () =>
  new dashboard.DatasourceVariableBuilder('datasource')
    .label('Data source')
    .type('prometheus')
    .regex('')
    .hide(dashboard.VariableHide.DontHide)
    .includeAll(false)
    .multi(false)
    // The provisioned datasource when it exists; Grafana falls back to its default Prometheus otherwise.
    .current({ selected: true, text: 'Prometheus', value: DATASOURCE_UID });

/** A multi-value query variable with "All" (`.*`) selected. */
const queryVariable = (name: string, label: string, q: string) =>
  new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE_REF)
    .definition(q)
    .query({ query: q, refId: `${name}-var` })
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: ['All'], value: ['$__all'] })
    .sort(dashboard.VariableSort.AlphabeticalAsc);

/**
 * The SDK fills a line of panels left to right and starts the next line once 24 columns are used; a panel that
 * does not fit would stick out to the right instead of wrapping. Each line must therefore add up to 24 exactly.
 */
function checkLayout(b: BoardSpec): void {
  for (const row of b.rows) {
    let x = 0;
    for (const p of row.panels) {
      if (!Number.isInteger(p.w) || p.w < 1 || p.w > 24 || !Number.isInteger(p.h) || p.h < 1)
        throw new Error(`dashboard ${b.uid}, row "${row.title}", panel "${p.title}": w must be 1..24 and h at least 1 (whole grid units)`);
      x += p.w;
      if (x > 24)
        throw new Error(
          `dashboard ${b.uid}, row "${row.title}", panel "${p.title}": ends at column ${x}; the widths of a line must add up to 24`,
        );
      if (x === 24) x = 0;
    }
  }
}

/**
 * The dashboard of `b` in the classic JSON model, the one Grafana's file provisioning reads (grafana/provisioning/).
 * The SDK marks that model deprecated in favour of dashboardv2, the spec of Grafana 12's dashboard API resource
 * (elements and layouts, no uid or panels list), which the Grafana 11.2 of docker-compose.yml cannot provision.
 */
// eslint-disable-next-line @typescript-eslint/no-deprecated -- the classic model is what file provisioning loads (above)
export function buildBoard(b: BoardSpec): dashboard.Dashboard {
  checkLayout(b);
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- as above
  const d = new dashboard.DashboardBuilder(b.title)
    .uid(b.uid)
    .description(b.description)
    .tags(['pengawas', ...b.tags])
    .timezone('browser')
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .version(1)
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .withVariable(datasourceVariable())
    .annotations([])
    .link(
      new dashboard.DashboardLinkBuilder('pengawas dashboards')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(['pengawas'])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
  if (b.variables !== false)
    d.withVariable(queryVariable('element', 'Element', 'label_values(pengawas_check_info, element)')).withVariable(
      queryVariable('check', 'Check', 'label_values(pengawas_check_info{element=~"$element"}, check)'),
    );
  let id = 1;
  for (const row of b.rows) {
    // A row header with its panels after it (not inside: panels inside a row are those of a collapsed row).
    d.withRow(new dashboard.RowBuilder(row.title).id(id++));
    for (const p of row.panels) d.withPanel(panel(p, id++));
  }
  return d.build();
}
