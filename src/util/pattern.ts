/**
 * User-supplied regular expressions, run on a linear-time engine (re2js: RE2 semantics in pure JS), so no pattern
 * and no response body can make a match take exponential time and freeze the event loop ("(a+)+$" on "aaa…b").
 * Constructs RE2 cannot run in linear time (back-references, look-around, atomic groups, possessive quantifiers)
 * are refused up front with their name and position, so `validate` can say what to change.
 */
import type * as Re2 from 're2js';

/** re2js is loaded with the first pattern compiled: a process that compiles none (`pengawas probe tls`) skips it. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const engine = () => (require('re2js') as typeof Re2).RE2JS;

export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

export interface Pattern {
  readonly source: string;
  test(input: string): boolean;
  /** The whole match and its groups (undefined where a group did not take part), or null. */
  exec(input: string): Array<string | undefined> | null;
}

/** What a JS-only construct is called, for the error message. */
function unsupported(p: string, i: number): string | undefined {
  const rest = p.slice(i);
  if (/^\\[1-9]/.test(rest)) return `back-reference \`${rest.slice(0, 2)}\``;
  if (/^\\k</.test(rest)) return 'named back-reference `\\k<…>`';
  if (rest.startsWith('(?=')) return 'look-ahead `(?=…)`';
  if (rest.startsWith('(?!')) return 'negative look-ahead `(?!…)`';
  if (rest.startsWith('(?<=')) return 'look-behind `(?<=…)`';
  if (rest.startsWith('(?<!')) return 'negative look-behind `(?<!…)`';
  if (rest.startsWith('(?>')) return 'atomic group `(?>…)`';
  return undefined;
}

/**
 * Rewrites the few JS spellings RE2 writes differently (`\uXXXX`, `\u{…}` → `\x{…}`) and throws a PatternError
 * naming the first construct RE2 cannot run. Walks escapes and character classes so `[(?=]` or `\\1` pass.
 */
function translate(p: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      const u = /^\\u(?:([0-9a-fA-F]{4})|\{([0-9a-fA-F]{1,6})\})/.exec(p.slice(i));
      if (u) {
        out += `\\x{${u[1] ?? u[2]}}`;
        i += u[0].length - 1;
        continue;
      }
      const what = inClass ? undefined : unsupported(p, i);
      if (what) throw new PatternError(`${what} at offset ${i} is not supported`);
      out += p.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A leading ']' (or '^]') is a literal inside the class.
      if (p[i + 1] === '^') out += p[++i];
      if (p[i + 1] === ']') out += p[++i];
      continue;
    }
    const what = unsupported(p, i);
    if (what) throw new PatternError(`${what} at offset ${i} is not supported`);
    if ((c === '+' || c === '*' || c === '?' || c === '}') && p[i + 1] === '+') {
      throw new PatternError(`possessive quantifier \`${c}+\` at offset ${i} is not supported`);
    }
    out += c;
  }
  return out;
}

const LINEAR = 'patterns run on a linear-time engine (RE2 syntax); back-references and look-around need backtracking';

/** Compiles or throws a PatternError whose message names the construct and why it is refused. */
function build(source: string, ignoreCase: boolean): Pattern {
  let re: Re2.RE2JS;
  try {
    const RE2 = engine();
    re = RE2.compile(translate(source), ignoreCase ? RE2.CASE_INSENSITIVE : 0);
  } catch (e) {
    const msg = (e as Error).message.replace(/^error parsing regexp: /, '');
    throw new PatternError(`unsupported regular expression /${source}/: ${msg} (${LINEAR})`);
  }
  return {
    source,
    test: (input) => re.matcher(input).find(),
    exec: (input) => {
      const m = re.matcher(input);
      if (!m.find()) return null;
      const groups: Array<string | undefined> = [];
      for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g) ?? undefined);
      return groups;
    },
  };
}

// Checks run the same patterns every few seconds: compile each once. Bounded so a reload loop cannot grow it.
const cache = new Map<string, Pattern>();
const CACHE_MAX = 500;

/** The compiled pattern (cached). Throws PatternError for a pattern RE2 cannot run. */
export function compilePattern(source: string, opts: { ignoreCase?: boolean } = {}): Pattern {
  const key = `${opts.ignoreCase ? 'i' : '-'}${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const p = build(source, Boolean(opts.ignoreCase));
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, p);
  return p;
}

/** Why a pattern cannot be used, or undefined when it can. */
export function patternProblem(source: string): string | undefined {
  try {
    compilePattern(source);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
