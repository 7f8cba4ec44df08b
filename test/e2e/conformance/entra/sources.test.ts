/**
 * Re-checks reference.json against the full Graph v1.0 CSDL it was written from, when that file is at hand:
 * CONFORMANCE_SOURCES=<dir> with <dir>/graph-v1.0.xml (microsoftgraph/msgraph-metadata
 * clean_v10_metadata/cleanMetadata.xml). Without it the suite is skipped: the vendor file is not part of the repo.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadReference, type Reference } from '../../../probes/mfa/reference-shape';

const file = process.env.CONFORMANCE_SOURCES ? path.join(process.env.CONFORMANCE_SOURCES, 'graph-v1.0.xml') : '';
const ref = loadReference<Reference & { enums: Record<string, string[]> }>('entra');

(fs.existsSync(file) ? describe : describe.skip)('entra reference.json matches the full CSDL', () => {
  const csdl = file ? fs.readFileSync(file, 'utf8') : '';

  test.each(Object.keys(ref.types))('type %s: same properties, types and base', (type) => {
    const m = new RegExp(`<(EntityType|ComplexType) Name="${type}"([^>]*)>([\\s\\S]*?)</\\1>`).exec(csdl);
    expect(m).not.toBeNull();
    const props = Object.fromEntries([...m![3].matchAll(/<(?:Property|NavigationProperty) Name="([^"]+)" Type="([^"]+)"/g)].map((p) => [p[1], p[2].replace(/graph\.|Edm\./g, '')]));
    expect(ref.types[type]).toEqual(props);
    expect(ref.bases?.[type]).toBe(/BaseType="graph\.([^"]+)"/.exec(m![2])?.[1]);
  });

  test.each(Object.keys(ref.enums))('enum %s: same members', (name) => {
    const m = new RegExp(`<EnumType Name="${name}"[^>]*>([\\s\\S]*?)</EnumType>`).exec(csdl);
    expect([...m![1].matchAll(/<Member Name="([^"]+)"/g)].map((x) => x[1])).toEqual(ref.enums[name]);
  });
});
