/**
 * Structural validation of an OpenAPI 3.0/3.1 document: the subset of the specification's MUSTs that decide
 * whether a partner can generate a client from it — version, info, path keys, operations with responses and
 * response descriptions, declared path parameters, parameter shape, unique operationIds, and local $refs that
 * resolve. JSON-Schema validity of every schema object is not attempted.
 */
import { textOf } from '../../util/narrow';
export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface Problem {
  rule: string;
  where: string;
  message: string;
}

export interface Operation {
  method: string;
  path: string;
  op: Record<string, unknown>;
  /** Path-level and operation-level parameters, $refs resolved. */
  parameters: Array<Record<string, unknown>>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Resolves a local JSON pointer (`#/components/parameters/X`). */
export function resolveRef(doc: Obj, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObj(node) && !Array.isArray(node)) return undefined;
    node = (node as Obj)[key];
    if (node === undefined) return undefined;
  }
  return node;
}

function deref(doc: Obj, v: unknown): unknown {
  let cur = v;
  for (let i = 0; i < 10 && isObj(cur) && typeof cur.$ref === 'string'; i++) cur = resolveRef(doc, cur.$ref);
  return cur;
}

export function operations(doc: Obj): Operation[] {
  const out: Operation[] = [];
  if (!isObj(doc.paths)) return out;
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!isObj(item)) continue;
    const shared: unknown[] = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const own: unknown[] = Array.isArray(op.parameters) ? op.parameters : [];
      const parameters = [...shared, ...own].map((p) => deref(doc, p)).filter(isObj);
      out.push({ method: method.toUpperCase(), path, op, parameters });
    }
  }
  return out;
}

function walkRefs(node: unknown, at: string, visit: (ref: string, at: string) => void): void {
  if (Array.isArray(node)) node.forEach((v, i) => walkRefs(v, `${at}/${i}`, visit));
  else if (isObj(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') visit(v, at);
      else walkRefs(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, visit);
    }
  }
}

export function validateOpenApi(doc: unknown): Problem[] {
  const problems: Problem[] = [];
  const add = (rule: string, where: string, message: string) => problems.push({ rule, where, message });
  if (!isObj(doc)) return [{ rule: 'not_an_object', where: '#', message: 'the document is not an object' }];
  if (doc.swagger !== undefined)
    add('version', '#/swagger', `Swagger ${textOf(doc.swagger)} is not OpenAPI 3; publish an OpenAPI 3.x document`);
  else if (typeof doc.openapi !== 'string' || !/^3\.[01]\.\d+$/.test(doc.openapi))
    add('version', '#/openapi', `openapi is ${JSON.stringify(doc.openapi)}, expected 3.0.x or 3.1.x`);
  const info = doc.info;
  if (!isObj(info)) add('info', '#/info', 'info is missing');
  else {
    if (typeof info.title !== 'string' || !info.title.trim()) add('info', '#/info/title', 'info.title is missing');
    if (typeof info.version !== 'string' || !info.version.trim())
      add('info', '#/info/version', 'info.version is missing (must be a string)');
  }
  const is31 = typeof doc.openapi === 'string' && doc.openapi.startsWith('3.1');
  if (!isObj(doc.paths)) {
    if (!is31 || (!isObj(doc.webhooks) && !isObj(doc.components))) add('paths', '#/paths', 'paths is missing');
  } else {
    for (const path of Object.keys(doc.paths))
      if (!path.startsWith('/')) add('paths', `#/paths/${path}`, `path "${path}" does not start with "/"`);
  }
  const seenIds = new Map<string, string>();
  for (const { method, path, op, parameters } of operations(doc)) {
    const where = `${method} ${path}`;
    const responses = op.responses;
    if (!isObj(responses) || Object.keys(responses).length === 0) add('responses', where, 'the operation documents no responses');
    else {
      for (const [code, r] of Object.entries(responses)) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(code))
          add('responses', `${where} ${code}`, `"${code}" is not a status code, a range like 4XX, or default`);
        const resolved = deref(doc, r);
        if (!isObj(resolved)) add('responses', `${where} ${code}`, 'the response is not an object (or its $ref does not resolve)');
        else if (typeof resolved.description !== 'string')
          add('responses', `${where} ${code}`, 'the response has no description (required)');
      }
    }
    for (const p of parameters) {
      if (typeof p.name !== 'string' || !['query', 'header', 'path', 'cookie'].includes(String(p.in)))
        add('parameters', where, `a parameter lacks name or a valid "in" (${JSON.stringify({ name: p.name, in: p.in })})`);
      else if (p.in === 'path' && p.required !== true) add('parameters', where, `path parameter ${p.name} must be required: true`);
    }
    for (const m of path.matchAll(/\{([^}]+)\}/g)) {
      if (!parameters.some((p) => p.in === 'path' && p.name === m[1]))
        add('path_parameters', where, `path parameter {${m[1]}} is not declared`);
    }
    if (typeof op.operationId === 'string') {
      const prev = seenIds.get(op.operationId);
      if (prev) add('operation_id', where, `operationId ${op.operationId} is also used by ${prev}`);
      else seenIds.set(op.operationId, where);
    }
  }
  walkRefs(doc, '#', (ref, at) => {
    if (ref.startsWith('#') && resolveRef(doc, ref) === undefined) add('refs', at, `$ref ${ref} does not resolve`);
  });
  return problems;
}
