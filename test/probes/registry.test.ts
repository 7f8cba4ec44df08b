/**
 * Keeps docs/architecture.md "How to add a probe type" true: every registered type is one folder under
 * src/probes/ named after it, with options.ts and an index.ts that declares it, one line in registry.ts, and
 * documentation; every probe folder is registered. The steps are read from the document itself.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { probeTypes, registry } from '../../src/probes/registry';

const ROOT = path.resolve(__dirname, '..', '..');
const PROBES = path.join(ROOT, 'src', 'probes');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');

function howToSteps(): string[] {
  const doc = read('docs/architecture.md');
  const section = /## How to add a probe type\n([\s\S]*?)\n## /.exec(doc)?.[1];
  if (!section) throw new Error('docs/architecture.md has no "How to add a probe type" section');
  return section.split('\n').filter((l) => /^\d+\. /.test(l));
}

describe('the probe registry and "How to add a probe type"', () => {
  const folders = readdirSync(PROBES).filter((f) => statSync(path.join(PROBES, f)).isDirectory());

  it('the document names the folder, options.ts, index.ts and the one registry line, in that order', () => {
    const steps = howToSteps().join('\n');
    const order = ['src/probes/<type>/', 'src/probes/<type>/options.ts', 'src/probes/<type>/index.ts', 'src/probes/registry.ts'].map((s) =>
      steps.indexOf(s),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it.each(probeTypes())('type %s is one folder with options.ts and an index.ts declaring it', (type) => {
    const dir = path.join(PROBES, type);
    expect(existsSync(path.join(dir, 'options.ts'))).toBe(true);
    const index = readFileSync(path.join(dir, 'index.ts'), 'utf8');
    expect(index).toMatch(new RegExp(`defineProbe\\(\\{[\\s\\S]*?type: '${type}'`));
    expect(registry.get(type)!.type).toBe(type);
  });

  it.each(probeTypes())('type %s is imported once in registry.ts and documented', (type) => {
    const imports = read('src/probes/registry.ts')
      .split('\n')
      .filter((l) => l.startsWith('import ') && l.endsWith(`from './${type}';`));
    expect(imports).toHaveLength(1);
    const docs = [read('README.md'), ...readdirSync(path.join(ROOT, 'docs', 'probes')).map((f) => read(`docs/probes/${f}`))];
    expect(docs.some((d) => d.includes(`\`${type}\``))).toBe(true);
  });

  it('every folder under src/probes/ is a registered type (no orphan, no type without its folder)', () => {
    expect(folders.sort()).toEqual(probeTypes());
  });
});
