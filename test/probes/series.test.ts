/** SeriesByCheck (src/probes/series.ts): what prom-client exports after a check moves element, drops a value or leaves. */
import { Counter, Gauge, Registry } from 'prom-client';
import { SeriesByCheck } from '../../src/probes/series';

function setup() {
  const registry = new Registry();
  const g = new Gauge({ name: 't_gauge', help: 'h', labelNames: ['check', 'element', 'scope'], registers: [registry] });
  const c = new Counter({ name: 't_total', help: 'h', labelNames: ['check', 'element'], registers: [registry] });
  return { registry, g, c, series: new SeriesByCheck() };
}

describe('SeriesByCheck', () => {
  it('a check moved to another element keeps only the series of its new element', async () => {
    const { registry, g, c, series } = setup();
    const l = series.labels('a', 'security');
    g.set({ ...l, scope: 'x' }, 1);
    series.wrote(g, { ...l, scope: 'x' });
    c.inc(l);
    series.wrote(c, l);
    const moved = series.labels('a', 'governance');
    g.set({ ...moved, scope: 'x' }, 2);
    series.wrote(g, { ...moved, scope: 'x' });
    const text = await registry.metrics();
    expect(text).not.toContain('element="security"');
    expect(text).toContain('t_gauge{check="a",element="governance",scope="x"} 2');
    expect(series.element('a')).toBe('governance');
  });

  it('forget removes every series written for that check and no other', async () => {
    const { registry, g, c, series } = setup();
    for (const check of ['a', 'b']) {
      const l = series.labels(check, 'security');
      for (const scope of ['x', 'y']) {
        g.set({ ...l, scope }, 1);
        series.wrote(g, { scope, ...l }); // label order does not matter
      }
      c.inc(l);
      series.wrote(c, l);
    }
    series.forget('a');
    const text = await registry.metrics();
    expect(text).not.toContain('check="a"');
    expect(text.match(/check="b"/g)).toHaveLength(3);
    expect(series.element('a')).toBeUndefined();
    series.forget('a'); // a check forgotten twice is no error
  });

  it('remove drops one series now and forget does not touch it again', async () => {
    const { registry, g, series } = setup();
    const l = series.labels('a', 'security');
    g.set({ ...l, scope: 'x' }, 1);
    series.wrote(g, { ...l, scope: 'x' });
    series.remove(g, { ...l, scope: 'x' });
    expect(await registry.metrics()).not.toContain('check="a"');
    // Written again by another owner after the removal: this check's forget no longer knows it.
    g.set({ ...l, scope: 'x' }, 5);
    series.forget('a');
    expect(await registry.metrics()).toContain('t_gauge{check="a",element="security",scope="x"} 5');
  });

  it('refuses wrote() for a check whose labels() was never asked', () => {
    const { g, series } = setup();
    expect(() => series.wrote(g, { check: 'z', element: 'security', scope: 'x' })).toThrow(/labels\("z", …\) must come before wrote\(\)/);
  });
});
