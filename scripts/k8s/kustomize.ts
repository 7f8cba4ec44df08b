/** Renders a Kustomize directory with the subset of Kustomize that deploy/kubernetes uses (no kustomize binary here). */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

/** A Kubernetes object as plain data. */
export type KObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};

/** RFC 6902 operations kustomize applies from `patches:` (the four used here; `test` guards an index). */
interface PatchOp {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

/** Keys of kustomization.yaml this renderer understands; anything else is refused, never ignored. */
const KNOWN = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'configMapGenerator', 'patches']);
const MAX_FILE_BYTES = 4 * 1024 * 1024;

export class RenderError extends Error {}

function readText(file: string): string {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new RenderError(`${file}: does not exist`);
  }
  if (!st.isFile()) throw new RenderError(`${file}: is not a file`);
  if (st.size > MAX_FILE_BYTES) throw new RenderError(`${file}: ${st.size} bytes, above the ${MAX_FILE_BYTES}-byte limit`);
  return readFileSync(file, 'utf8');
}

/** Kustomize's load restriction: every file a kustomization names lies inside its own directory. */
function inside(root: string, rel: string, where: string): string {
  const abs = path.resolve(root, rel);
  if (abs !== root && !abs.startsWith(root + path.sep))
    throw new RenderError(`${where}: "${rel}" is outside ${root} (Kustomize's load restrictor refuses it too)`);
  return abs;
}

export function readObjects(file: string): KObject[] {
  const docs = parseAllDocuments(readText(file));
  const out: KObject[] = [];
  docs.forEach((d, i) => {
    if (d.errors.length) throw new RenderError(`${file}: document ${i + 1}: ${d.errors[0].message.split('\n')[0]}`);
    const o = d.toJS({ maxAliasCount: 0 }) as KObject | null;
    if (o === null) return;
    if (typeof o !== 'object' || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
      throw new RenderError(`${file}: document ${i + 1} is not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
    }
    out.push(o);
  });
  return out;
}

const unescape = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

/** Applies RFC 6902 add/replace/remove/test to `doc` in place; a path that does not resolve is an error. */
export function applyJsonPatch(doc: unknown, ops: PatchOp[], where: string): void {
  for (const [i, op] of ops.entries()) {
    const at = `${where}: operation ${i + 1} (${op.op} ${op.path})`;
    if (!['add', 'replace', 'remove', 'test'].includes(op.op))
      throw new RenderError(`${at}: only add, replace, remove and test are supported`);
    const parts = op.path.split('/').slice(1).map(unescape);
    if (!op.path.startsWith('/') || parts.length === 0) throw new RenderError(`${at}: the path must start with / and name a member`);
    let node = doc as Record<string, unknown> | unknown[];
    for (const p of parts.slice(0, -1)) {
      const next = Array.isArray(node) ? node[Number(p)] : node[p];
      if (next === undefined || next === null || typeof next !== 'object') throw new RenderError(`${at}: "${p}" does not exist`);
      node = next as Record<string, unknown> | unknown[];
    }
    const last = parts[parts.length - 1];
    if (op.op === 'test') {
      const actual = Array.isArray(node) ? node[Number(last)] : node[last];
      if (JSON.stringify(actual) !== JSON.stringify(op.value))
        throw new RenderError(`${at}: expected ${JSON.stringify(op.value)}, found ${JSON.stringify(actual)}`);
      continue;
    }
    if (Array.isArray(node)) {
      const idx = last === '-' ? node.length : Number(last);
      if (!Number.isInteger(idx) || idx < 0 || idx > node.length || (op.op !== 'add' && idx >= node.length))
        throw new RenderError(`${at}: index ${last} is out of range`);
      if (op.op === 'add') node.splice(idx, 0, op.value);
      else if (op.op === 'replace') node[idx] = op.value;
      else node.splice(idx, 1);
    } else {
      if (op.op !== 'add' && !(last in node)) throw new RenderError(`${at}: "${last}" does not exist`);
      if (op.op === 'remove') delete node[last];
      else node[last] = op.value;
    }
  }
}

interface Kustomization {
  resources?: string[];
  namespace?: string;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
  configMapGenerator?: Array<{
    name: string;
    behavior?: 'create' | 'replace';
    files?: string[];
    options?: { disableNameSuffixHash?: boolean };
  }>;
  patches?: Array<{ path?: string; patch?: string; target?: { kind?: string; name?: string } }>;
}

function loadKustomization(dir: string): Kustomization {
  const file = path.join(dir, 'kustomization.yaml');
  const k = parse(readText(file), { maxAliasCount: 0 }) as Kustomization & Record<string, unknown>;
  for (const key of Object.keys(k ?? {}))
    if (!KNOWN.has(key)) throw new RenderError(`${file}: "${key}" is not supported by this renderer (supported: ${[...KNOWN].join(', ')})`);
  return k ?? {};
}

function configMap(dir: string, g: NonNullable<Kustomization['configMapGenerator']>[number], where: string): KObject {
  if (!g.options?.disableNameSuffixHash)
    throw new RenderError(
      `${where}: configMapGenerator ${g.name}: set options.disableNameSuffixHash: true (name hashes are not rendered here)`,
    );
  const data: Record<string, string> = {};
  for (const f of g.files ?? []) {
    const key = path.basename(f);
    if (key in data) throw new RenderError(`${where}: configMapGenerator ${g.name}: two files named ${key}`);
    data[key] = readText(inside(dir, f, where));
  }
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name }, data };
}

/** The objects a kustomization directory renders to, in Kustomize's resource order. */
export function render(dir: string, seen: string[] = []): KObject[] {
  const root = path.resolve(dir);
  if (seen.includes(root)) throw new RenderError(`${root}: resources form a cycle (${[...seen, root].join(' → ')})`);
  const where = path.join(root, 'kustomization.yaml');
  const k = loadKustomization(root);
  let objects: KObject[] = [];
  for (const r of k.resources ?? []) {
    const abs = path.resolve(root, r);
    let isDir = false;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      throw new RenderError(`${where}: resource ${r} does not exist`);
    }
    objects.push(...(isDir ? render(abs, [...seen, root]) : readObjects(inside(root, r, where))));
  }
  for (const g of k.configMapGenerator ?? []) {
    const cm = configMap(root, g, where);
    const i = objects.findIndex((o) => o.kind === 'ConfigMap' && o.metadata.name === g.name);
    if ((g.behavior ?? 'create') === 'replace') {
      if (i < 0) throw new RenderError(`${where}: configMapGenerator ${g.name} replaces a ConfigMap that no resource defines`);
      objects[i] = cm;
    } else {
      if (i >= 0) throw new RenderError(`${where}: configMapGenerator ${g.name} already exists (use behavior: replace)`);
      objects.push(cm);
    }
  }
  for (const [n, p] of (k.patches ?? []).entries()) {
    const pw = `${where}: patches[${n}]`;
    const text = p.path ? readText(inside(root, p.path, pw)) : p.patch;
    if (!text || !p.target?.kind) throw new RenderError(`${pw}: needs a patch (or path) and a target with a kind`);
    const ops = parse(text, { maxAliasCount: 0 }) as PatchOp[];
    if (!Array.isArray(ops)) throw new RenderError(`${pw}: only JSON 6902 patches (a list of operations) are supported`);
    const targets = objects.filter((o) => o.kind === p.target!.kind && (!p.target!.name || o.metadata.name === p.target!.name));
    if (!targets.length) throw new RenderError(`${pw}: no ${p.target.kind}${p.target.name ? ` named ${p.target.name}` : ''} to patch`);
    for (const t of targets) applyJsonPatch(t, ops, `${pw} on ${t.kind}/${t.metadata.name}`);
  }
  if (k.images) objects = objects.map((o) => withImages(o, k.images!));
  if (k.namespace) for (const o of objects) o.metadata.namespace = k.namespace;
  return objects;
}

/** Kustomize's image transformer over containers and initContainers of pod templates. */
function withImages(o: KObject, images: NonNullable<Kustomization['images']>): KObject {
  const spec = (o.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template?.spec;
  for (const list of [spec?.containers, spec?.initContainers] as Array<Array<{ image?: string }> | undefined>) {
    for (const c of list ?? []) {
      // registry:5000/name:tag@sha256:… → registry:5000/name (a tag's colon comes after the last slash).
      const name = (c.image ?? '').replace(/@.*$/, '').replace(/:[^/:]*$/, '');
      const img = images.find((i) => i.name === name);
      if (img) c.image = `${img.newName ?? name}${img.newTag ? `:${img.newTag}` : ''}`;
    }
  }
  return o;
}
