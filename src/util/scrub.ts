/**
 * Removes secret values from anything a probe returns, in the shapes a target can echo them back: as sent, in
 * either case, JSON-escaped, URL-encoded, base64/base64url (at any byte alignment) or hex, and as any fragment of
 * 8 or more characters of those (a target or a clip that cuts the token still leaves no 8 characters of it).
 * Matching is by 8-character windows of each encoded form, case-insensitive, so the cost is linear in the text.
 */

const REDACTED = '[redacted]';
/** The shortest fragment of a secret that counts as a leak; secrets shorter than this are refused at validate. */
export const MIN_SECRET_LENGTH = 8;
const GRAM = MIN_SECRET_LENGTH;

/** Lower-cases A-Z only, so indexes in the result line up with the original (toLowerCase may change lengths). */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** The characters of base64(x) that depend only on the secret, for each of the three byte alignments. */
function base64Cores(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let o = 0; o < 3; o++) {
    const enc = Buffer.concat([Buffer.alloc(o), bytes]).toString('base64');
    out.push(enc.slice(Math.ceil((8 * o) / 6), Math.floor((8 * (o + bytes.length)) / 6)));
  }
  return out;
}

/** Every encoded form of a secret worth looking for, lower-cased. */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const json = JSON.stringify(secret).slice(1, -1);
  const b64 = base64Cores(bytes);
  const forms = [
    secret,
    json,
    JSON.stringify(json).slice(1, -1),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    encodeURI(secret),
    ...b64,
    ...b64.map((c) => c.replace(/\+/g, '-').replace(/\//g, '_')),
    bytes.toString('hex'),
  ];
  return [...new Set(forms.map(asciiLower))].filter((f) => f.length > 0);
}

export class Scrubber {
  private readonly grams = new Set<string>();
  /** Forms too short for a window (only from secrets validate would refuse): matched whole. */
  private readonly whole: string[] = [];
  private readonly forms: string[] = [];

  constructor(secrets: readonly string[]) {
    for (const s of secrets) {
      if (!s) continue;
      for (const f of secretForms(s)) {
        this.forms.push(f);
        if (f.length < GRAM) this.whole.push(f);
        else for (let i = 0; i + GRAM <= f.length; i++) this.grams.add(f.slice(i, i + GRAM));
      }
    }
  }

  get empty(): boolean {
    return this.grams.size === 0 && this.whole.length === 0;
  }

  /** The text with every secret fragment replaced by [redacted]. */
  text(s: string): string {
    if (this.empty || s.length === 0) return s;
    const low = asciiLower(s);
    const hit = new Uint8Array(s.length);
    let any = false;
    if (this.grams.size) {
      for (let i = 0; i + GRAM <= low.length; i++) {
        if (this.grams.has(low.slice(i, i + GRAM))) {
          hit.fill(1, i, i + GRAM);
          any = true;
        }
      }
    }
    for (const w of this.whole) {
      for (let i = low.indexOf(w); i !== -1; i = low.indexOf(w, i + 1)) {
        hit.fill(1, i, i + w.length);
        any = true;
      }
    }
    if (!any) return s;
    let out = '';
    for (let i = 0; i < s.length; ) {
      if (!hit[i]) {
        out += s[i++];
        continue;
      }
      while (i < s.length && hit[i]) i++;
      out += REDACTED;
    }
    return out;
  }

  /**
   * Object keys are mostly the probe's own field names ("redirects"): a secret sharing a word with one must not
   * rename it, so a key is scrubbed only when it holds a whole encoded secret (a target that echoes into a key).
   */
  private key(k: string): string {
    const low = asciiLower(k);
    return this.forms.some((f) => low.includes(f)) ? this.text(k) : k;
  }

  /** A deep copy with every string (and object key, see key()) scrubbed; other values as they are. */
  value<T>(v: T): T {
    if (this.empty) return v;
    const walk = (x: unknown): unknown => {
      if (typeof x === 'string') return this.text(x);
      if (Array.isArray(x)) return x.map(walk);
      if (x && typeof x === 'object' && !(x instanceof Date) && !Buffer.isBuffer(x)) {
        return Object.fromEntries(Object.entries(x).map(([k, y]) => [this.key(k), walk(y)]));
      }
      return x;
    };
    return walk(v) as T;
  }
}

/** Replaces every secret (and every encoded form or fragment of it) found anywhere in a JSON-like value. */
export function scrubSecrets<T>(value: T, secrets: readonly string[]): T {
  return new Scrubber(secrets).value(value);
}
