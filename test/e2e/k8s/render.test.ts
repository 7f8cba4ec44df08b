/** The Kustomize-subset renderer refuses what it does not render faithfully, naming the file and the reason. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyJsonPatch, render } from '../../../scripts/k8s/kustomize';

const SA = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n';

describe('scripts/k8s/kustomize.ts', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'pengawas-k8s-render-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const kustomization = (text: string) => writeFileSync(path.join(dir, 'kustomization.yaml'), text);

  it('renders resources, namespace and a guarded patch', () => {
    writeFileSync(path.join(dir, 'sa.yaml'), SA);
    kustomization(
      'resources: [sa.yaml]\nnamespace: mon\npatches:\n  - target: { kind: ServiceAccount, name: a }\n    patch: |-\n      - { op: test, path: /metadata/name, value: a }\n      - { op: add, path: /automountServiceAccountToken, value: false }\n',
    );
    expect(render(dir)).toEqual([
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'a', namespace: 'mon' }, automountServiceAccountToken: false },
    ]);
  });

  it('refuses a key it does not implement instead of ignoring it', () => {
    kustomization('resources: []\ncommonLabels: { a: b }\n');
    expect(() => render(dir)).toThrow(/kustomization.yaml: "commonLabels" is not supported/);
  });

  it('refuses a patch whose guard no longer matches (an index that moved)', () => {
    writeFileSync(path.join(dir, 'sa.yaml'), SA);
    kustomization(
      'resources: [sa.yaml]\npatches:\n  - target: { kind: ServiceAccount }\n    patch: |-\n      - { op: test, path: /metadata/name, value: b }\n',
    );
    expect(() => render(dir)).toThrow(/operation 1 \(test \/metadata\/name\): expected "b", found "a"/);
  });

  it('refuses files outside the kustomization (Kustomize’s load restrictor), YAML aliases and non-objects', () => {
    kustomization(
      'resources: []\nconfigMapGenerator:\n  - name: x\n    files: [../../etc/passwd]\n    options: { disableNameSuffixHash: true }\n',
    );
    expect(() => render(dir)).toThrow(/is outside/);
    writeFileSync(path.join(dir, 'bomb.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: b }\ndata: &a { x: "1" }\nextra: *a\n');
    kustomization('resources: [bomb.yaml]\n');
    expect(() => render(dir)).toThrow(/alias/i);
    writeFileSync(path.join(dir, 'x.yaml'), 'just: text\n');
    kustomization('resources: [x.yaml]\n');
    expect(() => render(dir)).toThrow(/x.yaml: document 1 is not a Kubernetes object/);
  });

  it('JSON patch paths that do not resolve are errors', () => {
    expect(() => applyJsonPatch({ a: [1] }, [{ op: 'remove', path: '/a/3' }], 'here')).toThrow(
      /here: operation 1 \(remove \/a\/3\): index 3 is out of range/,
    );
    expect(() => applyJsonPatch({ a: {} }, [{ op: 'replace', path: '/a/b', value: 1 }], 'here')).toThrow(/"b" does not exist/);
  });
});
