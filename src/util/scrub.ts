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

const BASE = 0x01000193;
/** BASE^(GRAM-1) mod 2^32: what the character leaving the window contributed. */
const TOP = (() => {
  let t = 1;
  for (let i = 1; i < GRAM; i++) t = Math.imul(t, BASE);
  return t;
})();

/** A character code lower-cased for A-Z only (index-preserving, as asciiLower). */
/** Map keys kept within small-integer range: V8 stores and hashes those without boxing. */
const KEY_MASK = 0x3fffffff;
/** Size of the pre-filter in bits (64 KiB). */
const FILTER_BITS = 1 << 19;
/** The pre-filter of a scrubber with no windows: never read (text() checks `grams.size` first). */
const NO_FILTER = new Uint8Array(0);

function lowerCode(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/**
 * Rolling hashes of every 8-character window, so a scan allocates nothing per position (a 1 MiB string in a few
 * ms, not a third of a second). A hash hit is confirmed against the form itself: no false redactions from
 * collisions.
 */
export class Scrubber {
  /** Window hash → where that window occurs: form index * 2^26 + offset. */
  private readonly grams = new Map<number, number[]>();
  /**
   * One bit per possible (masked) hash: most windows are ruled out by this array read, not a Map lookup. Made only
   * for a secret long enough to have windows: a check without secrets (most runs) allocates no 64 KiB per run.
   */
  private seen = NO_FILTER;
  /** Forms too short for a window (only from secrets validate would refuse): matched whole. */
  private readonly whole: string[] = [];
  private readonly forms: string[] = [];

  constructor(secrets: readonly string[]) {
    for (const s of secrets) {
      if (!s) continue;
      for (const f of secretForms(s)) {
        const fi = this.forms.push(f) - 1;
        if (f.length < GRAM) {
          this.whole.push(f);
          continue;
        }
        let h = 0;
        for (let i = 0; i < f.length; i++) {
          if (i >= GRAM) h = (h - Math.imul(f.charCodeAt(i - GRAM), TOP)) | 0;
          h = (Math.imul(h, BASE) + f.charCodeAt(i)) | 0;
          if (i >= GRAM - 1) {
            const at = fi * 2 ** 26 + (i - GRAM + 1);
            const key = h & KEY_MASK;
            if (this.seen === NO_FILTER) this.seen = new Uint8Array(FILTER_BITS / 8);
            this.seen[(key & (FILTER_BITS - 1)) >> 3] |= 1 << (key & 7);
            const list = this.grams.get(key);
            if (list) list.push(at);
            else this.grams.set(key, [at]);
          }
        }
      }
    }
  }

  get empty(): boolean {
    return this.grams.size === 0 && this.whole.length === 0;
  }

  /** Whether text[i, i+8) (lower-cased) is the window recorded at `at`. */
  private confirm(s: string, i: number, at: number): boolean {
    const f = this.forms[Math.floor(at / 2 ** 26)];
    const o = at % 2 ** 26;
    for (let k = 0; k < GRAM; k++) if (lowerCode(s.charCodeAt(i + k)) !== f.charCodeAt(o + k)) return false;
    return true;
  }

  /** The text with every secret fragment replaced by [redacted]. */
  text(s: string): string {
    if (this.empty || s.length === 0) return s;
    let hit: Uint8Array | undefined;
    const mark = (from: number, to: number) => (hit ??= new Uint8Array(s.length)).fill(1, from, to);
    if (this.grams.size && s.length >= GRAM) {
      let h = 0;
      for (let i = 0; i < s.length; i++) {
        if (i >= GRAM) h = (h - Math.imul(lowerCode(s.charCodeAt(i - GRAM)), TOP)) | 0;
        h = (Math.imul(h, BASE) + lowerCode(s.charCodeAt(i))) | 0;
        if (i < GRAM - 1) continue;
        const key = h & KEY_MASK;
        if (!(this.seen[(key & (FILTER_BITS - 1)) >> 3] & (1 << (key & 7)))) continue;
        const list = this.grams.get(key);
        const start = i - GRAM + 1;
        if (list && list.some((at) => this.confirm(s, start, at))) mark(start, i + 1);
      }
    }
    if (this.whole.length) {
      const low = asciiLower(s);
      for (const w of this.whole) for (let i = low.indexOf(w); i !== -1; i = low.indexOf(w, i + 1)) mark(i, i + w.length);
    }
    if (!hit) return s;
    let out = '';
    for (let i = 0; i < s.length;) {
      let j = i;
      if (!hit[i]) {
        while (j < s.length && !hit[j]) j++;
        out += s.slice(i, j);
      } else {
        while (j < s.length && hit[j]) j++;
        out += REDACTED;
      }
      i = j;
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

/** Query parameters whose values are credentials by their name (API keys, tokens, signatures, passwords). */
const CREDENTIAL_PARAM = /(pass|pwd|secret|token|key|sig|auth|credential|session|code|jwt|bearer)/i;
/** The longest target a label carries; longer ones are cut with "…". */
export const MAX_TARGET_LABEL = 256;

/**
 * A target fit for a label or a log line: URL user-info (`user:password@`) removed, values of credential-named
 * query parameters replaced by `[redacted]`, cut to MAX_TARGET_LABEL characters. Secret references never reach a
 * target (validate refuses them outside options); this strips credentials written into the target itself.
 */
export function stripCredentials(target: string): string {
  let t = target.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]*@/i, '$1');
  const q = t.indexOf('?');
  if (q >= 0) {
    const hash = t.indexOf('#', q);
    const end = hash >= 0 ? hash : t.length;
    const query = t
      .slice(q + 1, end)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        return eq > 0 && CREDENTIAL_PARAM.test(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
      })
      .join('&');
    t = `${t.slice(0, q + 1)}${query}${t.slice(end)}`;
  }
  return t.length > MAX_TARGET_LABEL ? `${t.slice(0, MAX_TARGET_LABEL - 1)}…` : t;
}
