/**
 * Re-checks reference.json against the full Keycloak Admin REST OpenAPI it was written from, when that file is at
 * hand: CONFORMANCE_SOURCES=<dir> with <dir>/keycloak-openapi.json (ccouzens/keycloak-openapi keycloak/23.0.7.json).
 * Without it the suite is skipped: the vendor file is not part of the repo.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadReference, type Reference } from '../../../probes/mfa/reference-shape';

interface OpenApi {
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
  paths: Record<string, { get?: { parameters?: Array<{ in: string; name: string }> } }>;
}
const file = process.env.CONFORMANCE_SOURCES ? path.join(process.env.CONFORMANCE_SOURCES, 'keycloak-openapi.json') : '';
const ref = loadReference<Reference & { paths: Record<string, string[]> }>('keycloak');

(fs.existsSync(file) ? describe : describe.skip)('keycloak reference.json matches the full OpenAPI', () => {
  const api = (file ? JSON.parse(fs.readFileSync(file, 'utf8')) : {}) as OpenApi;

  test.each(Object.keys(ref.types))('%s: every listed property exists in the representation', (t) => {
    const defined = Object.keys(api.components.schemas[t]?.properties ?? {});
    expect(Object.keys(ref.types[t]).filter((p) => !defined.includes(p))).toEqual([]);
  });

  test.each(Object.keys(ref.paths))('%s: same query parameters', (p) => {
    expect(ref.paths[p]).toEqual((api.paths[p]?.get?.parameters ?? []).filter((q) => q.in === 'query').map((q) => q.name));
  });
});
