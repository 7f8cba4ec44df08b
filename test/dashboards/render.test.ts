/** The SDK-based generator's layout guard and grid placement, and the old-vs-new comparison used for the migration. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildBoard } from '../../src/dashboards/render';
import type { BoardSpec, PanelSpec } from '../../src/dashboards/types';
import { compareBoards, type Report } from '../../scripts/dashboards/compare';
import { DASHBOARDS_DIR } from '../helpers/prometheus';

type Json = Record<string, unknown>;
const p = (title: string, w: number, h = 4): PanelSpec => ({ title, type: 'stat', w, h, queries: [{ expr: 'vector(1)' }] });
/** The board as written to disk. */
const built = (spec: BoardSpec) => JSON.parse(JSON.stringify(buildBoard(spec))) as { panels: Json[] };
const board = (...panels: PanelSpec[]): BoardSpec => ({ uid: 't', title: 'T', description: '', tags: [], rows: [{ title: 'R', panels }] });

describe('buildBoard (Grafana Foundation SDK)', () => {
  it('places rows and panels line by line on the 24-column grid, ids in order', () => {
    const spec = board(p('a', 12, 5), p('b', 12, 3), p('c', 8), p('d', 16));
    spec.rows.push({ title: 'S', panels: [p('e', 24, 2)] });
    const panels = built(spec).panels;
    expect(panels.map((x) => [x.id, x.type, x.title, x.gridPos])).toEqual([
      [1, 'row', 'R', { x: 0, y: 0, w: 24, h: 1 }],
      [2, 'stat', 'a', { x: 0, y: 1, w: 12, h: 5 }],
      [3, 'stat', 'b', { x: 12, y: 1, w: 12, h: 3 }],
      [4, 'stat', 'c', { x: 0, y: 6, w: 8, h: 4 }],
      [5, 'stat', 'd', { x: 8, y: 6, w: 16, h: 4 }],
      [6, 'row', 'S', { x: 0, y: 10, w: 24, h: 1 }],
      [7, 'stat', 'e', { x: 0, y: 11, w: 24, h: 2 }],
    ]);
  });

  it('refuses a line wider than 24 columns (the SDK would not wrap it) and sizes that are not grid units, naming the panel', () => {
    expect(() => buildBoard(board(p('a', 16), p('b', 12)))).toThrow('dashboard t, row "R", panel "b": ends at column 28');
    expect(() => buildBoard(board(p('a', 0)))).toThrow('panel "a": w must be 1..24');
    expect(() => buildBoard(board(p('a', 12, 2.5)))).toThrow('panel "a": w must be 1..24 and h at least 1');
  });

  it('table queries are instant tables; other panels range series unless instant', () => {
    const spec = board(
      { ...p('t', 12), type: 'table', queries: [{ expr: 'up' }] },
      { ...p('s', 12), queries: [{ expr: 'up', legend: 'x' }] },
    );
    const [, t, s] = built(spec).panels;
    expect((t.targets as Json[])[0]).toMatchObject({ refId: 'A', instant: true, range: false, format: 'table', legendFormat: '__auto' });
    expect((s.targets as Json[])[0]).toMatchObject({ refId: 'A', instant: false, range: true, format: 'time_series', legendFormat: 'x' });
  });
});

describe('scripts/dashboards/compare.ts', () => {
  const committed = JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, 'overview.json'), 'utf8')) as Json;
  const run = (after: Json): Report => {
    const r: Report = { broken: [], accepted: new Map(), added: new Map() };
    compareBoards(committed, after, 'overview.json', r);
    return r;
  };
  const copy = () => JSON.parse(JSON.stringify(committed)) as Json;
  const statPanel = (b: Json) => (b.panels as Json[]).find((x) => x.type === 'stat')!;

  it('finds nothing between a board and itself', () => {
    const r = run(copy());
    expect([r.broken, r.accepted.size, r.added.size]).toEqual([[], 0, 0]);
  });

  it('fails on a changed query, unit, threshold or position, and on a removed value', () => {
    const b = copy();
    const s = statPanel(b);
    const id = String(s.id);
    (s.targets as Json[])[0].expr = 'vector(0)';
    ((s.fieldConfig as Json).defaults as Json).unit = 'percent';
    (((s.fieldConfig as Json).defaults as Json).thresholds as { steps: unknown[] }).steps.pop();
    (s.gridPos as Json).x = 3;
    delete s.description;
    const r = run(b);
    const paths = r.broken.map((x) => x.split(':')[0]);
    for (const want of [
      `overview.json panels.${id}.targets.A.expr`,
      `overview.json panels.${id}.fieldConfig.defaults.unit`,
      `overview.json panels.${id}.gridPos.x`,
      `overview.json panels.${id}.description`,
    ])
      expect(paths).toContain(want);
    expect(paths.some((x) => x.startsWith(`overview.json panels.${id}.fieldConfig.defaults.thresholds.steps.`))).toBe(true);
  });

  it('lists an added value without failing, and a listed accepted change as accepted', () => {
    const b = copy();
    statPanel(b).pluginVersion = '11.2.0';
    b.schemaVersion = 99;
    const r = run(b);
    expect(r.broken).toEqual([]);
    expect([...r.added.keys()]).toEqual(['panels[stat].pluginVersion = "11.2.0"']);
    expect([...r.accepted.keys()]).toEqual(['schemaVersion']);
  });
});
