/**
 * deploy/kubernetes rendered (scripts/k8s/kustomize.ts) and checked against what we did not write: every object
 * against the Kubernetes schemas of the `kubernetes-models` package, the ServiceMonitor and PrometheusRules against
 * prometheus-operator's own CRD schemas (fixtures/README.md), the rules with promtool, the container commands
 * with the built CLI's --help, the checks ConfigMap with the monitor's own loader laid out as the kubelet mounts it.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RE2JS } from 're2js';
import { parse, stringify } from 'yaml';
import { loadChecks } from '../../../src/config/load';
import { Metrics } from '../../../src/metrics/definitions';
import { getProbe } from '../../../src/probes/registry';
import { render, type KObject } from '../../../scripts/k8s/kustomize';
import { prometheusRulesYaml, RULES_DIR, RULES_MANIFEST, SLO_FILE, sloPrometheusRule } from '../../../scripts/k8s/prometheus-rules';
import { BIN, ROOT } from '../../helpers/cli';
import { mountLikeKubelet } from './kubelet-volume';
import { unknownFields } from './strict-fields';

const K8S = path.join(ROOT, 'deploy', 'kubernetes');
const VARIANTS = ['base', 'overlays/sqlite', 'overlays/hpa'];
const rendered = new Map(VARIANTS.map((v) => [v, render(path.join(K8S, v))]));

// ajv 8 as kubernetes-models itself uses it (the top-level ajv is eslint's ajv 6).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv = require(require.resolve('ajv', { paths: [path.dirname(require.resolve('@kubernetes-models/validate'))] }));

/** The kubernetes-models class for an apiVersion/kind, e.g. apps/v1 Deployment. */
function modelFor(o: KObject): (new (d: unknown) => { validate(): void }) | undefined {
  const group = o.apiVersion.includes('/') ? o.apiVersion : `v1`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(`kubernetes-models/${group}`)[o.kind];
  } catch {
    return undefined;
  }
}

/**
 * A CRD's openAPIV3Schema made strict: objects with declared properties refuse others, as `kubectl apply` with
 * server-side field validation does (the API server would otherwise prune them silently).
 */
function strictCrdValidator(file: string) {
  const crd = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', file), 'utf8'));
  const schema = structuredClone(crd.spec.versions.find((v: { storage: boolean }) => v.storage).schema.openAPIV3Schema);
  const strict = (s: Record<string, unknown>) => {
    if (!s || typeof s !== 'object') return;
    if (s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) s.additionalProperties = false;
    for (const v of Object.values(s))
      if (v && typeof v === 'object') Array.isArray(v) ? v.forEach((x) => strict(x)) : strict(v as Record<string, unknown>);
  };
  strict(schema);
  // Kubernetes evaluates `pattern` as Go RE2 (e.g. `(?i)`, which JavaScript refuses): so does this validator.
  const re2 = Object.assign(
    (pattern: string) => {
      const re = RE2JS.compile(pattern);
      // ajv keys compiled patterns by toString(): it must differ per pattern.
      return { test: (text: string) => re.matcher(text).find(), toString: () => `/${pattern}/` };
    },
    { code: 'RE2JS' },
  );
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: re2 } });
  return { group: crd.spec.group as string, kind: crd.spec.names.kind as string, validate: ajv.compile(schema) };
}
const CRDS = [strictCrdValidator('servicemonitors-crd.json'), strictCrdValidator('prometheusrules-crd.json')];

/** Problems of one object against its schema: [] when valid. */
function schemaProblems(o: KObject): string[] {
  const crd = CRDS.find((c) => o.apiVersion === `${c.group}/v1` && o.kind === c.kind);
  if (crd)
    return crd.validate(o)
      ? []
      : (crd.validate.errors as Array<{ instancePath: string; message: string; params: unknown }>).map(
          (e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
        );
  const Model = modelFor(o);
  if (!Model) return [`no schema for ${o.apiVersion} ${o.kind}`];
  try {
    new Model(o).validate();
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

type Container = {
  name: string;
  args?: string[];
  command?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  ports?: Array<{ name: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  securityContext?: Record<string, unknown>;
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
};
type PodSpec = {
  containers: Container[];
  volumes?: Array<{ name: string; secret?: { secretName: string }; configMap?: { name: string }; emptyDir?: unknown }>;
  securityContext?: Record<string, unknown>;
};
const workloads = (objs: KObject[]) =>
  objs.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind)) as Array<
    KObject & {
      spec: {
        replicas?: number;
        template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
        volumeClaimTemplates?: Array<{ metadata: { name: string } }>;
      };
    }
  >;
const helps = new Map<string, SpawnSyncReturns<string>>();
const helpOf = (cmd: string) =>
  helps.get(cmd) ?? helps.set(cmd, spawnSync(process.execPath, [BIN, cmd, '--help'], { encoding: 'utf8', timeout: 30_000 })).get(cmd)!;
const find = (objs: KObject[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);

describe.each(VARIANTS)('deploy/kubernetes/%s', (variant) => {
  const objs = rendered.get(variant)!;

  it('every object is valid against its Kubernetes or prometheus-operator schema', () => {
    expect(objs.length).toBeGreaterThan(10);
    const bad = objs.map((o) => ({ o: `${o.kind}/${o.metadata.name}`, problems: schemaProblems(o) })).filter((x) => x.problems.length);
    expect(bad).toEqual([]);
    const names = objs.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
  });

  it('no object has a field its Kubernetes type does not define (strict field validation)', () => {
    expect(unknownFields(objs)).toEqual([]);
  }, 120_000);

  it('runs the scheduler (2), workers and the recorder, non-root on a read-only root filesystem', () => {
    const byRole = Object.fromEntries(workloads(objs).map((w) => [w.spec.template.metadata.labels['app.kubernetes.io/component'], w]));
    expect(Object.keys(byRole).sort()).toEqual(['recorder', 'scheduler', 'worker']);
    expect(byRole.scheduler.spec.replicas).toBe(2);
    expect(byRole.recorder.spec.replicas).toBe(1);
    for (const w of workloads(objs)) {
      const pod = w.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number) });
      expect(pod.securityContext!.runAsUser).not.toBe(0);
      const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
      const claims = new Set((w.spec.volumeClaimTemplates ?? []).map((c) => c.metadata.name));
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        for (const m of c.volumeMounts ?? []) expect(volumes.has(m.name) || claims.has(m.name)).toBe(true);
        // Writable mounts are scratch or the store's own volume, never a Secret or the checks ConfigMap.
        for (const m of c.volumeMounts ?? [])
          if (!m.readOnly) expect(claims.has(m.name) || volumes.get(m.name)?.emptyDir !== undefined).toBe(true);
        const mounts = (c.volumeMounts ?? []).map((m) => m.mountPath);
        expect(mounts).toContain('/tmp');
        const dataDir = c.env?.find((e) => e.name === 'PENGAWAS_DATA_DIR')?.value;
        expect(dataDir && mounts.includes(dataDir)).toBeTruthy();
        expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
        expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
        expect(c.ports?.find((p) => p.name === 'metrics')?.containerPort).toBe(9464);
      }
    }
    // The SQLite evidence file needs the recorder's persistent volume at the data dir.
    expect(byRole.recorder.spec.volumeClaimTemplates?.map((c) => c.metadata.name)).toEqual(['data']);
  });

  it('holds secrets only by reference: every ${file:…} and *_FILE lies in a mounted Secret, no Secret is shipped', () => {
    expect(objs.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const w of workloads(objs)) {
      const pod = w.spec.template.spec;
      const secretVolumes = new Set((pod.volumes ?? []).filter((v) => v.secret).map((v) => v.name));
      for (const c of pod.containers) {
        const secretDirs = (c.volumeMounts ?? []).filter((m) => secretVolumes.has(m.name)).map((m) => m.mountPath + '/');
        for (const e of c.env ?? []) {
          const files = [...(e.value ?? '').matchAll(/\$\{file:([^}]+)\}/g)].map((m) => m[1]);
          if (e.name.endsWith('_FILE')) files.push(e.value!);
          for (const f of files)
            expect({ env: e.name, inSecret: secretDirs.some((d) => f.startsWith(d)) }).toEqual({ env: e.name, inSecret: true });
          if (['DATABASE_URL', 'REDIS_PASSWORD', 'PENGAWAS_RESULTS_SECRET'].includes(e.name)) expect(e.value).toBeUndefined();
        }
      }
    }
  });

  it('the evidence store: PostgreSQL from a Secret reference in the base, SQLite on the recorder volume in overlays/sqlite', () => {
    for (const w of workloads(objs)) {
      const role = w.spec.template.metadata.labels['app.kubernetes.io/component'];
      const db = w.spec.template.spec.containers[0].env?.find((e) => e.name === 'DATABASE_URL');
      if (variant === 'overlays/sqlite' || role === 'scheduler') expect(db).toBeUndefined();
      else expect(db).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'pengawas-postgres', key: 'url' } } });
    }
  });

  it('the ServiceMonitor scrapes every role, under job pengawas; the alert rules need no job name', () => {
    const sm = find(objs, 'ServiceMonitor', 'pengawas') as KObject & {
      spec: { jobLabel: string; selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string }> };
    };
    const services = objs.filter((o) => o.kind === 'Service') as Array<
      KObject & { spec: { selector: Record<string, string>; ports: Array<{ name: string; targetPort: string }> } }
    >;
    const selected = services.filter((s) => Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v));
    expect(selected.map((s) => s.metadata.name)).toEqual(['pengawas-metrics']);
    const svc = selected[0];
    expect(svc.spec.ports.map((p) => p.name)).toContain(sm.spec.endpoints[0].port);
    for (const w of workloads(objs))
      expect(Object.entries(svc.spec.selector).every(([k, v]) => w.spec.template.metadata.labels[k] === v)).toBe(true);
    // prometheus-operator sets job to the value of the Service label named by jobLabel.
    const job = svc.metadata.labels![sm.spec.jobLabel];
    const rulesText = readdirSync(RULES_DIR)
      .map((f) => readFileSync(path.join(RULES_DIR, f), 'utf8'))
      .join('\n');
    // The rules find pengawas targets by the series every pengawas process exports (pengawas_config_checks), not by
    // a job name; any job matcher left in them must still select the ServiceMonitor's job.
    expect(rulesText).toContain('pengawas_config_checks');
    const jobsInRules = new Set([...rulesText.matchAll(/job\s*=~?\s*"([^"]+)"/g)].map((m) => m[1]));
    for (const j of jobsInRules) expect(new RegExp(`^(?:${j})$`).test(job)).toBe(true);
    expect(job).toBe('pengawas');
  });

  it('containers run real CLI commands with real flags (the built CLI’s --help)', () => {
    for (const w of workloads(objs)) {
      for (const c of w.spec.template.spec.containers) {
        const [cmd, ...rest] = c.args!;
        const r = helpOf(cmd);
        expect({ cmd, code: r.status }).toEqual({ cmd, code: 0 });
        for (const flag of rest.filter((a) => a.startsWith('--'))) expect(r.stdout).toContain(`${flag} `);
      }
    }
  }, 120_000);

  it('the checks ConfigMap loads, mounted as the kubelet lays it out, and names only probes that exist', () => {
    const cm = find(objs, 'ConfigMap', 'pengawas-checks') as KObject & { data: Record<string, string> };
    const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-k8s-cm-'));
    try {
      mountLikeKubelet(dir, cm.data, '..2026_12_01_00_00_00.000000001');
      const set = loadChecks(dir);
      expect(set.checks.length).toBeGreaterThan(0);
      for (const c of set.checks)
        expect({ id: c.id, type: c.type, exists: Boolean(getProbe(c.type)) }).toEqual({ id: c.id, type: c.type, exists: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Every workload mounts it at the folder its --checks names.
    for (const w of workloads(objs)) {
      const c = w.spec.template.spec.containers[0];
      const vol = w.spec.template.spec.volumes!.find((v) => v.configMap?.name === 'pengawas-checks')!;
      expect(c.volumeMounts!.find((m) => m.name === vol.name)?.mountPath).toBe(c.args![c.args!.indexOf('--checks') + 1]);
    }
  });
});

describe('deploy/kubernetes: generated and derived parts', () => {
  it('base/prometheusrules.yaml is what config/prometheus/rules generate (npm run k8s:rules)', () => {
    expect(readFileSync(RULES_MANIFEST, 'utf8')).toBe(prometheusRulesYaml());
  });

  it('the rules inside the rendered PrometheusRules (and the SLO rule k8s:slo makes of checks/demo) pass promtool check rules and the project’s promtool tests', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-k8s-rules-'));
    try {
      mkdirSync(path.join(dir, 'rules'));
      mkdirSync(path.join(dir, 'tests'));
      const rules = rendered.get('base')!.filter((o) => o.kind === 'PrometheusRule') as Array<
        KObject & { spec: { groups: unknown[] }; metadata: { annotations: Record<string, string> } }
      >;
      const ruleFiles = readdirSync(RULES_DIR).filter((f) => /\.ya?ml$/.test(f));
      expect(rules.length).toBe(ruleFiles.length - 1); // all but the demo's SLO rules
      const files = rules.map((r) => {
        const f = path.join(dir, 'rules', path.basename(r.metadata.annotations['pengawas.io/generated-from']));
        writeFileSync(f, stringify({ groups: r.spec.groups }));
        return f;
      });
      // The SLO rules an operator's overlay gets from k8s:slo, made of the demo's checks: the same groups as slo.yml.
      const slo = sloPrometheusRule(path.join(ROOT, 'checks', 'demo')).object as KObject & { spec: { groups: unknown[] } };
      expect(slo.spec.groups).toEqual((parse(readFileSync(path.join(RULES_DIR, SLO_FILE), 'utf8')) as { groups: unknown[] }).groups);
      writeFileSync(path.join(dir, 'rules', SLO_FILE), stringify({ groups: slo.spec.groups }));
      files.push(path.join(dir, 'rules', SLO_FILE));
      expect(files.map((f) => path.basename(f)).sort()).toEqual(ruleFiles.sort());
      const check = spawnSync('promtool', ['check', 'rules', ...files], { encoding: 'utf8', timeout: 60_000 });
      expect(`${check.stdout}${check.stderr}`).not.toMatch(/FAILED/);
      expect(check.status).toBe(0);
      // The project's rule unit tests, run against the rules as the cluster receives them.
      const testsDir = path.join(ROOT, 'config', 'prometheus', 'tests');
      const tests = readdirSync(testsDir).filter((f) => f.endsWith('.yml'));
      for (const t of tests) writeFileSync(path.join(dir, 'tests', t), readFileSync(path.join(testsDir, t)));
      const run = spawnSync('promtool', ['test', 'rules', ...tests], { cwd: path.join(dir, 'tests'), encoding: 'utf8', timeout: 300_000 });
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/FAILED/);
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);

  it('each schema check catches a wrong object: CRD field and pattern, a core type, an unknown core field', () => {
    const pr = structuredClone(rendered.get('base')!.find((o) => o.kind === 'PrometheusRule')!) as KObject & {
      spec: { groups: Array<{ rules: Array<Record<string, unknown>> }> };
    };
    pr.spec.groups[0].rules[0].expresion = pr.spec.groups[0].rules[0].expr;
    delete pr.spec.groups[0].rules[0].expr;
    expect(schemaProblems(pr).join('\n')).toMatch(/expr|expresion/);
    const sm = structuredClone(rendered.get('base')!.find((o) => o.kind === 'ServiceMonitor')!) as KObject & {
      spec: { endpoints: Array<Record<string, unknown>> };
    };
    sm.spec.endpoints[0].interval = '15 seconds';
    sm.spec.endpoints[0].scrapeTimout = '10s';
    const smProblems = schemaProblems(sm).join('\n');
    expect(smProblems).toMatch(/interval must match pattern/);
    expect(smProblems).toMatch(/additional properties.*scrapeTimout/);
    const dep = structuredClone(rendered.get('base')!.find((o) => o.kind === 'Deployment')!) as KObject & { spec: Record<string, unknown> };
    dep.spec.replicas = 'two';
    expect(schemaProblems(dep).join('\n')).toMatch(/replicas/);
    const typo = structuredClone(rendered.get('base')!.find((o) => o.kind === 'Deployment')!) as KObject & {
      spec: { template: { spec: { containers: Array<Record<string, unknown>> } } };
    };
    typo.spec.template.spec.containers[0].readinesProbe = typo.spec.template.spec.containers[0].readinessProbe;
    expect(unknownFields([typo]).join('\n')).toMatch(
      /Deployment\/pengawas-scheduler: .*readinesProbe\W* does not exist in type 'IContainer'/,
    );
  }, 120_000);

  it('the HPA scales the worker Deployment on a backlog the adapter derives from a metric pengawas exports', () => {
    const objs = rendered.get('overlays/hpa')!;
    const hpa = find(objs, 'HorizontalPodAutoscaler', 'pengawas-worker') as KObject & {
      spec: { scaleTargetRef: { kind: string; name: string }; metrics: Array<{ external: { metric: { name: string } } }> };
    };
    const target = find(objs, hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name) as KObject & { spec: { replicas?: number } };
    expect(target).toBeDefined();
    expect(target.spec.replicas).toBeUndefined();
    const adapter = parse(readFileSync(path.join(K8S, 'overlays', 'hpa', 'prometheus-adapter-rules.yaml'), 'utf8')) as {
      externalRules: Array<{ seriesQuery: string; name: { as: string }; metricsQuery: string }>;
    };
    const rule = adapter.externalRules.find((r) => r.name.as === hpa.spec.metrics[0].external.metric.name)!;
    expect(rule).toBeDefined();
    const series = rule.seriesQuery.match(/^([a-z_:]+)\{/)![1];
    const exported = new Metrics().registry.getMetricsAsArray().map((m) => m.name);
    expect(exported).toContain(series);
    // The query (with the adapter's placeholder filled) parses as PromQL: promtool checks it as a recording rule.
    const q = rule.metricsQuery.replace('<<.LabelMatchers>>', 'namespace="pengawas"');
    const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-k8s-adapter-'));
    try {
      writeFileSync(
        path.join(dir, 'adapter.yml'),
        stringify({ groups: [{ name: 'adapter', rules: [{ record: 'pengawas:queue_backlog', expr: q }] }] }),
      );
      const r = spawnSync('promtool', ['check', 'rules', path.join(dir, 'adapter.yml')], { encoding: 'utf8' });
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/FAILED/);
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no number is written with a leading zero (0440 is octal to kubectl’s YAML 1.1, 440 to YAML 1.2)', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.yaml') ? [path.join(dir, e.name)] : [],
      );
    const bad = files(K8S).flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((l, i) => ({ at: `${path.relative(K8S, f)}:${i + 1}`, l }))
        .filter((x) => /:\s+[-+]?0[0-9]+\s*(#.*)?$/.test(x.l)),
    );
    expect(bad).toEqual([]);
  });

  it('base/checks/example.yaml is the repository’s checks/example.yaml', () => {
    expect(readFileSync(path.join(K8S, 'base', 'checks', 'example.yaml'), 'utf8')).toBe(
      readFileSync(path.join(ROOT, 'checks', 'example.yaml'), 'utf8'),
    );
  });
});
