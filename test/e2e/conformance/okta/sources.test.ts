/**
 * Re-checks reference.json against the full Okta management spec it was written from, when that file is at hand:
 * CONFORMANCE_SOURCES=<dir> with <dir>/okta-management.yaml (okta/okta-management-openapi-spec
 * dist/current/management-oneOfInheritance.yaml). Without it the suite is skipped: the spec is not part of the repo.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadReference, type Reference } from '../../../probes/mfa/reference-shape';

type Schema = { $ref?: string; allOf?: Schema[]; properties?: Record<string, Schema>; enum?: string[]; type?: string; items?: Schema; in?: string; name?: string };
interface Spec {
  components: { schemas: Record<string, Schema>; parameters: Record<string, Schema> };
  paths: Record<string, { parameters?: Schema[]; get: { parameters?: Schema[] } }>;
}
const file = process.env.CONFORMANCE_SOURCES ? path.join(process.env.CONFORMANCE_SOURCES, 'okta-management.yaml') : '';
const ref = loadReference<Reference & { enums: Record<string, string[]>; operations: Record<string, string[]> }>('okta');

(fs.existsSync(file) ? describe : describe.skip)('okta reference.json matches the full management spec', () => {
  const spec = (file ? parse(fs.readFileSync(file, 'utf8'), { maxAliasCount: -1 }) : {}) as Spec;
  const S = spec.components?.schemas ?? {};
  const name = (r: string) => r.split('/').pop()!;
  /** Property names of a schema with allOf flattened (what the extract lists for a top-level schema). */
  const names = (s: Schema | undefined, out = new Set<string>()): Set<string> => {
    if (!s) return out;
    if (s.$ref) return names(S[name(s.$ref)], out);
    for (const a of s.allOf ?? []) names(a, out);
    for (const k of Object.keys(s.properties ?? {})) out.add(k);
    return out;
  };

  test.each(Object.keys(ref.types).filter((t) => !t.includes('.')))('schema %s: same property names', (t) => {
    expect(Object.keys(ref.types[t]).sort()).toEqual([...names(S[t])].sort());
  });

  test.each(Object.keys(ref.enums).filter((e) => !e.includes('.')))('enum %s: same members', (e) => {
    expect(ref.enums[e]).toEqual(S[e].enum);
  });

  test.each(Object.keys(ref.operations))('%s: same query parameters', (op) => {
    const item = spec.paths[op.slice(4)];
    const params = [...(item.parameters ?? []), ...(item.get.parameters ?? [])].map((q) => (q.$ref ? spec.components.parameters[name(q.$ref)] : q));
    expect(ref.operations[op]).toEqual(params.filter((q) => q.in === 'query').map((q) => q.name));
  });
});
