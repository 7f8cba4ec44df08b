/** Grafana dashboards and provisioning: generated JSON is committed and current, well-formed, on the `${datasource}` variable. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../helpers/cli';
import { renderAll } from '../../src/dashboards/build';
import { DATASOURCE_REF, DATASOURCE_UID } from '../../src/dashboards/render';
import { ELEMENT_IDS } from '../../src/elements';
import { DASHBOARDS_DIR } from '../helpers/prometheus';

type Json = Record<string, unknown>;
const files = readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json'));
const boards = files.map((f) => ({ file: f, board: JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, f), 'utf8')) as Json }));

/** Every `datasource` object anywhere in the JSON (panels, targets, variables). */
function datasources(node: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(node)) for (const n of node) datasources(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'datasource') out.push(v as Json);
      else datasources(v, out);
    }
  }
  return out;
}

describe('Grafana dashboards', () => {
  it('the committed JSON is what src/dashboards generates', () => {
    for (const { file, json } of renderAll())
      expect([path.basename(file), readFileSync(file, 'utf8') === json]).toEqual([path.basename(file), true]);
    expect(files.sort()).toEqual(
      renderAll()
        .map((r) => path.basename(r.file))
        .sort(),
    );
  });

  it('has the six boards with unique uids', () => {
    const titles = boards.map((b) => b.board.title);
    for (const t of ['Overview', 'TLS & certificates', 'Transactions & latency', 'MFA', 'Documents & attestations', 'Pipeline health'])
      expect(titles).toContain(`pengawas / ${t}`);
    const uids = boards.map((b) => b.board.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it.each(files)('%s: unique panel ids, every datasource is the ${datasource} variable, no overlapping panels', (file) => {
    const board = boards.find((b) => b.file === file)!.board;
    const panels = board.panels as Json[];
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const ds = datasources(board);
    expect(ds.length).toBeGreaterThan(0);
    for (const d of ds) expect(d).toEqual({ type: 'prometheus', uid: '${datasource}' });
    expect(DATASOURCE_REF).toEqual({ type: 'prometheus', uid: '${datasource}' });
    // Every panel with queries names it, and so does each of its queries (Grafana takes the panel's otherwise).
    for (const p of panels.filter((x) => x.type !== 'row')) {
      expect([p.title, p.datasource]).toEqual([p.title, DATASOURCE_REF]);
      for (const t of (p.targets as Json[] | undefined) ?? []) expect([p.title, t.datasource]).toEqual([p.title, DATASOURCE_REF]);
    }
    // The variable itself: any Prometheus datasource, the provisioned one by default, first so the others can use it.
    const first = ((board.templating as Json).list as Json[])[0];
    expect(first).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus', current: { value: DATASOURCE_UID } });
    const cells = new Set<string>();
    for (const p of panels) {
      const g = p.gridPos as { x: number; y: number; w: number; h: number };
      expect(g.x + g.w).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++)
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      for (const t of (p.targets as Json[] | undefined) ?? []) expect(String(t.expr).length).toBeGreaterThan(0);
    }
  });

  it('check boards filter by element and check variables', () => {
    for (const { file, board } of boards) {
      if (file === 'pipeline.json') continue;
      const vars = ((board.templating as Json).list as Json[]).map((v) => v.name);
      expect([file, vars]).toEqual([file, ['datasource', 'element', 'check']]);
      const exprs = (board.panels as Json[]).flatMap((p) => ((p.targets as Json[] | undefined) ?? []).map((t) => String(t.expr)));
      expect(exprs.some((e) => e.includes('$check'))).toBe(true);
    }
  });

  it('the overview covers the ten elements (element checks table, compliance per element)', () => {
    const overview = boards.find((b) => b.file === 'overview.json')!.board;
    const exprs = (overview.panels as Json[]).flatMap((p) => ((p.targets as Json[] | undefined) ?? []).map((t) => String(t.expr)));
    expect(exprs.some((e) => e.includes('pengawas_element_checks'))).toBe(true);
    expect(exprs.some((e) => e.includes('pengawas_element_compliance_ratio'))).toBe(true);
    expect(exprs.some((e) => e.includes('pengawas_check_failing_finding_info'))).toBe(true);
    expect(ELEMENT_IDS).toHaveLength(10);
  });
});

describe('Grafana provisioning', () => {
  it('provisions one Prometheus datasource with the uid the boards use, and the dashboards folder', () => {
    const ds = parse(readFileSync(path.join(ROOT, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')) as {
      datasources: Json[];
    };
    expect(ds.datasources).toHaveLength(1);
    expect(ds.datasources[0]).toMatchObject({ uid: DATASOURCE_UID, type: 'prometheus' });
    const dash = parse(readFileSync(path.join(ROOT, 'grafana', 'provisioning', 'dashboards', 'pengawas.yml'), 'utf8')) as {
      providers: Array<{ options: { path: string } }>;
    };
    expect(dash.providers[0].options.path).toBe('/var/lib/grafana/dashboards/pengawas');
  });
});
