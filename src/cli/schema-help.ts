/** `pengawas probe <type> --help`: the type's `--opt` keys, read from its zod options schema (the registry's). */
import { z } from 'zod';
import type { ProbeType } from '../probes/types';

type Json = Record<string, unknown>;

const MAX_LINE = 160;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** One schema node in a few words: `one of GET, HEAD`, `list of string`, `integer 0..3650`, `map of string`. */
export function describeNode(node: Json): string {
  if (Array.isArray(node.enum))
    return `one of ${(node.enum as unknown[]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}`;
  if ('const' in node) return JSON.stringify(node.const);
  const union = (node.anyOf ?? node.oneOf) as Json[] | undefined;
  if (Array.isArray(union)) return union.map(describeVariant).join(' | ');
  const types = Array.isArray(node.type) ? (node.type as string[]) : node.type ? [node.type as string] : [];
  if (types.includes('array')) {
    const items = node.items as Json | undefined;
    return `list of ${items ? describeNode(items) : 'any'}`;
  }
  if (types.includes('object')) {
    const props = node.properties as Record<string, Json> | undefined;
    if (props && Object.keys(props).length) return `object {${Object.keys(props).join(', ')}}`;
    const extra = node.additionalProperties;
    return extra && typeof extra === 'object' ? `map of ${describeNode(extra as Json)}` : 'object';
  }
  if (!types.length) return 'any';
  const bound = (v: unknown) => (typeof v === 'number' ? String(v) : '');
  const range = node.minimum !== undefined || node.maximum !== undefined ? ` ${bound(node.minimum)}..${bound(node.maximum)}` : '';
  const pattern = typeof node.pattern === 'string' && node.format === undefined ? ` matching /${node.pattern}/` : '';
  return `${types.join(' or ')}${range}${pattern}`;
}

/** A union member: an object variant is shown by its discriminating constant (`{type: "snap", …}`). */
function describeVariant(node: Json): string {
  const props = node.properties as Record<string, Json> | undefined;
  if (props) {
    const tag = Object.entries(props).find(([, p]) => 'const' in p);
    if (tag) return `{${tag[0]}: ${JSON.stringify(tag[1].const)}, …}`;
  }
  return describeNode(node);
}

export interface OptionLine {
  key: string;
  what: string;
  required: boolean;
  default?: unknown;
}

/** Every option key (nested objects as dotted keys, two levels deep), in schema order. */
export function optionLines(schema: z.ZodType): OptionLine[] {
  const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  const out: OptionLine[] = [];
  const walk = (node: Json, prefix: string, depth: number) => {
    const props = (node.properties ?? {}) as Record<string, Json>;
    const required = new Set((node.required as string[] | undefined) ?? []);
    for (const [key, child] of Object.entries(props)) {
      out.push({
        key: `${prefix}${key}`,
        what: describeNode(child),
        required: required.has(key),
        ...('default' in child ? { default: child.default } : {}),
      });
      if (depth < 2 && child.properties && !child.anyOf && !child.oneOf) walk(child, `${prefix}${key}.`, depth + 1);
    }
  };
  walk(root, '', 1);
  return out;
}

/** The help text of one probe type. */
export function probeTypeHelp(probe: ProbeType): string {
  const lines = optionLines(probe.options);
  const width = Math.min(28, Math.max(...lines.map((l) => l.key.length), 3));
  const rows = lines.map((l) => {
    const notes = [l.required ? 'required' : '', 'default' in l ? `default ${JSON.stringify(l.default)}` : ''].filter(Boolean).join('; ');
    return clip(`  ${l.key.padEnd(width)}  ${l.what}${notes ? ` (${notes})` : ''}`, MAX_LINE);
  });
  return [
    `Usage: pengawas probe ${probe.type} <target> [--opt key=value ...] [--timeout 30s] [--json]`,
    '',
    probe.summary,
    `Target: ${probe.targetHelp}`,
    '',
    `Options of the ${probe.type} probe (each as --opt key=value; values are JSON when they parse; dotted keys nest, e.g. --opt headers.X-Key=abc):`,
    ...(rows.length ? rows : ['  (none)']),
    '',
    `The same keys go under options: in a check of type ${probe.type} (docs/configuration.md).`,
    '',
  ].join('\n');
}
