/**
 * The finding-message catalogue covers every finding id a probe can emit. The ids are read from the probe sources
 * themselves (not from a list kept beside the catalogue): every quoted `<type>.<area>...` literal of a registered
 * probe type, and every template id (`tls.vuln.${id}`, `${prefix}.header.missing`) with its `${…}` parts as one
 * segment each. Also: every duration option of every probe schema is shown in units in the report.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { catalogueEntry, FINDING_CATALOGUE } from '../../src/evidence/pack/finding-catalogue';
import { DURATION_OPTIONS } from '../../src/evidence/pack/html';
import { getProbe, probeTypes } from '../../src/probes/registry';
import { durationMs } from '../../src/util/schema';

const PROBES = path.join(__dirname, '..', '..', 'src', 'probes');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : n.endsWith('.ts') ? [p] : [];
  });
}

/** Finding ids in the probe sources: literal ids, and template ids with each `${…}` as the sample segment `x_sample`. */
export function emittedIds(): { literal: Map<string, string>; templates: Map<string, string> } {
  const prefixes = [...probeTypes(), 'probe'].join('|');
  const literal = new Map<string, string>();
  const templates = new Map<string, string>();
  const lit = new RegExp(`['"\`]((?:${prefixes})\\.[a-z0-9_]+(?:\\.[a-z0-9_]+)*)['"\`]`, 'g');
  // A template id: after `id:` or as the first argument of a fail/warn/pass/add helper.
  const tpl = /(?:\bid:\s*|\b(?:fail|warn|pass|add)\()`((?:\$\{[^}`]+\}|[a-z0-9_])+(?:\.(?:\$\{[^}`]+\}|[a-z0-9_]+))+)`/g;
  for (const file of sources(PROBES)) {
    const text = readFileSync(file, 'utf8');
    const rel = path.relative(PROBES, file);
    for (const m of text.matchAll(lit)) literal.set(m[1], rel);
    for (const m of text.matchAll(tpl))
      if (m[1].includes('${')) templates.set(m[1].replace(/\$\{[^}]+\}/g, 'x_sample'), `${rel}: \`${m[1]}\``);
  }
  return { literal, templates };
}

describe('finding-message catalogue', () => {
  const { literal, templates } = emittedIds();

  it('finds the ids the probes emit (the scan itself works)', () => {
    // Ids any reader of src/probes can confirm; if the scan broke, these would be missing.
    for (const id of [
      'tls.protocol.tls1_0_enabled',
      'mfa.flow_not_enforced',
      'http.latency.too_slow',
      'securitytxt.expires.expired',
      'attestation.expired',
      'openapi.server.insecure',
    ])
      expect(literal.has(id)).toBe(true);
    expect([...templates.keys()]).toEqual(
      expect.arrayContaining([
        'tls.vuln.x_sample',
        'x_sample.header.missing',
        'transaction.x_sample.too_slow',
        'webpage.a11y.x_sample',
        'probe.error.x_sample',
      ]),
    );
    expect(literal.size).toBeGreaterThan(100);
  });

  it('has an English and an Indonesian message for every literal id', () => {
    const missing = [...literal].filter(([id]) => !catalogueEntry(id)).map(([id, file]) => `${id} (${file})`);
    expect(missing).toEqual([]);
  });

  it('covers every template id with a pattern entry', () => {
    const missing = [...templates].filter(([id]) => !catalogueEntry(id)).map(([, where]) => where);
    expect(missing).toEqual([]);
  });

  it('writes both languages for every entry, differently, as sentences', () => {
    for (const [id, m] of Object.entries(FINDING_CATALOGUE)) {
      expect([id, m.en.length > 5 && m.id.length > 5]).toEqual([id, true]);
      expect([id, m.en === m.id]).toEqual([id, false]);
      expect([id, /[.)]$/.test(m.en) && /[.)]$/.test(m.id)]).toEqual([id, true]);
    }
  });

  it('fills a pattern with the id segment and prefers an exact entry', () => {
    expect(catalogueEntry('tls.vuln.heartbleed')?.id).toBe('Server rentan terhadap kerentanan TLS heartbleed.');
    expect(catalogueEntry('tls.vuln.no_fallback_scsv')?.en).toContain('TLS_FALLBACK_SCSV');
    expect(catalogueEntry('http.header.missing')?.id).toBe('Header yang diwajibkan tidak ada.');
    expect(catalogueEntry('tls.vuln')).toBeUndefined();
    expect(catalogueEntry('document.stale')).toBeUndefined();
  });
});

/** Unwraps optional/default/nullable/pipe wrappers down to the schema a field was declared with. */
function walkDurations(schema: unknown, key: string, out: Set<string>, seen = new Set<unknown>()): void {
  if (schema === durationMs) return void out.add(key);
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
  seen.add(schema);
  const def = (schema as { _zod?: { def?: Record<string, unknown> } })._zod?.def ?? {};
  if (def.type === 'object')
    for (const [k, v] of Object.entries((def.shape as Record<string, unknown>) ?? {})) walkDurations(v, k, out, seen);
  for (const f of ['innerType', 'element', 'in', 'out', 'valueType']) if (def[f]) walkDurations(def[f], key, out, seen);
  for (const o of (def.options as unknown[]) ?? []) walkDurations(o, key, out, seen);
  if (def.type === 'intersection') (walkDurations(def.left, key, out, seen), walkDurations(def.right, key, out, seen));
  if (def.type === 'lazy' && typeof def.getter === 'function') walkDurations((def.getter as () => unknown)(), key, out, seen);
}

describe('configured durations in the report', () => {
  it('knows every duration option of every probe schema, so none shows as raw milliseconds', () => {
    const found = new Set<string>();
    for (const type of probeTypes()) walkDurations(getProbe(type)!.options, '', found);
    // The walk itself reaches nested options (transaction steps' latency, freshness maxAge).
    expect([...found]).toEqual(expect.arrayContaining(['maxAge', 'failAfter', 'latency']));
    expect([...found].filter((k) => !DURATION_OPTIONS.has(k) && !/Ms$/.test(k))).toEqual([]);
  });
});
