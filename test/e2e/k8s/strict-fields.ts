/**
 * Unknown fields in Kubernetes objects, found by the TypeScript compiler: each object becomes an object literal
 * typed with its kubernetes-models interface (generated from the Kubernetes OpenAPI), and tsc's excess-property
 * check names every field the type does not have, at any depth. kubernetes-models' own validate() checks types
 * and required fields but lets unknown ones through; the API server with strict field validation refuses them.
 */
import path from 'node:path';
import ts from 'typescript';
import type { KObject } from '../../../scripts/k8s/kustomize';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** `kubernetes-models/<group>/<version>` and the interface `I<Kind>`, or undefined for kinds it does not model. */
function typeOf(o: KObject): { module: string; type: string } | undefined {
  if (o.apiVersion.startsWith('monitoring.coreos.com/')) return undefined;
  return { module: `kubernetes-models/${o.apiVersion.includes('/') ? o.apiVersion : 'v1'}`, type: `I${o.kind}` };
}

/** Problems per object (`Kind/name: message`); objects whose kind is not modelled are skipped. */
export function unknownFields(objects: KObject[]): string[] {
  const file = path.join(ROOT, 'test', 'e2e', 'k8s', '__strict_fields__.ts');
  const lines: string[] = [];
  const owner: string[] = [];
  objects.forEach((o, i) => {
    const t = typeOf(o);
    if (!t) return;
    lines.push(`const o${i}: import('${t.module}').${t.type} = ${JSON.stringify(o)};`);
    owner.push(`${o.kind}/${o.metadata.name}`);
  });
  lines.push('export {};');
  const text = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) =>
    path.resolve(name) === file ? ts.createSourceFile(name, text, lang) : getSourceFile(name, lang, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => path.resolve(name) === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const source = program.getSourceFile(file)!;
  return ts.getPreEmitDiagnostics(program, source).map((d) => {
    const line = d.start === undefined ? -1 : source.getLineAndCharacterOfPosition(d.start).line;
    return `${owner[line] ?? '(file)'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}
