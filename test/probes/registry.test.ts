/**
 * The probe registry keeps "a probe type is one folder and one registry line" true: every folder under
 * src/probes/ is a registered type, every metrics.ts in a type folder is that type's registered family, families
 * read their probe's typed measurements without casts, and /metrics carries every family with no table in between;
 * and docs/architecture.md "How to add a probe type" stays true (its steps are read from the document itself).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { Metrics } from '../../src/metrics/definitions';
import { ProbeFamilies } from '../../src/metrics/probe-families';
import { httpProbe } from '../../src/probes/http';
import { entry, getProbe, metricFamilies, probeTypes } from '../../src/probes/registry';
import { tlsMetrics } from '../../src/probes/tls/metrics';
import { transactionMetrics } from '../../src/probes/transaction/metrics';
import { tlsProbe } from '../../src/probes/tls';

/** One docs/metrics.md table row per series of a family: name, type, labels besides check/element, help. */
async function familyRows(): Promise<string[]> {
  const rows: string[] = [];
  for (const family of metricFamilies().values()) {
    const reg = new Registry();
    family.create(reg);
    for (const m of await reg.getMetricsAsJSON()) {
      const labels = (reg.getSingleMetric(m.name) as unknown as { labelNames: string[] }).labelNames.filter(
        (l) => l !== 'check' && l !== 'element',
      );
      rows.push(`| \`${m.name}\` | ${m.type} | ${labels.map((l) => `\`${l}\``).join(', ')} | ${m.help.replace(/\|/g, '\\|')} |`);
    }
  }
  return rows;
}

const PROBES_DIR = path.resolve(__dirname, '..', '..', 'src', 'probes');
const folders = readdirSync(PROBES_DIR)
  .filter((f) => statSync(path.join(PROBES_DIR, f)).isDirectory())
  .sort();

describe('probe registry', () => {
  it('every folder under src/probes/ is one registered type of the same name, and every type has its folder', () => {
    expect(folders).toEqual(probeTypes());
    for (const type of probeTypes()) expect(getProbe(type)!.type).toBe(type);
  });

  it("a type's metrics.ts is its registered family; no family lives anywhere else", () => {
    const withMetrics = folders.filter((f) => existsSync(path.join(PROBES_DIR, f, 'metrics.ts')));
    expect([...metricFamilies().keys()].sort()).toEqual(withMetrics);
    // src/metrics keeps only the pipeline's own gauges (evidence); probe families are not listed there.
    const left = readdirSync(path.resolve(PROBES_DIR, '..', 'metrics', 'families'));
    expect(left).toEqual(['evidence.ts']);
  });

  it.each(folders.filter((f) => existsSync(path.join(PROBES_DIR, f, 'metrics.ts'))))(
    '%s/metrics.ts reads typed measurements: no casts',
    (folder) => {
      const text = readFileSync(path.join(PROBES_DIR, folder, 'metrics.ts'), 'utf8');
      expect(text).not.toMatch(/\bas (unknown|any|\{|[A-Z]\w*Measurements)\b/);
      expect(text).not.toMatch(/r\.type\s*[!=]==/); // the dispatcher, not each family, routes by type
      expect(text).toMatch(/MetricFamily<\w+Measurements/);
    },
  );

  it('docs/metrics.md lists every series of every family as the code defines it', async () => {
    const doc = readFileSync(path.resolve(PROBES_DIR, '..', '..', 'docs', 'metrics.md'), 'utf8');
    const table = doc.slice(doc.indexOf('<!-- probe-family-series:start -->'), doc.indexOf('<!-- probe-family-series:end -->'));
    const documented = table.split('\n').filter((l) => l.startsWith('| `'));
    const rows = await familyRows();
    // On failure, the expected table body is printed: paste it between the markers.
    expect(documented.join('\n')).toBe(rows.join('\n'));
  });

  it('pairs a probe only with a family for its own measurements (checked by the compiler)', () => {
    const http = () => httpProbe;
    const tls = () => tlsProbe;
    const tlsFamily = () => tlsMetrics;
    const transactionFamily = () => transactionMetrics;
    expect(entry(tls, tlsFamily).metrics).toBeDefined();
    expect(entry(tls).metrics).toBeUndefined();
    // @ts-expect-error a family reading tls measurements cannot be registered for http
    entry(http, tlsFamily);
    // @ts-expect-error nor one reading transaction measurements and options
    entry(tls, transactionFamily);
  });

  it('each family sees only its own type; Metrics creates every registered family with no list of its own', async () => {
    const reg = new Registry();
    const fam = new ProbeFamilies(reg, ['http']);
    const base = {
      id: 'x@t',
      checkId: 'x',
      element: 'sustainability' as const,
      target: 't',
      status: 'pass' as const,
      scheduledAt: '',
      startedAt: '',
      durationMs: 1,
      attempt: 1,
      findings: [],
    };
    fam.observe({ ...base, type: 'tls', measurements: { protocols: { TLSv1: true } } });
    expect(await reg.metrics()).not.toContain('check="x"');
    fam.observe({ ...base, type: 'http', measurements: { status: 204, redirects: 0, bodyBytes: 0 } });
    expect(await reg.metrics()).toContain('pengawas_http_status_code{check="x",element="sustainability"} 204');

    // Measurements of another shape (a worker of another version) skip the family's series instead of throwing,
    // which would leave the recorder's whole batch unacknowledged and redelivered forever.
    const odd = { ...base, checkId: 'y', type: 'transaction', measurements: { steps: null } };
    expect(() => transactionMetrics.create(new Registry()).observe(odd as never)).toThrow(TypeError);
    expect(() => new ProbeFamilies(reg, ['transaction']).observe(odd)).not.toThrow();

    const names = (await new Metrics({ defaultMetrics: false }).registry.getMetricsAsJSON()).map((m) => m.name);
    for (const prefix of [
      'pengawas_http_',
      'pengawas_tls_',
      'pengawas_transaction_',
      'pengawas_document_',
      'pengawas_securitytxt_',
      'pengawas_mfa_',
      'pengawas_attestation_',
    ]) {
      expect([prefix, names.some((n) => n.startsWith(prefix))]).toEqual([prefix, true]);
    }
  });
});

const ROOT = path.resolve(__dirname, '..', '..');
const PROBES = path.join(ROOT, 'src', 'probes');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');

function howToSteps(): string[] {
  const doc = read('docs/architecture.md');
  const section = /## How to add a probe type\n([\s\S]*?)\n## /.exec(doc)?.[1];
  if (!section) throw new Error('docs/architecture.md has no "How to add a probe type" section');
  return section.split('\n').filter((l) => /^\d+\. /.test(l));
}

describe('the probe registry and "How to add a probe type" (docs/architecture.md)', () => {
  it('the document names the folder, options.ts, index.ts, metrics.ts and the one registry line, in that order', () => {
    const steps = howToSteps().join('\n');
    const order = [
      'src/probes/<type>/',
      'src/probes/<type>/options.ts',
      'src/probes/<type>/index.ts',
      'src/probes/<type>/metrics.ts',
      'src/probes/registry.ts',
    ].map((s) => steps.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it.each(probeTypes())('type %s is one folder with options.ts and an index.ts declaring it', (type) => {
    const dir = path.join(PROBES, type);
    expect(existsSync(path.join(dir, 'options.ts'))).toBe(true);
    const index = readFileSync(path.join(dir, 'index.ts'), 'utf8');
    expect(index).toMatch(new RegExp(`defineProbe(<[^>]*>)?\\(\\{[\\s\\S]*?type: '${type}'`));
    expect(getProbe(type)!.type).toBe(type);
  });

  it.each(probeTypes())('type %s is imported once in registry.ts and documented', (type) => {
    const imports = read('src/probes/registry.ts')
      .split('\n')
      .filter((l) => l.startsWith('import ') && l.endsWith(`from './${type}';`));
    expect(imports).toHaveLength(1);
    const docs = [read('README.md'), ...readdirSync(path.join(ROOT, 'docs', 'probes')).map((f) => read(`docs/probes/${f}`))];
    expect(docs.some((d) => d.includes(`\`${type}\``))).toBe(true);
  });
});
