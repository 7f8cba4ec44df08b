/**
 * Checks fixture objects against a vendor reference extract (test/e2e/conformance/<system>/reference.json): every
 * property a fixture carries must be one the vendor defines for that type, and every enum value one of its members.
 * A fixture that passes is shaped as the vendor's own definition, so a probe that reads a name the vendor does not
 * define (a made-up config key, a wrong property) cannot get the right verdict from it.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Reference {
  types: Record<string, Record<string, string>>;
  enums?: Record<string, string[]>;
  /** Base type of a type (Graph CSDL BaseType); its properties are inherited. */
  bases?: Record<string, string>;
  /** Enums whose values are comma-separated member lists (CSDL IsFlags). */
  flags?: string[];
  /** Type → the property naming its subtype, and subtype by value (OpenAPI discriminator). */
  discriminators?: Record<string, { property: string; mapping: Record<string, string> }>;
}

export function loadReference<T extends Reference>(system: string): T {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'e2e', 'conformance', system, 'reference.json'), 'utf8')) as T;
}

/** The properties of a type with its bases' (CSDL inheritance). */
export function propertiesOf(ref: Reference, type: string): Record<string, string> | undefined {
  const own = ref.types[type];
  if (!own) return undefined;
  const base = ref.bases?.[type];
  return base ? { ...propertiesOf(ref, base), ...own } : own;
}

/** Problems found in `value` read as `type`; an empty list means it conforms. */
export function conformance(ref: Reference, type: string, value: unknown, at = '$'): string[] {
  const t = type.replace(/^Collection\((.+)\)$/, '$1[]');
  if (value === null || value === undefined) return [];
  if (t.endsWith('[]')) {
    if (!Array.isArray(value)) return [`${at}: expected a list of ${t.slice(0, -2)}`];
    return value.flatMap((v, i) => conformance(ref, t.slice(0, -2), v, `${at}[${i}]`));
  }
  const enumName = t.startsWith('enum:') ? t.slice(5) : ref.enums?.[t] ? t : undefined;
  if (enumName) {
    const members = ref.enums?.[enumName] ?? [];
    const values = ref.flags?.includes(enumName) && typeof value === 'string' ? value.split(',').map((v) => v.trim()) : [value];
    return values
      .filter((v) => !members.includes(v as string))
      .map((v) => `${at}: ${JSON.stringify(v)} is not a member of ${enumName} (${members.join(', ')})`);
  }
  let props = propertiesOf(ref, t);
  if (!props) return []; // a primitive, or a type the extract does not carry
  if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected an object of type ${t}`];
  const obj = value as Record<string, unknown>;
  const d = ref.discriminators?.[t];
  const sub = d && typeof obj[d.property] === 'string' ? d.mapping[obj[d.property] as string] : undefined;
  if (sub && sub !== t) props = propertiesOf(ref, sub) ?? props;
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith('@odata.') || k.includes('@odata.')) continue; // OData annotations are protocol, not type members
    if (!(k in props)) {
      out.push(`${at}.${k}: not a property of ${sub ?? t}`);
      continue;
    }
    out.push(...conformance(ref, props[k], v, `${at}.${k}`));
  }
  return out;
}
