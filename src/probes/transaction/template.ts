/**
 * `{{name}}` templates in step URLs, headers and bodies: variables from earlier steps, and generated values
 * (`{{$uuid}}`, `{{$timestamp}}`, `{{$digits:12}}`, ...) that are fresh at every use. A value needed in several
 * steps (a reference number) is declared once under `variables:` and referenced by name.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { TemplateVariableError } from '../../errors';

const TEMPLATE = /\{\{\s*([$A-Za-z][A-Za-z0-9_:-]*)\s*\}\}/g;

/** Local time at a fixed offset, ISO-8601 to the second with the offset (SNAP's X-TIMESTAMP shape). */
export function offsetTimestamp(at: Date, offset = '+07:00'): string {
  const sign = offset[0] === '-' ? -1 : 1;
  const [h, m] = offset.slice(1).split(':').map(Number);
  const shifted = new Date(at.getTime() + sign * (h * 60 + m) * 60_000);
  return `${shifted.toISOString().slice(0, 19)}${offset}`;
}

function digits(n: number): string {
  let s = String(randomInt(1, 10));
  while (s.length < n) s += String(randomInt(0, 10));
  return s;
}

type Generator = (arg: string | undefined, ctx: { timestampOffset: string }) => string;

export const GENERATORS: ReadonlyMap<string, Generator> = new Map<string, Generator>([
  ['$uuid', () => randomUUID()],
  ['$timestamp', (_a, c) => offsetTimestamp(new Date(), c.timestampOffset)],
  ['$isoTimestamp', () => new Date().toISOString()],
  ['$epoch', () => String(Math.floor(Date.now() / 1000))],
  ['$epochMs', () => String(Date.now())],
  // A random reference number (partnerReferenceNo, X-EXTERNAL-ID): N digits, first one non-zero.
  ['$digits', (a) => digits(Math.min(64, Math.max(1, Number(a ?? 12) || 12)))],
]);

/** Every template name used anywhere inside a value (strings, arrays, objects). */
export function templateNames(value: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') for (const m of v.matchAll(TEMPLATE)) out.add(m[1]);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return [...out];
}

export interface TemplateContext {
  vars: ReadonlyMap<string, string>;
  timestampOffset: string;
}

export function render(text: string, ctx: TemplateContext): string {
  return text.replace(TEMPLATE, (_m, ref: string) => {
    if (ref.startsWith('$')) {
      const [gen, arg] = ref.split(':', 2);
      const g = GENERATORS.get(gen);
      if (!g) throw new TemplateVariableError(ref);
      return g(arg, ctx);
    }
    const v = ctx.vars.get(ref);
    if (v === undefined) throw new TemplateVariableError(ref);
    return v;
  });
}

/** Renders every string inside a JSON value; keys and non-string values stay as they are. */
export function renderJson(value: unknown, ctx: TemplateContext): unknown {
  if (typeof value === 'string') return render(value, ctx);
  if (Array.isArray(value)) return value.map((v) => renderJson(v, ctx));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderJson(v, ctx)]));
  }
  return value;
}

export function renderRecord(rec: Record<string, string>, ctx: TemplateContext): Record<string, string> {
  return Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, render(v, ctx)]));
}
