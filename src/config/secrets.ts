/**
 * Secrets by reference only: `${env:NAME}` and `${file:PATH}` inside a check's `options`. The scheduler and Redis
 * only ever see the references; a worker resolves them right before the probe runs, and the resolved values are
 * scrubbed from the result before it leaves the worker.
 */
import { readFileSync } from 'node:fs';
import { SecretError } from '../errors';
import { MIN_SECRET_LENGTH, scrubSecrets as scrubAll } from '../util/scrub';

const REF = /\$\{(env|file):([^}]+)\}/g;

export interface SecretRef {
  kind: 'env' | 'file';
  name: string;
  /** Dotted path of the string that holds the reference, e.g. `options.headers.Authorization`. */
  path: string;
}

/** Every reference in a value, with where it sits. */
export function findRefs(value: unknown, path = ''): SecretRef[] {
  const out: SecretRef[] = [];
  const walk = (v: unknown, p: string) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(REF)) out.push({ kind: m[1] as 'env' | 'file', name: m[2], path: p });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, p ? `${p}.${k}` : k);
  };
  walk(value, path);
  return out;
}

/** Why a reference cannot be resolved here, or undefined when it can. */
export function refProblem(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (ref.kind === 'env') return env[ref.name] === undefined ? `environment variable ${ref.name} is not set` : undefined;
  try {
    readFileSync(ref.name);
    return undefined;
  } catch (e) {
    return `secret file ${ref.name} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}

/**
 * Why a resolvable reference is still unusable: a value shorter than MIN_SECRET_LENGTH could not be told apart
 * from ordinary text when scrubbing results. Names the reference, never the value.
 */
export function shortRefProblem(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): string | undefined {
  let value: string;
  try {
    value = readRef(ref.kind, ref.name, env);
  } catch {
    return undefined;
  }
  if (value.length >= MIN_SECRET_LENGTH) return undefined;
  return `secret reference \${${ref.kind}:${ref.name}} resolves to fewer than ${MIN_SECRET_LENGTH} characters: too short to recognise and scrub from results; use a longer secret`;
}

function readRef(kind: string, name: string, env: NodeJS.ProcessEnv): string {
  if (kind === 'env') {
    const v = env[name];
    if (v === undefined) throw new SecretError(`environment variable ${name} is not set`);
    return v;
  }
  try {
    return readFileSync(name, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new SecretError(`secret file ${name} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** A deep copy of `value` with references replaced, plus the secret values used (for scrubbing). */
export function resolveSecrets<T>(value: T, env: NodeJS.ProcessEnv = process.env): { value: T; secrets: string[] } {
  const secrets: string[] = [];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return v.replace(REF, (_m, kind: string, name: string) => {
        const s = readRef(kind, name, env);
        if (s.length > 0) secrets.push(s);
        return s;
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { value: walk(value) as T, secrets };
}

/** Replaces every secret value (and its encodings and fragments, see util/scrub.ts) found anywhere in a value. */
export function scrubSecrets<T>(value: T, secrets: string[]): T {
  return scrubAll(value, secrets);
}
