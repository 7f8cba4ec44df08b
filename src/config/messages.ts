/**
 * Schema messages that name the bad value and what was expected, with the nearest valid value suggested
 * (`element "securty" is not one of …; did you mean "security"?`). zod's own "Invalid input" says neither.
 */
import type { z } from 'zod';
import { didYouMean } from '../util/nearest';
import { textOf } from '../util/narrow';

export { didYouMean } from '../util/nearest';

/** A short, quoted rendering of a value for messages (never more than ~60 characters). */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list (${v.length} items)`;
  if (typeof v === 'object') return 'a mapping';
  const text = JSON.stringify(v) ?? textOf(v);
  return text.length > 60 ? `${text.slice(0, 57)}…"` : text;
}

function valueAt(root: unknown, p: ReadonlyArray<PropertyKey>): unknown {
  let v = root;
  for (const k of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k as string];
  }
  return v;
}

/** The keys an object schema knows, when `schema` (or what it wraps) is a plain zod object. */
function knownKeys(schema: z.ZodType | undefined, p: ReadonlyArray<PropertyKey>): string[] {
  let s = schema as unknown as
    { shape?: Record<string, unknown>; unwrap?: () => unknown; def?: { innerType?: unknown; in?: unknown; element?: unknown } } | undefined;
  const step = (x: typeof s) => {
    for (let i = 0; i < 6 && x && !x.shape; i++) x = (x.def?.innerType ?? x.def?.in ?? (x.unwrap ? x.unwrap() : undefined)) as typeof s;
    return x;
  };
  s = step(s);
  for (const k of p) {
    if (!s) return [];
    const next = typeof k === 'number' ? s.def?.element : s.shape?.[k as string];
    s = step(next as typeof s);
  }
  return s?.shape ? Object.keys(s.shape) : [];
}

/** One message for one zod issue, naming the value found (looked up in `root`) and what was expected. */
export function issueMessage(issue: z.core.$ZodIssue, root: unknown, schema?: z.ZodType): string {
  const value = valueAt(root, issue.path);
  switch (issue.code) {
    case 'invalid_value': {
      const allowed = issue.values.map((x) => String(x));
      return `${show(value)} is not one of ${allowed.join(', ')}${typeof value === 'string' ? didYouMean(value, allowed) : ''}`;
    }
    case 'invalid_type':
      if (value === undefined) return `missing; expected ${issue.expected}`;
      return `expected ${issue.expected}, got ${show(value)}`;
    case 'unrecognized_keys': {
      const known = knownKeys(schema, issue.path);
      return (
        issue.keys.map((k) => `unknown field "${k}" (value ${show(valueAt(root, [...issue.path, k]))})${didYouMean(k, known)}`).join('; ') +
        (known.length ? `; known fields: ${known.join(', ')}` : '')
      );
    }
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
    case 'custom':
      return issue.message.includes(show(value)) || value === undefined || typeof value === 'object'
        ? issue.message
        : `${show(value)}: ${issue.message}`;
    default:
      return value === undefined ? issue.message : `${show(value)}: ${issue.message}`;
  }
}
