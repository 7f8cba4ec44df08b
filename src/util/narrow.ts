/** Typed narrowing at JSON and database boundaries, where a value's shape is only known at run time. */

/** A parsed JSON object (or a database row) whose fields are read one by one. */
export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v` when it is an object, else an empty one: reading a field of it then gives `undefined`, never a TypeError. */
export function asObject(v: unknown): JsonObject {
  return isObject(v) ? v : {};
}

/** JSON text parsed as an object (an empty one for any other JSON value); throws SyntaxError on invalid JSON. */
export function parseObject(text: string): JsonObject {
  return asObject(JSON.parse(text));
}

/**
 * A value as text the way `String(v)` gives it for strings, numbers, booleans, bigints, null, undefined and Dates;
 * objects and arrays as JSON rather than "[object Object]".
 */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toString();
  if (typeof v === 'symbol' || typeof v === 'function') return v.toString();
  return JSON.stringify(v);
}

/** Narrows `o` to an object whose `keys` all hold strings. */
export function hasStrings<K extends string>(o: JsonObject, ...keys: K[]): o is JsonObject & Record<K, string> {
  return keys.every((k) => typeof o[k] === 'string');
}

/** Narrows `o` to an object whose `keys` hold a string, null or nothing. */
export function hasOptionalStrings<K extends string>(o: JsonObject, ...keys: K[]): o is JsonObject & Partial<Record<K, string | null>> {
  return keys.every((k) => o[k] === undefined || o[k] === null || typeof o[k] === 'string');
}
